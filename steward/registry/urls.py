from django.urls import path

from steward.registry import views

app_name = "registry"
urlpatterns = [
    path("account_list/", views.placeholder, name="account_list"),
]

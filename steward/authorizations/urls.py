from django.urls import path

from steward.authorizations import views

app_name = "authorizations"
urlpatterns = [
    path("grant_list/", views.placeholder, name="grant_list"),
]

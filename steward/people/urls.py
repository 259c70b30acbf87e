from django.urls import path

from steward.people import views

app_name = "people"
urlpatterns = [
    path("person_list/", views.placeholder, name="person_list"),
    path("roster_import/", views.placeholder, name="roster_import"),
]

from django.urls import path

from steward.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("import/", views.roster_import_page, name="roster_import"),
    path("import/<int:pk>/", views.roster_import_detail, name="roster_import_detail"),
]

from django.urls import path

from steward.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("new/", views.account_create, name="account_create"),
    path("export.csv", views.account_export, name="account_export"),
    path("report/", views.account_report, name="account_report"),
    path("<int:pk>/", views.account_detail, name="account_detail"),
    path("<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("<int:pk>/managers/add/", views.account_manager_add, name="account_manager_add"),
    path(
        "<int:pk>/managers/<int:person_pk>/remove/",
        views.account_manager_remove,
        name="account_manager_remove",
    ),
    path("<int:pk>/<slug:action>/", views.account_transition, name="account_transition"),
]

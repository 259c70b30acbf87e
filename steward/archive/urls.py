from django.urls import path

from steward.archive import views

app_name = "archive"

urlpatterns = [
    path("", views.search, name="search"),
    path("save/", views.search_save, name="search_save"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("preserve/", views.preserve, name="preserve"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="request_action"),
    path("disclosures/<int:pk>/bundle/", views.disclosure_download, name="disclosure_download"),
    path("holds/", views.hold_list, name="hold_list"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold_release"),
    path("retention/", views.retention, name="retention"),
    path("retention/<int:pk>/deactivate/", views.retention_deactivate, name="retention_deactivate"),
]

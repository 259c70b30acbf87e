from django.urls import path

from steward.authorizations import views

app_name = "authorizations"
urlpatterns = [
    path("", views.grant_list, name="grant_list"),
    path("new/", views.grant_create, name="grant_create"),
    path("expiring/", views.grant_expiring, name="grant_expiring"),
    path("may-post/", views.may_post_check, name="may_post_check"),
    path("<int:pk>/", views.grant_detail, name="grant_detail"),
    path("<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("<int:pk>/evidence/", views.grant_evidence, name="grant_evidence"),
]

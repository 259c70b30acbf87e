from django.urls import path

from steward.core import views

app_name = "core"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("me/", views.my_account, name="my_account"),
    path("me/api-tokens/", views.api_tokens, name="api_tokens"),
    path("me/api-tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]

from django.urls import path

from steward.platforms import views

app_name = "platforms"
urlpatterns = [
    # Receivers: no sign-in, CSRF-exempt, signature-checked (exempt from the MFA middleware).
    path("webhooks/<str:platform>/", views.webhook, name="webhook"),
    path("live/", views.live_status, name="live_status"),
    path("live/events/<int:pk>/", views.event_detail, name="event_detail"),
    path("live/events/<int:pk>/retry/", views.event_retry, name="event_retry"),
    path("live/actions/<int:pk>/retry/", views.action_retry, name="action_retry"),
    path("accounts/<int:account_pk>/connection/", views.connection_edit, name="connection_edit"),
    path("accounts/<int:account_pk>/connection/oauth/", views.oauth_start, name="oauth_start"),
    path("oauth/<str:provider>/callback/", views.oauth_callback, name="oauth_callback"),
]

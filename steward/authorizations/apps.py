from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    name = "steward.authorizations"
    label = "authorizations"

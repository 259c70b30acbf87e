from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "steward.platforms"
    label = "platforms"

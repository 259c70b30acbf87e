from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "steward.archive"
    label = "archive"

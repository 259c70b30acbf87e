from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "steward.platforms"
    label = "platforms"

    def ready(self) -> None:
        # Celery workers and beat set Django up before importing task modules; registering here
        # puts the block-lifting task and its beat entry in both.
        from steward.platforms import periodic

        periodic.register()

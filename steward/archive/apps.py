from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "steward.archive"
    label = "archive"

    def ready(self) -> None:
        # Workers and beat set Django up before importing task modules: registering here puts the
        # archive's scheduled work (reminders, checkpoints, verification) in beat's schedule.
        from steward.archive import tasks

        tasks.register()

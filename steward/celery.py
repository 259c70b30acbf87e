"""Celery app. With no CELERY_BROKER_URL, tasks run in-process (``task_always_eager``)."""

import os
from collections.abc import Callable
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
app = Celery("steward")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def on_beat_schedule(add_entries: Callable[..., Any]) -> None:
    """Call ``add_entries(app)`` when the app is finalized, when beat's periodic entries are
    added (at once if it already is: apps set Django up before or after Celery finalizes)."""
    if app.finalized:
        add_entries(app)
    else:
        app.on_after_finalize.connect(add_entries)

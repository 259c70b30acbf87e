"""Scheduled archive work (INT-5 fixity checks, INT-2 checkpoints). Schedule with Celery beat,
e.g. daily ``steward.archive.checkpoint`` and weekly ``steward.archive.verify``."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import shared_task
from django.conf import settings

from steward.archive import services

log = logging.getLogger(__name__)


@shared_task(name="steward.archive.verify")
def archive_verify_task() -> dict[str, object]:
    """Re-verify every chain; a failure is logged at ERROR (alerting hooks onto the logger)."""
    result = services.archive_verify()
    if not result.ok:
        log.error("archive verification failed: %s %s", result.broken, "; ".join(result.problems))
    return {
        "ok": result.ok,
        "checked": result.checked,
        "broken": str(result.broken or ""),
        "problems": result.problems,
    }


@shared_task(name="steward.archive.checkpoint")
def archive_checkpoint_task() -> int:
    """Record (and sign when a key is configured) every chain's head."""
    key = getattr(settings, "STEWARD_ARCHIVE_SIGNING_KEY", "") or os.environ.get(
        "STEWARD_ARCHIVE_SIGNING_KEY", ""
    )
    return len(services.checkpoint_create_all(private_key_b64=key or None))


@shared_task(name="steward.archive.deadline_alerts")
def deadline_alerts_task() -> int:
    """The day-7 and day-9 records-request reminders (PRR-1); schedule daily, early morning."""
    return len(services.deadline_alerts_send())


#: Beat entries of the archive (``celery -A steward beat``): the records-request reminders each
#: morning at 7, the signed checkpoints every night, the full verification every Sunday night.
SCHEDULE = {
    "steward records-request reminders": ("steward.archive.deadline_alerts", {"hour": 7, "minute": 0}),
    "steward archive checkpoints": ("steward.archive.checkpoint", {"hour": 1, "minute": 30}),
    "steward archive verification": ("steward.archive.verify", {"hour": 2, "minute": 0, "day_of_week": 0}),
}


def _schedule(sender: Any, **kwargs: Any) -> None:
    from celery.schedules import crontab

    for name, (task, when) in SCHEDULE.items():
        sender.add_periodic_task(crontab(**when), sender.signature(task), name=name)


def register() -> None:
    from steward.celery import on_beat_schedule

    on_beat_schedule(_schedule)

"""Periodic work beside the pipeline's sweeper: lifting blocks whose review-by date has come.

Registered from :meth:`PlatformsConfig.ready` so that workers and beat (which call
``django.setup()`` before importing task modules) both have it; ``celery -A steward beat`` runs it
every ``BLOCK_LIFT_INTERVAL_SECONDS`` (an hour). Without a broker, ``steward sweep_events`` lifts
due blocks on each sweep, and ``steward lift_due_blocks`` does only that (for cron).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings

log = logging.getLogger("steward.live")

SCHEDULE_NAME = "steward lift due blocks"


@shared_task(name="steward.moderation.lift_due_blocks")
def lift_due_blocks_task() -> list[int]:
    from steward.moderation.services import blocks_lift_due

    lifted = blocks_lift_due()
    if lifted:
        log.info("lifted %d blocks at their review-by date: %s", len(lifted), [b.pk for b in lifted])
    return [b.pk for b in lifted]


def _schedule(sender: Any, **kwargs: Any) -> None:
    every = float(getattr(settings, "BLOCK_LIFT_INTERVAL_SECONDS", 3600))
    sender.add_periodic_task(every, lift_due_blocks_task.s(), name=SCHEDULE_NAME)


def register() -> None:
    from steward.celery import on_beat_schedule

    on_beat_schedule(_schedule)

"""``steward sweep_events``: re-drive stored events and platform actions that are not done, and
lift blocks whose review-by date has come.

Run it from cron or a systemd timer in the embedded (no broker) setup, or let Celery beat run
``steward.platforms.sweep`` every 30 s (and ``steward.moderation.lift_due_blocks`` hourly).
``--loop N`` sweeps every N seconds until stopped.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Re-drive stored webhook events and platform actions that did not finish."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=1000)
        parser.add_argument("--loop", type=float, default=0, help="Sweep every N seconds until stopped.")
        parser.add_argument("--dry-run", action="store_true", help="Only count what is due.")

    def handle(self, *args: Any, **opts: Any) -> None:
        from steward.moderation.services import blocks_due_for_review, blocks_lift_due
        from steward.platforms.pipeline import due_counts, sweep

        while True:
            counts = due_counts() if opts["dry_run"] else sweep(limit=opts["limit"])
            blocks = blocks_due_for_review() if opts["dry_run"] else blocks_lift_due()
            self.stdout.write(f"events={counts['events']} actions={counts['actions']} blocks={len(blocks)}")
            if not opts["loop"]:
                return
            time.sleep(opts["loop"])

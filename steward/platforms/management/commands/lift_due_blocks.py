"""``steward lift_due_blocks``: lift every block whose review-by date has come (BLK-2), as the
system, unblocking through the connector where the platform allows it. Celery beat runs the same
hourly, and ``steward sweep_events`` on each sweep; this is for cron in the embedded setup."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = "Lift blocks whose review-by date has come (BLK-2)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only list the blocks that are due.")
        parser.add_argument("--date", default="", help="Lift as of this date (YYYY-MM-DD); default today.")

    def handle(self, *args: Any, **opts: Any) -> None:
        from steward.moderation.services import blocks_due_for_review, blocks_lift_due

        try:
            on = dt.date.fromisoformat(opts["date"]) if opts["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, got {opts['date']!r}") from exc
        if on > timezone.localdate():
            raise CommandError("--date cannot be in the future: a block is lifted at its review, not before.")
        blocks = blocks_due_for_review(on) if opts["dry_run"] else blocks_lift_due(on=on)
        verb = "due" if opts["dry_run"] else "lifted"
        for block in blocks:
            self.stdout.write(f"{verb}: block {block.pk} ({block}), review by {block.review_by:%Y-%m-%d}")
        self.stdout.write(f"blocks {verb}: {len(blocks)}")

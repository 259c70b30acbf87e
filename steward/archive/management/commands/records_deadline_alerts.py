"""``steward records_deadline_alerts``: the day-7 and day-9 reminders of PRR-1 (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from steward.archive.services import deadline_alerts_send


class Command(BaseCommand):
    help = (
        "E-mail the officer of every unanswered records request on business day 7 and day 9 of "
        "the 10 allowed for the initial response; each reminder is sent once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, send nothing.")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="Count from this date (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        alerts = deadline_alerts_send(today=options.get("today"), dry_run=options["dry_run"])
        verb = "would send" if options["dry_run"] else "sent"
        for alert in alerts:
            to = ", ".join(alert.recipients.split()) or "nobody: no e-mail address on file"
            self.stdout.write(
                f"{alert.request.reference}: day {alert.day} of 10, due {alert.due_date:%Y-%m-%d}"
                f" — {verb} to {to}"
            )
        self.stdout.write(f"{len(alerts)} reminder(s) {verb}.")

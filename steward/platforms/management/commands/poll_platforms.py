"""``steward poll_platforms``: run the pollers that are due (YouTube comments, Instagram edits and
deletions), respecting each account's quota. Celery beat runs the same every minute."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Poll platforms that do not push comments, edits or deletions."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="Poll every cursor now, due or not.")

    def handle(self, *args: Any, **opts: Any) -> None:
        from steward.platforms.pollers import cursors_ensure, poll_cursor, polls_due

        cursors_ensure()
        ids = polls_due(force=opts["all"])
        for cursor_id in ids:
            self.stdout.write(f"cursor {cursor_id}: {poll_cursor(cursor_id)}")

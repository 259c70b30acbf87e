"""``steward archive_purge [--dry-run] --approval REF``: dispose of records past retention.

Only records past their longest applicable retention rule and under no hold or open request are
disposed of (RET-1, HOLD-1, HOLD-2); each becomes a tombstone with a disposition certificate.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.archive.services import archive_purge
from steward.core.errors import PolicyViolation


class Command(BaseCommand):
    help = "Dispose of archive records past retention (use --dry-run to list them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument(
            "--approval", default="", help="Supervisor of Records approval reference (RET-1)."
        )
        parser.add_argument("--actor", default="archive_purge command")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan, logs = archive_purge(
                actor=options["actor"],
                approval_reference=options["approval"],
                dry_run=options["dry_run"],
            )
        except PolicyViolation as exc:
            raise CommandError(str(exc.message)) from None
        for record, rule in plan.held:
            self.stdout.write(
                f"HELD   record {record.pk} ({record.kind} {record.platform_id}) — rule {rule.series}"
            )
        for record, rule in plan.eligible:
            verb = "WOULD DISPOSE" if options["dry_run"] else "DISPOSED"
            self.stdout.write(
                f"{verb} record {record.pk} ({record.kind} {record.platform_id}) — rule {rule.series}"
            )
        summary = f"{len(plan.eligible)} eligible, {len(plan.held)} held and skipped"
        if options["dry_run"]:
            self.stdout.write(f"Dry run: {summary}; nothing changed.")
        else:
            self.stdout.write(f"{len(logs)} records disposed ({summary}).")

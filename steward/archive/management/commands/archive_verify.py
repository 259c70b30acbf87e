"""``steward archive_verify``: walk every hash chain and report the first broken link (INT-3)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from steward.archive.services import archive_verify


class Command(BaseCommand):
    help = "Verify the archive's hash chains; exit 1 and name the first broken record if any."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chain", help="Only this chain (e.g. account:12).")
        parser.add_argument(
            "--workers",
            type=int,
            help="Processes to verify with (default: one per CPU for 100,000 records or more).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = archive_verify(chain=options.get("chain"), workers=options.get("workers"))
        took = time.perf_counter() - started
        if result.broken is not None:
            self.stderr.write(f"BROKEN: {result.broken}")
            self.stderr.write(f"{result.checked} records read before the break ({took:.1f} s).")
            raise SystemExit(1)
        for problem in result.problems:
            self.stderr.write(f"BROKEN: {problem}")
        if result.problems:
            raise SystemExit(1)
        self.stdout.write(
            f"OK: {result.checked} records in {result.chains} chains verified in {took:.1f} s."
        )

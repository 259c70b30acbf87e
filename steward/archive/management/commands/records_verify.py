"""``steward records_verify BUNDLE``: check an export bundle offline, without the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from steward.archive.bundle import bundle_verify


class Command(BaseCommand):
    help = "Verify a records-request export bundle (ZIP) offline: file hashes, record proofs, signature."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bundle")
        parser.add_argument("--public-key", help="The district's published Ed25519 key (base64).")

    def handle(self, *args: Any, **options: Any) -> None:
        report = bundle_verify(options["bundle"], trusted_public_key=options.get("public_key"))
        for problem in report.problems:
            self.stderr.write(f"PROBLEM: {problem}")
        self.stdout.write(report.summary())
        if not report.ok:
            raise SystemExit(1)

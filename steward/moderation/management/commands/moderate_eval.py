"""``steward moderate_eval FILE``: per-category figures of the engine against a ``label`` column."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.moderation.engine.cli import InputError, eval_main


class Command(BaseCommand):
    help = "Evaluate the moderation engine on labeled comments (precision, recall, F1, confusion)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="labeled JSON Lines or CSV, or - for stdin")
        parser.add_argument("--pack", help="rule pack YAML (default: the LPS pack)")
        parser.add_argument("--model", help="model artifact (default: the shipped one)")
        parser.add_argument("--fundraisers", help="YAML/JSON: account -> approved fundraisers")
        parser.add_argument("--today", help="date for fundraiser windows (YYYY-MM-DD)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--public",
            action="store_true",
            help="also evaluate the public held-out sets with the peer libraries (docs tables)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        argv = [opts["file"]] if opts.get("file") else []
        for key in ("pack", "model", "fundraisers", "today"):
            if opts.get(key):
                argv += [f"--{key}", str(opts[key])]
        for flag in ("json", "public"):
            if opts.get(flag):
                argv.append(f"--{flag}")
        try:
            eval_main(argv, cast("IO[str]", self.stdout._out))
        except InputError as e:
            raise CommandError(str(e)) from e

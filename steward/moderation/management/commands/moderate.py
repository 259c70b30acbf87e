"""``steward moderate FILE|-``: judge comments from JSON Lines or CSV; needs no database."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.moderation.engine.cli import InputError, moderate_main


class Command(BaseCommand):
    help = (
        "Judge comments (JSON Lines or CSV with id, text, post, lang, account); one JSON line each."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="input file, or - for standard input")
        parser.add_argument("--output", "-o", help="write JSON Lines here")
        parser.add_argument("--pack", help="rule pack YAML (default: the LPS pack)")
        parser.add_argument("--model", help="model artifact (default: the shipped one)")
        parser.add_argument("--fundraisers", help="YAML/JSON: account -> approved fundraisers")
        parser.add_argument("--today", help="date for fundraiser windows (YYYY-MM-DD)")
        parser.add_argument("--evidence", action="store_true", help="include spans and scores")

    def handle(self, *args: Any, **opts: Any) -> None:
        argv = [opts["file"]]
        for key in ("output", "pack", "model", "fundraisers", "today"):
            if opts.get(key):
                argv += [f"--{key}", str(opts[key])]
        if opts.get("evidence"):
            argv.append("--evidence")
        try:
            moderate_main(argv, cast("IO[str]", self.stdout._out))
        except InputError as e:
            raise CommandError(str(e)) from e

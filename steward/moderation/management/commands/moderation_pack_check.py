"""``steward moderation_pack_check [PACK]``: check an edited rule pack before the district uses it
(it loads, and it removes none of the labeled criticisms)."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.moderation.engine.cli import InputError, pack_check_main


class Command(BaseCommand):
    help = "Check a rule pack: it loads, and it hides or escalates none of the labeled criticisms."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pack", nargs="?", help="rule pack YAML (default: the LPS pack)")
        parser.add_argument("--model", help="model artifact (default: the shipped one)")

    def handle(self, *args: Any, **opts: Any) -> None:
        argv = [opts["pack"]] if opts.get("pack") else []
        if opts.get("model"):
            argv += ["--model", str(opts["model"])]
        try:
            code = pack_check_main(argv, cast("IO[str]", self.stdout._out))
        except InputError as e:
            raise CommandError(str(e)) from e
        if code:
            raise CommandError("the pack would remove criticism; not fit for use", returncode=code)

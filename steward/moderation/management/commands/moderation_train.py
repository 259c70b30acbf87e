"""``steward moderation_train``: train the moderation model from ../shared/data and the school set."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser

from steward.moderation.engine.cli import train_main


class Command(BaseCommand):
    help = "Train the moderation engine's linear model and write the artifact beside its metrics."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data", help="folder of the public data sets (default ../shared/data)"
        )
        parser.add_argument("--output", help="artifact path (default: the shipped artifact)")
        parser.add_argument("--pack", help="rule pack whose lexicons are used")
        parser.add_argument(
            "--cv", action="store_true", help="only print the school-set k-fold figures"
        )
        parser.add_argument(
            "--cv-hatexplain",
            action="store_true",
            help="only print removable-vs-ok k-fold figures on the HateXplain train split",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        argv: list[str] = []
        for key in ("data", "output", "pack"):
            if opts.get(key):
                argv += [f"--{key}", str(opts[key])]
        if opts.get("cv"):
            argv.append("--cv")
        if opts.get("cv_hatexplain"):
            argv.append("--cv-hatexplain")
        train_main(argv, cast("IO[str]", self.stdout._out))

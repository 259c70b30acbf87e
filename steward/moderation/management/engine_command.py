"""The moderation engine's own commands, listed among Django's.

``steward`` and ``manage.py`` answer ``moderate``, ``moderate_eval``, ``moderation_train`` and
``moderation_pack_check`` with the engine's command line directly, without Django
(``steward/cli.py``). These classes keep them in ``steward help`` and make ``django-admin`` and
``call_command`` reach the same command line: the arguments go through as they are, so the options
are declared once, in ``steward/moderation/engine/cli.py`` (Django's own options such as
``--settings`` are not among them: these commands need no settings).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.moderation.engine.cli import main


class EngineCommand(BaseCommand):
    """Forwards to ``steward.moderation.engine.cli`` under the command's own module name."""

    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    @property
    def engine_command(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]

    def run_from_argv(self, argv: list[str]) -> None:
        """``django-admin moderate FILE --evidence``: the engine's parser reads every argument."""
        sys.exit(main([self.engine_command, *argv[2:]]))

    def add_arguments(self, parser: CommandParser) -> None:
        # Everything from the first argument on, options included (``call_command("moderate",
        # path, "--evidence")``); the engine's own parser reads it.
        parser.add_argument("args", nargs=argparse.REMAINDER, help="the engine command's arguments")

    def handle(self, *args: Any, **opts: Any) -> None:
        code = main([self.engine_command, *args])
        if code:
            raise CommandError(f"{self.engine_command} ended with status {code}", returncode=code)

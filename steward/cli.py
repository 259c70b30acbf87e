"""The ``steward`` command: Django's management commands (``steward migrate``, ``steward
import_roster PATH``, ``steward moderate FILE``).

The moderation engine's own commands (``moderate``, ``moderate_eval``, ``moderation_train``,
``moderation_pack_check``) need no database and no Django: they go straight to the engine's
command line, which starts in about half the time Django's set-up takes (``python manage.py
moderate`` runs the same code through Django).
"""

from __future__ import annotations

import os
import sys

#: Commands answered by ``steward.moderation.engine.cli`` without setting Django up.
ENGINE_COMMANDS = frozenset(
    {"moderate", "moderate_eval", "moderation_train", "moderation_pack_check"}
)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ENGINE_COMMANDS:
        from steward.moderation.engine.cli import main as engine_main

        raise SystemExit(engine_main(args))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["steward", *args])


if __name__ == "__main__":
    main()

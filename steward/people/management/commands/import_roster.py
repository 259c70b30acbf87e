"""``steward import_roster PATH``: import a OneRoster CSV package (folder or ZIP)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.people import oneroster
from steward.people.services import RosterImportError, roster_import


class Command(BaseCommand):
    help = (
        "Import a OneRoster 1.1 or 1.2 CSV package (a folder or ZIP with manifest.csv). The whole "
        "package is checked first; any problem is listed with its file, row and column and nothing "
        "is written. People missing from a bulk users.csv are deactivated (offboarding)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Folder or ZIP file holding manifest.csv")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing")
        parser.add_argument("--mapping", help="YAML or JSON file renaming columns, files, roles and org types")
        parser.add_argument("--opt-outs", help="District CSV: userSourcedId,mediaOptOut,effectiveDate")
        parser.add_argument(
            "--no-deactivate", action="store_true", help="Do not deactivate people missing from the package"
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mapping = oneroster.Mapping.load(options["mapping"]) if options["mapping"] else None
        except oneroster.PackageError as exc:
            raise CommandError(str(exc)) from exc
        bar = None
        if not options["no_progress"]:
            from tqdm import tqdm

            bar = tqdm(total=1, unit="rows", file=self.stderr._out, dynamic_ncols=True)

        def progress(step: str, done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.set_description(step)
                bar.update(done - bar.n)

        try:
            report = roster_import(
                actor=f"import_roster command ({getpass.getuser()})",
                package=options["path"],
                mapping=mapping,
                opt_outs=options["opt_outs"],
                dry_run=options["dry_run"],
                deactivate_missing=not options["no_deactivate"],
                progress=progress,
                source_label=options["path"],
            )
        except oneroster.PackageError as exc:
            raise CommandError(str(exc)) from exc
        except RosterImportError as exc:
            if bar is not None:
                bar.close()
            for problem in exc.report.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(exc.report.problems)} problem(s) in the package; nothing was imported."
            ) from exc
        finally:
            if bar is not None:
                bar.close()
        for line in report.summary_lines():
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Roster import #{report.import_id} recorded."))

"""``steward import_export PLATFORM PATH --account ID|HANDLE``: backfill from a platform export.

Validates the whole file first; a bad file is named with its record and nothing is written.
Re-importing the same export adds nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from steward.archive import services
from steward.archive.exports import BadExportFile
from steward.registry.models import Account


class Command(BaseCommand):
    help = "Import a Facebook/Instagram DYI export, an X archive or a YouTube Takeout into the archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("platform", choices=services.PLATFORMS)
        parser.add_argument("path", help="Export folder, ZIP, or a single export file.")
        parser.add_argument(
            "--account", required=True, help="Account id or handle in the registry."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        platform, path, ref = options["platform"], options["path"], options["account"]
        qs = Account.objects.filter(platform=platform)
        account = qs.filter(pk=int(ref)).first() if ref.isdigit() else None
        account = account or qs.filter(handle_key=ref.lower().lstrip("@")).first()
        if account is None:
            raise CommandError(f"No {platform} account {ref!r} in the registry.")
        try:
            items = services.export_parse(platform=platform, path=path)
        except BadExportFile as exc:
            raise CommandError(f"Bad export file, nothing imported: {exc}") from None
        bar = tqdm(
            total=len(items),
            unit="rec",
            disable=options["no_progress"],
            desc=f"{platform} → {account}",
        )
        try:
            result = services.export_import(
                actor="import_export command",
                platform=platform,
                path=path,
                account=account,
                items=items,
                progress=bar.update,
            )
        finally:
            bar.close()
        self.stdout.write(
            f"{result.parsed} items read, {result.added} added, {result.skipped} already archived, "
            f"{result.media_stored} media files stored."
        )

"""``steward connect_fake_platforms``: register and connect one account per platform of a running
``steward fake_platforms`` server, for demos and the browser test. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Connect accounts to the fake platform server (demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base", default="http://127.0.0.1:8765", help="The fake server's URL")
        parser.add_argument("--unit", default="", help="Owning unit sourced id (default: the first district)")
        parser.add_argument("--platforms", default="facebook,instagram,x,youtube")

    def handle(self, *args: Any, **opts: Any) -> None:
        from steward.people.models import OrgUnit
        from steward.platforms.fake.server import DEFAULT_ACCOUNTS, GRAPH_VERSION
        from steward.platforms.pollers import cursors_ensure
        from steward.platforms.services import connection_save
        from steward.registry.models import Account

        unit = (
            OrgUnit.objects.filter(sourced_id=opts["unit"]).first()
            if opts["unit"]
            else OrgUnit.objects.filter(kind="district").first()
        )
        if unit is None:
            raise CommandError("No owning unit: import a roster first, or pass --unit.")
        prefixes = {"facebook": f"/graph/{GRAPH_VERSION}", "instagram": f"/graph/{GRAPH_VERSION}", "x": "/x/2",
                    "youtube": "/youtube/v3", "tiktok": "/tiktok/open_api/v1.3"}  # fmt: skip
        for platform in opts["platforms"].split(","):
            platform_id, name = DEFAULT_ACCOUNTS[platform]
            account, _ = Account.objects.get_or_create(
                platform=platform, handle_key=f"fake-{platform}",
                defaults={"handle": f"fake-{platform}", "display_name": f"{name} (fake {platform})",
                          "owning_unit": unit, "kind": "district", "status": "registered",
                          "platform_account_id": platform_id},
            )  # fmt: skip
            connection_save(actor=None, account=account, platform_account_id=platform_id,
                            access_token=f"fake-{platform}-token", base_url=opts["base"].rstrip("/") + prefixes[platform])  # fmt: skip
            self.stdout.write(f"connected {account}")
        cursors_ensure()

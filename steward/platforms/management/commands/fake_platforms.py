"""``steward fake_platforms``: run the fake platform server for demos, the browser test and drills.

Thin: it builds :class:`steward.platforms.fake.FakePlatforms`, optionally seeds one post per
platform, prints the URLs and secrets a local Steward needs, and serves until interrupted.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from steward.platforms.fake import FakePlatforms
from steward.platforms.fake.server import PLATFORMS


class Command(BaseCommand):
    help = "Run the fake Facebook/Instagram/X/YouTube/TikTok APIs on one local port, sending signed webhooks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--webhook-base",
            default="",
            help="Steward's base URL; webhooks go to <base>/platforms/webhooks/<platform>/ (e.g. http://127.0.0.1:8000)",
        )
        parser.add_argument(
            "--webhook",
            action="append",
            default=[],
            metavar="PLATFORM=URL",
            help="Webhook target for one platform (repeatable; overrides --webhook-base)",
        )
        parser.add_argument("--app-secret", default="fake-meta-app-secret")
        parser.add_argument("--x-consumer-secret", default="fake-x-consumer-secret")
        parser.add_argument(
            "--seed", action="store_true", help="Create one district post per platform"
        )
        parser.add_argument(
            "--x-limit",
            type=int,
            default=None,
            help="Requests per 15 minutes for every X endpoint (default: X's own, e.g. 50 for hide)",
        )
        parser.add_argument(
            "--oauth-env",
            default="",
            metavar="FILE",
            help="Write the settings that point Steward's 'Connect with …' sign-in at this fake, "
            "as NAME=value lines (source it before starting Steward)",
        )
        parser.add_argument(
            "--youtube-units",
            type=int,
            default=10_000,
            help="YouTube daily quota units (default 10,000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        targets: dict[str, str] = {}
        if options["webhook_base"]:
            base = options["webhook_base"].rstrip("/")
            targets = {p: f"{base}/platforms/webhooks/{p}/" for p in ("facebook", "instagram", "x")}
        for item in options["webhook"]:
            platform, _, url = item.partition("=")
            if platform not in PLATFORMS or not url:
                self.stderr.write(f"ignored --webhook {item!r}: expected PLATFORM=URL")
                continue
            targets[platform] = url
        fake = FakePlatforms(
            host=options["host"],
            port=options["port"],
            app_secret=options["app_secret"],
            x_consumer_secret=options["x_consumer_secret"],
            webhook_targets=targets,
            youtube_daily_units=options["youtube_units"],
            x_limits=(
                dict.fromkeys(("hidden", "search", "default"), options["x_limit"])
                if options["x_limit"]
                else None
            ),
        )
        url = fake.start()
        posts = {p: fake.add_post(p) for p in PLATFORMS} if options["seed"] else {}
        info = {
            "url": url,
            "control": f"{url}/_control/state",
            "base_urls": {p: fake.base_url(p) for p in PLATFORMS},
            "accounts": fake.accounts,
            "tokens": fake.tokens,
            "app_secret": fake.app_secret,
            "x_consumer_secret": fake.x_consumer_secret,
            "webhook_targets": targets,
            "seeded_posts": posts,
            "oauth_settings": fake.oauth_settings(),
        }
        self.stdout.write(json.dumps(info, indent=2))
        if options["oauth_env"]:
            with open(options["oauth_env"], "w", encoding="utf-8") as fh:
                fh.writelines(f"export {k}={v}\n" for k, v in fake.oauth_settings().items())
        self.stdout.write(self.style.SUCCESS(f"fake platforms serving on {url}; Ctrl-C to stop"))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            fake.stop()

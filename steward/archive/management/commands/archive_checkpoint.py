"""``steward archive_checkpoint``: record (and sign) every chain's head (INT-2).

Signs with the Ed25519 key in ``STEWARD_ARCHIVE_SIGNING_KEY`` (base64 raw key) when set.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from steward.archive.services import checkpoint_create_all


class Command(BaseCommand):
    help = "Write a (signed) checkpoint of every hash chain's head."

    def handle(self, *args: Any, **options: Any) -> None:
        key = getattr(settings, "STEWARD_ARCHIVE_SIGNING_KEY", "") or os.environ.get(
            "STEWARD_ARCHIVE_SIGNING_KEY", ""
        )
        checkpoints = checkpoint_create_all(private_key_b64=key or None)
        signed = "signed" if key else "unsigned (no STEWARD_ARCHIVE_SIGNING_KEY)"
        self.stdout.write(f"{len(checkpoints)} checkpoints written, {signed}.")

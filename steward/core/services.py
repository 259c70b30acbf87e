"""Writes owned by core: API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from steward.core.audit import audit, snapshot
from steward.core.errors import NotPermitted
from steward.core.models import ApiToken

TOKEN_PREFIX = "stw_"  # noqa: S105 - a visible prefix, not a secret


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, actor: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the secret, which is never stored and can
    only be shown this once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name.strip()[:100], token_hash=token_digest(secret))
        audit(actor=actor, action="core.api_token_created", obj=token, after={"name": token.name, "user": user.get_username()})
    return token, secret


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke ``token``; only its owner (or a superuser) may."""
    if token.user_id != actor.pk and not actor.is_superuser:
        raise NotPermitted("No such token.")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit(actor=actor, action="core.api_token_revoked", obj=token, before={"revoked_at": None}, after=snapshot(token, ["revoked_at"]))
    return token

"""Small builders shared by the registry and authorization tests."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from steward.core.models import ApiToken
from steward.registry import services
from steward.registry.models import Account
from tests.personas import District


def registered(
    lps: District, unit_name: str = "school_a", *, handle: str | None = None, **kw: Any
) -> Account:
    """A complete, registered account owned by ``unit_name``, entered by the media officer."""
    unit = getattr(lps, unit_name)
    admin = {
        "school_a": lps.principal_a,
        "team_a": lps.principal_a,
        "club_a": lps.principal_a,
        "school_b": lps.principal_b,
        "dept": lps.athletics_head,
        "program": lps.athletics_head,
        "district": lps.superintendent,
    }[unit_name]
    kind = kw.pop(
        "kind",
        {
            "school_a": "school",
            "school_b": "school",
            "team_a": "team",
            "club_a": "club",
            "dept": "department",
            "program": "program",
            "district": "district",
        }[unit_name],
    )
    facts: dict[str, Any] = {
        "platform": "instagram",
        "handle": handle or f"lps_{unit_name}",
        "display_name": f"{unit} on Instagram",
        "owning_unit": unit,
        "kind": kind,
        "responsible_administrator": admin,
        "advisor": lps.coach_a if kind in Account.ADVISED_KINDS else None,
    }
    facts.update(kw)
    return services.account_create(
        actor=lps.user("media_officer"), register=True, reason="test", **facts
    )


def api_client(user: User) -> tuple[Client, dict[str, str]]:
    """A client and the headers that authenticate it to the API as ``user``."""
    token = secrets.token_urlsafe(24)
    ApiToken.objects.create(
        user=user, name="test", token_hash=hashlib.sha256(token.encode()).hexdigest()
    )
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}

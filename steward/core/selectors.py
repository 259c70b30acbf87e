"""Reads for the dashboard, each narrowed to what the user may see."""

from __future__ import annotations

from typing import Any


def dashboard_summary(*, user: Any) -> dict[str, Any]:
    """Counts and problem lists for the dashboard. Filled in by the registry and people selectors."""
    from steward.authorizations.selectors import grants_expiring
    from steward.people.selectors import offboarded_with_open_responsibilities
    from steward.registry.selectors import (
        accounts_for,
        accounts_missing_people,
        status_platform_counts,
    )

    accounts = accounts_for(user)
    return {
        "by_status_platform": status_platform_counts(accounts),
        "missing_people": accounts_missing_people(accounts),
        "expiring": grants_expiring(user=user, days=30),
        "offboarded": offboarded_with_open_responsibilities(user=user),
    }


def api_tokens_for(user: Any) -> Any:
    """The signed-in user's own API tokens (never anyone else's)."""
    from steward.core.models import ApiToken

    if user is None or not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")

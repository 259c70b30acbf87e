"""Admin: read-only. Grants are created and revoked through the services (rules, evidence, audit)."""

from __future__ import annotations

from django.contrib import admin

from steward.authorizations.models import Authorization
from steward.registry.admin import ReadOnly


@admin.register(Authorization)
class AuthorizationAdmin(ReadOnly):
    list_display = (
        "kind",
        "grantee",
        "grantor",
        "account",
        "unit",
        "valid_from",
        "valid_until",
        "revoked_at",
    )
    list_filter = ("kind",)
    search_fields = ("purpose", "fundraiser_name", "grantee__family_name", "grantor__family_name")

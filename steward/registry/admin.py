"""Admin: read-only. Registry changes go through the services (rules and audit), i.e. the pages,
the API or the demo command; the admin is for looking."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from steward.registry.models import Account, AccountStatusChange


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = (
        "display_name",
        "platform",
        "handle",
        "owning_unit",
        "kind",
        "status",
        "responsible_administrator",
    )
    list_filter = ("platform", "status", "kind")
    search_fields = ("display_name", "handle", "url")


@admin.register(AccountStatusChange)
class AccountStatusChangeAdmin(ReadOnly):
    list_display = ("account", "from_status", "to_status", "changed_at", "changed_by")

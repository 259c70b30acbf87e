"""Admin: read-only views of the archive. Records are never edited or deleted here (INT-3);
requests, holds and rules are changed through the pages, which call the services and audit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from steward.archive.models import (
    DeadlineAlert,
    DisclosureLog,
    DispositionLog,
    LegalHold,
    Media,
    Record,
    RecordsRequest,
    RetentionRule,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "version",
        "platform",
        "account",
        "platform_id",
        "state",
        "captured_at",
    )
    list_filter = ("kind", "version", "platform", "state", "source")
    search_fields = ("platform_id", "author_name")


for model in (
    Media,
    RecordsRequest,
    DeadlineAlert,
    LegalHold,
    RetentionRule,
    DisclosureLog,
    DispositionLog,
):
    admin.site.register(model, ReadOnlyAdmin)

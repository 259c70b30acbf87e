"""Admin: units, people and enrollments come from the roster and are read-only here. Staff roles
that the roster does not carry (superintendent, communications office, records officer) are set
by hand here, and every such change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from steward.core.audit import audit, snapshot
from steward.people.models import Enrollment, OrgUnit, Person, RosterImport, StaffRole


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "identifier", "sourced_id", "active", "path")
    list_filter = ("kind", "active")
    search_fields = ("name", "identifier", "sourced_id")


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("family_name", "given_name", "kind", "email", "school", "grade", "media_opt_out", "active")
    list_filter = ("kind", "active", "media_opt_out")
    search_fields = ("given_name", "family_name", "email", "sourced_id", "identifier")


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ("sourced_id", "person", "unit", "role", "active")
    list_filter = ("role", "active")
    search_fields = ("sourced_id", "person__family_name", "unit__name")
    list_select_related = ("person", "unit")


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "actor_label", "source", "oneroster_version", "seconds")


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("person", "role", "unit", "is_primary", "source")
    list_filter = ("role", "source")
    search_fields = ("person__family_name", "person__given_name", "unit__name")
    autocomplete_fields = ("person", "unit")
    list_select_related = ("person", "unit")
    fields = ("person", "unit", "role", "is_primary")

    def save_model(self, request: HttpRequest, obj: StaffRole, form: Any, change: bool) -> None:
        fields = ["person", "unit", "role", "is_primary"]
        before = snapshot(StaffRole.objects.get(pk=obj.pk), fields) if change else {}
        obj.source = "manual"  # the roster import leaves hand-set roles alone
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit(
                actor=request.user, action="people.role_changed" if change else "people.role_added",
                obj=obj.person, clause="1.3", before=before, after=snapshot(obj, fields), note="admin",
            )

    def delete_model(self, request: HttpRequest, obj: StaffRole) -> None:
        with transaction.atomic():
            audit(
                actor=request.user, action="people.role_removed", obj=obj.person, clause="1.3",
                before=snapshot(obj, ["person", "unit", "role", "is_primary"]), note="admin",
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

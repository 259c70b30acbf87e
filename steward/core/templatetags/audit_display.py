"""How a history row reads: what happened in words, and each changed value as a person reads it
(a unit or a person by name, not ``{'id': 29, 'label': 'Kiara Féliz'}``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

register = template.Library()

ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

ACTIONS = {
    "registry.account_requested": _("Account requested"),
    "registry.account_registered": _("Account registered"),
    "registry.account_suspended": _("Account suspended"),
    "registry.account_reinstated": _("Account reinstated"),
    "registry.account_retired": _("Account retired"),
    "registry.account_updated": _("Account changed"),
    "registry.account_manager_added": _("Manager added"),
    "registry.account_manager_removed": _("Manager removed"),
    "authorizations.grant_created": _("Authorization recorded"),
    "authorizations.grant_revoked": _("Authorization revoked"),
    "people.person_created": _("Person added"),
    "people.person_updated": _("Person changed"),
    "people.person_deactivated": _("Person left the district"),
    "people.person_reactivated": _("Person back on the roster"),
    "people.role_added": _("Role added"),
    "people.role_changed": _("Role changed"),
    "people.role_removed": _("Role removed"),
    "people.unit_created": _("Unit added"),
    "people.unit_updated": _("Unit changed"),
    "people.unit_deactivated": _("Unit closed"),
    "people.roster_imported": _("Roster imported"),
    "platforms.connection_created": _("Platform connection added"),
    "platforms.connection_updated": _("Platform connection changed"),
    "platforms.connection_authorized": _("Platform connection authorized"),
    "core.api_token_created": _("API token created"),
    "core.api_token_revoked": _("API token revoked"),
}


@register.filter
def audit_action(code: str) -> str:
    """The action in words; an action without words yet is shown as its code."""
    return str(ACTIONS.get(code, code))


@register.filter
def audit_field(name: str) -> str:
    return str(name).replace("_", " ")


@register.filter
def audit_value(value: Any) -> str:
    """A changed value as a reader sees it: labels for references, lists joined, — for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        if "label" in value:
            return str(value["label"])
        return ", ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(v) for v in value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, str) and ISO_DATETIME.match(value):
        # Stored in UTC (ISO 8601); read in the district's time, as every other time on the page.
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        return when.strftime("%Y-%m-%d %H:%M")
    return str(value)


@register.simple_tag
def audit_change(event: Any, field: str, value: Any) -> str:
    """A changed value of ``field`` on the event's object: a choice shown by its label
    ("Registered", not ``registered``), anything else as :func:`audit_value` shows it."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        model = apps.get_model(str(event.object_type))
        choices = dict(model._meta.get_field(field).flatchoices)  # type: ignore[union-attr]
    except (LookupError, ValueError, FieldDoesNotExist, AttributeError):
        choices = {}
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    return audit_value(value)

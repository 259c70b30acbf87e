"""Reads of authorizations, narrowed to what the acting user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from steward.authorizations.models import Authorization
from steward.core.errors import NotPermitted
from steward.core.permissions import scope_for


def grants_for(user: Any) -> QuerySet[Authorization]:
    """District-wide roles see every authorization; unit leaders those scoped within their units;
    other staff the ones they hold or granted."""
    scope = scope_for(user)
    qs = Authorization.objects.select_related("grantor", "grantee", "account", "unit", "student")
    if scope.district_wide:
        return qs
    q = Q(pk__in=[])
    if scope.unit_paths:
        q |= scope.unit_q("unit__") | scope.unit_q("account__owning_unit__")
    if scope.person_id:
        q |= Q(grantee_id=scope.person_id) | Q(grantor_id=scope.person_id)
    return qs.filter(q).distinct()


def grant_get(*, user: Any, pk: int) -> Authorization:
    grant = grants_for(user).filter(pk=pk).first()
    if grant is None:
        raise NotPermitted("No such authorization.")
    return grant


def grants_in_force(qs: QuerySet[Authorization], at: dt.datetime | None = None) -> QuerySet[Authorization]:
    at = at or timezone.now()
    return qs.filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__gt=at),
        Q(valid_until__isnull=True) | Q(valid_until__gt=at),
        Q(grantee__isnull=True) | Q(grantee__active=True),
        valid_from__lte=at,
    )


def grants_expiring(*, user: Any, days: int = 30) -> QuerySet[Authorization]:
    now = timezone.now()
    return grants_in_force(grants_for(user), now).filter(
        valid_until__isnull=False, valid_until__lte=now + dt.timedelta(days=days)
    ).order_by("valid_until")

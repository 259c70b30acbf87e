"""Reads of units and people, narrowed to what the acting user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from steward.core.permissions import scope_for
from steward.people.models import OrgUnit, Person


def units_for(user: Any) -> QuerySet[OrgUnit]:
    """District-wide roles see every unit; unit leaders see their subtree; others see the units of
    their own roles."""
    scope = scope_for(user)
    if scope.district_wide:
        return OrgUnit.objects.all()
    q = scope.unit_q()
    if scope.person_id:
        q |= Q(staff_roles__person_id=scope.person_id)
    return OrgUnit.objects.filter(q).distinct() if (scope.unit_paths or scope.person_id) else OrgUnit.objects.none()


def people_for(user: Any) -> QuerySet[Person]:
    """People in the units the user leads (by role or by school); staff see only themselves."""
    scope = scope_for(user)
    if scope.district_wide:
        return Person.objects.all()
    q = Q(pk__in=[])
    if scope.unit_paths:
        q |= Q(roles__in=_roles_in_scope(scope)) | Q(school__in=OrgUnit.objects.filter(scope.unit_q()))
    if scope.person_id:
        q |= Q(pk=scope.person_id)
    return Person.objects.filter(q).distinct()


def _roles_in_scope(scope: Any) -> Any:
    from steward.people.models import StaffRole

    return StaffRole.objects.filter(scope.unit_q("unit__"))


def person_get(*, user: Any, pk: int) -> Person:
    from steward.core.errors import NotPermitted

    person = people_for(user).filter(pk=pk).first()
    if person is None:
        raise NotPermitted("No such person.")
    return person


def offboarded_with_open_responsibilities(*, user: Any) -> list[dict[str, Any]]:
    """Inactive people who still hold grants in force, manage or answer for accounts."""
    from django.utils import timezone

    from steward.authorizations.models import Authorization

    now = timezone.now()
    rows = []
    people = people_for(user).filter(active=False, kind=Person.Kind.STAFF)
    for person in people.prefetch_related("managed_accounts", "administered_accounts", "advised_accounts"):
        grants = Authorization.objects.filter(grantee=person, revoked_at=None).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=now)
        )
        accounts = {
            *person.managed_accounts.exclude(status="retired"),
            *person.administered_accounts.exclude(status="retired"),
            *person.advised_accounts.exclude(status="retired"),
        }
        if grants.exists() or accounts:
            rows.append({"person": person, "grants": list(grants), "accounts": sorted(accounts, key=str)})
    return rows

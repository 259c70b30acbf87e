"""Reads of units and people, narrowed to what the acting user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from steward.core.permissions import scope_for
from steward.people.models import Enrollment, OrgUnit, Person


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
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from steward.authorizations.models import Authorization
    from steward.registry.models import Account

    now = timezone.now()
    open_grants = Authorization.objects.filter(revoked_at=None).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )
    live = Account.objects.exclude(status="retired")
    # Years of departed staff accumulate: find the few with something open in one query first.
    people = people_for(user).filter(active=False, kind=Person.Kind.STAFF).filter(
        Exists(open_grants.filter(grantee=OuterRef("pk")))
        | Exists(live.filter(managers=OuterRef("pk")))
        | Exists(live.filter(responsible_administrator=OuterRef("pk")))
        | Exists(live.filter(advisor=OuterRef("pk")))
    )
    rows = []
    for person in people:
        grants = open_grants.filter(grantee=person)
        accounts = set(live.filter(Q(managers=person) | Q(responsible_administrator=person) | Q(advisor=person)))
        rows.append({"person": person, "grants": list(grants), "accounts": sorted(accounts, key=str)})
    return rows


def unit_get(*, user: Any, pk: int) -> OrgUnit:
    unit = units_for(user).filter(pk=pk).first()
    if unit is None:
        from steward.core.errors import NotPermitted

        raise NotPermitted("No such unit.")
    return unit


def people_search(
    *,
    user: Any,
    kind: str = "",
    unit: OrgUnit | None = None,
    active: bool | None = None,
    q: str = "",
) -> QuerySet[Person]:
    """``people_for(user)`` narrowed by kind, unit (its staff, its students and the people enrolled
    in its classes, subtree included), active, and words each found in a name, email or id."""
    from steward.people.models import StaffRole

    qs = people_for(user)
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    if unit is not None:
        in_unit = OrgUnit.objects.filter(path__startswith=unit.path)
        qs = qs.filter(
            Q(pk__in=StaffRole.objects.filter(unit__in=in_unit).values("person_id"))
            | Q(school__in=in_unit)
            | Q(pk__in=Enrollment.objects.filter(unit__in=in_unit, active=True).values("person_id"))
        )
    for word in q.split()[:6]:
        qs = qs.filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(preferred_name__icontains=word)
            | Q(email__icontains=word) | Q(identifier__iexact=word) | Q(sourced_id__iexact=word)
        )
    return qs.select_related("school").order_by("family_name", "given_name", "pk")


def unit_tree(*, user: Any, include_classrooms: bool = False) -> list[tuple[OrgUnit, int]]:
    """The units the user may see in tree order (siblings by name), each with its depth below the
    shallowest one it can see."""
    qs = units_for(user)
    if not include_classrooms:
        qs = qs.exclude(kind=OrgUnit.Kind.CLASSROOM)
    units = list(qs)
    ids = {u.pk for u in units}
    children: dict[int | None, list[OrgUnit]] = {}
    for u in units:
        # A unit whose parent the user cannot see starts a tree of its own.
        children.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    out: list[tuple[OrgUnit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for u in sorted(children.get(parent, []), key=lambda u: (u.kind != "district", u.name.casefold())):
            out.append((u, depth))
            walk(u.pk, depth + 1)

    walk(None, 0)
    return out


def person_responsibilities(*, user: Any, person: Person) -> dict[str, Any]:
    """What the person page shows about ``person``, each list narrowed to what ``user`` may see."""
    from steward.authorizations.selectors import grants_for
    from steward.registry.selectors import accounts_for

    accounts = accounts_for(user)
    return {
        "roles": list(person.roles.select_related("unit").order_by("-is_primary", "unit__path")),
        "enrollments": list(
            person.enrollments.filter(active=True).select_related("unit").order_by("unit__name")[:50]
        ),
        "managed": list(accounts.filter(managers=person)),
        "administered": list(accounts.filter(responsible_administrator=person)),
        "advised": list(accounts.filter(advisor=person)),
        "grants_held": list(grants_for(user).filter(grantee=person)[:100]),
    }


def roster_imports_for(user: Any) -> QuerySet[Any]:
    """Past roster imports: the district-wide roles only."""
    from steward.people.models import RosterImport

    if not scope_for(user).district_wide:
        return RosterImport.objects.none()
    return RosterImport.objects.all()

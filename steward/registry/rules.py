"""Who may do what to the registry, and the 1.5 completeness rules. Shared by services (which
enforce) and pages/API (which only offer what the viewer may do).

Decisions (docs/registry.md):
- Registering, and reinstating (a registration again), is recorded by the communications office
  (1.4: managers register their accounts *with LPS Media*). Superusers count as the office.
- Editing an entry, adding and removing managers, suspending and retiring are open to the
  communications office, the superintendent's office, and the school leader or department head of
  the owning unit (their subtree). The records officer sees everything but changes nothing here.
- Any staff member may report an account (a requested entry).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from steward.core.errors import PolicyViolation
from steward.core.permissions import Scope, scope_for
from steward.people.models import OrgUnit, Person, StaffRole
from steward.registry.models import Account

REGISTRY_KEEPERS = frozenset({"communications"})
DISTRICT_EDITORS = frozenset({"communications", "superintendent", "superintendent_designee"})


def is_registry_keeper(user: Any) -> bool:
    """The communications office ("LPS Media"), which records registration (1.4)."""
    scope = scope_for(user)
    return bool(getattr(user, "is_superuser", False) or scope.roles & REGISTRY_KEEPERS)


def can_edit_unit(user: Any, unit: OrgUnit) -> bool:
    """May change registry entries owned by ``unit``."""
    scope: Scope = scope_for(user)
    if getattr(user, "is_superuser", False) or scope.roles & DISTRICT_EDITORS:
        return True
    return any(unit.path.startswith(p) for p in scope.unit_paths)


def can_edit(user: Any, account: Account) -> bool:
    return can_edit_unit(user, account.owning_unit)


def can_create(user: Any) -> bool:
    """May open the full create form (with people); others use the report form."""
    scope = scope_for(user)
    return bool(
        getattr(user, "is_superuser", False) or scope.roles & DISTRICT_EDITORS or scope.unit_paths
    )


def can_report(user: Any) -> bool:
    """Any active staff member (on the roster) may report an account."""
    return scope_for(user).person_id is not None or bool(getattr(user, "is_superuser", False))


def allowed_actions(user: Any, account: Account) -> set[str]:
    """What the account page and the API offer ``user`` for ``account``."""
    actions: set[str] = set()
    status = account.status
    keeper = is_registry_keeper(user)
    if can_edit(user, account):
        if status != Account.Status.RETIRED:
            actions |= {"edit", "managers"}
        if status == Account.Status.REGISTERED:
            actions.add("suspend")
        if status != Account.Status.RETIRED:
            actions.add("retire")
    if keeper:
        if status == Account.Status.REQUESTED:
            actions.add("register")
        if status in (Account.Status.SUSPENDED, Account.Status.RETIRED):
            actions.add("reinstate")
    return actions


def _roles_containing(person: Person, unit: OrgUnit, roles: frozenset[str] | None = None) -> bool:
    """Whether ``person`` holds a role (one of ``roles``, or any) in ``unit`` or a unit above it."""
    qs = StaffRole.objects.filter(person=person, unit__in=unit.ancestors())
    if roles is not None:
        qs = qs.filter(role__in=roles)
    return qs.exists()


def check_active_staff(person: Person | None, *, field: str, clause: str) -> None:
    if person is None:
        return
    if person.kind != Person.Kind.STAFF:
        raise PolicyViolation(
            _("%(person)s is not a staff member.") % {"person": person}, clause=clause, field=field
        )
    if not person.active:
        raise PolicyViolation(
            _("%(person)s is no longer active staff (offboarded).") % {"person": person},
            clause=clause,
            field=field,
        )


def check_responsible_administrator(person: Person | None, unit: OrgUnit) -> None:
    """Active staff with a role in the owning unit or a unit above it (1.5)."""
    if person is None:
        return
    check_active_staff(person, field="responsible_administrator", clause="1.5")
    if not _roles_containing(person, unit):
        raise PolicyViolation(
            _(
                "%(person)s has no role in %(unit)s or a unit above it, so cannot answer for its account."
            )
            % {"person": person, "unit": unit},
            clause="1.5",
            field="responsible_administrator",
        )


def check_advisor(person: Person | None, unit: OrgUnit) -> None:
    """A coach, teacher or faculty advisor in the owning unit or a unit above it (1.5)."""
    if person is None:
        return
    check_active_staff(person, field="advisor", clause="1.5")
    if not _roles_containing(person, unit, StaffRole.ADVISORS):
        raise PolicyViolation(
            _(
                "%(person)s is not a coach, teacher or faculty advisor in %(unit)s or a unit above it."
            )
            % {"person": person, "unit": unit},
            clause="1.5",
            field="advisor",
        )


def check_complete_for_registration(account: Account) -> None:
    """A registered account names who answers for it; team, class and club accounts also their
    coach, teacher or faculty advisor (1.5)."""
    if account.responsible_administrator_id is None:
        raise PolicyViolation(
            _("A registered account needs a responsible administrator."),
            clause="1.5",
            field="responsible_administrator",
        )
    if account.kind in Account.ADVISED_KINDS and account.advisor_id is None:
        raise PolicyViolation(
            _(
                "Team, class and club accounts are created together with their coach, teacher or faculty advisor."
            ),
            clause="1.5",
            field="advisor",
        )
    check_responsible_administrator(account.responsible_administrator, account.owning_unit)
    check_advisor(account.advisor, account.owning_unit)

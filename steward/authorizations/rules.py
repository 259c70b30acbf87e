"""Who may authorize what in writing (1.3, 1.7, 1.8.e), and who may record or revoke it.

Decisions (docs/registry.md):
- Posting (1.3): the superintendent or a designee for district-level scopes (the district unit, or
  a unit under it with no school or department between, such as a district-wide initiative); a school leader for their school and everything in
  it; a department head for their department and its programs. Nobody else, and not across: the
  superintendent does not sign a school's posting grants, the policy gives that to the school leader.
- Messaging (1.7): the school leader or department head of a unit that holds the student (the
  student's school, or a unit the student is enrolled in).
- Fundraisers (1.8.e): the superintendent or a designee for any scope; a school leader for their
  school's scopes.
- The actor records a grant either as the grantor (their own person), with a document or a typed
  attestation, or on the grantor's behalf when the actor is the communications office or the
  superintendent's office, and then only with the grantor's signed document uploaded: a typed
  attestation is a signature and nobody types someone else's.
- A grant can be revoked by its grantor, by anyone who could have granted it, or by the
  communications office and the superintendent's office.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from steward.authorizations.models import Authorization
from steward.core.errors import PolicyViolation
from steward.core.permissions import scope_for
from steward.people.models import Enrollment, OrgUnit, Person, StaffRole

CLAUSE = {
    Authorization.Kind.POSTING: "1.3",
    Authorization.Kind.MESSAGING: "1.7",
    Authorization.Kind.FUNDRAISER: "1.8.e",
}
SUPERINTENDENT_OFFICE = frozenset({"superintendent", "superintendent_designee"})
RECORDERS = frozenset({"communications", "superintendent", "superintendent_designee"})


def _led_units(person: Person, roles: frozenset[str]) -> list[OrgUnit]:
    return [
        r.unit
        for r in StaffRole.objects.filter(person=person, role__in=roles).select_related("unit")
    ]


def _holds(person: Person, roles: frozenset[str]) -> bool:
    return StaffRole.objects.filter(person=person, role__in=roles).exists()


def _leads(person: Person, unit: OrgUnit, roles: frozenset[str] = StaffRole.UNIT_LEADERS) -> bool:
    return any(unit.is_within(u) for u in _led_units(person, roles))


def is_district_level(unit: OrgUnit) -> bool:
    """The district itself, and units under it with no school or department between them (a
    district-wide initiative or program): 1.3 gives their posting to the Office of the Superintendent."""
    return unit.kind == OrgUnit.Kind.DISTRICT or unit.school is None


def scope_unit(*, account: Any = None, unit: OrgUnit | None = None) -> OrgUnit:
    """The unit a scope is about: the account's owning unit, or the unit itself."""
    return account.owning_unit if account is not None else unit  # type: ignore[return-value]


def check_grantor_authority(
    *, kind: str, grantor: Person, target: OrgUnit, student: Person | None = None
) -> None:
    """Refuse, with the clause, a grantor the policy does not give this authority."""
    clause = CLAUSE[kind]  # type: ignore[index]
    if not grantor.active or grantor.kind != Person.Kind.STAFF:
        raise PolicyViolation(
            _("%(person)s is not active staff and cannot authorize.") % {"person": grantor},
            clause=clause,
            field="grantor",
        )
    if kind == Authorization.Kind.POSTING:
        if is_district_level(target):
            if not _holds(grantor, SUPERINTENDENT_OFFICE):
                raise PolicyViolation(
                    _(
                        "Posting on behalf of the district is authorized by the Office of the Superintendent."
                    ),
                    clause=clause,
                    field="grantor",
                )
        elif not _leads(grantor, target):
            raise PolicyViolation(
                _(
                    "Posting for %(unit)s is authorized by its school leader or department head, and %(person)s is neither."
                )
                % {"unit": target, "person": grantor},
                clause=clause,
                field="grantor",
            )
    elif kind == Authorization.Kind.MESSAGING:
        if student is None:
            raise PolicyViolation(
                _("Name the student this authorization covers."), clause=clause, field="student"
            )
        holding = [student.school] if student.school is not None else []
        holding += [
            e.unit
            for e in Enrollment.objects.filter(person=student, active=True).select_related("unit")
        ]
        led = _led_units(grantor, StaffRole.UNIT_LEADERS)
        if not any(h.is_within(u) for h in holding for u in led):
            raise PolicyViolation(
                _(
                    "Messaging between staff and %(student)s is authorized by the school leader or department head of the student's school or program."
                )
                % {"student": student},
                clause=clause,
                field="grantor",
            )
    elif kind == Authorization.Kind.FUNDRAISER and not (
        _holds(grantor, SUPERINTENDENT_OFFICE)
        or _leads(grantor, target, frozenset({"school_leader"}))
    ):
        raise PolicyViolation(
            _("Fundraisers are approved by the superintendent, a school leader or a designee."),
            clause=clause,
            field="grantor",
        )


def is_recorder(user: Any) -> bool:
    """Offices that may record a grant on a grantor's behalf, with the signed document."""
    return bool(getattr(user, "is_superuser", False) or scope_for(user).roles & RECORDERS)


def can_create(user: Any) -> bool:
    """Offer the create form: people who can grant something, and the recording offices."""
    scope = scope_for(user)
    return bool(is_recorder(user) or scope.roles & (StaffRole.UNIT_LEADERS | SUPERINTENDENT_OFFICE))


def can_revoke(user: Any, grant: Authorization) -> bool:
    if is_recorder(user):
        return True
    scope = scope_for(user)
    if scope.person_id is None:
        return False
    if grant.grantor_id == scope.person_id:
        return True
    person = Person.objects.get(pk=scope.person_id)
    try:
        check_grantor_authority(
            kind=grant.kind,
            grantor=person,
            target=scope_unit(account=grant.account, unit=grant.unit),
            student=grant.student,
        )
    except PolicyViolation:
        return False
    return True

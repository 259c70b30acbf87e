"""Who sees what. Every selector (pages, API, commands) narrows its queryset through ``scope_for``.

- The communications office, the superintendent's office and the records officer see the whole
  district (``district_wide``).
- A school leader or department head sees their unit and everything under it (``unit_paths``).
- Every other staff member sees the accounts they manage, administer or advise, and their own
  authorizations (``person``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    """What one user may see. ``unit_paths`` are OrgUnit.path prefixes."""

    user_id: int | None = None
    person_id: int | None = None
    district_wide: bool = False
    unit_paths: tuple[str, ...] = field(default_factory=tuple)
    roles: frozenset[str] = frozenset()

    @property
    def is_staff_member(self) -> bool:
        return self.person_id is not None

    def can_manage_unit_path(self, path: str) -> bool:
        return self.district_wide or any(path.startswith(p) for p in self.unit_paths)

    def unit_q(self, prefix: str = "") -> Q:
        """A Q on the OrgUnit reached through ``prefix`` (e.g. "owning_unit__")."""
        if self.district_wide:
            return Q()
        if not self.unit_paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in self.unit_paths))


NOBODY = Scope()


def scope_for(user: Any) -> Scope:
    """The scope of ``user``, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOBODY
    cached = getattr(user, "_steward_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from steward.people.models import Person, StaffRole

    person = Person.objects.filter(user=user, active=True).first()
    roles: set[str] = set()
    paths: list[str] = []
    district_wide = bool(user.is_superuser)
    if person is not None:
        for role in StaffRole.objects.filter(person=person).select_related("unit"):
            roles.add(role.role)
            if role.role in StaffRole.DISTRICT_WIDE:
                district_wide = True
            elif role.role in StaffRole.UNIT_LEADERS:
                paths.append(role.unit.path)
    scope = Scope(
        user_id=user.pk,
        person_id=person.pk if person else None,
        district_wide=district_wide,
        unit_paths=tuple(sorted(set(paths))),
        roles=frozenset(roles),
    )
    user._steward_scope = scope
    return scope


def is_administrator(user: Any) -> bool:
    """Users whose reach makes multi-factor sign-in mandatory: district-wide or unit leaders."""
    scope = scope_for(user)
    return bool(user.is_superuser or scope.district_wide or scope.unit_paths)

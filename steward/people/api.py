"""REST API for units and people (read only), through the same selectors as the pages."""

# No "from __future__ import annotations": django-ninja reads the annotations at import time.

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from steward.people.models import Person
from steward.people.selectors import people_search, person_get, unit_get, units_for

router = Router()


def _user(request: HttpRequest) -> Any:
    """The token's user (set by steward.api.TokenAuth)."""
    return request.auth  # type: ignore[attr-defined]


class UnitOut(Schema):
    id: int
    sourced_id: str | None
    name: str
    kind: str
    identifier: str
    parent_id: int | None
    path: str
    active: bool


class RoleOut(Schema):
    unit_id: int
    role: str
    is_primary: bool
    source: str


class PersonOut(Schema):
    id: int
    sourced_id: str | None
    kind: str
    given_name: str
    family_name: str
    preferred_name: str
    email: str
    identifier: str
    active: bool
    deactivated_at: dt.datetime | None
    school_id: int | None = Field(None, description="Students: their school (a unit id).")
    grade: str
    media_opt_out: str = Field(description='"" (none), "name", "image" or "all".')
    media_opt_out_effective: dt.date | None
    roles: list[RoleOut] = Field(default_factory=list, description="Staff: job roles in units.")

    @staticmethod
    def resolve_roles(obj: Person) -> list[Any]:
        return list(obj.roles.all())


class PersonFilters(Schema):
    kind: str = Field("", description='"staff" or "student"')
    unit: int | None = Field(None, description="A unit id: its staff, students and enrolled people, subtree included")
    active: bool | None = Field(None, description="true: active only; false: deactivated only")
    q: str = Field("", description="Words found in a name, email or id")


class UnitFilters(Schema):
    kind: str = ""
    parent: int | None = None
    active: bool | None = None


@router.get("/units", response=list[UnitOut], summary="List units")
@paginate(LimitOffsetPagination)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]) -> Any:
    qs = units_for(_user(request)).order_by("path")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    return qs


@router.get("/units/{int:unit_id}", response=UnitOut, summary="Read a unit")
def unit_read(request: HttpRequest, unit_id: int) -> Any:
    return unit_get(user=_user(request), pk=unit_id)


@router.get("/people", response=list[PersonOut], summary="List people")
@paginate(LimitOffsetPagination)
def person_list(request: HttpRequest, filters: Query[PersonFilters]) -> Any:
    unit = unit_get(user=_user(request), pk=filters.unit) if filters.unit is not None else None
    return people_search(
        user=_user(request), kind=filters.kind, unit=unit, active=filters.active, q=filters.q
    ).prefetch_related("roles")


@router.get("/people/{int:person_id}", response=PersonOut, summary="Read a person")
def person_read(request: HttpRequest, person_id: int) -> Any:
    return person_get(user=_user(request), pk=person_id)

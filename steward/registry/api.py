"""REST API for the account registry: the same selectors, rules and services as the pages.

Errors: 404 for accounts the token's user may not see, 403 for changes they may not make,
422 with ``clause`` and ``field`` for what the policy refuses.
"""

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from steward.core.errors import PolicyViolation
from steward.people.models import OrgUnit, Person
from steward.registry import rules, selectors, services
from steward.registry.forms import editable_units
from steward.registry.models import Account

router = Router()


def auth(request: HttpRequest) -> Any:
    """The user the token authenticated (ninja sets ``request.auth``)."""
    return getattr(request, "auth", None)


def forbidden_as_403(view: Callable[..., Any]) -> Callable[..., Any]:
    """Services raise Django's PermissionDenied; the API answers 403 (the pages do the same)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except PermissionDenied as exc:
            raise HttpError(403, str(exc) or "Forbidden.") from exc

    return wrapper


class Ref(Schema):
    id: int
    label: str


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "label": str(obj)}


class AccountOut(Schema):
    id: int
    platform: str
    handle: str
    url: str
    platform_account_id: str
    display_name: str
    owning_unit: Ref
    kind: str
    purpose: str
    status: str
    status_changed_at: dt.datetime | None
    status_reason: str
    responsible_administrator: Ref | None
    advisor: Ref | None
    managers: list[Ref]
    reported_by: Ref | None
    problems: list[str] = Field(
        description="What is missing, each with its clause, e.g. 'no advisor (1.5)'."
    )

    @staticmethod
    def resolve_owning_unit(obj: Account) -> Any:
        return _ref(obj.owning_unit)

    @staticmethod
    def resolve_responsible_administrator(obj: Account) -> Any:
        return _ref(obj.responsible_administrator)

    @staticmethod
    def resolve_advisor(obj: Account) -> Any:
        return _ref(obj.advisor)

    @staticmethod
    def resolve_reported_by(obj: Account) -> Any:
        return _ref(obj.reported_by)

    @staticmethod
    def resolve_managers(obj: Account) -> list[Any]:
        return [_ref(p) for p in obj.managers.all()]

    @staticmethod
    def resolve_problems(obj: Account) -> list[str]:
        return [f"{what} ({clause})" for what, clause in selectors.account_problems(obj)]


class AccountFilters(Schema):
    q: str = Field("", description="Matches handle, name or URL.")
    platform: str = ""
    status: str = ""
    kind: str = ""
    unit: int | None = Field(None, description="A unit id: that unit and everything under it.")
    problems: bool = Field(
        False, description="Only live accounts missing an administrator or advisor (1.5)."
    )


class AccountIn(Schema):
    platform: str
    handle: str = ""
    url: str = ""
    display_name: str
    owning_unit_id: int
    kind: str
    purpose: str = ""
    platform_account_id: str = ""
    responsible_administrator_id: int | None = None
    advisor_id: int | None = None
    manager_ids: list[int] = Field(default_factory=list)
    register_now: bool = Field(
        False, description="Record the registration at once (communications office, 1.4)."
    )
    reason: str = ""


class AccountPatch(Schema):
    platform: str | None = None
    handle: str | None = None
    url: str | None = None
    display_name: str | None = None
    owning_unit_id: int | None = None
    kind: str | None = None
    purpose: str | None = None
    platform_account_id: str | None = None
    responsible_administrator_id: int | None = None
    advisor_id: int | None = None


class ReasonIn(Schema):
    reason: str


class PersonIdIn(Schema):
    person_id: int


def _staff(pk: int | None, field: str) -> Person | None:
    if pk is None:
        return None
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise PolicyViolation("No such person.", field=field)
    return person


def _unit(pk: int, queryset: Any) -> OrgUnit:
    unit = queryset.filter(pk=pk).first()
    if unit is None:
        raise PolicyViolation("No such unit, or not one you may use.", field="owning_unit_id")
    return unit  # type: ignore[no-any-return]


@router.get("/accounts", response=list[AccountOut])
@paginate(LimitOffsetPagination)
def account_list(request: HttpRequest, filters: Query[AccountFilters]) -> Any:
    unit = None
    if filters.unit is not None:
        from steward.people.selectors import units_for

        unit = units_for(auth(request)).filter(pk=filters.unit).first()
        if unit is None:
            return Account.objects.none()
    return selectors.account_search(
        user=auth(request),
        q=filters.q,
        platform=filters.platform,
        status=filters.status,
        kind=filters.kind,
        unit=unit,
        problems_only=filters.problems,
    ).prefetch_related("managers")


@router.get("/accounts/{account_id}", response=AccountOut)
def account_read(request: HttpRequest, account_id: int) -> Any:
    return selectors.account_get(user=auth(request), pk=account_id)


@router.post("/accounts", response={201: AccountOut})
@forbidden_as_403
def account_create(request: HttpRequest, payload: AccountIn) -> Any:
    """Editors add an account (and the communications office may register it at once); any other
    staff member's POST is a report: a requested entry."""
    user = auth(request)
    editor = rules.can_create(user)
    facts: dict[str, Any] = {
        "platform": payload.platform,
        "handle": payload.handle,
        "url": payload.url,
        "display_name": payload.display_name,
        "kind": payload.kind,
        "purpose": payload.purpose,
        "platform_account_id": payload.platform_account_id,
        "owning_unit": _unit(
            payload.owning_unit_id,
            editable_units(user) if editor else OrgUnit.objects.filter(active=True),
        ),
        "responsible_administrator": _staff(
            payload.responsible_administrator_id, "responsible_administrator_id"
        ),
        "advisor": _staff(payload.advisor_id, "advisor_id"),
        "managers": [p for p in (_staff(pk, "manager_ids") for pk in payload.manager_ids) if p],
    }
    if editor:
        account = services.account_create(
            actor=user, register=payload.register_now, reason=payload.reason, **facts
        )
    else:
        if payload.register_now:
            raise PolicyViolation(
                "Registration is recorded by the communications office (LPS Media).",
                clause="1.4",
                field="register_now",
            )
        account = services.account_request(actor=user, reason=payload.reason, **facts)
    return 201, selectors.account_get(user=user, pk=account.pk)


@router.patch("/accounts/{account_id}", response=AccountOut)
@forbidden_as_403
def account_update(request: HttpRequest, account_id: int, payload: AccountPatch) -> Any:
    user = auth(request)
    account = selectors.account_get(user=user, pk=account_id)
    data = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "owning_unit_id":
            changes["owning_unit"] = _unit(value, editable_units(user))
        elif key in ("responsible_administrator_id", "advisor_id"):
            changes[key[:-3]] = _staff(value, key)
        elif value is not None:
            changes[key] = value
    services.account_update(actor=user, account=account, **changes)
    return selectors.account_get(user=user, pk=account.pk)


def _transition(action: str, service: Callable[..., Account]) -> None:
    @router.post(
        f"/accounts/{{account_id}}/{action}",
        response=AccountOut,
        operation_id=f"account_{action}",
        summary=f"{action.capitalize()} an account (with a reason)",
    )
    @forbidden_as_403
    def endpoint(request: HttpRequest, account_id: int, payload: ReasonIn) -> Any:
        account = selectors.account_get(user=auth(request), pk=account_id)
        service(actor=auth(request), account=account, reason=payload.reason)
        return selectors.account_get(user=auth(request), pk=account_id)


_transition("register", services.account_register)
_transition("suspend", services.account_suspend)
_transition("retire", services.account_retire)
_transition("reinstate", services.account_reinstate)


@router.post("/accounts/{account_id}/managers", response=AccountOut)
@forbidden_as_403
def account_manager_add(request: HttpRequest, account_id: int, payload: PersonIdIn) -> Any:
    account = selectors.account_get(user=auth(request), pk=account_id)
    person = _staff(payload.person_id, "person_id")
    assert person is not None
    services.account_manager_add(actor=auth(request), account=account, person=person)
    return selectors.account_get(user=auth(request), pk=account_id)


@router.delete("/accounts/{account_id}/managers/{person_id}", response=AccountOut)
@forbidden_as_403
def account_manager_remove(request: HttpRequest, account_id: int, person_id: int) -> Any:
    account = selectors.account_get(user=auth(request), pk=account_id)
    person = _staff(person_id, "person_id")
    assert person is not None
    services.account_manager_remove(actor=auth(request), account=account, person=person)
    return selectors.account_get(user=auth(request), pk=account_id)

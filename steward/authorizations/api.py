"""REST API for authorizations in writing: list, read, create, revoke, and the questions
``may-post``, ``may-message`` and ``fundraisers`` — the same selectors, rules and services as the pages.
"""

import base64
import binascii
import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from steward.authorizations import selectors, services
from steward.authorizations.models import Authorization
from steward.authorizations.views import client_address
from steward.core.errors import NotPermitted, PolicyViolation
from steward.core.permissions import scope_for
from steward.people.models import OrgUnit, Person
from steward.people.selectors import people_for, units_for
from steward.registry.api import Ref, _ref, auth, forbidden_as_403
from steward.registry.models import Account
from steward.registry.selectors import account_get, accounts_for

router = Router()


class GrantOut(Schema):
    id: int
    kind: str
    state: str = Field(description="in_force, upcoming, expired, revoked or offboarded")
    grantor: Ref
    grantee: Ref | None
    account: Ref | None
    unit: Ref | None
    student: Ref | None
    fundraiser_name: str
    fundraiser_phrases: list[str]
    parent_notified: bool
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    purpose: str
    evidence_sha256: str
    attestation_name: str
    attestation_at: dt.datetime | None
    attestation_address: str | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    revocation_reason: str

    @staticmethod
    def resolve_state(obj: Authorization) -> str:
        return selectors.grant_state(obj)

    @staticmethod
    def resolve_grantor(obj: Authorization) -> Any:
        return _ref(obj.grantor)

    @staticmethod
    def resolve_grantee(obj: Authorization) -> Any:
        return _ref(obj.grantee)

    @staticmethod
    def resolve_account(obj: Authorization) -> Any:
        return _ref(obj.account)

    @staticmethod
    def resolve_unit(obj: Authorization) -> Any:
        return _ref(obj.unit)

    @staticmethod
    def resolve_student(obj: Authorization) -> Any:
        return _ref(obj.student)


class GrantFilters(Schema):
    q: str = ""
    kind: str = ""
    state: str = Field("", description="in_force, upcoming, expired, revoked or offboarded")
    mine: bool = Field(False, description="Only grants I hold or gave.")


class GrantIn(Schema):
    kind: str = "posting"
    grantor_id: int | None = Field(None, description="Default: the caller's own person.")
    grantee_id: int | None = None
    account_id: int | None = None
    unit_id: int | None = None
    student_id: int | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    purpose: str
    attestation_name: str = Field("", description="The grantor's typed name, as their signature.")
    evidence_document_base64: str = Field("", description="The signed document, base64.")
    evidence_filename: str = "evidence.pdf"
    fundraiser_name: str = ""
    fundraiser_phrases: list[str] = Field(default_factory=list)
    parent_notified: bool = False


class RevokeIn(Schema):
    reason: str


class DecisionOut(Schema):
    allowed: bool
    reason: str
    clause: str
    grant_id: int | None


class FundraiserOut(Schema):
    grant_id: int
    name: str
    phrases: list[str]
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    approved_by: str


def _decision(d: selectors.Decision) -> dict[str, Any]:
    return {
        "allowed": d.allowed,
        "reason": d.reason,
        "clause": d.clause,
        "grant_id": d.grant.pk if d.grant else None,
    }


def _one(queryset: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise PolicyViolation("Not found, or not one you may use.", field=field)
    return obj


@router.get("/grants", response=list[GrantOut])
@paginate(LimitOffsetPagination)
def grant_list(request: HttpRequest, filters: Query[GrantFilters]) -> Any:
    return selectors.grant_search(
        user=auth(request), q=filters.q, kind=filters.kind, state=filters.state, mine=filters.mine
    )


@router.get("/grants/{grant_id}", response=GrantOut)
def grant_read(request: HttpRequest, grant_id: int) -> Any:
    return selectors.grant_get(user=auth(request), pk=grant_id)


@router.post("/grants", response={201: GrantOut})
@forbidden_as_403
def grant_create(request: HttpRequest, payload: GrantIn) -> Any:
    user = auth(request)
    grantor_id = payload.grantor_id or scope_for(user).person_id
    document = None
    if payload.evidence_document_base64:
        try:
            raw = base64.b64decode(payload.evidence_document_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PolicyViolation(
                "The document is not valid base64.", field="evidence_document_base64"
            ) from exc
        document = ContentFile(raw, name=payload.evidence_filename or "evidence.pdf")
    staff = Person.objects.filter(kind=Person.Kind.STAFF)
    grant = services.grant_create(
        actor=user,
        kind=payload.kind,
        grantor=_one(staff, grantor_id, "grantor_id") or _missing("grantor_id"),
        grantee=_one(staff, payload.grantee_id, "grantee_id"),
        account=_one(accounts_for(user), payload.account_id, "account_id"),
        unit=_one(
            OrgUnit.objects.all() if scope_for(user).district_wide else units_for(user),
            payload.unit_id,
            "unit_id",
        ),
        student=_one(
            people_for(user).filter(kind=Person.Kind.STUDENT), payload.student_id, "student_id"
        ),
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        purpose=payload.purpose,
        attestation_name=payload.attestation_name,
        evidence_document=document,
        fundraiser_name=payload.fundraiser_name,
        fundraiser_phrases=payload.fundraiser_phrases,
        parent_notified=payload.parent_notified,
        remote_addr=client_address(request),
    )
    return 201, selectors.grant_get(user=user, pk=grant.pk)


def _missing(field: str) -> Any:
    raise PolicyViolation("Name the grantor.", field=field)


@router.post("/grants/{grant_id}/revoke", response=GrantOut)
@forbidden_as_403
def grant_revoke(request: HttpRequest, grant_id: int, payload: RevokeIn) -> Any:
    grant = selectors.grant_get(user=auth(request), pk=grant_id)
    services.grant_revoke(actor=auth(request), grant=grant, reason=payload.reason)
    return selectors.grant_get(user=auth(request), pk=grant_id)


@router.get("/may-post", response=DecisionOut)
def may_post(request: HttpRequest, person: int, account: int, at: dt.datetime | None = None) -> Any:
    """May this staff member post on this account (now, or ``at``)? Both must be visible to you."""
    who = people_for(auth(request)).filter(pk=person).first()
    if who is None:
        raise NotPermitted("No such person.")
    return _decision(
        selectors.may_post(person=who, account=account_get(user=auth(request), pk=account), at=at)
    )


@router.get("/may-message", response=DecisionOut)
def may_message(
    request: HttpRequest,
    staff: int,
    student: int,
    at: dt.datetime | None = None,
    account: int | None = None,
) -> Any:
    """May this staff member exchange private messages with this student (1.7)?"""
    people = people_for(auth(request))
    who, pupil = people.filter(pk=staff).first(), people.filter(pk=student).first()
    if who is None or pupil is None:
        raise NotPermitted("No such person.")
    on: Account | None = (
        account_get(user=auth(request), pk=account) if account is not None else None
    )
    return _decision(selectors.may_message(staff=who, student=pupil, at=at, account=on))


@router.get("/accounts/{account_id}/fundraisers", response=list[FundraiserOut])
def fundraisers(request: HttpRequest, account_id: int, at: dt.datetime | None = None) -> Any:
    """Fundraiser approvals in force on this account (1.8.e)."""
    approvals = selectors.approved_fundraisers(
        account=account_get(user=auth(request), pk=account_id), at=at
    )
    return [{**a.__dict__, "phrases": list(a.phrases)} for a in approvals]

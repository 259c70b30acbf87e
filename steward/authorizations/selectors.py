"""Reads of authorizations, narrowed to what the acting user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from steward.authorizations.models import Authorization
from steward.core.errors import NotPermitted
from steward.core.permissions import scope_for
from steward.people.models import Person
from steward.registry.models import Account


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


def grant_get(*, user: Any, pk: int | str) -> Authorization:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotPermitted("No such authorization.") from None
    grant = grants_for(user).filter(pk=pk).first()
    if grant is None:
        raise NotPermitted("No such authorization.")
    return grant


def grants_in_force(
    qs: QuerySet[Authorization], at: dt.datetime | None = None
) -> QuerySet[Authorization]:
    at = at or timezone.now()
    return qs.filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__gt=at),
        Q(valid_until__isnull=True) | Q(valid_until__gt=at),
        Q(grantee__isnull=True) | Q(grantee__active=True),
        valid_from__lte=at,
    )


def grants_expiring(*, user: Any, days: int = 30) -> QuerySet[Authorization]:
    now = timezone.now()
    return (
        grants_in_force(grants_for(user), now)
        .filter(valid_until__isnull=False, valid_until__lte=now + dt.timedelta(days=days))
        .order_by("valid_until")
    )


# -- lists --------------------------------------------------------------------------------------

STATES = ("in_force", "upcoming", "expired", "revoked")


def grant_state(grant: Authorization, at: dt.datetime | None = None) -> str:
    """in_force, upcoming, expired, revoked, or offboarded (grantee no longer active)."""
    at = at or timezone.now()
    if grant.revoked_at is not None and grant.revoked_at <= at:
        return "revoked"
    if grant.valid_until is not None and grant.valid_until <= at:
        return "expired"
    if grant.valid_from > at:
        return "upcoming"
    if grant.grantee_id is not None and not grant.grantee.active:  # type: ignore[union-attr]
        return "offboarded"
    return "in_force"


def grant_search(
    *, user: Any, q: str = "", kind: str = "", state: str = "", mine: bool = False
) -> QuerySet[Authorization]:
    """The grant list: what ``user`` may see, filtered by kind and state; ``q`` matches people,
    accounts, units, purpose and fundraiser names."""
    now = timezone.now()
    qs = grants_for(user)
    if kind:
        qs = qs.filter(kind=kind)
    if state == "in_force":
        qs = grants_in_force(qs, now)
    elif state == "upcoming":
        qs = qs.filter(valid_from__gt=now, revoked_at__isnull=True)
    elif state == "expired":
        qs = qs.filter(valid_until__lte=now).exclude(revoked_at__lte=now)
    elif state == "revoked":
        qs = qs.filter(revoked_at__lte=now)
    elif state == "offboarded":
        qs = qs.filter(grantee__active=False)
    if mine:
        pid = scope_for(user).person_id
        qs = qs.filter(Q(grantee_id=pid) | Q(grantor_id=pid)) if pid else qs.none()
    if q.strip():
        t = q.strip().lstrip("@")
        qs = qs.filter(
            Q(grantee__given_name__icontains=t)
            | Q(grantee__family_name__icontains=t)
            | Q(grantor__given_name__icontains=t)
            | Q(grantor__family_name__icontains=t)
            | Q(account__handle__icontains=t)
            | Q(account__display_name__icontains=t)
            | Q(unit__name__icontains=t)
            | Q(purpose__icontains=t)
            | Q(fundraiser_name__icontains=t)
        )
    return qs


def grants_on_account(*, user: Any, account: Account) -> QuerySet[Authorization]:
    """Grants whose scope covers ``account``: on it, or on its unit or a unit above."""
    return grants_for(user).filter(Q(account=account) | Q(unit__in=account.owning_unit.ancestors()))


# -- the questions the rest of Steward asks ------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """An answer with its reason: the grant that allows it, or why nothing does."""

    allowed: bool
    grant: Authorization | None
    reason: str
    clause: str

    def __bool__(self) -> bool:
        return self.allowed


PostingDecision = Decision
MessagingDecision = Decision


@dataclass(frozen=True)
class FundraiserApproval:
    """A fundraiser that may be promoted on an account (1.8.e), as the moderation engine needs it."""

    grant_id: int
    name: str
    phrases: tuple[str, ...]
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    approved_by: str


def _covering(account: Account) -> Q:
    return Q(account=account) | Q(unit__in=account.owning_unit.ancestors())


def _date(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


def _why_not(
    candidates: QuerySet[Authorization], at: dt.datetime, clause: str, nothing: str
) -> Decision:
    """Explain the absence of a grant in force from the closest miss."""
    revoked = candidates.filter(revoked_at__lte=at).order_by("-revoked_at").first()
    expired = (
        candidates.filter(valid_until__lte=at)
        .exclude(revoked_at__lte=at)
        .order_by("-valid_until")
        .first()
    )
    upcoming = (
        candidates.filter(valid_from__gt=at)
        .exclude(revoked_at__lte=at)
        .order_by("valid_from")
        .first()
    )
    if upcoming is not None:
        return Decision(
            False,
            None,
            _("The authorization starts on %(date)s.") % {"date": _date(upcoming.valid_from)},
            clause,
        )
    if expired is not None and (revoked is None or expired.valid_until >= revoked.revoked_at):  # type: ignore[operator]
        return Decision(
            False,
            None,
            _("The authorization expired on %(date)s.") % {"date": _date(expired.valid_until)},  # type: ignore[arg-type]
            clause,
        )
    if revoked is not None:
        return Decision(
            False,
            None,
            _("The authorization was revoked on %(date)s: %(reason)s")
            % {"date": _date(revoked.revoked_at), "reason": revoked.revocation_reason},  # type: ignore[arg-type]
            clause,
        )
    return Decision(False, None, nothing, clause)


def may_post(*, person: Person, account: Account, at: dt.datetime | None = None) -> Decision:
    """May ``person`` post on ``account`` at ``at`` (default now)? (1.3)

    Allowed only when the account is registered (1.4), the person is active staff, and a posting
    grant to them is in force whose scope is the account or a unit that contains its owning unit.
    Expired, revoked and not-yet-valid grants do not count; nor does anything for someone
    offboarded. Managing an account is not itself an authorization: 1.3 asks for one in writing.
    """
    at = at or timezone.now()
    if account.status != Account.Status.REGISTERED:
        return Decision(
            False,
            None,
            _("%(account)s is %(status)s, not registered with LPS Media.")
            % {"account": account, "status": account.get_status_display()},
            "1.4",
        )
    if person.kind != Person.Kind.STAFF or not person.active:
        return Decision(
            False,
            None,
            _("%(person)s is not active staff (offboarded or not staff).") % {"person": person},
            "1.3",
        )
    candidates = Authorization.objects.filter(
        kind=Authorization.Kind.POSTING, grantee=person
    ).filter(_covering(account))
    grant = (
        grants_in_force(candidates, at)
        .select_related("grantor", "account", "unit")
        .order_by(F("account_id").desc(nulls_last=True), "-valid_from", "-id")
        .first()
    )
    if grant is not None:
        until = (
            _("until %(date)s") % {"date": _date(grant.valid_until)}
            if grant.valid_until
            else _("until revoked")
        )
        return Decision(
            True,
            grant,
            _("Authorized in writing by %(grantor)s for %(scope)s, %(until)s.")
            % {"grantor": grant.grantor, "scope": grant.scope_label, "until": until},
            "1.3",
        )
    return _why_not(
        candidates,
        at,
        "1.3",
        _("%(person)s has no written authorization to post on %(account)s.")
        % {"person": person, "account": account},
    )


def may_message(
    *, staff: Person, student: Person, at: dt.datetime | None = None, account: Account | None = None
) -> Decision:
    """May ``staff`` exchange private messages with ``student`` at ``at``? (1.7) When ``account``
    is given, the authorization's scope must also cover that account."""
    at = at or timezone.now()
    if staff.kind != Person.Kind.STAFF or not staff.active:
        return Decision(
            False,
            None,
            _("%(person)s is not active staff (offboarded or not staff).") % {"person": staff},
            "1.7",
        )
    candidates = Authorization.objects.filter(
        kind=Authorization.Kind.MESSAGING, grantee=staff, student=student
    )
    if account is not None:
        candidates = candidates.filter(_covering(account))
    grant = (
        grants_in_force(candidates, at)
        .select_related("grantor")
        .order_by("-valid_from", "-id")
        .first()
    )
    if grant is not None:
        return Decision(
            True,
            grant,
            _("Authorized in writing by %(grantor)s: %(purpose)s")
            % {"grantor": grant.grantor, "purpose": grant.purpose},
            "1.7",
        )
    return _why_not(
        candidates,
        at,
        "1.7",
        _("Private messages between %(staff)s and %(student)s are not authorized in writing.")
        % {"staff": staff, "student": student},
    )


def approved_fundraisers(
    *, account: Account, at: dt.datetime | None = None
) -> list[FundraiserApproval]:
    """Fundraiser approvals in force for ``account`` at ``at`` (1.8.e): on the account or a unit
    that contains its owning unit. Plain data, for the moderation engine."""
    at = at or timezone.now()
    qs = (
        grants_in_force(
            Authorization.objects.filter(kind=Authorization.Kind.FUNDRAISER).filter(
                _covering(account)
            ),
            at,
        )
        .select_related("grantor")
        .order_by("valid_from", "id")
    )
    return [
        FundraiserApproval(
            grant_id=g.pk,
            name=g.fundraiser_name,
            phrases=tuple(g.fundraiser_phrases or [g.fundraiser_name]),
            valid_from=g.valid_from,
            valid_until=g.valid_until,
            approved_by=str(g.grantor),
        )
        for g in qs
    ]

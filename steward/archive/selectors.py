"""Reads of the archive, narrowed to what the acting user may see (core.permissions).

District-wide roles (communications, superintendent's office, records officer) see every record;
a school leader sees the records of the accounts in their units; other staff see the records of
the accounts they manage, administer or advise. Records requests, holds, retention and the
disposition log are for district-wide roles only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from steward.archive import search
from steward.archive.business_days import business_days_left
from steward.archive.models import (
    DispositionLog,
    LegalHold,
    Record,
    RecordsRequest,
    Redaction,
    RetentionRule,
)
from steward.core.errors import NotPermitted
from steward.core.permissions import scope_for

FILTER_KEYS = (
    "account",
    "unit",
    "platform",
    "kind",
    "version",
    "date_from",
    "date_to",
    "author",
    "state",
    "moderation_category",
)


def is_records_staff(user: Any) -> bool:
    scope = scope_for(user)
    return bool(getattr(user, "is_superuser", False) or scope.district_wide)


def records_for(user: Any) -> QuerySet[Record]:
    """Every record version the user may see."""
    from steward.registry.selectors import accounts_for

    scope = scope_for(user)
    qs = Record.objects.select_related("account")
    if getattr(user, "is_superuser", False) or scope.district_wide:
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(account__in=accounts_for(user).values("pk"))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def apply_filters(qs: QuerySet[Record], filters: dict[str, Any]) -> QuerySet[Record]:
    """Filters (PRR-3): account, unit, platform, kind, version, date range (platform time, or
    capture time when the platform gave none), author (id or name), state, moderation category."""
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    if "account" in f:
        qs = qs.filter(account_id=f["account"])
    if "unit" in f:
        from steward.people.models import OrgUnit

        unit = OrgUnit.objects.filter(pk=f["unit"]).first()
        qs = qs.filter(account__owning_unit__path__startswith=unit.path) if unit else qs.none()
    for key in ("platform", "kind", "version", "state", "moderation_category"):
        if key in f:
            value = f[key]
            qs = (
                qs.filter(**{f"{key}__in": value})
                if isinstance(value, list)
                else qs.filter(**{key: value})
            )
    date_from, date_to = _date(f.get("date_from")), _date(f.get("date_to"))
    if date_from:
        start = dt.datetime.combine(date_from, dt.time.min, tzinfo=dt.UTC)
        qs = qs.filter(occurred_at__gte=start)
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        qs = qs.filter(occurred_at__lt=end)
    if "author" in f:
        a = str(f["author"])
        qs = qs.filter(Q(author_platform_id=a) | Q(author_name__icontains=a))
    return qs


def record_search_unscoped(
    *, query: str = "", filters: dict[str, Any] | None = None
) -> QuerySet[Record]:
    """Search every record (for services acting for the records officer: requests, holds)."""
    return _search(Record.objects.all(), query, filters or {})


def _search(qs: QuerySet[Record], query: str, filters: dict[str, Any]) -> QuerySet[Record]:
    qs = apply_filters(qs, filters)
    ids = search.matching_ids_sql(query)
    if ids is not None:
        qs = qs.filter(id__in=ids)
    return qs.order_by("-id")


def record_search(
    *, user: Any, query: str = "", filters: dict[str, Any] | None = None
) -> QuerySet[Record]:
    """Full-text search with filters over what ``user`` may see, newest capture first."""
    return _search(records_for(user), query, filters or {})


@dataclass
class SearchPage:
    records: list[Record]
    count: int
    more_than_count: bool
    next_before: int | None


def record_search_page(
    *,
    user: Any,
    query: str = "",
    filters: dict[str, Any] | None = None,
    before: int | None = None,
    limit: int = 50,
    count_cap: int = 1000,
) -> SearchPage:
    """One page of results (newest first) with a capped count: what pages and the API show.
    Keyset paging: pass the last id of a page as ``before`` to get the next."""
    qs = apply_filters(records_for(user), filters or {})
    if before is None:
        rows, count, more = search.page_and_count(qs, query, limit=limit, cap=count_cap)
    else:
        rows, count, more = search.page(qs, query, limit=limit, before=before), 0, False
    return SearchPage(
        records=rows[:limit],
        count=count,
        more_than_count=more,
        next_before=rows[limit - 1].pk if len(rows) > limit else None,
    )


def record_get(*, user: Any, pk: Any) -> Record:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotPermitted("No such record.") from None
    record = records_for(user).filter(pk=pk).first()
    if record is None:
        raise NotPermitted("No such record.")
    return record


@dataclass
class VersionView:
    record: Record
    changes: list[tuple[str, Any, Any]]  # field, before, after


COMPARED = (
    "version",
    "state",
    "text",
    "author_name",
    "media",
    "moderation_category",
    "clause",
    "actor",
)


def record_versions(*, user: Any, record: Record) -> list[VersionView]:
    """Every version of the record's item, oldest first, each with what changed from the one
    before (REC-2)."""
    if record.platform_id:
        versions = list(
            records_for(user)
            .filter(chain=record.chain, platform_id=record.platform_id)
            .order_by("seq")
        )
    else:
        versions = [record]
    out: list[VersionView] = []
    prev: Record | None = None
    for v in versions:
        changes = []
        if prev is not None:
            for f in COMPARED:
                a, b = getattr(prev, f), getattr(v, f)
                if a != b:
                    changes.append((f, a, b))
        out.append(VersionView(v, changes))
        prev = v
    return out


def _staff_only(user: Any) -> None:
    if not is_records_staff(user):
        raise NotPermitted("Records requests, holds and retention are for the records office.")


def requests_for(user: Any) -> QuerySet[RecordsRequest]:
    if not is_records_staff(user):
        return RecordsRequest.objects.none()
    return RecordsRequest.objects.select_related("officer")


def request_get(*, user: Any, pk: Any) -> RecordsRequest:
    try:
        return requests_for(user).get(pk=int(pk))
    except (RecordsRequest.DoesNotExist, TypeError, ValueError):
        raise NotPermitted("No such request.") from None


def request_deadline(request: RecordsRequest, today: dt.date) -> dict[str, Any]:
    """Days left to the initial response (business days; negative when overdue)."""
    left = business_days_left(request.due_date, today)
    answered = (
        request.initial_response_at is not None or request.status == RecordsRequest.Status.CLOSED
    )
    return {
        "due": request.due_date,
        "days_left": left,
        "overdue": left < 0 and not answered,
        "overdue_by": max(0, -left),
        "warn": 0 <= left <= 3 and not answered,  # PRR-1 alerts at day 7 and day 9
        "answered": answered,
        "alert_day": alert_day(left) if not answered else None,
    }


def alert_day(days_left: int) -> int | None:
    """Which PRR-1 reminder is due with ``days_left`` business days to the first response:
    day 7 of 10 (three left, or two), day 9 (one left, or the due date itself), else none."""
    if 0 <= days_left <= 1:
        return 9
    if 2 <= days_left <= 3:
        return 7
    return None


def requests_needing_alerts(today: dt.date) -> list[tuple[RecordsRequest, int]]:
    """Unanswered requests whose day-7 or day-9 reminder is due today and was not sent yet."""
    out = []
    pending = (
        RecordsRequest.objects.filter(initial_response_at__isnull=True)
        .exclude(status=RecordsRequest.Status.CLOSED)
        .select_related("officer")
        .prefetch_related("deadline_alerts")
    )
    for request in pending:
        day = alert_day(business_days_left(request.due_date, today))
        if day is not None and day not in {a.day for a in request.deadline_alerts.all()}:
            out.append((request, day))
    return out


def redactions_for(*, user: Any, request: RecordsRequest) -> QuerySet[Redaction]:
    _staff_only(user)
    return request.redactions.select_related("record", "decided_by")


def holds_for(user: Any) -> QuerySet[LegalHold]:
    if not is_records_staff(user):
        return LegalHold.objects.none()
    return LegalHold.objects.select_related("account", "saved_search")


def retention_rules_for(user: Any) -> QuerySet[RetentionRule]:
    if not is_records_staff(user):
        return RetentionRule.objects.none()
    return RetentionRule.objects.select_related("account")


def dispositions_for(user: Any) -> QuerySet[DispositionLog]:
    if not is_records_staff(user):
        return DispositionLog.objects.none()
    return DispositionLog.objects.select_related("rule")

"""Archive API (mounted at /api/archive by steward/api.py): search, records with their versions
and proofs, records requests. Same selectors as the pages, so the same permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from steward.archive import selectors
from steward.archive.models import Record
from steward.archive.search import highlight
from steward.core.errors import NotPermitted

router = Router()


class RecordOut(Schema):
    id: int
    kind: str
    version: str
    platform: str
    account_id: int | None
    platform_id: str
    parent_id: str
    thread_id: str
    author_id: str
    author_name: str
    text: str
    highlighted: str | None = None
    media: list[str]
    created_at: dt.datetime | None
    captured_at: dt.datetime
    source: str
    state: str
    moderation_category: str
    tombstoned: bool
    chain: str
    seq: int
    prev_hash: str
    content_hash: str
    hash: str


class RecordDetailOut(RecordOut):
    raw_payload: str
    versions: list[RecordOut]


class SearchOut(Schema):
    count: int
    more: bool
    next_before: int | None
    results: list[RecordOut]


class RequestOut(Schema):
    id: int
    reference: str
    requester: str
    received_at: dt.datetime
    status: str
    due_date: dt.date
    business_days_left: int
    overdue: bool


def _out(r: Record, query: str = "") -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "version": r.version,
        "platform": r.platform,
        "account_id": r.account_id,
        "platform_id": r.platform_id,
        "parent_id": r.parent_platform_id,
        "thread_id": r.thread_platform_id,
        "author_id": r.author_platform_id,
        "author_name": r.author_name,
        "text": r.text,
        "highlighted": str(highlight(r.text, query)) if query else None,
        "media": list(r.media),
        "created_at": r.platform_created_at,
        "captured_at": r.captured_at,
        "source": r.source,
        "state": r.state,
        "moderation_category": r.moderation_category,
        "tombstoned": r.is_tombstone,
        "chain": r.chain,
        "seq": r.seq,
        "prev_hash": r.prev_hash,
        "content_hash": r.content_hash,
        "hash": r.hash,
    }


@router.get("/records", response=SearchOut)
def records_search(
    request: HttpRequest,
    q: str = "",
    account: int | None = None,
    unit: int | None = None,
    platform: str = "",
    kind: str = "",
    version: str = "",
    state: str = "",
    moderation_category: str = "",
    author: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 50,
    before: int | None = None,
) -> dict[str, Any]:
    """Full-text search with filters, newest first; ``highlighted`` marks the matches with
    <mark>. ``count`` stops at 1,000 (``more`` is then true); page on with ``before=next_before``."""
    filters = {
        "account": account,
        "unit": unit,
        "platform": platform,
        "kind": kind,
        "version": version,
        "state": state,
        "moderation_category": moderation_category,
        "author": author,
        "date_from": date_from,
        "date_to": date_to,
    }
    page = selectors.record_search_page(
        user=request.user, query=q, filters=filters, before=before, limit=max(1, min(limit, 500))
    )
    return {
        "count": page.count,
        "more": page.more_than_count,
        "next_before": page.next_before,
        "results": [_out(r, q) for r in page.records],
    }


@router.get("/records/{record_id}", response=RecordDetailOut)
def record_detail(request: HttpRequest, record_id: int) -> dict[str, Any]:
    """One record with its raw payload and every version of the same item."""
    record = selectors.record_get(user=request.user, pk=record_id)
    versions = selectors.record_versions(user=request.user, record=record)
    return {
        **_out(record),
        "raw_payload": "" if record.is_tombstone else record.raw_payload,
        "versions": [_out(v.record) for v in versions],
    }


@router.get("/requests", response=list[RequestOut])
def requests_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Records requests with their deadline (records office only)."""
    if not selectors.is_records_staff(request.user):
        raise NotPermitted("Records requests are for the records office.")
    today = timezone.localdate()
    out = []
    for r in selectors.requests_for(request.user):
        d = selectors.request_deadline(r, today)
        out.append(
            {
                "id": r.pk,
                "reference": r.reference,
                "requester": r.requester,
                "received_at": r.received_at,
                "status": r.status,
                "due_date": r.due_date,
                "business_days_left": d["days_left"],
                "overdue": d["overdue"],
            }
        )
    return out

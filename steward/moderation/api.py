"""REST API for the moderation queue, through the same selectors and services as the pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from steward.moderation import rulebook, selectors, services
from steward.moderation.models import QueueItem
from steward.moderation.report import moderation_report
from steward.moderation.report import period as report_period

router = Router()


def _user(request: HttpRequest) -> Any:
    """The user the token authenticated (ninja sets ``request.auth``)."""
    return request.auth  # type: ignore[attr-defined]


class CommentOut(Schema):
    id: int
    account_id: int
    platform: str
    comment_id: str
    post_id: str
    author_id: str
    author_name: str
    text: str
    state: str
    hidden_by: str
    versions: int
    posted_at: dt.datetime | None


class ActionOut(Schema):
    id: int
    kind: str
    state: str
    attempts: int
    last_error: str
    status_code: int | None
    created_platform_id: str
    done_at: dt.datetime | None


class DecisionOut(Schema):
    id: int
    comment_id: int = Field(alias="comment_id")
    account_id: int
    outcome: str
    category: str
    clause: str
    confidence: float | None
    evidence: dict[str, Any]
    reason: str
    actor_label: str
    created_at: dt.datetime
    archive_record_id: str
    actions: list[ActionOut] = Field(default_factory=list)

    @staticmethod
    def resolve_actions(obj: Any) -> list[Any]:
        return list(obj.actions.all())


class QueueItemOut(Schema):
    id: int
    reason: str
    state: str
    note: str
    opened_at: dt.datetime
    account_id: int
    comment: CommentOut
    decision_id: int | None


class CommentDetailOut(Schema):
    comment: CommentOut
    decisions: list[DecisionOut]
    author_removals: int
    author_other_comments: list[CommentOut]


class DecideIn(Schema):
    outcome: str = Field(description="approve, remove, escalate, uphold or keep")
    category: str = ""
    reason: str = ""
    viewpoint_attested: bool = False
    escalate_to: str = Field("", description='"safety" or "records" (escalate)')
    idempotency_key: str = Field("", description="Repeat a request with the same key: one decision.")


class ReportIn(Schema):
    note: str = ""


class BlockIn(Schema):
    reason: str
    clause: str = "1.8.b"


class BlockDecisionIn(Schema):
    approve: bool
    review_by: dt.date | None = None
    note: str = ""


class BlockOut(Schema):
    id: int
    account_id: int
    author_id: str
    author_name: str
    violation_id: int
    reason: str
    clause: str
    state: str
    proposed_at: dt.datetime
    review_by: dt.date | None
    lifted_at: dt.datetime | None


class AppealOut(Schema):
    id: int
    decision_id: int
    text: str
    state: str
    received_at: dt.datetime
    outcome_reason: str


class AppealReviewIn(Schema):
    reverse: bool
    reason: str


@router.get("/queue", response=list[QueueItemOut])
def queue(request: HttpRequest, reason: str = "", account: int | None = None, unit: int | None = None) -> Any:
    """Open queue items (held, reported, escalated, auto_hidden, criticism_review, unsupported)."""
    return list(selectors.queue_items_for(_user(request), reason=reason, account_id=account, unit_id=unit)[:500])


@router.get("/queue/counts", response=dict[str, int])
def queue_counts(request: HttpRequest) -> Any:
    return selectors.queue_counts(_user(request))


@router.get("/comments/{pk}", response=CommentDetailOut)
def comment(request: HttpRequest, pk: int) -> Any:
    c = selectors.comment_get(user=_user(request), pk=pk)
    history = selectors.author_history(c)
    return {
        "comment": c,
        "decisions": list(c.decisions.prefetch_related("actions").order_by("-created_at")),
        "author_removals": history["removals"],
        "author_other_comments": history["comments"],
    }


@router.post("/comments/{pk}/decide", response={201: DecisionOut})
def decide(request: HttpRequest, pk: int, body: DecideIn) -> Any:
    c = selectors.comment_get(user=_user(request), pk=pk)
    data = body.dict()
    if data["idempotency_key"]:
        data["idempotency_key"] = f"api:{_user(request).pk}:{data['idempotency_key']}"
    return 201, services.comment_decide(actor=_user(request), comment=c, **data)


@router.post("/comments/{pk}/report", response={201: QueueItemOut})
def report(request: HttpRequest, pk: int, body: ReportIn) -> Any:
    c = selectors.comment_get(user=_user(request), pk=pk)
    return 201, services.comment_report(actor=_user(request), comment=c, note=body.note)


@router.get("/decisions", response=list[DecisionOut])
def decisions(request: HttpRequest, account: int | None = None, outcome: str = "") -> Any:
    qs = selectors.decisions_for(_user(request)).prefetch_related("actions")
    if account:
        qs = qs.filter(account_id=account)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return list(qs[:500])


@router.post("/decisions/{pk}/block", response={201: BlockOut})
def block_propose(request: HttpRequest, pk: int, body: BlockIn) -> Any:
    d = selectors.decision_get(user=_user(request), pk=pk)
    return 201, services.block_propose(actor=_user(request), violation=d, reason=body.reason, clause=body.clause)


@router.get("/blocks", response=list[BlockOut])
def blocks(request: HttpRequest, state: str = "") -> Any:
    qs = selectors.blocks_for(_user(request))
    return list(qs.filter(state=state) if state else qs)


@router.post("/blocks/{pk}/decide", response=BlockOut)
def block_decide(request: HttpRequest, pk: int, body: BlockDecisionIn) -> Any:
    b = selectors.block_get(user=_user(request), pk=pk)
    return services.block_decide(actor=_user(request), proposal=b, approve=body.approve, review_by=body.review_by, note=body.note)


@router.post("/blocks/{pk}/lift", response=BlockOut)
def block_lift(request: HttpRequest, pk: int, body: ReportIn) -> Any:
    b = selectors.block_get(user=_user(request), pk=pk)
    return services.block_lift(actor=_user(request), proposal=b, note=body.note)


@router.get("/appeals", response=list[AppealOut])
def appeals(request: HttpRequest, state: str = "") -> Any:
    qs = selectors.appeals_for(_user(request))
    return list(qs.filter(state=state) if state else qs)


@router.post("/appeals/{pk}/review", response=AppealOut)
def appeal_review(request: HttpRequest, pk: int, body: AppealReviewIn) -> Any:
    a = selectors.appeal_get(user=_user(request), pk=pk)
    return services.appeal_review(actor=_user(request), appeal=a, reverse=body.reverse, reason=body.reason)


__all__ = ["QueueItem", "router"]


class JudgeIn(Schema):
    text: str = Field(max_length=8000)
    post: str = Field("", max_length=8000)
    lang: Literal["", "en", "es"] = ""


@router.get("/rules", response=dict[str, Any])
def rules(request: HttpRequest) -> Any:
    """The active rule pack and model, every rule in the order the engine tries them, in words."""
    data = rulebook.rules_in_words()
    return {**data, "rules": [dataclasses.asdict(r) for r in data["rules"]]}


@router.post("/judge", response=dict[str, Any])
def judge(request: HttpRequest, body: JudgeIn) -> Any:
    """The verdict the engine would give a comment (nothing is recorded)."""
    return rulebook.try_comment(body.text, post=body.post, lang=body.lang).to_dict()


@router.get("/report", response=dict[str, Any])
def consistency_report(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None, account: int | None = None
) -> Any:
    """The moderation consistency report (MOD-6) for a period (default: the last 30 days)."""
    start, end = report_period(start, end)
    data = moderation_report(_user(request), start=start, end=end, account_id=account)
    out = dataclasses.asdict(data)
    out["account"] = data.account.pk if data.account else None
    return out

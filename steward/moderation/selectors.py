"""Reads of the moderation queue, narrowed through ``accounts_for``: a principal of school A sees
only school A's accounts' comments, decisions, blocks and appeals."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from steward.core.errors import NotPermitted
from steward.moderation.models import Appeal, BlockProposal, Decision, QueueItem
from steward.platforms.models import Comment
from steward.registry.selectors import accounts_for

QUEUES = ("held", "reported", "escalated", "auto_hidden", "criticism_review", "unsupported")


def queue_items_for(user: Any, *, reason: str = "", account_id: int | None = None, unit_id: int | None = None,
                    state: str = QueueItem.State.OPEN) -> QuerySet[QueueItem]:  # fmt: skip
    qs = QueueItem.objects.filter(account__in=accounts_for(user)).select_related(
        "comment", "account", "account__owning_unit", "decision"
    )
    if state:
        qs = qs.filter(state=state)
    if reason:
        qs = qs.filter(reason=reason)
    if account_id:
        qs = qs.filter(account_id=account_id)
    if unit_id:
        qs = qs.filter(account__owning_unit_id=unit_id)
    return qs


def queue_counts(user: Any) -> dict[str, int]:
    rows = queue_items_for(user).values_list("reason").annotate(n=Count("id")).values_list("reason", "n")
    counts = dict.fromkeys(QUEUES, 0)
    counts.update(dict(rows))
    return counts


def decisions_for(user: Any) -> QuerySet[Decision]:
    return Decision.objects.filter(account__in=accounts_for(user)).select_related("comment", "account", "actor")


def comment_get(*, user: Any, pk: int) -> Comment:
    comment = Comment.objects.filter(account__in=accounts_for(user), pk=pk).select_related("account").first()
    if comment is None:
        raise NotPermitted("No such comment.")
    return comment


def queue_item_get(*, user: Any, pk: int) -> QueueItem:
    item = queue_items_for(user, state="").filter(pk=pk).first()
    if item is None:
        raise NotPermitted("No such queue item.")
    return item


def decision_get(*, user: Any, pk: int) -> Decision:
    decision = decisions_for(user).filter(pk=pk).first()
    if decision is None:
        raise NotPermitted("No such decision.")
    return decision


def author_history(comment: Comment, *, limit: int = 20) -> dict[str, Any]:
    """The author's other comments on this account and what was decided about them."""
    if not comment.author_id:
        return {"comments": [], "removals": 0, "blocks": []}
    others = (
        Comment.objects.filter(account_id=comment.account_id, author_id=comment.author_id)
        .exclude(pk=comment.pk)
        .prefetch_related("decisions")
        .order_by("-first_seen_at")[:limit]
    )
    removals = (
        Decision.objects.filter(account_id=comment.account_id, comment__author_id=comment.author_id,
                                outcome__in=["hide", "remove", "escalate"])  # fmt: skip
        .exclude(comment=comment)
        .values("comment")
        .distinct()
        .count()
    )
    blocks = BlockProposal.objects.filter(account_id=comment.account_id, author_id=comment.author_id)
    return {"comments": list(others), "removals": removals, "blocks": list(blocks)}


def blocks_for(user: Any) -> QuerySet[BlockProposal]:
    return BlockProposal.objects.filter(account__in=accounts_for(user)).select_related(
        "account", "violation", "violation__comment", "proposed_by", "approved_by"
    )


def block_get(*, user: Any, pk: int) -> BlockProposal:
    block = blocks_for(user).filter(pk=pk).first()
    if block is None:
        raise NotPermitted("No such block proposal.")
    return block


def appeals_for(user: Any) -> QuerySet[Appeal]:
    return Appeal.objects.filter(account__in=accounts_for(user)).select_related(
        "decision", "decision__comment", "account", "reviewed_by"
    )


def appeal_get(*, user: Any, pk: int) -> Appeal:
    appeal = appeals_for(user).filter(pk=pk).first()
    if appeal is None:
        raise NotPermitted("No such appeal.")
    return appeal

"""Moderation writes: the engine's decisions on the live path, and what people do in the queue.

Every decision cites a clause and names its actor (a person, or ``engine@<pack>-<version>``); every
decision that changes what the public sees is appended to the archive in the same transaction, and
the platform calls it needs become :class:`PlatformAction` rows that workers carry out exactly once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.core.audit import actor_label, audit
from steward.core.db import update_each
from steward.core.errors import NotPermitted, PolicyViolation
from steward.core.permissions import scope_for
from steward.moderation.models import (
    MAX_BLOCK_DAYS,
    Appeal,
    BlockProposal,
    Decision,
    PlatformAction,
    QueueItem,
)
from steward.platforms.models import Comment, Post

#: The clause each category cites (CLAUSES.md, "Comment categories").
CATEGORY_CLAUSE = {
    "profanity": "1.8.b",
    "offensive": "1.8.b",
    "inappropriate": "1.8.a",
    "personal_issue": "1.8.c",
    "off_topic": "1.8.d",
    "commercial": "1.8.e",
    "safety": "0.2",
    "privacy": "0.2",
}
REMOVING = frozenset({Decision.Outcome.HIDE, Decision.Outcome.REMOVE, Decision.Outcome.ESCALATE})

NOTICE = {
    "en": "This comment was hidden under the LPS community guidelines (clause {clause}). "
    "To ask for a review: {url}",
    "es": "Este comentario se ocultó según las normas de la comunidad de LPS (cláusula {clause}). "
    "Para pedir una revisión: {url}",
}
HELP_REPLY = {
    "en": "Thank you for reaching out. This page can't handle individual cases: please email {help} "
    "or contact your school directly so the right staff member can follow up.",
    "es": "Gracias por escribirnos. Esta página no puede atender casos individuales: escriba a {help} "
    "o comuníquese directamente con su escuela para que el personal indicado le dé seguimiento.",
}


# -- the engine ----------------------------------------------------------------------------------


def engine() -> Any:
    from steward.moderation.engine.engine import Engine

    return Engine.load()


def engine_actor(eng: Any) -> str:
    return f"engine@{eng.pack.name}-{eng.pack.version}" if hasattr(eng, "pack") else "engine"


def author_prior_removals(comment: Comment) -> int:
    """Earlier removals of this author on this account (decisions that took a comment down)."""
    return prior_removals_many([comment])[comment.pk]


def prior_removals_many(comments: Sequence[Comment]) -> dict[int, int]:
    """For each comment, how many *other* comments of its author on its account were taken down
    (one query for the whole batch)."""
    authors = {(c.account_id, c.author_id) for c in comments if c.author_id}
    removed: dict[tuple[int, str], set[int]] = {}
    if authors:
        rows = (
            Decision.objects.filter(
                account_id__in={a for a, _ in authors},
                comment__author_id__in={b for _, b in authors},
                outcome__in=list(REMOVING),
            )
            .values_list("account_id", "comment__author_id", "comment_id")
            .distinct()
        )
        for account_id, author_id, comment_id in rows:
            removed.setdefault((account_id, author_id), set()).add(comment_id)
    return {
        c.pk: len(removed.get((c.account_id, c.author_id), set()) - {c.pk}) if c.author_id else 0
        for c in comments
    }


CONTEXT_TTL = 60.0
_FUNDS: dict[int, tuple[float, tuple[Any, ...]]] = {}


def _fundraisers(account: Any) -> tuple[Any, ...]:
    from steward.authorizations.selectors import approved_fundraisers
    from steward.moderation.engine.types import Fundraiser

    now = time.monotonic()
    cached = _FUNDS.get(account.pk)
    if cached is None or cached[0] < now:
        funds = tuple(
            Fundraiser(
                name=f.name,
                phrases=tuple(f.phrases),
                start=timezone.localdate(f.valid_from) if f.valid_from else None,
                end=timezone.localdate(f.valid_until) if f.valid_until else None,
            )
            for f in approved_fundraisers(account=account)
        )
        # Approvals change rarely and are dated; a minute's staleness on the live path is harmless.
        _FUNDS[account.pk] = cached = (now + CONTEXT_TTL, funds)
    return cached[1]


def engine_context(comment: Comment) -> Any:
    return engine_contexts([comment])[0]


def engine_contexts(comments: Sequence[Comment]) -> list[Any]:
    """What the engine may know about each comment: the post it answers, the author's earlier
    removals on the account, the account's approved fundraisers. A few queries for the batch."""
    from steward.moderation.engine.types import Context

    wanted = {(c.account_id, c.post_id) for c in comments}
    posts: dict[tuple[int, str], str] = {}
    if wanted:
        rows = Post.objects.filter(
            account_id__in={a for a, _ in wanted}, post_id__in={p for _, p in wanted}
        ).values_list("account_id", "post_id", "text")
        posts = {(a, p): t for a, p, t in rows}
    prior = prior_removals_many(comments)
    today = timezone.localdate()
    return [
        Context(
            post=posts.get((c.account_id, c.post_id)) or "",
            account=c.account.handle,
            account_kind=c.account.kind,
            author_prior_removals=prior[c.pk],
            fundraisers=_fundraisers(c.account),
            today=today,
        )
        for c in comments
    ]


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _notice(decision: Decision, lang: str) -> str:
    from steward.platforms.pipeline import appeal_url

    template = NOTICE.get(lang) or NOTICE["en"]
    return template.format(clause=decision.clause, url=appeal_url(decision.pk))


def decide_by_engine(*, comment: Comment, archive_record_id: str = "") -> list[int]:
    """Judge the current text of ``comment`` and record what follows. Must run inside the
    transaction that archived that text; returns the ids of the platform actions to carry out."""
    return decide_by_engine_many([(comment, archive_record_id)])


def decide_by_engine_many(items: Sequence[tuple[Comment, str]]) -> list[int]:
    """:func:`decide_by_engine` for a batch of (comment, archive record id): one idempotency
    query, one context lookup, one matrix product, one insert of the decisions. The caller holds
    the comments' row locks inside its transaction.

    A batch decides as the comments would one after another: when an author's earlier comment in
    the batch is taken down, a later one of theirs is judged again with that removal counted.
    """
    keys = {c.pk: f"engine:{c.pk}:{_text_key(c.text)}" for c, _ in items}
    seen = set(Decision.objects.filter(idempotency_key__in=keys.values()).values_list("idempotency_key", flat=True))
    todo: list[tuple[Comment, str]] = []
    for comment, record_id in items:  # one decision per version, however often it is in the batch
        if keys[comment.pk] not in seen:
            seen.add(keys[comment.pk])
            todo.append((comment, record_id))
    if not todo:
        return []
    eng = engine()
    actor = engine_actor(eng)
    contexts = engine_contexts([c for c, _ in todo])
    verdicts = eng.judge_many([(c.text, ctx) for (c, _), ctx in zip(todo, contexts, strict=True)])
    removed_in_batch: dict[tuple[int, str], int] = {}
    decisions: list[tuple[Decision, Any]] = []
    for (comment, record_id), ctx, verdict in zip(todo, contexts, verdicts, strict=True):
        author = (comment.account_id, comment.author_id)
        earlier = removed_in_batch.get(author, 0) if comment.author_id else 0
        if earlier:
            verdict = eng.judge(comment.text, dataclasses.replace(ctx, author_prior_removals=ctx.author_prior_removals + earlier))
        decision = _engine_decision(comment, verdict, key=keys[comment.pk], record_id=record_id, actor=actor)
        if decision.outcome in REMOVING and comment.author_id:
            removed_in_batch[author] = earlier + 1
        decisions.append((decision, verdict))
    Decision.objects.bulk_create([decision for decision, _verdict in decisions])
    return _carry_out_many(
        [(d, v.language or "en") for d, v in decisions if d.outcome != Decision.Outcome.KEEP]
    )


def _engine_decision(comment: Comment, verdict: Any, *, key: str, record_id: str, actor: str) -> Decision:
    """The engine's verdict as an (unsaved) decision that cites its clause."""
    outcome = {
        "keep": Decision.Outcome.KEEP,
        "hide": Decision.Outcome.HIDE,
        "hold": Decision.Outcome.HOLD,
        "escalate": Decision.Outcome.ESCALATE,
    }.get(verdict.action, Decision.Outcome.HOLD)
    clause = "" if verdict.clause in ("", "—") else verdict.clause
    if outcome in REMOVING and not clause:
        clause = CATEGORY_CLAUSE.get(verdict.category, "1.8.b")
    return Decision(
        comment=comment,
        account=comment.account,
        outcome=outcome,
        category=verdict.category,
        clause=clause,
        confidence=verdict.confidence,
        evidence={**verdict.to_dict()["evidence"], "explanation": verdict.explanation,
                  "language": verdict.language, "requires_confirmation": verdict.requires_confirmation,
                  "comment_record": record_id},  # fmt: skip
        reply_text=verdict.reply or "",
        actor_label=actor,
        idempotency_key=key,
    )


def _carry_out(decision: Decision, *, lang: str = "en") -> list[int]:
    """Archive the decision, open queue items, and create its platform actions."""
    return _carry_out_many([(decision, lang)])


def _carry_out_many(decisions: Sequence[tuple[Decision, str]]) -> list[int]:
    """:func:`_carry_out` for (saved decision, language) pairs: one archive append for all the
    decisions, one insert of the queue items, one of the actions. The caller holds the comments'
    row locks, so looking for open queue items and then creating them cannot race."""
    from steward.platforms.pipeline import archive_append_many

    if not decisions:
        return []
    saved = [decision for decision, _lang in decisions]
    record_ids = archive_append_many([_decision_record(decision) for decision in saved])
    for decision, record_id in zip(saved, record_ids, strict=True):
        decision.archive_record_id = record_id
    update_each(saved, ["archive_record_id"])
    actions: list[PlatformAction] = []
    queue: list[QueueItem] = []
    for decision, lang in decisions:
        plan_actions, plan_queue = _consequences(decision, lang)
        actions += plan_actions
        queue += plan_queue
    if queue:
        open_items = set(
            QueueItem.objects.filter(
                comment__in={q.comment_id for q in queue}, state=QueueItem.State.OPEN
            ).values_list("comment_id", "reason")
        )
        fresh = []
        for item in queue:
            if (item.comment_id, item.reason) not in open_items:
                open_items.add((item.comment_id, item.reason))
                fresh.append(item)
        QueueItem.objects.bulk_create(fresh)
    PlatformAction.objects.bulk_create(actions)
    return [a.pk for a in actions]


def _consequences(decision: Decision, lang: str) -> tuple[list[PlatformAction], list[QueueItem]]:
    """What a decision asks for: the platform calls (unsaved actions) and the queue items."""
    comment = decision.comment
    actions: list[PlatformAction] = []
    queue: list[QueueItem] = []
    outcome = decision.outcome
    if outcome == Decision.Outcome.HOLD:
        queue.append(_queue_row(comment, QueueItem.Reason.HELD, decision, note=decision.evidence.get("explanation", "")))
        return actions, queue
    if outcome in (Decision.Outcome.HIDE, Decision.Outcome.ESCALATE, Decision.Outcome.REMOVE):
        if comment.state != Comment.State.HIDDEN:
            actions.append(_action(decision, PlatformAction.Kind.HIDE))
        reply = decision.reply_text
        if not reply and decision.category == "personal_issue":
            reply = HELP_REPLY.get(lang, HELP_REPLY["en"]).format(help=settings.DISTRICT_HELP_EMAIL)
        if reply or getattr(settings, "MODERATION_NOTICE_ON_HIDE", False):
            # Replies to hidden comments carry the notice and the appeal link (MOD-5).
            text = "\n\n".join(t for t in (reply, _notice(decision, lang)) if t)
            actions.append(_action(decision, PlatformAction.Kind.REPLY, text=text))
        if decision.by_engine:
            note = decision.evidence.get("explanation", "")
            if decision.category == "offensive":
                note = f"{note}\n" + _("Offensive: the author goes to block review (1.8.b).")
            queue.append(_queue_row(comment, QueueItem.Reason.AUTO_HIDDEN, decision, note=note))
    if outcome == Decision.Outcome.ESCALATE:
        recipient = (
            settings.RECORDS_CONTACT_EMAIL if decision.category == "privacy" else settings.SAFETY_CONTACT_EMAIL
        )
        actions.append(
            _action(decision, PlatformAction.Kind.EMAIL, text=_escalation_body(decision), recipient=recipient,
                    subject=f"[Steward] {decision.get_category_display() or 'Escalation'}: "
                            f"{comment.account.display_name}")  # fmt: skip
        )
        queue.append(_queue_row(comment, QueueItem.Reason.ESCALATED, decision, note=decision.reason))
    if outcome == Decision.Outcome.APPROVE and comment.state == Comment.State.HIDDEN:
        actions.append(_action(decision, PlatformAction.Kind.UNHIDE))
    return actions, queue


def _action(decision: Decision, kind: str, *, text: str = "", recipient: str = "", subject: str = "") -> PlatformAction:
    """An unsaved platform action of a decision; its key makes a second one impossible."""
    comment = decision.comment
    return PlatformAction(
        decision=decision,
        account=decision.account,
        kind=kind,
        key=f"decision:{decision.pk}:{kind}",
        target_id=comment.comment_id,
        post_id=comment.post_id,
        text=text,
        recipient=recipient,
        response={"subject": subject} if subject else {},
    )


def _queue_row(comment: Comment, reason: str, decision: Decision | None, *, note: str = "", reported_by: Any = None) -> QueueItem:
    return QueueItem(comment=comment, reason=reason, account_id=comment.account_id, decision=decision,
                     note=note[:4000], reported_by=reported_by)  # fmt: skip


def _queue(comment: Comment, reason: str, decision: Decision | None, *, note: str = "", reported_by: Any = None) -> QueueItem:
    # Callers hold the comment's row lock, so look-then-create cannot race (and skips the
    # savepoint get_or_create would take on every comment).
    item = QueueItem.objects.filter(comment=comment, reason=reason, state=QueueItem.State.OPEN).first()
    if item is None:
        item = _queue_row(comment, reason, decision, note=note, reported_by=reported_by)
        item.save()
    return item


def _escalation_body(decision: Decision) -> str:
    comment = decision.comment
    base = str(getattr(settings, "SITE_URL", "")).rstrip("/")
    return "\n".join(
        [
            f"Account: {comment.account}",
            f"Author: {comment.author_name} ({comment.author_id})",
            f"Comment {comment.comment_id} on post {comment.post_id}:",
            "",
            comment.text,
            "",
            f"Category: {decision.category}  Clause: {decision.clause}  Decided by: {decision.actor_label}",
            f"Why: {decision.evidence.get('explanation', decision.reason)}",
            f"Review it in Steward: {base}/moderation/comments/{comment.pk}/",
        ]
    )


def _decision_record(decision: Decision) -> dict[str, Any]:
    """The archive record of a decision (REC-1: a moderation decision is a record)."""
    comment = decision.comment
    return dict(
        kind="moderation_decision",
        version="created",
        account=decision.account,
        platform=comment.platform,
        platform_id=f"decision:{decision.pk}",
        parent_platform_id=comment.comment_id,
        thread_platform_id=comment.post_id,
        author_platform_id=comment.author_id,
        author_name=comment.author_name,
        text=comment.text,
        source="system",
        state=decision.outcome,
        moderation_category=decision.category,
        clause=decision.clause,
        actor=decision.actor_label,
        extra={
            "decision": decision.pk,
            "outcome": decision.outcome,
            "confidence": decision.confidence,
            "evidence": decision.evidence,
            "reason": decision.reason,
            "viewpoint_attested": decision.viewpoint_attested,
            "reply_text": decision.reply_text,
            "supersedes": decision.supersedes_id,
            # MOD-7: a personal case or a privacy escalation may name a student or a family;
            # flag it for FERPA review before any public release.
            "contains_possible_student_pii": decision.category in ("personal_issue", "privacy"),
            "decided_at": timezone.now(),
        },
    )


def _enqueue_on_commit(action_ids: list[int]) -> None:
    if not action_ids:
        return

    def go() -> None:
        from steward.platforms.pipeline import _enqueue_actions

        _enqueue_actions(action_ids)

    transaction.on_commit(go)


# -- what people do --------------------------------------------------------------------------------


def _check_can_moderate(actor: Any, comment: Comment) -> None:
    from steward.registry.selectors import accounts_for

    if not accounts_for(actor).filter(pk=comment.account_id).exists():
        raise NotPermitted("No such comment.")


def is_communications_lead(user: Any) -> bool:
    scope = scope_for(user)
    return bool(getattr(user, "is_superuser", False) or "communications" in scope.roles)


def comment_decide(
    *,
    actor: Any,
    comment: Comment,
    outcome: str,
    category: str = "",
    reason: str = "",
    viewpoint_attested: bool = False,
    escalate_to: str = "",
    idempotency_key: str = "",
    supersedes: Decision | None = None,
) -> Decision:
    """A person's decision on a comment: approve (unhide), remove (hide), escalate, or uphold.

    Removal needs a category from the published list (MOD-1) and the moderator's attestation that
    it is for form or subject, not viewpoint (MOD-3).
    """
    _check_can_moderate(actor, comment)
    outcome = Decision.Outcome(outcome)
    if outcome == Decision.Outcome.ESCALATE:
        category = "privacy" if escalate_to == "records" else (category or "safety")
    clause = CATEGORY_CLAUSE.get(category, "")
    if outcome in (Decision.Outcome.REMOVE, Decision.Outcome.ESCALATE, Decision.Outcome.UPHOLD):
        if not clause:
            raise PolicyViolation(_("Choose the category of the published guidelines this comment breaks."),
                                  clause="1.8", field="category")  # fmt: skip
        if outcome != Decision.Outcome.ESCALATE and not viewpoint_attested:
            raise PolicyViolation(
                _("Confirm that the action is for the comment's form or subject, not its opinion."),
                clause="1.6", field="viewpoint_attested",
            )
    key = idempotency_key or f"person:{actor.pk}:{comment.pk}:{outcome}:{timezone.now().isoformat()}"
    with transaction.atomic():
        existing = Decision.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        decision = Decision.objects.create(
            comment=comment,
            account=comment.account,
            outcome=outcome,
            category=category,
            clause=clause,
            reason=reason,
            actor=actor,
            actor_label=actor_label(actor)[:200],
            viewpoint_attested=viewpoint_attested,
            idempotency_key=key,
            supersedes=supersedes or comment.decisions.order_by("-created_at", "-id").first(),
        )
        action_ids = _carry_out(decision)
        for item in QueueItem.objects.filter(comment=comment, state=QueueItem.State.OPEN):
            if outcome == Decision.Outcome.ESCALATE and item.reason == QueueItem.Reason.ESCALATED:
                continue
            item.state, item.resolved_at, item.resolved_by, item.resolution = (
                QueueItem.State.RESOLVED, timezone.now(), actor, decision,
            )  # fmt: skip
            item.save()
        if outcome in (Decision.Outcome.REMOVE,) and category in ("off_topic", "personal_issue"):
            # Removing possible criticism as "off topic" or "personal" gets a second person (MOD-3).
            _queue(comment, QueueItem.Reason.CRITICISM_REVIEW, decision, note=reason)
        audit(actor=actor, action=f"moderation.comment_{outcome}", obj=decision, clause=clause,
              after={"comment": comment.comment_id, "category": category, "reason": reason})  # fmt: skip
        _enqueue_on_commit(action_ids)
    return decision


def comment_report(*, actor: Any, comment: Comment, note: str = "") -> QueueItem:
    """A staff member flags a comment for the queue."""
    _check_can_moderate(actor, comment)
    with transaction.atomic():
        item = _queue(comment, QueueItem.Reason.REPORTED, None, note=note, reported_by=actor)
        audit(actor=actor, action="moderation.comment_reported", obj=item, after={"note": note})
    return item


# -- blocks ---------------------------------------------------------------------------------------


def block_propose(*, actor: Any, violation: Decision, reason: str, clause: str = "") -> BlockProposal:
    """Propose blocking the author of an earlier removed comment (BLK-1, BLK-4)."""
    comment = violation.comment
    _check_can_moderate(actor, comment)
    if violation.outcome not in REMOVING:
        raise PolicyViolation(_("A block must answer to an earlier logged removal."), clause="1.8.b")
    if not reason.strip():
        raise PolicyViolation(_("Give the reason for the block."), clause="1.8.b", field="reason")
    if not comment.author_id:
        raise PolicyViolation(_("The platform did not say who wrote this comment."))
    with transaction.atomic():
        if BlockProposal.objects.filter(
            account=comment.account, author_id=comment.author_id,
            state__in=[BlockProposal.State.PROPOSED, BlockProposal.State.APPROVED],
        ).exists():  # fmt: skip
            raise PolicyViolation(_("This author already has an open or active block."))
        proposal = BlockProposal.objects.create(
            account=comment.account,
            author_id=comment.author_id,
            author_name=comment.author_name,
            violation=violation,
            reason=reason,
            clause=clause or violation.clause or "1.8.b",
            proposed_by=actor,
        )
        audit(actor=actor, action="moderation.block_proposed", obj=proposal, clause=proposal.clause,
              after={"author": proposal.author_id, "reason": reason})  # fmt: skip
    return proposal


def block_decide(
    *, actor: Any, proposal: BlockProposal, approve: bool, review_by: dt.date | None = None, note: str = ""
) -> BlockProposal:
    """The communications lead approves (blocking through the connector) or rejects a proposal."""
    if not is_communications_lead(actor):
        raise NotPermitted(_("Only the communications lead approves blocks."))
    if proposal.proposed_by_id == actor.pk:
        raise PolicyViolation(_("A block needs a second person: you proposed this one."), clause="1.8.b")
    if proposal.state != BlockProposal.State.PROPOSED:
        raise PolicyViolation(_("This proposal has already been decided."))
    now = timezone.now()
    today = timezone.localdate(now)  # the district's calendar, not UTC's (after 7 pm in Boston it differs)
    limit = today + dt.timedelta(days=MAX_BLOCK_DAYS)
    review_by = review_by or limit
    if review_by > limit or review_by <= today:
        raise PolicyViolation(_("The review date must be within a year."), clause="1.8.b", field="review_by")
    with transaction.atomic():
        proposal = BlockProposal.objects.select_for_update().get(pk=proposal.pk)
        proposal.approved_by = actor
        proposal.approved_at = now
        proposal.decided_note = note
        action_ids: list[int] = []
        if approve:
            proposal.state = BlockProposal.State.APPROVED
            proposal.review_by = review_by
            proposal.save()
            action_ids.append(_block_action(proposal, PlatformAction.Kind.BLOCK).pk)
        else:
            proposal.state = BlockProposal.State.REJECTED
            proposal.save()
        _archive_block(proposal, actor, "approved" if approve else "rejected")
        audit(actor=actor, action="moderation.block_approved" if approve else "moderation.block_rejected",
              obj=proposal, clause=proposal.clause, after={"review_by": review_by.isoformat(), "note": note})  # fmt: skip
        _enqueue_on_commit(action_ids)
    return proposal


def block_lift(*, actor: Any, proposal: BlockProposal, note: str = "") -> BlockProposal:
    """Lift a block at (or before) its review; a block that should continue needs a new proposal."""
    if not is_communications_lead(actor):
        raise NotPermitted(_("Only the communications lead lifts blocks."))
    lifted = _block_lift(proposal=proposal, actor=actor, note=note, audit_action="moderation.block_lifted")
    if lifted is None:
        raise PolicyViolation(_("This block is not active."))
    return lifted


def _block_lift(*, proposal: BlockProposal, actor: Any, note: str, audit_action: str) -> BlockProposal | None:
    """Lift an active block (None if it is no longer active): the unblock goes to the platform as
    an idempotent :class:`PlatformAction` (``block:<id>:unblock``), the lift is archived and audited
    with actor, clause and time, all in one transaction."""
    with transaction.atomic():
        proposal = BlockProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.state != BlockProposal.State.APPROVED:
            return None
        proposal.state = BlockProposal.State.LIFTED
        proposal.lifted_at = timezone.now()
        proposal.lifted_by = actor
        proposal.lift_note = note
        proposal.save()
        action = _block_action(proposal, PlatformAction.Kind.UNBLOCK)
        _archive_block(proposal, actor, "lifted")
        audit(actor=actor, action=audit_action, obj=proposal, clause=proposal.clause,
              after={"note": note, "lifted_at": proposal.lifted_at, "review_by": proposal.review_by})  # fmt: skip
        _enqueue_on_commit([action.pk])
    return proposal


def blocks_due_for_review(on: dt.date | None = None) -> list[BlockProposal]:
    on = on or timezone.localdate()
    return list(BlockProposal.objects.filter(state=BlockProposal.State.APPROVED, review_by__lte=on))


def blocks_lift_due(*, on: dt.date | None = None) -> list[BlockProposal]:
    """Lift every block whose review-by date has come (BLK-2: a block lasts until its review and
    continues only if renewed by a new proposal), by the system rather than a person.

    Run by Celery beat and by ``steward sweep_events``/``steward lift_due_blocks``. Safe to run
    twice or on two machines at once: each block is locked and re-checked, and its unblock call is
    one action row with a unique key.
    """
    on = on or timezone.localdate()
    due = BlockProposal.objects.filter(state=BlockProposal.State.APPROVED, review_by__lte=on)
    lifted: list[BlockProposal] = []
    for proposal in due.order_by("review_by", "pk"):
        note = f"Review-by date {proposal.review_by:%Y-%m-%d} reached without renewal (BLK-2)."
        done = _block_lift(proposal=proposal, actor=None, note=note, audit_action="moderation.block_lifted_at_review")
        if done is not None:
            lifted.append(done)
    return lifted


def _block_action(proposal: BlockProposal, kind: str) -> PlatformAction:
    return PlatformAction.objects.create(
        block=proposal,
        account=proposal.account,
        kind=kind,
        key=f"block:{proposal.pk}:{kind}",
        target_id=proposal.author_id,
        response={"comment_id": proposal.violation.comment.comment_id},
    )


def _archive_block(proposal: BlockProposal, actor: Any, what: str) -> None:
    from steward.platforms.pipeline import archive_append

    archive_append(
        kind="moderation_decision",
        version="created",
        account=proposal.account,
        platform=proposal.account.platform,
        platform_id=f"block:{proposal.pk}:{what}",
        parent_platform_id=proposal.violation.comment.comment_id,
        author_platform_id=proposal.author_id,
        author_name=proposal.author_name,
        text=proposal.reason,
        source="system",
        state=f"block_{what}",
        clause=proposal.clause,
        actor=actor_label(actor)[:200],
        extra={"block": proposal.pk, "proposed_by": actor_label(proposal.proposed_by),
               "review_by": proposal.review_by,
               "note": proposal.lift_note if what == "lifted" else proposal.decided_note,
               **({"lifted_at": proposal.lifted_at} if what == "lifted" else {})},  # fmt: skip
    )


# -- appeals --------------------------------------------------------------------------------------


def appeal_submit(*, decision: Decision, text: str, name: str = "", contact: str = "") -> Appeal:
    """A commenter asks for a review (from the link in the notice; no sign-in)."""
    if decision.outcome not in REMOVING and decision.outcome != Decision.Outcome.UPHOLD:
        raise PolicyViolation(_("Only a removal can be appealed."))
    if not text.strip():
        raise PolicyViolation(_("Tell us why the comment should be restored."), field="text")
    with transaction.atomic():
        appeal = Appeal.objects.create(
            decision=decision, account=decision.account, text=text[:5000], name=name[:200], contact=contact[:300]
        )
        audit(actor="public", action="moderation.appeal_received", obj=appeal, clause="1.6", after={"decision": decision.pk})
    return appeal


def first_moderators(decision: Decision) -> set[int]:
    """People who already took part in a decision: its author, and whoever upheld it in the queue."""
    ids = {decision.actor_id} if decision.actor_id else set()
    ids |= set(
        QueueItem.objects.filter(decision=decision).exclude(resolved_by=None).values_list("resolved_by", flat=True)
    )
    return ids


def appeal_review(*, actor: Any, appeal: Appeal, reverse: bool, reason: str) -> Appeal:
    """Someone other than the first moderator restores the comment or upholds the decision."""
    if actor.pk in first_moderators(appeal.decision):
        raise PolicyViolation(_("An appeal is reviewed by someone other than the first moderator."), clause="1.6")
    if appeal.state != Appeal.State.OPEN:
        raise PolicyViolation(_("This appeal has already been decided."))
    if not reason.strip():
        raise PolicyViolation(_("Give the reason for the outcome."), field="reason")
    decision = appeal.decision
    with transaction.atomic():
        outcome = comment_decide(
            actor=actor,
            comment=decision.comment,
            outcome=Decision.Outcome.APPROVE if reverse else Decision.Outcome.UPHOLD,
            category="" if reverse else decision.category,
            reason=f"Appeal {appeal.pk}: {reason}",
            viewpoint_attested=True,
            idempotency_key=f"appeal:{appeal.pk}",
            supersedes=decision,
        )
        appeal.state = Appeal.State.REVERSED if reverse else Appeal.State.UPHELD
        appeal.reviewed_by = actor
        appeal.reviewed_at = timezone.now()
        appeal.outcome_reason = reason
        appeal.outcome = outcome
        appeal.save()
        audit(actor=actor, action="moderation.appeal_decided", obj=appeal, clause=decision.clause,
              after={"state": appeal.state, "reason": reason})  # fmt: skip
    return appeal


def queue_item_dismiss(*, actor: Any, item: QueueItem, note: str = "") -> QueueItem:
    """Close a queue item with no change (e.g. a report that needs nothing), recorded as a keep."""
    decision = comment_decide(actor=actor, comment=item.comment, outcome=Decision.Outcome.KEEP, reason=note)
    item.refresh_from_db()
    if item.state == QueueItem.State.OPEN:
        item.state, item.resolved_at, item.resolved_by, item.resolution = (
            QueueItem.State.RESOLVED, timezone.now(), actor, decision,
        )  # fmt: skip
        item.save()
    return item



def action_retry(*, actor: Any, action: PlatformAction) -> PlatformAction:
    """The retry button: a failed or waiting action becomes due now."""
    with transaction.atomic():
        before = {"state": action.state, "attempts": action.attempts, "last_error": action.last_error}
        if action.state == PlatformAction.State.DONE:
            return action
        PlatformAction.objects.filter(pk=action.pk).update(
            state=PlatformAction.State.PENDING, next_attempt_at=timezone.now(), lease_until=None
        )
        action.refresh_from_db()
        audit(actor=actor, action="moderation.action_retried", obj=action, before=before, after={"state": action.state})
        _enqueue_on_commit([action.pk])
    return action

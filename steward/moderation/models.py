"""Moderation on the Django side: decisions, the actions they cause on the platforms, the queue of
what waits for a person, block proposals and appeals (clauses 1.6, 1.8; records-and-law.md B, C).

Every decision names its actor: a person, or the engine with its rule-pack version
(``engine@lps-3``). Every decision and every action's platform answer is also appended to the
archive; these tables are the working state, the archive is the record.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.platforms.models import Comment
from steward.registry.models import Account

CATEGORIES = [
    ("ok", _("OK")),
    ("profanity", _("Profanity")),
    ("offensive", _("Offensive")),
    ("inappropriate", _("Inappropriate")),
    ("personal_issue", _("Personal issue")),
    ("off_topic", _("Off topic")),
    ("commercial", _("Commercial")),
    ("safety", _("Safety")),
    ("privacy", _("Privacy")),
]


class Decision(models.Model):
    """What was decided about one comment, by whom, under which clause.

    ``idempotency_key`` makes re-driving safe: the engine's decision for a comment version is keyed
    by that version, a person's by the form submission, so a retry finds the existing row.
    """

    class Outcome(models.TextChoices):
        KEEP = "keep", _("Keep")
        HIDE = "hide", _("Hide")
        HOLD = "hold", _("Hold for a person")
        ESCALATE = "escalate", _("Escalate")
        APPROVE = "approve", _("Approve (unhide)")
        REMOVE = "remove", _("Remove")
        UPHOLD = "uphold", _("Uphold")

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="decisions")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="moderation_decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    category = models.CharField(max_length=20, choices=CATEGORIES, blank=True)
    clause = models.CharField(max_length=20, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    reply_text = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text='A person, or "engine@<pack-version>".')
    viewpoint_attested = models.BooleanField(
        default=False, help_text="The moderator confirmed the action is for form or subject, not opinion (MOD-3)."
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    archive_record_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["keep", "hold", "approve"]) | ~Q(clause=""),
                name="decision_removal_cites_clause",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.comment} [{self.clause or '—'}] by {self.actor_label}"

    @property
    def by_engine(self) -> bool:
        return self.actor_id is None and self.actor_label.startswith("engine@")


class PlatformAction(models.Model):
    """One call Steward must make for a decision (hide, reply, e-mail...), done exactly once.

    ``key`` is ``<decision id>:<kind>``. A worker claims the row with a lease before calling the
    platform; a reply whose earlier attempt may have reached the platform is looked up there
    before it is posted again, so a reply is never posted twice.
    """

    class Kind(models.TextChoices):
        HIDE = "hide", _("Hide")
        UNHIDE = "unhide", _("Unhide")
        DELETE = "delete", _("Delete")
        REPLY = "reply", _("Reply")
        BLOCK = "block", _("Block author")
        UNBLOCK = "unblock", _("Unblock author")
        EMAIL = "email", _("E-mail")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNSUPPORTED = "unsupported", _("Not offered by the platform")

    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    block = models.ForeignKey(
        "BlockProposal", null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200, unique=True)
    target_id = models.CharField(max_length=200, help_text="Comment id, or author id for blocks.")
    post_id = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True, help_text="Reply text, or the e-mail body.")
    recipient = models.CharField(max_length=300, blank=True, help_text="E-mail recipient.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response = models.JSONField(default=dict, blank=True)
    created_platform_id = models.CharField(max_length=200, blank=True)
    archive_record_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_id} ({self.state})"


class QueueItem(models.Model):
    """A comment waiting for a person: held by the engine, reported by staff, escalated, or hidden
    by the engine and awaiting human review (MOD-4: automated hides are reviewed)."""

    class Reason(models.TextChoices):
        HELD = "held", _("Held for review")
        REPORTED = "reported", _("Reported")
        ESCALATED = "escalated", _("Escalated")
        AUTO_HIDDEN = "auto_hidden", _("Hidden by the engine")
        CRITICISM_REVIEW = "criticism_review", _("Second review (possible criticism)")
        UNSUPPORTED = "unsupported", _("Action not available on the platform")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="queue_items")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="queue_items")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN, db_index=True)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reason"], condition=Q(state="open"), name="queueitem_one_open_per_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.comment}"


MAX_BLOCK_DAYS = 365


class BlockProposal(models.Model):
    """A proposal to block a commenter from an account (records-and-law.md C).

    Blocking is separate from removing comments, needs a reason tied to policy and at least one
    earlier logged violation (BLK-4), is approved by the communications lead — never by the person
    who proposed it (BLK-1) — and carries a review-by date no more than a year after approval
    (BLK-2); at review the block is lifted unless renewed by a new proposal.
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved (blocked)")
        REJECTED = "rejected", _("Rejected")
        LIFTED = "lifted", _("Lifted")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="block_proposals")
    author_id = models.CharField(max_length=200)
    author_name = models.CharField(max_length=300, blank=True)
    violation = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="block_proposals",
        help_text="An earlier logged removal this block answers to (BLK-4).",
    )
    reason = models.TextField()
    clause = models.CharField(max_length=20)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_by = models.DateField(null=True, blank=True)
    decided_note = models.TextField(blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("proposed_by")),
                name="block_approver_is_not_proposer",
            ),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(review_by__isnull=False), name="block_approved_has_review_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Block {self.author_name or self.author_id} on {self.account} ({self.state})"

    def clean(self) -> None:
        if self.review_by and self.approved_at:
            limit = timezone.localdate(self.approved_at) + dt.timedelta(days=MAX_BLOCK_DAYS)
            if self.review_by > limit:
                raise ValidationError({"review_by": _("A block must be reviewed within a year.")})


class Appeal(models.Model):
    """A commenter's appeal of a decision, reviewed by someone other than the first moderator
    (MOD-5). The outcome is itself a decision (restore or uphold) and is archived."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        REVERSED = "reversed", _("Reversed (restored)")

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)
    outcome = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"Appeal of {self.decision_id} ({self.state})"

"""The archive: append-only, hash-chained records of everything the district's accounts post,
receive, hide or remove (1.6), preserved message threads (1.7), and the records-request, hold and
retention machinery around them.

Writes go through ``services.py`` only. ``Record`` rows are never updated or deleted by
application code; the single exception is the retention purge (RET-1/RET-2), which replaces a
record's content with a tombstone while keeping its chain fields, so the chain still verifies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from steward.archive import chain as chainlib
from steward.registry.models import Platform


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")[:-6] + "Z"


class Media(models.Model):
    """A media file (photo, video, screenshot, PDF) stored once, addressed by its SHA-256 (INT-1).
    Media rows are shared by every record that references them."""

    sha256 = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField()
    file = models.FileField(upload_to="archive/media/", max_length=300)
    original_name = models.CharField(max_length=300, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    disposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "media"

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.content_type or 'file'}, {self.size} bytes)"


class ChainHead(models.Model):
    """The current head of one hash chain. Appends lock this row (``select_for_update``) so two
    concurrent appends to the same account can never both build on the same predecessor; the
    ``(chain, seq)`` unique constraint on Record is the backstop."""

    chain = models.CharField(max_length=64, unique=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=chainlib.GENESIS_HASH)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.chain} @ {self.seq}"


#: What a record's ``state`` says, in words (the states platforms, the pipeline and importers write).
RECORD_STATES = {
    "published": _("Published"),
    "hidden": _("Hidden"),
    "removed": _("Removed by the district"),
    "deleted": _("Deleted by its author"),
    "unsent": _("Unsent"),
    "keep": _("Kept"),
    "hide": _("Hidden by a decision"),
    "hold": _("Held for review"),
    "escalate": _("Escalated"),
    "approve": _("Approved"),
    "remove": _("Removed by a decision"),
    "hide_done": _("Hidden on the platform"),
    "unhide_done": _("Shown again on the platform"),
    "reply_done": _("Replied on the platform"),
    "email_done": _("E-mail sent"),
}


class Record(models.Model):
    """One version of one archived item (REC-1, REC-2). A new edit, hide, unhide or deletion is a
    new row; nothing is overwritten. ``content()`` is exactly what ``content_hash`` covers."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        COMMENT = "comment", _("Comment")
        REPLY = "reply", _("Reply")
        MESSAGE = "message", _("Message")
        MEDIA = "media", _("Media")
        MODERATION = "moderation_decision", _("Moderation decision")
        MANUAL = "manual_preservation", _("Manual preservation")

    class Version(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        HIDDEN = "hidden", _("Hidden")
        UNHIDDEN = "unhidden", _("Unhidden")
        DELETED_BY_AUTHOR = "deleted_by_author", _("Deleted by its author")
        REMOVED_BY_DISTRICT = "removed_by_district", _("Removed by the district")

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        POLL = "poll", _("Poll")
        EXPORT = "export", _("Export file import")
        UPLOAD = "upload", _("Upload")
        SYSTEM = "system", _("Steward")

    id = models.BigAutoField(primary_key=True)
    chain = models.CharField(max_length=64)
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    content_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    kind = models.CharField(max_length=24, choices=Kind.choices, db_index=True)
    version = models.CharField(max_length=24, choices=Version.choices, default=Version.CREATED)
    platform = models.CharField(max_length=20, choices=[*Platform.choices, ("manual", "Manual")])
    account = models.ForeignKey(
        "registry.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    platform_id = models.CharField(max_length=255, blank=True)
    parent_platform_id = models.CharField(max_length=255, blank=True)
    thread_platform_id = models.CharField(max_length=255, blank=True)
    author_platform_id = models.CharField(max_length=255, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="archive_records",
    )
    text = models.TextField(blank=True)
    media = models.JSONField(default=list, blank=True, help_text="SHA-256 of each attached Media.")
    platform_created_at = models.DateTimeField(null=True, blank=True)
    captured_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    state = models.CharField(max_length=30, default="published", db_index=True)
    moderation_category = models.CharField(max_length=30, blank=True, db_index=True)
    clause = models.CharField(max_length=20, blank=True)
    actor = models.CharField(
        max_length=200, blank=True, help_text="Who hid, removed or decided, where known."
    )
    raw_payload = models.TextField(blank=True, help_text="Exactly as received (UTF-8 text).")
    raw_content_type = models.CharField(max_length=100, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    # Derived, not hashed: platform time, else capture time; what date-range search filters on.
    occurred_at = models.DateTimeField(db_index=True, null=True, blank=True)

    # Set only by the retention purge (RET-2): content gone, chain fields kept.
    tombstoned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="archive_record_chain_seq"),
        ]
        indexes = [
            models.Index(fields=["account", "platform_id"], name="archive_rec_acct_pid"),
            models.Index(fields=["platform", "platform_id"], name="archive_rec_platform_pid"),
            models.Index(fields=["thread_platform_id"], name="archive_rec_thread"),
            models.Index(fields=["platform_created_at"], name="archive_rec_created"),
            models.Index(fields=["author_platform_id"], name="archive_rec_author"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.platform_id or self.pk} ({self.get_version_display()})"

    @property
    def is_tombstone(self) -> bool:
        return self.tombstoned_at is not None

    @property
    def state_label(self) -> str:
        """The platform state in words ("Deleted by its author"), for pages and exports."""
        return str(RECORD_STATES.get(self.state) or self.state.replace("_", " "))

    @property
    def category_label(self) -> str:
        from steward.moderation.models import CATEGORIES

        return str(dict(CATEGORIES).get(self.moderation_category, self.moderation_category))

    def raw_sha256(self) -> str:
        return hashlib.sha256(self.raw_payload.encode("utf-8")).hexdigest()

    def content(self) -> dict[str, Any] | None:
        """What the content hash covers; None for a tombstone (content disposed of)."""
        if self.tombstoned_at is not None:
            return None
        return content_of(self)

    def chain_row(self) -> chainlib.RowView:
        return chainlib.RowView(
            record_id=self.pk,
            chain=self.chain,
            seq=self.seq,
            prev_hash=self.prev_hash,
            content_hash=self.content_hash,
            hash=self.hash,
            content=self.content(),
        )

    def proof(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "seq": self.seq,
            "prev_hash": self.prev_hash,
            "content_hash": self.content_hash,
            "hash": self.hash,
        }


def content_of(r: Any) -> dict[str, Any]:
    """The canonical content of a record (or of an unsaved record-like object)."""
    return {
        "kind": r.kind,
        "version": r.version,
        "platform": r.platform,
        "account": r.account_id,
        "platform_id": r.platform_id,
        "parent_id": r.parent_platform_id,
        "thread_id": r.thread_platform_id,
        "author_id": r.author_platform_id,
        "author_name": r.author_name,
        "person": r.person_id,
        "text": r.text,
        "media": list(r.media or []),
        "created_at": _iso(r.platform_created_at),
        "captured_at": _iso(r.captured_at),
        "source": r.source,
        "state": r.state,
        "moderation_category": r.moderation_category,
        "clause": r.clause,
        "actor": r.actor,
        "raw_sha256": hashlib.sha256((r.raw_payload or "").encode("utf-8")).hexdigest(),
        "raw_content_type": r.raw_content_type,
        "extra": r.extra or {},
    }


class Checkpoint(models.Model):
    """A signed statement of a chain's head at a moment (INT-2). Lets a verifier detect a chain
    truncated after the checkpoint, which a hash chain alone cannot show."""

    chain = models.CharField(max_length=64, db_index=True)
    seq = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    signature = models.TextField(blank=True)
    public_key = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"checkpoint {self.chain}@{self.seq}"

    def payload(self) -> bytes:
        return chainlib.checkpoint_payload(
            chain=self.chain, seq=self.seq, head_hash=self.head_hash, at=self.at
        )


class SavedSearch(models.Model):
    """A named search (query + filters) that selects records for a request or a hold (PRR-7)."""

    name = models.CharField(max_length=200)
    query = models.CharField(max_length=500, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class RecordsRequest(models.Model):
    """A public records request (G.L. c.66 §10) with its 10-business-day deadline (PRR-1)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        MAIL = "mail", _("Mail")
        IN_PERSON = "in_person", _("In person")
        ORAL = "oral", _("Oral")
        FAX = "fax", _("Fax")
        WEB = "web", _("Web form")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESPONDED = "responded", _("Initial response sent")
        EXTENDED = "extended", _("Extension petitioned")
        CLOSED = "closed", _("Closed")

    class PetitionDecision(models.TextChoices):
        PENDING = "pending", _("Pending with the Supervisor of Records")
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")

    reference = models.CharField(max_length=30, unique=True)
    requester = models.CharField(max_length=200)
    requester_contact = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    description = models.TextField()
    officer = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records_requests",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    due_date = models.DateField(
        help_text="10 Massachusetts business days after receipt (950 CMR 32.06(2)(b))."
    )
    initial_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # PRR-1: a petition to the Supervisor of Records for more time (G.L. c.66 §10(c)), filed within
    # 20 business days of receipt, and the Supervisor's decision.
    petition_filed_on = models.DateField(null=True, blank=True)
    petition_decision = models.CharField(
        max_length=10, choices=PetitionDecision.choices, blank=True, default=""
    )
    petition_decided_on = models.DateField(null=True, blank=True)
    extended_due_date = models.DateField(
        null=True, blank=True, help_text="The date the Supervisor of Records granted, if granted."
    )
    # PRR-6 fee estimate and PRR-2 fee lock (950 CMR 32.06(2)(c)): amounts in cents.
    hours_search = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    hours_redaction = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    hourly_rate_cents = models.PositiveIntegerField(default=0)
    rate_approval_reference = models.CharField(max_length=200, blank=True)
    fee_cents = models.PositiveIntegerField(default=0)
    fee_override_reason = models.TextField(blank=True)
    saved_searches = models.ManyToManyField(SavedSearch, blank=True, related_name="requests")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} — {self.requester}"


class DeadlineAlert(models.Model):
    """A reminder that a records request's first response is nearly due (PRR-1): on business day
    7 and day 9 of the 10. One row per request and day, so the daily command never sends the same
    reminder twice, and the request page shows what was sent."""

    class Day(models.IntegerChoices):
        SEVEN = 7, _("Day 7 of 10")
        NINE = 9, _("Day 9 of 10")

    request = models.ForeignKey(
        RecordsRequest, on_delete=models.CASCADE, related_name="deadline_alerts"
    )
    day = models.PositiveSmallIntegerField(choices=Day.choices)
    due_date = models.DateField()
    sent_at = models.DateTimeField()
    recipients = models.TextField(blank=True, help_text="E-mail addresses, one per line.")

    class Meta:
        ordering = ["request_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["request", "day"], name="archive_deadline_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.request.reference}: {self.get_day_display()}"


class Redaction(models.Model):
    """One proposed or applied redaction in a request's export copy (PRR-5). The archived record is
    never changed; this row says what would be withheld, where, why, and who decided."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed — needs review")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    request = models.ForeignKey(RecordsRequest, on_delete=models.CASCADE, related_name="redactions")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=30, default="text")
    kind = models.CharField(max_length=30)
    start = models.IntegerField()
    end = models.IntegerField()
    original = models.TextField(help_text="Internal only: never exported.")
    replacement = models.CharField(max_length=100)
    reason = models.CharField(max_length=300)
    exemption = models.CharField(max_length=200)
    student = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    automatic = models.BooleanField(default=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record_id", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "record", "field", "start", "end"], name="archive_redaction_span"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="archive_redaction_nonempty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} in record {self.record_id} ({self.status})"


class DisclosureLog(models.Model):
    """Who received what, when and why: the 603 CMR 23.07(1) access-log pattern (FERPA-4), kept for
    every export bundle."""

    request = models.ForeignKey(
        RecordsRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    released_by_label = models.CharField(max_length=200)
    position = models.CharField(max_length=200, blank=True)
    recipient = models.CharField(max_length=200)
    recipient_affiliation = models.CharField(max_length=200, blank=True)
    released_at = models.DateTimeField()
    purpose = models.CharField(max_length=300)
    parts = models.TextField(help_text="What was released: record ids and files.")
    record_count = models.IntegerField(default=0)
    redacted_count = models.IntegerField(default=0)
    student_record_material = models.BooleanField(default=False)
    bundle_sha256 = models.CharField(max_length=64, blank=True)
    bundle_file = models.FileField(upload_to="archive/bundles/", blank=True, max_length=300)

    class Meta:
        ordering = ["-released_at"]

    def __str__(self) -> str:
        return f"{self.released_at:%Y-%m-%d} to {self.recipient} ({self.record_count} records)"


class LegalHold(models.Model):
    """A litigation or investigation hold (HOLD-1): overrides retention for the records it covers,
    selected by account and/or a saved search and/or a date range."""

    matter = models.CharField(max_length=200)
    custodian = models.CharField(max_length=200)
    account = models.ForeignKey(
        "registry.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    saved_search = models.ForeignKey(
        SavedSearch, null=True, blank=True, on_delete=models.PROTECT, related_name="holds"
    )
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    starts_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    release_directive = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account__isnull=False) | models.Q(saved_search__isnull=False),
                name="archive_hold_has_scope",
            )
        ]

    def __str__(self) -> str:
        return self.matter

    @property
    def active(self) -> bool:
        return self.released_at is None


class RetentionRule(models.Model):
    """How long records of a kind (and optionally of one account) are kept (REC-4). Where several
    rules apply to a record, the longest wins. The series names the Massachusetts schedule item
    the records officer mapped it to; no period is hard-coded."""

    kind = models.CharField(
        max_length=24, choices=Record.Kind.choices, blank=True, help_text="Blank: every kind."
    )
    account = models.ForeignKey(
        "registry.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retain_days = models.PositiveIntegerField()
    series = models.CharField(
        max_length=100, help_text="Records schedule series, e.g. a Municipal Schedule item."
    )
    authority = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind or 'any kind'} / {self.account or 'any account'}: {self.retain_days} days ({self.series})"


class DispositionLog(models.Model):
    """The disposition certificate of one record (RET-2): which record, its hashes, under which
    rule and approval, when and by whom; the record itself is now a tombstone."""

    batch = models.CharField(max_length=40, db_index=True)
    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="disposition")
    chain = models.CharField(max_length=64)
    seq = models.BigIntegerField()
    content_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=24)
    platform_id = models.CharField(max_length=255, blank=True)
    captured_at = models.DateTimeField()
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="dispositions")
    series = models.CharField(max_length=100)
    approval_reference = models.CharField(
        max_length=200, help_text="Supervisor of Records approval (RET-1)."
    )
    method = models.CharField(max_length=200)
    performed_by = models.CharField(max_length=200)
    performed_at = models.DateTimeField()

    class Meta:
        ordering = ["-performed_at", "record_id"]

    def __str__(self) -> str:
        return f"disposed record {self.record_id} ({self.series})"

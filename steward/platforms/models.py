"""The live path's durable state: platform connections, raw webhook deliveries, poll cursors, and
the current state of every comment Steward has seen.

The archive holds every *version* of a comment (append-only, hash-chained); :class:`Comment` here is
only the latest known state, kept so that the moderation queue, reconciliation and the pollers can
ask "what do we believe is on the platform now?" without replaying the archive.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from steward.registry.models import Account, Platform


class PlatformConnection(models.Model):
    """How Steward talks to one registered account on its platform: ids, an encrypted access token,
    and (for Meta and X) the app whose secret signs the webhooks.

    ``access_token_encrypted`` (and ``refresh_token_encrypted``) are Fernet tokens under
    ``STEWARD_TOKEN_KEY``; the plaintext never touches the database. ``base_url`` points the connector at the fake platform server in demos
    and tests; empty means the platform's real API.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnecting")

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="connection")
    platform = models.CharField(max_length=20, choices=Platform.choices, db_index=True)
    platform_account_id = models.CharField(
        max_length=100, db_index=True, help_text="Page id, Instagram user id, X user id or YouTube channel id."
    )
    page_id = models.CharField(max_length=100, blank=True, help_text="Facebook Page id behind an Instagram account.")
    app_id = models.CharField(max_length=100, blank=True)
    app_secret_encrypted = models.TextField(blank=True, help_text="Meta app secret / X consumer secret, encrypted.")
    access_token_encrypted = models.TextField(blank=True)
    # OAuth (Google, X): the refresh token, encrypted like the access token, and when the access
    # token runs out; Steward refreshes a few minutes before. Empty/None for pasted tokens and for
    # Meta Page tokens, which do not expire.
    refresh_token_encrypted = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    connected_via = models.CharField(
        max_length=10, choices=[("token", _("Pasted token")), ("oauth", _("Sign-in (OAuth)"))], default="token"
    )
    base_url = models.URLField(max_length=300, blank=True, help_text="Override the API base URL (fake server).")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    last_error = models.TextField(blank=True)
    # A platform that answered "slow down" is not called again before this time, by any worker.
    throttled_until = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "platform_account_id"], name="connection_unique_platform_id")
        ]

    def __str__(self) -> str:
        return f"{self.account} → {self.platform}:{self.platform_account_id}"


class WebhookEvent(models.Model):
    """One delivery from a platform (or one poller observation), stored byte for byte before the
    platform is told "200 OK".

    ``dedupe_key`` is ``<platform>:<sha256 of the body>``: a redelivery of the same bytes hits the
    unique constraint and changes nothing. Processing is claimed with a lease (``lease_until``) so
    that a worker that dies mid-event leaves a row the sweeper can re-drive.
    """

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        IGNORED = "ignored", _("Ignored (no registered account)")

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        POLL = "poll", _("Poll")
        RECONCILE = "reconcile", _("Reconciliation")

    platform = models.CharField(max_length=20, db_index=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.WEBHOOK)
    body = models.BinaryField(help_text="The request body exactly as received.")
    body_sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=dict, blank=True)
    signature_ok = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    items = models.PositiveIntegerField(default=0, help_text="Platform events found in the body.")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.platform} event {self.pk} ({self.state})"

    @property
    def body_text(self) -> str:
        return bytes(self.body).decode("utf-8", errors="replace")


class WebhookRejection(models.Model):
    """A delivery refused for a bad or missing signature: logged, never processed, body not kept
    (an unsigned body is not evidence of anything, and storing it would let anyone fill the disk)."""

    platform = models.CharField(max_length=20)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    body_sha256 = models.CharField(max_length=64)
    body_size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.platform} rejected {self.received_at:%Y-%m-%d %H:%M}: {self.reason}"


class IngestedEvent(models.Model):
    """One platform event (a comment added, edited, hidden, removed) that reached the archive.

    The unique ``event_key`` makes ingestion exactly-once: the archive append, the comment's new
    state and this row commit together, so re-driving a delivery after a crash finds the row and
    archives nothing twice.
    """

    event_key = models.CharField(max_length=300, unique=True)
    webhook_event = models.ForeignKey(WebhookEvent, on_delete=models.PROTECT, related_name="ingested")
    comment = models.ForeignKey("Comment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verb = models.CharField(max_length=20)
    archive_record_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event_key


class Post(models.Model):
    """The latest known text of an account's post: context for judging whether a comment is on topic."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="live_posts")
    post_id = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    permalink = models.URLField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "post_id"], name="post_unique_account_id")]

    def __str__(self) -> str:
        return f"{self.account}: {self.post_id}"


class Comment(models.Model):
    """What Steward believes a public comment looks like on the platform now.

    State machine (platforms.md §9.3): visible → hidden (by us or on the platform) → deleted /
    rejected. ``last_event_at`` is the platform time of the newest version applied, so a late
    out-of-order delivery is archived but does not roll the state back.
    """

    class State(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")
        DELETED = "deleted", _("Deleted")

    class HiddenBy(models.TextChoices):
        NONE = "", _("—")
        STEWARD = "steward", _("Steward")
        PLATFORM = "platform", _("On the platform")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="live_comments")
    platform = models.CharField(max_length=20)
    comment_id = models.CharField(max_length=200)
    post_id = models.CharField(max_length=200, blank=True)
    parent_id = models.CharField(max_length=200, blank=True)
    author_id = models.CharField(max_length=200, blank=True, db_index=True)
    author_name = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    permalink = models.URLField(max_length=500, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.VISIBLE, db_index=True)
    hidden_by = models.CharField(max_length=20, choices=HiddenBy.choices, default="", blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    versions = models.PositiveIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-first_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "comment_id"], name="comment_unique_account_id"),
            models.CheckConstraint(
                condition=~Q(state="hidden") | ~Q(hidden_by=""), name="comment_hidden_says_by_whom"
            ),
        ]
        indexes = [models.Index(fields=["account", "author_id"])]

    def __str__(self) -> str:
        return f"{self.platform} comment {self.comment_id}"


class PollCursor(models.Model):
    """Where a poller got to for one account: its high-water mark, when to poll next, and the
    platform quota it has spent today (YouTube counts units per Pacific-time day)."""

    class Kind(models.TextChoices):
        YOUTUBE_COMMENTS = "youtube_comments", _("YouTube comments")
        INSTAGRAM_RECONCILE = "instagram_reconcile", _("Instagram edits and deletions")
        FACEBOOK_BACKFILL = "facebook_backfill", _("Facebook Page comments backfill")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="poll_cursors")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    high_water = models.DateTimeField(null=True, blank=True, help_text="Newest item time seen.")
    last_polled_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    quota_day = models.CharField(max_length=10, blank=True)
    units_spent = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "kind"], name="pollcursor_unique_account_kind")]

    def __str__(self) -> str:
        return f"{self.account}: {self.kind}"

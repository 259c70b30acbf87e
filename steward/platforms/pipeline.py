"""The live pipeline: stored event → archive record(s) → engine verdict → platform action → archive.

Every step is re-runnable, because workers die, brokers restart and platforms answer 429 for
minutes:

* An event is *claimed* with a lease (a conditional UPDATE), so two workers never process it at
  once and a dead worker's event becomes claimable again when its lease runs out.
* Each platform event inside a delivery is ingested in one transaction together with an
  :class:`IngestedEvent` row whose unique key is the event's; re-driving skips what committed.
* The engine's decision for one version of a comment has a unique idempotency key.
* Each platform call is a :class:`PlatformAction` row with a unique key (decision id + kind),
  claimed with a lease. Hiding is idempotent on every platform; a reply whose earlier attempt may
  have reached the platform is looked up there (``find_own_reply``) before it is posted again.
* The sweeper re-drives events and actions that are due and not done.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import json
import logging
import random
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from steward.core.db import update_each
from steward.platforms.base import Action, PlatformComment, PlatformEvent, Verb
from steward.platforms.errors import (
    AuthError,
    MalformedPayload,
    NotFound,
    PlatformError,
    RateLimited,
    Unsupported,
)
from steward.platforms.models import (
    Comment,
    IngestedEvent,
    PlatformConnection,
    Post,
    WebhookEvent,
)
from steward.registry.models import Account

log = logging.getLogger("steward.live")



def lease() -> dt.timedelta:
    """How long a claimed event or action is this worker's. Longer than any platform call can take
    (the clients time out after 10 s), short enough that a dead worker's work is soon re-driven."""
    from steward.env import env

    seconds = getattr(settings, "STEWARD_LEASE_SECONDS", None) or env("STEWARD_LEASE_SECONDS", "90")
    return dt.timedelta(seconds=float(seconds))

MAX_EVENT_ATTEMPTS = 12
BACKOFF_CAP = 600.0
COMMENT_ITEMS = frozenset({"comment", "reply", "tweet", "comment_reply"})  # as the parsers name them
POST_ITEMS = frozenset({"post", "status", "photo", "video", "share", "album", "event", "media"})

PARSERS = {
    "facebook": "steward.platforms.facebook.parsers",
    "instagram": "steward.platforms.instagram.parsers",
    "x": "steward.platforms.x.parsers",
    "youtube": "steward.platforms.youtube.parsers",
    "tiktok": "steward.platforms.tiktok.parsers",
}


def backoff(attempts: int, *, base: float = 2.0, cap: float = BACKOFF_CAP) -> float:
    """Exponential back-off with full jitter on the upper half: 2, 4, 8 ... up to ``cap`` seconds."""
    delay = min(cap, base ** max(1, attempts))
    return delay / 2 + random.random() * delay / 2


# =============================================================================================
# Events
# =============================================================================================


def _claimable(now: dt.datetime) -> Q:
    """An event a worker may take: received (or leased by a worker whose lease ran out) and due."""
    return (
        Q(state=WebhookEvent.State.RECEIVED) | Q(state=WebhookEvent.State.PROCESSING, lease_until__lt=now)
    ) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def event_claim(event_id: int) -> WebhookEvent | None:
    """Take the event for this worker, or None if it is done, leased by another worker, or not due."""
    now = timezone.now()
    claimed = (
        WebhookEvent.objects.filter(_claimable(now), pk=event_id)
        .update(state=WebhookEvent.State.PROCESSING, lease_until=now + lease(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return WebhookEvent.objects.get(pk=event_id)


def parse_event(event: WebhookEvent) -> list[PlatformEvent]:
    """Parse a stored delivery with the platform's parser (or, for poller rows, the JSON we wrote)."""
    body = bytes(event.body)
    if event.source != WebhookEvent.Source.WEBHOOK:
        return [_event_from_observation(json.loads(body))]
    platform = event.platform
    if platform == "meta":
        try:
            obj = json.loads(body).get("object")
        except (ValueError, AttributeError):
            obj = None
        platform = "instagram" if obj == "instagram" else "facebook"
    module = importlib.import_module(PARSERS[platform])
    return list(module.parse_webhook(body))


def event_batch_size() -> int:
    """How many due events one worker takes at once (``STEWARD_EVENT_BATCH``, default 50)."""
    from steward.env import env

    return max(1, int(getattr(settings, "STEWARD_EVENT_BATCH", None) or env("STEWARD_EVENT_BATCH", "50")))


def events_claim_more(limit: int, *, exclude: int) -> list[WebhookEvent]:
    """Up to ``limit`` further due events, oldest first, skipping rows other workers are claiming."""
    if limit <= 0:
        return []
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now))
            .exclude(pk=exclude)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        WebhookEvent.objects.filter(pk__in=ids).update(
            state=WebhookEvent.State.PROCESSING, lease_until=now + lease(), attempts=F("attempts") + 1
        )
    return list(WebhookEvent.objects.filter(pk__in=ids).order_by("pk"))


def event_process(event_id: int, *, batch: int | None = None) -> str:
    """Process a stored event, and with it up to ``batch - 1`` other due events; safe to call any
    number of times, from any worker. Returns what became of ``event_id``.

    Under load most deliveries find their event already done by another's batch: one batch
    archives its comments with one chain-head lock per account and judges them with one matrix
    product, instead of ~40 round trips per event.
    """
    event = event_claim(event_id)
    if event is None:
        return "skipped"
    events = [event, *events_claim_more((batch or event_batch_size()) - 1, exclude=event.pk)]
    outcome = events_process_claimed(sorted(events, key=lambda e: e.pk))
    return outcome[event.pk]


def events_drain(*, seconds: float = 20.0) -> int:
    """Process due events batch after batch until none is left (or ``seconds`` have passed: a
    worker's task should end now and then). Returns how many events it took."""
    deadline = time.monotonic() + seconds
    taken = 0
    while time.monotonic() < deadline:
        events = events_claim_more(event_batch_size(), exclude=0)
        if not events:
            break
        events_process_claimed(events)
        taken += len(events)
    return taken


def events_process_claimed(events: list[WebhookEvent]) -> dict[int, str]:
    """Process events this worker has claimed, in order. Comments whose events can go together
    (each comment once in the batch, nothing ingested before) are ingested and judged as one
    batch; the rest, and the whole batch if the fast way fails, go one event at a time."""
    outcome: dict[int, str] = {}
    parsed: list[tuple[WebhookEvent, list[PlatformEvent]]] = []
    for event in events:
        try:
            parsed.append((event, parse_event(event)))
        except (MalformedPayload, ValueError, KeyError, TypeError) as exc:
            # Re-parsing the same bytes gives the same answer: fail it, keep it, show it on the page.
            _event_finish(event, WebhookEvent.State.FAILED, error=f"malformed: {exc}")
            outcome[event.pk] = "failed"
    together, alone = _batchable(parsed)
    if together:
        try:
            action_ids, accounts = _ingest_together(together)
        except Exception:  # a race with another worker, most likely: do them one by one
            log.warning("batch of %s events goes one by one", len(together), exc_info=True)
            alone = sorted(together + alone, key=lambda pair: pair[0].pk)
        else:
            for event, items in together:
                outcome[event.pk] = _finished_state(accounts.get(event.pk), items)
            _events_finish(together, accounts, outcome)
            _enqueue_actions(action_ids)
    for event, items in alone:
        outcome[event.pk] = _event_process_claimed(event, items)
    return outcome


def _batchable(
    parsed: list[tuple[WebhookEvent, list[PlatformEvent]]],
) -> tuple[list[tuple[WebhookEvent, list[PlatformEvent]]], list[tuple[WebhookEvent, list[PlatformEvent]]]]:
    """Split events into those that can be ingested together and those that go one by one.

    Together: every item a comment version with its text, of a registered account, never ingested
    before, its comment not in an earlier event of this batch. An event's comments that go alone
    send every later event of the same comments alone too, so each comment's versions keep their
    order.
    """
    keys = [it.dedupe_key[:300] for _, items in parsed for it in items]
    ingested = set(IngestedEvent.objects.filter(event_key__in=keys).values_list("event_key", flat=True)) if keys else set()
    seen: set[tuple[str, str, str]] = set()
    together: list[tuple[WebhookEvent, list[PlatformEvent]]] = []
    alone: list[tuple[WebhookEvent, list[PlatformEvent]]] = []
    for event, items in parsed:
        comments = {(it.platform, it.account_id, it.comment.id if it.comment else it.object_id) for it in items}
        fits = (
            bool(items)
            and all(
                it.comment is not None
                and it.item in COMMENT_ITEMS
                and it.dedupe_key[:300] not in ingested
                and account_for(it.platform, it.account_id) is not None
                for it in items
            )
            and len(comments) == len(items)
            and not comments & seen
        )
        seen |= comments
        (together if fits else alone).append((event, items))
    return together, alone


def _ingest_together(
    batch: list[tuple[WebhookEvent, list[PlatformEvent]]],
) -> tuple[list[int], dict[int, Account]]:
    """Archive a batch of comment versions in one transaction and judge them in a second one, as
    :func:`ingest` does for one (which stays the reference: same rows, same records)."""
    work = [(event, index, item, account_for(item.platform, item.account_id))
            for event, items in batch for index, item in enumerate(items)]  # fmt: skip
    accounts = {event.pk: account for event, index, _, account in work if index == 0 and account is not None}
    with transaction.atomic():
        wanted = {(account.pk, item.comment.id) for _, _, item, account in work}  # type: ignore[union-attr]
        existing = {
            (c.account_id, c.comment_id): c
            for c in Comment.objects.select_for_update()
            .filter(account_id__in={a for a, _ in wanted}, comment_id__in={c for _, c in wanted})
            .order_by("pk")
        }
        rows: list[tuple[WebhookEvent, PlatformEvent, Comment, dict[str, Any] | None]] = []
        new: list[Comment] = []
        for event, index, item, account in work:
            assert item.comment is not None and account is not None
            comment = existing.get((account.pk, item.comment.id))
            created = comment is None
            if comment is None:
                comment = _new_comment(item, account)
                new.append(comment)
            rows.append((event, item, comment, _apply_version(comment, item, event, index=index, created=created)))
        Comment.objects.bulk_create(new)
        if existing:
            update_each(
                list(existing.values()),
                ["text", "state", "hidden_by", "author_id", "author_name", "last_event_at", "versions"],
            )
        versions = [fields for *_, fields in rows if fields is not None]
        record_ids = iter(archive_append_many(versions) if versions else [])
        done = [
            IngestedEvent(event_key=item.dedupe_key[:300], webhook_event=event, comment=comment, verb=str(item.verb),
                          archive_record_id=next(record_ids) if fields is not None else "")
            for event, item, comment, fields in rows
        ]  # fmt: skip
        IngestedEvent.objects.bulk_create(done)
    to_judge = [(row[1], d) for row, d in zip(rows, done, strict=True)]
    return _judge_many(to_judge), accounts


def _events_finish(
    batch: list[tuple[WebhookEvent, list[PlatformEvent]]], accounts: dict[int, Account], outcome: dict[int, str]
) -> None:
    """Mark a batch's events finished, each with its state, item count and account."""
    now = timezone.now()
    for event, items in batch:
        account = accounts.get(event.pk)
        event.state, event.items, event.processed_at = outcome[event.pk], len(items), now
        event.lease_until, event.next_attempt_at, event.last_error = None, None, ""
        if account is not None:
            event.account = account
    update_each([event for event, _ in batch],
                ["state", "items", "processed_at", "lease_until", "next_attempt_at", "last_error", "account"])  # fmt: skip


def _finished_state(account: Account | None, items: list[PlatformEvent]) -> str:
    """Done when it concerned a registered account (or carried nothing); ignored otherwise."""
    return str(WebhookEvent.State.DONE if account or not items else WebhookEvent.State.IGNORED)


def _event_process_claimed(event: WebhookEvent, items: list[PlatformEvent]) -> str:
    """One claimed event, the careful way: each platform event its own transaction."""
    action_ids: list[int] = []
    resolved_account: Account | None = None
    try:
        for index, item in enumerate(items):
            account, new_actions = ingest(event, item, index=index)
            resolved_account = resolved_account or account
            action_ids += new_actions
    except Exception as exc:  # transient by default: the database, the archive, the engine
        log.exception("event %s failed on attempt %s", event.pk, event.attempts)
        if event.attempts >= MAX_EVENT_ATTEMPTS:
            _event_finish(event, WebhookEvent.State.FAILED, error=repr(exc))
            return "failed"
        delay = backoff(event.attempts)
        WebhookEvent.objects.filter(pk=event.pk).update(
            state=WebhookEvent.State.RECEIVED,
            last_error=repr(exc)[:2000],
            next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
            lease_until=None,
        )
        from steward.platforms.tasks import process_event_task, send_task

        send_task(process_event_task, event.pk, countdown=delay)
        return "retry"
    state = _finished_state(resolved_account, items)
    _event_finish(event, state, items=len(items), account=resolved_account)
    _enqueue_actions(action_ids)
    return str(state)


def _event_finish(
    event: WebhookEvent, state: str, *, error: str = "", items: int | None = None, account: Account | None = None
) -> None:
    fields: dict[str, Any] = {
        "state": state,
        "lease_until": None,
        "processed_at": timezone.now(),
        "last_error": error[:2000],
        "next_attempt_at": None,
    }
    if items is not None:
        fields["items"] = items
    if account is not None:
        fields["account"] = account
    WebhookEvent.objects.filter(pk=event.pk).update(**fields)


def _enqueue_actions(action_ids: Iterable[int]) -> None:
    """Carry out the event's actions now, in this worker: a second trip through the broker would
    only add latency. Each action is its own row, so a failure here is retried on its own."""
    ids = list(action_ids)
    if not ids:
        return
    try:
        actions_run(ids)
    except Exception:  # the rows keep their state; the sweeper re-drives them
        log.exception("actions %s failed", ids)


# -- account resolution --------------------------------------------------------------------------


_ACCOUNTS: dict[tuple[str, str], tuple[float, Account | None]] = {}
ACCOUNT_TTL = 30.0


def account_for(platform: str, platform_account_id: str) -> Account | None:
    """The registered account a platform id belongs to, cached for half a minute per process
    (every delivery asks; accounts are connected far less often than comments arrive)."""
    now = time.monotonic()
    hit = _ACCOUNTS.get((platform, platform_account_id))
    if hit is not None and hit[0] > now:
        return hit[1]
    account = _account_lookup(platform, platform_account_id)
    if account is not None:
        _ACCOUNTS[(platform, platform_account_id)] = (now + ACCOUNT_TTL, account)
    return account


def caches_clear() -> None:
    """Forget the per-process caches of the live path (accounts, webhook secrets, fundraisers)."""
    from steward.moderation import services as moderation_services
    from steward.platforms import services

    _ACCOUNTS.clear()
    services._SECRETS.clear()
    moderation_services._FUNDS.clear()


def _account_lookup(platform: str, platform_account_id: str) -> Account | None:
    conn = (
        PlatformConnection.objects.select_related("account")
        .filter(platform=platform, platform_account_id=platform_account_id)
        .first()
    )
    if conn is not None:
        return conn.account
    if platform == "facebook":
        # An Instagram account's webhooks may name the Facebook Page behind it.
        conn = PlatformConnection.objects.select_related("account").filter(page_id=platform_account_id).first()
        if conn is not None:
            return conn.account
    return (
        Account.objects.filter(platform=platform, platform_account_id=platform_account_id)
        .exclude(status=Account.Status.RETIRED)
        .first()
    )


# -- ingest --------------------------------------------------------------------------------------


def _state_after(verb: Verb, current: str) -> str:
    if verb == Verb.REMOVE:
        return Comment.State.DELETED
    if verb == Verb.HIDE:
        return Comment.State.HIDDEN
    if verb == Verb.UNHIDE:
        return Comment.State.VISIBLE
    return current


VERSION_OF_VERB = {
    Verb.ADD: "created",
    Verb.EDIT: "edited",
    Verb.HIDE: "hidden",
    Verb.UNHIDE: "unhidden",
    Verb.REMOVE: "deleted_by_author",
}


def ingest(event: WebhookEvent, item: PlatformEvent, *, index: int = 0) -> tuple[Account | None, list[int]]:
    """Archive one platform event exactly once, then judge the comment's text exactly once.

    Two transactions on purpose: the archive must not wait for the engine. If judging fails, the
    version is already archived; the retry finds the :class:`IngestedEvent` and only judges.
    """
    account = account_for(item.platform, item.account_id)
    if account is None:
        log.info("no registered account for %s:%s", item.platform, item.account_id)
        return None, []
    if item.comment is None and item.verb in (Verb.REMOVE, Verb.HIDE, Verb.UNHIDE):
        # X's delete event does not say what was deleted: find it among the comments we hold.
        known = Comment.objects.filter(account=account, comment_id=item.object_id).first()
        if known is not None:
            item = dataclasses.replace(item, item="comment", comment=PlatformComment(
                platform=item.platform, id=known.comment_id, post_id=known.post_id,
                parent_id=known.parent_id, author=None, text=None))  # fmt: skip
    key = item.dedupe_key[:300]
    done = IngestedEvent.objects.filter(event_key=key).first()
    if done is None:
        try:
            with transaction.atomic():
                comment, record_id = None, ""
                if item.comment is not None and item.item in COMMENT_ITEMS:
                    comment, record_id = _ingest_comment(event, item, account, index=index)
                else:
                    _ingest_other(event, item, account, index=index)
                done = IngestedEvent.objects.create(
                    event_key=key, webhook_event=event, comment=comment, verb=str(item.verb),
                    archive_record_id=record_id,
                )  # fmt: skip
        except IntegrityError:
            # Another worker ingested the same event (or created the same comment) first.
            done = IngestedEvent.objects.filter(event_key=key).first()
            if done is None:
                raise
    if done.comment_id is None or item.comment is None:
        return account, []
    return account, _judge_many([(item, done)])


def _judge_many(pairs: list[tuple[PlatformEvent, IngestedEvent]]) -> list[int]:
    """Judge the versions that are still their comments' current, visible text (a stale,
    out-of-order version is archived, not judged), in one transaction holding the comments' locks."""
    from steward.moderation.services import decide_by_engine_many

    ids = sorted({int(done.comment_id) for _, done in pairs if done.comment_id is not None})
    if not ids:
        return []
    with transaction.atomic():
        # Lock the comments only (``of``): a plain FOR UPDATE would lock the joined accounts too,
        # and every worker inserting rows for those accounts would queue behind it.
        comments = {
            c.pk: c
            for c in Comment.objects.select_for_update(of=("self",))
            .select_related("account", "account__connection")
            .filter(pk__in=ids)
            .order_by("pk")
        }
        todo = []
        for item, done in pairs:
            comment = comments.get(int(done.comment_id or 0))
            text = item.comment.text if item.comment is not None else None
            if (
                comment is not None
                and item.verb in (Verb.ADD, Verb.EDIT)
                and text is not None
                and text == comment.text
                and comment.state == Comment.State.VISIBLE
                and comment.text.strip()
                and comment.author_id not in _own_account_ids(comment.account)
            ):
                todo.append((comment, done.archive_record_id))
        return decide_by_engine_many(todo) if todo else []


def _own_account_ids(account: Account) -> set[str]:
    ids = {account.platform_account_id}
    conn = getattr(account, "connection", None)
    if conn is not None:
        ids |= {conn.platform_account_id, conn.page_id}
    return {i for i in ids if i}


def _ingest_other(event: WebhookEvent, item: PlatformEvent, account: Account, *, index: int) -> None:
    """Posts are archived (and kept as context for judging comments); other items stay in the raw
    event store only."""
    if item.item not in POST_ITEMS:
        return
    text = ""
    raw = item.raw or {}
    if isinstance(raw, dict):
        text = str(raw.get("message") or raw.get("text") or raw.get("caption") or "")
    if item.verb in (Verb.ADD, Verb.EDIT):
        Post.objects.update_or_create(
            account=account, post_id=item.object_id, defaults={"text": text, "created_at": item.occurred_at}
        )
    archive_append(
        kind="post",
        version=VERSION_OF_VERB.get(item.verb, "created"),
        account=account,
        platform=item.platform,
        platform_id=item.object_id,
        text=text,
        platform_created_at=item.occurred_at,
        source=_archive_source(event),
        state="deleted" if item.verb == Verb.REMOVE else "published",
        actor=item.actor.name if item.actor else "",
        author_platform_id=item.actor.id if item.actor else "",
        author_name=item.actor.name if item.actor else "",
        raw_payload=event.body_text,
        extra={"webhook_event": event.pk, "index": index, "verb": str(item.verb)},
    )


def _archive_source(event: WebhookEvent) -> str:
    return "poll" if event.source != WebhookEvent.Source.WEBHOOK else "webhook"


def _ingest_comment(
    event: WebhookEvent, item: PlatformEvent, account: Account, *, index: int
) -> tuple[Comment, str]:
    pc: PlatformComment = item.comment  # type: ignore[assignment]
    comment = Comment.objects.select_for_update().filter(account=account, comment_id=pc.id).first()
    created = comment is None
    if comment is None:
        # A concurrent first version of the same comment hits the unique constraint, rolls this
        # transaction back, and the event is retried (then finds the row).
        comment = _new_comment(item, account)
        comment.save()
    fields = _apply_version(comment, item, event, index=index, created=created)
    record_id = archive_append(**fields) if fields is not None else ""
    comment.save()
    return comment, record_id


def _new_comment(item: PlatformEvent, account: Account) -> Comment:
    pc: PlatformComment = item.comment  # type: ignore[assignment]
    author = pc.author or item.actor
    return Comment(
        account=account,
        comment_id=pc.id,
        platform=item.platform,
        post_id=pc.post_id,
        parent_id=pc.parent_id,
        author_id=author.id if author else "",
        author_name=(author.name or author.username) if author else "",
        text=pc.text or "",
        posted_at=pc.created_at or item.occurred_at,
        permalink=pc.permalink[:500],
    )


def _apply_version(
    comment: Comment, item: PlatformEvent, event: WebhookEvent, *, index: int, created: bool
) -> dict[str, Any] | None:
    """Apply one platform event to the (locked, unsaved) comment row. Returns the archive record
    of the version it makes, or None when nothing changed (a duplicate in other words)."""
    pc: PlatformComment = item.comment  # type: ignore[assignment]
    author = pc.author or item.actor
    before = (comment.text, comment.state)
    when = item.occurred_at or pc.updated_at or pc.created_at
    stale = (
        comment.last_event_at is not None and when is not None and when < comment.last_event_at
    ) or (comment.state == Comment.State.DELETED and item.verb != Verb.REMOVE and not created)
    if not stale:
        # An ``add`` that arrives after an edit must not roll the text back.
        if pc.text is not None and (item.verb == Verb.EDIT or (item.verb == Verb.ADD and (created or not comment.text))):
            comment.text = pc.text
        new_state = _state_after(item.verb, comment.state)
        if new_state != comment.state:
            if new_state == Comment.State.HIDDEN and not comment.hidden_by:
                comment.hidden_by = Comment.HiddenBy.PLATFORM
            if new_state == Comment.State.VISIBLE:
                comment.hidden_by = ""
            comment.state = new_state
        if author and not comment.author_id:
            comment.author_id, comment.author_name = author.id, author.name or author.username
        if when is not None:
            comment.last_event_at = max(filter(None, [comment.last_event_at, when]))
    if not (created or (comment.text, comment.state) != before or stale):
        return None
    comment.versions += 1
    return comment_version_fields(
        comment,
        version=VERSION_OF_VERB.get(item.verb, "edited"),
        text=pc.text if pc.text is not None else comment.text,
        state=_record_state(_state_after(item.verb, comment.state) if stale else comment.state),
        source=_archive_source(event),
        raw_payload=event.body_text,
        occurred_at=when,
        extra={"webhook_event": event.pk, "index": index, "verb": str(item.verb), "late": stale},
    )


def _record_state(state: str) -> str:
    return {"visible": "published", "hidden": "hidden", "deleted": "deleted"}.get(state, state)


# =============================================================================================
# The archive
# =============================================================================================


_RENAMES = {
    "parent_platform_id": "parent_id",
    "thread_platform_id": "thread_id",
    "author_platform_id": "author_id",
    "platform_created_at": "created_at",
}


def archive_append(**fields: Any) -> str:
    """Append one record through the archive's service; returns its id.

    Runs inside the caller's transaction, so the record and the state it describes commit together.
    """
    return archive_append_many([fields])[0]


def archive_append_many(many: list[dict[str, Any]]) -> list[str]:
    """Append records in one go (one chain-head lock per account, one insert); returns their ids
    in order. Runs inside the caller's transaction."""
    from steward.archive.services import records_append

    records = records_append([{_RENAMES.get(k, k): v for k, v in fields.items()} for fields in many])
    return [str(r.pk) for r in records]


def archive_comment_version(comment: Comment, **version: Any) -> str:
    return archive_append(**comment_version_fields(comment, **version))


def comment_version_fields(
    comment: Comment,
    *,
    version: str,
    text: str,
    state: str,
    source: str,
    raw_payload: str = "",
    occurred_at: dt.datetime | None = None,
    actor: str = "",
    clause: str = "",
    category: str = "",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The archive record of one version of a live comment."""
    is_reply = bool(comment.parent_id) and comment.parent_id != comment.post_id
    return dict(
        kind="reply" if is_reply else "comment",
        version=version,
        account=comment.account,
        platform=comment.platform,
        platform_id=comment.comment_id,
        parent_platform_id=comment.parent_id,
        thread_platform_id=comment.post_id,
        author_platform_id=comment.author_id,
        author_name=comment.author_name,
        text=text,
        platform_created_at=comment.posted_at or occurred_at,
        source=source,
        state=state,
        actor=actor,
        clause=clause,
        moderation_category=category,
        raw_payload=raw_payload,
        extra=extra or {},
    )


# =============================================================================================
# Actions
# =============================================================================================


def action_claim(action_id: int) -> Any:
    claimed = actions_claim([action_id])
    return claimed[0] if claimed else None


def actions_claim(action_ids: list[int]) -> list[Any]:
    """Take the due actions among ``action_ids`` for this worker (skipping rows another worker is
    claiming right now), with what carrying them out needs."""
    from steward.moderation.models import PlatformAction

    now = timezone.now()
    with transaction.atomic():
        ids = list(
            PlatformAction.objects.select_for_update(skip_locked=True)
            .filter(pk__in=action_ids)
            .filter(Q(state=PlatformAction.State.PENDING) | Q(state=PlatformAction.State.RUNNING, lease_until__lt=now))
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        PlatformAction.objects.filter(pk__in=ids).update(
            state=PlatformAction.State.RUNNING, lease_until=now + lease(), attempts=F("attempts") + 1
        )
    return list(
        PlatformAction.objects.select_related("account", "decision", "decision__comment", "block")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def action_run(action_id: int) -> str:
    """Carry out one action once. Transient failures reschedule it; permanent ones fail it (and
    queue the comment for a person)."""
    return actions_run([action_id]).get(action_id, "skipped")


def actions_run(action_ids: list[int]) -> dict[int, str]:
    """Carry out actions once each: the platform calls one by one (a few at a time in threads,
    since they wait on the network), then every success recorded in one transaction."""
    from steward.moderation.models import PlatformAction

    outcome: dict[int, str] = {}
    calls: list[tuple[Any, Any, PlatformConnection]] = []
    claimed = actions_claim(action_ids)
    connections = {c.account_id: c for c in PlatformConnection.objects.filter(account_id__in={a.account_id for a in claimed})}
    for action in claimed:
        if action.kind == PlatformAction.Kind.EMAIL:
            outcome[action.pk] = _run_email(action)
            continue
        conn = connections.get(action.account_id)
        if conn is None or conn.status != PlatformConnection.Status.ACTIVE:
            outcome[action.pk] = _action_fail(action, "the account is not connected (or needs reconnecting)", permanent=True)
            continue
        now = timezone.now()
        if conn.throttled_until and conn.throttled_until > now:
            outcome[action.pk] = _action_later(action, (conn.throttled_until - now).total_seconds(), "platform throttled")
            continue
        from steward.platforms.services import client_for

        try:
            calls.append((action, client_for(conn), conn))
        except Exception as exc:
            outcome[action.pk] = _action_later(action, backoff(action.attempts), repr(exc))
    done: list[tuple[Any, int | None, dict[str, Any], str | None]] = []
    for (action, _client, conn), answer in zip(calls, _platform_calls(calls), strict=True):
        result = _call_outcome(action, conn, answer)
        if isinstance(result, str):
            outcome[action.pk] = result
        else:
            done.append((action, *result))
    outcome.update(_actions_done(done))
    return outcome


def _platform_calls(calls: list[tuple[Any, Any, PlatformConnection]]) -> list[Any]:
    """Each call's result or the exception it raised, in order. Calls to one platform account go
    one after another (its rate limits are per account); accounts go side by side."""
    from concurrent.futures import ThreadPoolExecutor

    by_account: dict[int, list[int]] = {}
    for i, (action, _, _) in enumerate(calls):
        by_account.setdefault(action.account_id, []).append(i)
    results: list[Any] = [None] * len(calls)

    def run(indexes: list[int]) -> None:
        throttled: RateLimited | None = None
        for i in indexes:
            action, client, _ = calls[i]
            # After a 429 the account's other calls wait for the same reset instead of asking.
            results[i] = throttled or _call_catching(client, action)
            if isinstance(results[i], RateLimited):
                throttled = results[i]

    if len(by_account) <= 1:
        for indexes in by_account.values():
            run(indexes)
        return results
    with ThreadPoolExecutor(max_workers=min(8, len(by_account))) as pool:
        list(pool.map(run, by_account.values()))
    return results


def _call_catching(client: Any, action: Any) -> Any:
    try:
        return _call(client, action)
    except Exception as exc:  # judged by _call_outcome on the worker's own thread
        return exc


def _call_outcome(action: Any, conn: PlatformConnection, answer: Any) -> str | tuple[int | None, dict[str, Any], str | None]:
    """What a platform's answer means for the action: done (status, response, created id), or the
    state it was left in (retry later, failed, unsupported)."""
    from steward.moderation.models import PlatformAction
    from steward.platforms.services import connection_mark

    if not isinstance(answer, BaseException):
        return answer.status_code, dict(answer.response or {}), answer.created_id
    exc = answer
    if isinstance(exc, RateLimited):
        until = timezone.now() + dt.timedelta(seconds=max(1.0, exc.retry_after))
        PlatformConnection.objects.filter(pk=conn.pk).update(throttled_until=until)
        return _action_later(action, max(1.0, exc.retry_after), str(exc))
    if isinstance(exc, Unsupported):
        return _action_fail(action, str(exc), permanent=True, unsupported=True)
    if isinstance(exc, NotFound):
        # The comment is gone (deleted by its author): nothing left to hide.
        if action.kind in (PlatformAction.Kind.HIDE, PlatformAction.Kind.DELETE):
            return exc.status_code or 404, {"not_found": str(exc)}, None
        return _action_fail(action, str(exc), permanent=True)
    if isinstance(exc, AuthError):
        if action.attempts <= 1:
            # Refreshed once, then the action again; a refused refresh has marked the connection.
            from steward.platforms.services import connection_refresh_refused

            refreshed, refused = connection_refresh_refused(conn)
            if refreshed:
                return _action_later(action, 1.0, f"token refused, refreshed; trying again: {exc}")
            if refused:
                return _action_later(action, backoff(action.attempts, cap=3600), refused)
        connection_mark(conn=conn, status=PlatformConnection.Status.NEEDS_RECONNECT, error=str(exc))
        return _action_later(action, backoff(action.attempts, cap=3600), str(exc))
    if isinstance(exc, PlatformError):
        if exc.permanent:
            return _action_fail(action, str(exc), permanent=True)
        return _action_later(action, backoff(action.attempts), str(exc))
    # connection refused and the like are worth retrying
    log.error("action %s failed", action.pk, exc_info=exc)
    return _action_later(action, backoff(action.attempts), repr(exc))


def _call(client: Any, action: Any) -> Any:
    from steward.moderation.models import PlatformAction
    from steward.platforms.base import ActionResult

    kind = action.kind
    post_id = action.post_id or None
    if kind in (PlatformAction.Kind.HIDE, PlatformAction.Kind.UNHIDE) and action.attempts > 1:
        # An earlier attempt may have hidden it before its worker died: look before writing again
        # (a read is cheaper than a write everywhere, and YouTube charges 50 units per write).
        want = kind == PlatformAction.Kind.HIDE
        getter = getattr(client, "get_comment", None)
        if getter is not None:
            try:
                current = getter(action.target_id)
            except PlatformError:
                current = None
            if current is not None and current.is_hidden is want:
                return ActionResult(client.platform, Action(kind), action.target_id, 200,
                                    {"already": "hidden" if want else "visible"})  # fmt: skip
    if kind == PlatformAction.Kind.HIDE:
        return client.hide_comment(action.target_id, post_id=post_id)
    if kind == PlatformAction.Kind.UNHIDE:
        return client.unhide_comment(action.target_id, post_id=post_id)
    if kind == PlatformAction.Kind.DELETE:
        return client.delete_comment(action.target_id, post_id=post_id)
    if kind == PlatformAction.Kind.BLOCK:
        return client.block_author(action.target_id, comment_id=action.response.get("comment_id") or None)
    if kind == PlatformAction.Kind.UNBLOCK:
        return client.unblock_author(action.target_id)
    if kind == PlatformAction.Kind.REPLY:
        if action.attempts > 1:
            # An earlier attempt may have posted before its worker died or its answer was lost.
            existing = client.find_own_reply(action.target_id, action.text)
            if existing is not None:
                return ActionResult(client.platform, Action.REPLY, action.target_id, 200,
                                    {"found_existing": existing.id}, created_id=existing.id)  # fmt: skip
        return client.reply(action.target_id, action.text, post_id=post_id)
    raise Unsupported(f"unknown action {kind}")


def _action_later(action: Any, delay: float, error: str) -> str:
    from steward.moderation.models import PlatformAction
    from steward.platforms.tasks import run_action_task, send_task

    PlatformAction.objects.filter(pk=action.pk).update(
        state=PlatformAction.State.PENDING,
        lease_until=None,
        last_error=error[:2000],
        next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
    )
    send_task(run_action_task, action.pk, countdown=delay)
    return "retry"


def _action_fail(action: Any, error: str, *, permanent: bool, unsupported: bool = False) -> str:
    from steward.moderation.models import PlatformAction, QueueItem

    state = PlatformAction.State.UNSUPPORTED if unsupported else PlatformAction.State.FAILED
    with transaction.atomic():
        PlatformAction.objects.filter(pk=action.pk).update(
            state=state, lease_until=None, last_error=error[:2000], next_attempt_at=None
        )
        # A person does by hand what the platform would not: the comment's decision, or for a
        # block or an unblock, the decision on the comment that led to the block.
        decision = action.decision if action.decision_id else (action.block.violation if action.block_id else None)
        if decision is not None:
            QueueItem.objects.get_or_create(
                comment=decision.comment,
                reason=QueueItem.Reason.UNSUPPORTED,
                state=QueueItem.State.OPEN,
                defaults={"account": action.account, "decision": decision,
                          "note": f"{action.get_kind_display()} could not be done: {error}"[:2000]},
            )  # fmt: skip
    return str(state)


def _action_done(action: Any, *, status_code: int | None, response: dict[str, Any], created_id: str | None = None) -> str:
    return _actions_done([(action, status_code, response, created_id)])[action.pk]


def _actions_done(done: list[tuple[Any, int | None, dict[str, Any], str | None]]) -> dict[int, str]:
    """Record the platforms' answers in one transaction together with the comments' new states
    and the archive records of both: a hide becomes a version of the comment (REC-2); any other
    action, a moderation record with the platform's answer."""
    from steward.moderation.models import PlatformAction

    if not done:
        return {}
    new_states = {
        PlatformAction.Kind.HIDE: Comment.State.HIDDEN,
        PlatformAction.Kind.UNHIDE: Comment.State.VISIBLE,
        PlatformAction.Kind.DELETE: Comment.State.DELETED,
    }
    versions = {"hide": "hidden", "unhide": "unhidden", "delete": "removed_by_district"}
    with transaction.atomic():
        locked = {
            a.pk: a
            for a in PlatformAction.objects.select_for_update().filter(pk__in=[a.pk for a, *_ in done]).order_by("pk")
        }
        comment_ids = sorted({a.decision.comment_id for a, *_ in done if a.decision_id})
        comments = {
            c.pk: c for c in Comment.objects.select_for_update(of=("self",)).select_related("account").filter(pk__in=comment_ids).order_by("pk")
        }
        changed: dict[int, Comment] = {}
        records: list[dict[str, Any]] = []
        finished: list[tuple[Any, int | None, dict[str, Any], str | None, int]] = []
        for action, status_code, response, created_id in done:
            row = locked.get(action.pk)
            if row is None or row.state == PlatformAction.State.DONE:
                continue
            decision = action.decision
            actor = decision.actor_label if decision else "steward"
            comment = comments.get(decision.comment_id) if decision else None
            new_state = new_states.get(action.kind)
            changed_state = False
            if comment is not None and new_state is not None and new_state != comment.state:
                changed_state = True
                comment.state = new_state
                comment.hidden_by = Comment.HiddenBy.STEWARD if new_state == Comment.State.HIDDEN else ""
                comment.versions += 1
                changed[comment.pk] = comment
            answer = {
                "action": action.kind,
                "action_id": action.pk,
                "decision": decision.pk if decision else None,
                "block": action.block_id,
                "status_code": status_code,
                "platform_answer": response,
                "created_id": created_id or "",
                "attempts": row.attempts,
            }
            clause = (decision.clause if decision else "") or (action.block.clause if action.block_id else "")
            if comment is not None and changed_state:
                records.append(comment_version_fields(
                    comment, version=versions[action.kind], text=comment.text, state=_record_state(comment.state),
                    source="system", actor=actor, clause=clause, category=decision.category if decision else "",
                    extra=answer,
                ))  # fmt: skip
            else:
                records.append(dict(
                    kind="moderation_decision",
                    version="created",
                    account=action.account,
                    platform=action.account.platform,
                    platform_id=f"action:{action.pk}",
                    parent_platform_id=action.target_id,
                    thread_platform_id=comment.post_id if comment else "",
                    author_platform_id=comment.author_id if comment else "",
                    author_name=comment.author_name if comment else "",
                    text=action.text,
                    source="system",
                    state=f"{action.kind}_done",
                    moderation_category=decision.category if decision else "",
                    clause=clause,
                    actor=actor,
                    extra=answer,
                ))  # fmt: skip
            finished.append((row, status_code, response, created_id, len(records) - 1))
        if changed:
            update_each(list(changed.values()), ["state", "hidden_by", "versions"])
        record_ids = archive_append_many(records) if records else []
        now = timezone.now()
        for row, status_code, response, created_id, index in finished:
            row.state = PlatformAction.State.DONE
            row.lease_until = None
            row.done_at = now
            row.status_code = status_code
            row.response = {**(row.response or {}), **response}
            row.created_platform_id = created_id or ""
            row.archive_record_id = record_ids[index]
            row.last_error = ""
        update_each(
            [row for row, *_ in finished],
            ["state", "lease_until", "done_at", "status_code", "response", "created_platform_id",
             "archive_record_id", "last_error"],
        )  # fmt: skip
    return {action.pk: "done" for action, *_ in done}


def _run_email(action: Any) -> str:
    # Mail is sent before it is marked done: a crash in between sends it twice, which for a safety
    # alert is the right side to err on; it is never *lost*.
    try:
        send_mail(
            subject=action.response.get("subject") or "Steward: comment escalated",
            message=action.text,
            from_email=None,
            recipient_list=[action.recipient],
        )
    except Exception as exc:
        return _action_later(action, backoff(action.attempts), repr(exc))
    return _action_done(action, status_code=None, response={"sent_to": action.recipient})


# =============================================================================================
# Sweeper
# =============================================================================================


def _due(now: dt.datetime) -> tuple[Any, Any]:
    """The events and the platform actions a sweep re-drives: waiting and due, or leased by a
    worker whose lease ran out."""
    from steward.moderation.models import PlatformAction

    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (
        WebhookEvent.objects.filter(
            Q(state=WebhookEvent.State.RECEIVED) & due | Q(state=WebhookEvent.State.PROCESSING, lease_until__lt=now)
        ),
        PlatformAction.objects.filter(
            Q(state=PlatformAction.State.PENDING) & due | Q(state=PlatformAction.State.RUNNING, lease_until__lt=now)
        ),
    )


def sweep(*, limit: int = 1000) -> dict[str, int]:
    """Re-drive events and actions that are due and not done (lost messages, dead workers,
    retries whose countdown was dropped by a broker restart)."""
    from steward.platforms.tasks import process_event_task, run_action_task, send_task

    due_events, due_actions = _due(timezone.now())
    events = list(due_events.order_by("received_at").values_list("pk", flat=True)[:limit])
    actions = list(due_actions.order_by("created_at").values_list("pk", flat=True)[:limit])
    for pk in events:
        send_task(process_event_task, pk)
    for pk in actions:
        send_task(run_action_task, pk)
    return {"events": len(events), "actions": len(actions)}


# =============================================================================================
# Poller observations
# =============================================================================================


def _event_from_observation(data: dict[str, Any]) -> PlatformEvent:
    """Pollers store what they saw as a small JSON document; it becomes a PlatformEvent here."""
    from steward.platforms.base import PlatformAuthor, parse_time

    author = data.get("author") or {}
    comment = PlatformComment(
        platform=data["platform"],
        id=data["comment_id"],
        post_id=data.get("post_id", ""),
        parent_id=data.get("parent_id", "") or data.get("post_id", ""),
        author=PlatformAuthor(author.get("id", ""), author.get("name", "")) if author.get("id") else None,
        text=data.get("text"),
        created_at=parse_time(data.get("created_at"), "created_at"),
        is_hidden=data.get("is_hidden"),
    )
    return PlatformEvent(
        platform=data["platform"],
        account_id=data["account_id"],
        item="comment",
        verb=Verb(data["verb"]),
        object_id=data["comment_id"],
        occurred_at=parse_time(data.get("observed_at"), "observed_at"),
        comment=comment,
        raw=data,
    )


def observation_store(*, account: Account, comment: PlatformComment | None, verb: Verb,
                      comment_id: str = "", source: str = "poll") -> bool:  # fmt: skip
    """Store a poller's observation as an event row (so it goes through the same pipeline)."""
    from steward.platforms.services import webhook_store

    conn = getattr(account, "connection", None)
    data = {
        "platform": account.platform,
        "account_id": conn.platform_account_id if conn else account.platform_account_id,
        "comment_id": comment.id if comment else comment_id,
        "post_id": comment.post_id if comment else "",
        "parent_id": comment.parent_id if comment else "",
        "text": comment.text if comment else None,
        "author": {"id": comment.author.id, "name": comment.author.name} if comment and comment.author else {},
        "created_at": comment.created_at.isoformat() if comment and comment.created_at else None,
        "is_hidden": comment.is_hidden if comment else None,
        "verb": str(verb),
        "observed_at": timezone.now().isoformat(),
    }
    body = json.dumps(data, sort_keys=True).encode()
    # Key on what was seen, not when: the same observation twice is one event.
    seen = {k: v for k, v in data.items() if k != "observed_at"}
    digest = hashlib.sha256(json.dumps(seen, sort_keys=True).encode()).hexdigest()
    stored = webhook_store(
        platform=account.platform,
        body=body,
        headers={},
        signature_ok=True,
        source=source,
        dedupe_key=f"{account.platform}:{source}:{digest}",
    )
    return not stored.duplicate


def appeal_token(decision_id: int) -> str:
    return signing.dumps(decision_id, salt="steward.appeal")


def appeal_url(decision_id: int) -> str:
    base = str(getattr(settings, "SITE_URL", "")).rstrip("/")
    return f"{base}/moderation/appeal/{appeal_token(decision_id)}/"


def due_counts() -> dict[str, int]:
    """What a sweep would re-drive now (for ``sweep_events --dry-run`` and the status page)."""
    due_events, due_actions = _due(timezone.now())
    return {"events": due_events.count(), "actions": due_actions.count()}

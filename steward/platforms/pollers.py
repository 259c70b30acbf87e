"""Pollers for what the platforms do not push (platforms.md §0, §2.3, §4): YouTube comments,
Instagram edits, hides and deletions, and a backfill of Facebook Page comments that webhooks missed
(a delivery Meta gave up on, an outage longer than its retries, the time before the app was
installed on the Page).

A poller compares what the platform lists with what Steward believes (:class:`Comment`) and stores
each difference as an *observation* event, which then goes through the same pipeline as a webhook
(archive → verdict → action). Each account has a :class:`PollCursor` with its high-water mark and
the units it spent today; YouTube's budget is counted per Pacific-time day, as Google counts it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from steward.platforms.base import PlatformComment, Verb
from steward.platforms.errors import AuthError, NotFound, PlatformError, RateLimited
from steward.platforms.models import Comment, PlatformConnection, PollCursor
from steward.platforms.pipeline import observation_store
from steward.platforms.ratelimit import PACIFIC, seconds_until_pacific_midnight

log = logging.getLogger("steward.live")

KIND_FOR_PLATFORM = {
    "youtube": PollCursor.Kind.YOUTUBE_COMMENTS,
    "instagram": PollCursor.Kind.INSTAGRAM_RECONCILE,
    "facebook": PollCursor.Kind.FACEBOOK_BACKFILL,
}


def _interval(kind: str = "") -> dt.timedelta:
    if kind == PollCursor.Kind.FACEBOOK_BACKFILL:
        # Webhooks carry Facebook; the backfill only catches what they lost, so it can be rarer.
        return dt.timedelta(seconds=int(getattr(settings, "FACEBOOK_BACKFILL_INTERVAL_SECONDS", 900)))
    return dt.timedelta(seconds=int(getattr(settings, "POLL_INTERVAL_SECONDS", 300)))


def _daily_budget() -> int:
    # Polling must leave room in the 10,000-unit day for moderation calls (50 units each).
    return int(getattr(settings, "YOUTUBE_POLL_UNITS_PER_ACCOUNT", 2000))


def cursors_ensure() -> int:
    """One cursor per connected account on a platform that needs polling."""
    made = 0
    for conn in PlatformConnection.objects.filter(
        platform__in=list(KIND_FOR_PLATFORM), status=PlatformConnection.Status.ACTIVE
    ):
        _, created = PollCursor.objects.get_or_create(account=conn.account, kind=KIND_FOR_PLATFORM[conn.platform])
        made += created
    return made


def polls_due(*, force: bool = False) -> list[int]:
    qs = PollCursor.objects.filter(account__connection__status=PlatformConnection.Status.ACTIVE)
    if not force:
        qs = qs.filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=timezone.now()))
    return list(qs.values_list("pk", flat=True))


class Budget:
    """Units spent by one cursor today, persisted so every worker sees the same count."""

    def __init__(self, cursor: PollCursor) -> None:
        self.cursor = cursor
        today = timezone.now().astimezone(PACIFIC).date().isoformat()
        if cursor.quota_day != today:
            cursor.quota_day, cursor.units_spent = today, 0
            PollCursor.objects.filter(pk=cursor.pk).update(quota_day=today, units_spent=0)

    def spend(self, units: int) -> None:
        if self.cursor.units_spent + units > _daily_budget():
            raise RateLimited(
                "polling budget for today is spent",
                retry_after=seconds_until_pacific_midnight(timezone.now().timestamp()),
                platform="youtube",
            )
        self.cursor.units_spent += units
        PollCursor.objects.filter(pk=self.cursor.pk).update(units_spent=F("units_spent") + units)


def poll_cursor(cursor_id: int) -> str:
    from steward.platforms.services import client_for

    cursor = PollCursor.objects.select_related("account", "account__connection").get(pk=cursor_id)
    conn = cursor.account.connection
    now = timezone.now()
    try:
        client = client_for(conn)
        if cursor.kind == PollCursor.Kind.YOUTUBE_COMMENTS:
            seen = _poll_youtube(cursor, client, Budget(cursor))
        elif cursor.kind == PollCursor.Kind.INSTAGRAM_RECONCILE:
            seen = _poll_instagram(cursor, client)
        elif cursor.kind == PollCursor.Kind.FACEBOOK_BACKFILL:
            seen = _poll_facebook(cursor, client, now=now)
        else:
            return "unknown kind"
    except RateLimited as exc:
        PollCursor.objects.filter(pk=cursor.pk).update(
            next_poll_at=now + dt.timedelta(seconds=max(60.0, exc.retry_after)), last_error=str(exc)[:2000]
        )
        return "throttled"
    except AuthError as exc:
        # Refreshed once, and the poll is due again at once; a refused refresh has marked the
        # connection "needs reconnecting".
        from steward.platforms.services import connection_refresh_refused

        refreshed, refused = connection_refresh_refused(conn)
        if refreshed:
            PollCursor.objects.filter(pk=cursor.pk).update(next_poll_at=now, last_error=str(exc)[:2000])
            return "token refreshed"
        PollCursor.objects.filter(pk=cursor.pk).update(
            next_poll_at=now + _interval(cursor.kind), last_error=(refused or str(exc))[:2000]
        )
        return "error"
    except PlatformError as exc:
        PollCursor.objects.filter(pk=cursor.pk).update(
            next_poll_at=now + _interval(cursor.kind), last_error=str(exc)[:2000]
        )
        return "error"
    PollCursor.objects.filter(pk=cursor.pk).update(
        last_polled_at=now, next_poll_at=now + _interval(cursor.kind), last_error="", high_water=cursor.high_water
    )
    return f"{seen} changes"


def _observe(cursor: PollCursor, pc: PlatformComment, known: dict[str, Comment]) -> int:
    """Store what differs between the listing and what Steward believes."""
    account = cursor.account
    current = known.get(pc.id)
    hidden = pc.is_hidden or pc.status in ("heldForReview", "rejected", "likelySpam")
    stored = 0
    if current is None:
        stored += observation_store(account=account, comment=pc, verb=Verb.ADD)
        if hidden:
            stored += observation_store(account=account, comment=pc, verb=Verb.HIDE)
        return stored
    if pc.text is not None and pc.text != current.text and current.state != Comment.State.DELETED:
        stored += observation_store(account=account, comment=pc, verb=Verb.EDIT)
    if hidden and current.state == Comment.State.VISIBLE:
        stored += observation_store(account=account, comment=pc, verb=Verb.HIDE)
    if pc.is_hidden is False and not pc.status and current.state == Comment.State.HIDDEN:
        stored += observation_store(account=account, comment=pc, verb=Verb.UNHIDE)
    return stored


def _poll_youtube(cursor: PollCursor, client: Any, budget: Budget) -> int:
    """New and changed comments on the channel, newest first, until the high-water mark."""
    account = cursor.account
    known = {c.comment_id: c for c in Comment.objects.filter(account=account)}
    changes, newest = 0, cursor.high_water
    page_cursor: str | None = None
    for _page in range(int(getattr(settings, "YOUTUBE_POLL_MAX_PAGES", 20))):
        budget.spend(1)
        page = client.list_comment_threads(cursor=page_cursor)
        older = False
        for pc in page.items:
            stamp = pc.updated_at or pc.created_at
            if stamp and (newest is None or stamp > newest):
                newest = stamp
            if cursor.high_water and stamp and stamp < cursor.high_water and pc.id in known:
                older = True
            changes += _observe(cursor, pc, known)
        page_cursor = page.next_cursor
        if not page_cursor or older:
            break
    cursor.high_water = newest
    return changes


def _poll_instagram(cursor: PollCursor, client: Any) -> int:
    """Instagram has no webhook for edits or deletions: list recent media's comments, and check
    each known comment that vanished from the listing before calling it deleted (hidden comments
    may be missing from listings too)."""
    account = cursor.account
    known = {c.comment_id: c for c in Comment.objects.filter(account=account)}
    changes = 0
    posts = client.list_posts(limit=int(getattr(settings, "INSTAGRAM_RECONCILE_MEDIA", 10))).items
    for post in posts:
        listed: set[str] = set()
        for pc in client.iter_comments(post.id):
            listed.add(pc.id)
            changes += _observe(cursor, pc, known)
        for comment in Comment.objects.filter(account=account, post_id=post.id).exclude(state=Comment.State.DELETED):
            if comment.comment_id in listed:
                continue
            try:
                pc = client.get_comment(comment.comment_id)
            except NotFound:
                changes += observation_store(account=account, comment=None, verb=Verb.REMOVE,
                                             comment_id=comment.comment_id)  # fmt: skip
                continue
            changes += _observe(cursor, pc, known)
    return changes


def _poll_facebook(cursor: PollCursor, client: Any, *, now: dt.datetime) -> int:
    """Comments on the Page's recent posts created since the cursor's high-water mark (less an
    overlap for comments the Graph API lists late), every page of each listing followed to its
    end, each one the pipeline has not seen stored as an observation.

    Only the *time* is kept between polls: Graph paging cursors become invalid when their item is
    deleted (platforms.md §1.2, "do not store cursors"). The high-water mark moves only after a
    complete poll; a poll cut short by throttling or an error starts from the same mark again, and
    what it stored the first time is a duplicate the second (the observation's dedupe key).
    """
    account = cursor.account
    overlap = dt.timedelta(seconds=int(getattr(settings, "FACEBOOK_BACKFILL_OVERLAP_SECONDS", 600)))
    first = dt.timedelta(days=int(getattr(settings, "FACEBOOK_BACKFILL_DAYS", 7)))
    since = cursor.high_water - overlap if cursor.high_water else now - first
    max_pages = int(getattr(settings, "FACEBOOK_BACKFILL_MAX_PAGES", 20))
    page_size = int(getattr(settings, "FACEBOOK_BACKFILL_PAGE_SIZE", 100))
    posts = client.list_posts(limit=int(getattr(settings, "FACEBOOK_BACKFILL_POSTS", 25))).items
    known = {
        c.comment_id: c
        for c in Comment.objects.filter(account=account, post_id__in=[p.id for p in posts])
    }
    changes, newest = 0, cursor.high_water
    for post in posts:
        page_cursor: str | None = None
        for _page in range(max_pages):
            page = client.list_comments(post.id, cursor=page_cursor, since=since, limit=page_size)
            for pc in page.items:
                if pc.created_at and (newest is None or pc.created_at > newest):
                    newest = pc.created_at
                changes += _observe(cursor, pc, known)
            page_cursor = page.next_cursor
            if not page_cursor:
                break
        else:
            log.warning("facebook backfill of %s stopped after %s pages of post %s", account, max_pages, post.id)
    cursor.high_water = newest
    return changes

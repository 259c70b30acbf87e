"""Turning two polls of the same comments into events, for what the platforms do not push.

YouTube pushes nothing; Instagram pushes new comments only; a Page backfill sees what webhooks
missed. A poller lists the comments under a post, compares them with the versions Steward last
archived, and feeds the differences to the same pipeline as webhook events:

* a comment not seen before → ``ADD``; text changed → ``EDIT``;
* ``is_hidden`` changed → ``HIDE``/``UNHIDE`` (hidden *on the platform*, by us or by someone
  else, is a version worth archiving);
* a known comment absent from a *complete* listing → **missing**, not yet ``REMOVE``: Instagram
  may drop hidden comments from its listing and YouTube's default listing shows only
  ``published`` ones, so absence means "hidden or deleted". :func:`resolve_missing` asks the
  platform about each one.

Pure functions over :class:`PlatformComment`; no Django, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from steward.platforms.base import BaseClient, PlatformComment, PlatformEvent, Verb
from steward.platforms.errors import NotFound


@dataclass(frozen=True)
class Reconciliation:
    events: list[PlatformEvent] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def observed_event(comment: PlatformComment, verb: Verb, *, account_id: str) -> PlatformEvent:
    """An event derived from polling. Its ``raw`` is the observed version, so the same change
    seen by two polls has the same ``dedupe_key`` and a different change a different one."""
    raw = {
        "source": "poll",
        "verb": str(verb),
        "id": comment.id,
        "post_id": comment.post_id,
        "text": comment.text,
        "is_hidden": comment.is_hidden,
        "status": comment.status,
    }
    return PlatformEvent(
        platform=comment.platform,
        account_id=account_id,
        item="comment",
        verb=verb,
        object_id=comment.id,
        occurred_at=comment.updated_at or comment.created_at,
        comment=comment,
        actor=comment.author,
        raw=raw,
    )


def diff_comments(
    previous: Mapping[str, PlatformComment],
    current: Iterable[PlatformComment],
    *,
    account_id: str,
    complete: bool = True,
) -> Reconciliation:
    """Events that take ``previous`` (last archived versions, by id) to ``current`` (one poll).

    ``complete`` says the poll covered every comment in ``previous``'s scope (all pages of the
    same post); only then is absence reported as missing.
    """
    events: list[PlatformEvent] = []
    seen: set[str] = set()
    for comment in current:
        seen.add(comment.id)
        before = previous.get(comment.id)
        if before is None:
            events.append(observed_event(comment, Verb.ADD, account_id=account_id))
            continue
        if comment.text is not None and comment.text != before.text:
            events.append(observed_event(comment, Verb.EDIT, account_id=account_id))
        if (
            comment.is_hidden is not None
            and before.is_hidden is not None
            and comment.is_hidden != before.is_hidden
        ):
            verb = Verb.HIDE if comment.is_hidden else Verb.UNHIDE
            events.append(observed_event(comment, verb, account_id=account_id))
    missing = sorted(set(previous) - seen) if complete else []
    return Reconciliation(events, missing)


def resolve_missing(
    client: BaseClient, previous: Mapping[str, PlatformComment], missing: Iterable[str]
) -> list[PlatformEvent]:
    """Ask the platform about comments a listing no longer shows: gone → ``REMOVE``; still there
    but hidden → ``HIDE``. Platform errors other than NotFound propagate (retry the poll).

    Needs ``client.get_comment`` (Facebook, Instagram); for YouTube list ``heldForReview`` too,
    and for TikTok re-list, rather than fetching one by one.
    """
    events: list[PlatformEvent] = []
    getter = getattr(client, "get_comment", None)
    for comment_id in missing:
        before = previous[comment_id]
        if getter is None:
            continue
        try:
            now: PlatformComment = getter(comment_id)
        except NotFound:
            gone = PlatformComment(
                platform=before.platform,
                id=before.id,
                post_id=before.post_id,
                parent_id=before.parent_id,
                author=before.author,
                text=None,
                created_at=before.created_at,
            )
            events.append(observed_event(gone, Verb.REMOVE, account_id=client.account_id))
            continue
        if now.is_hidden and not before.is_hidden:
            events.append(observed_event(now, Verb.HIDE, account_id=client.account_id))
    return events

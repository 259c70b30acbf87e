"""X payloads → :mod:`steward.platforms.base` dataclasses (platforms.md §3.1, §3.5).

Two webhook shapes are accepted:

* **Account Activity API** (deprecated but still documented): ``{"for_user_id": ...,
  "tweet_create_events": [v1.1 Tweet], "tweet_delete_events": [...], ...}``. Tweets in it are
  **v1.1 objects**: ``id_str`` (never trust the numeric ``id``, which overflows doubles),
  ``in_reply_to_status_id_str``, ``user.id_str``, ``created_at`` like
  ``"Mon Mar 17 12:00:00 +0000 2026"``, and long text in ``extended_tweet.full_text`` when
  ``truncated`` is true.
* **X Activity API** envelope ``{"data": {"event_uuid", "event_type": "post.create", "filter":
  {"user_id"}, "payload": {...}}}``; the payload schema is not in the reference, so these become
  events keyed by the payload's ``id`` with the verb read from ``event_type`` [U].

v1.1 tweets carry no ``conversation_id``: a reply's ``post_id`` is the tweet it answers (which
is the root for direct replies to a district post). v2 objects (API reads) carry
``conversation_id``, the root post id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from steward.platforms.base import (
    PlatformAuthor,
    PlatformComment,
    PlatformEvent,
    PlatformPost,
    Verb,
    as_id,
    get_list,
    load_json,
    opt_id,
    opt_text,
    parse_time,
)
from steward.platforms.errors import MalformedPayload

PLATFORM = "x"

#: AAA arrays we recognise but do not model beyond an event.
OTHER_ARRAYS = {
    "favorite_events": "favorite",
    "follow_events": "follow",
    "unfollow_events": "follow",
    "block_events": "block",
    "unblock_events": "block",
    "mute_events": "mute",
    "unmute_events": "mute",
    "user_event": "user",
    "direct_message_indicate_typing_events": "message",
    "direct_message_mark_read_events": "message",
}
ARRAY_VERBS = {
    "unfollow_events": Verb.REMOVE,
    "block_events": Verb.BLOCK,
    "unblock_events": Verb.UNBLOCK,
    "mute_events": Verb.MUTE,
    "direct_message_mark_read_events": Verb.READ,
}


def _v1_text(tweet: Mapping[str, Any], path: str) -> str | None:
    extended = tweet.get("extended_tweet")
    if isinstance(extended, Mapping) and extended.get("full_text"):
        return opt_text(
            extended.get("full_text"), f"{path}.extended_tweet.full_text", platform=PLATFORM
        )
    return opt_text(tweet.get("full_text") or tweet.get("text"), f"{path}.text", platform=PLATFORM)


def parse_tweet_v1(tweet: Mapping[str, Any], *, path: str = "tweet") -> PlatformComment:
    """A v1.1 Tweet object as a comment (``parent_id == post_id`` when it is not a reply)."""
    tweet_id = as_id(tweet.get("id_str") or tweet.get("id"), f"{path}.id_str", platform=PLATFORM)
    user = tweet.get("user")
    author = None
    if isinstance(user, Mapping):
        author = PlatformAuthor(
            id=as_id(
                user.get("id_str") or user.get("id"), f"{path}.user.id_str", platform=PLATFORM
            ),
            name=str(user.get("name") or ""),
            username=str(user.get("screen_name") or ""),
        )
    parent = opt_id(
        tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"),
        f"{path}.in_reply_to_status_id_str",
        platform=PLATFORM,
    )
    permalink = (
        f"https://x.com/{author.username}/status/{tweet_id}" if author and author.username else ""
    )
    return PlatformComment(
        platform=PLATFORM,
        id=tweet_id,
        post_id=parent or tweet_id,
        parent_id=parent or tweet_id,
        author=author,
        text=_v1_text(tweet, path),
        created_at=parse_time(tweet.get("created_at"), f"{path}.created_at", platform=PLATFORM),
        permalink=permalink,
        raw=tweet,
    )


def parse_tweet_v2(
    tweet: Mapping[str, Any],
    *,
    users: Mapping[str, Mapping[str, Any]] | None = None,
    path: str = "data",
) -> PlatformComment:
    """A v2 Tweet object (``GET /2/tweets/search/recent`` etc.); ``users`` from ``includes.users``."""
    tweet_id = as_id(tweet.get("id"), f"{path}.id", platform=PLATFORM)
    conversation = opt_id(
        tweet.get("conversation_id"), f"{path}.conversation_id", platform=PLATFORM
    )
    parent = ""
    for k, ref in enumerate(tweet.get("referenced_tweets") or []):
        if isinstance(ref, Mapping) and ref.get("type") == "replied_to":
            parent = as_id(ref.get("id"), f"{path}.referenced_tweets[{k}].id", platform=PLATFORM)
    author_id = opt_id(tweet.get("author_id"), f"{path}.author_id", platform=PLATFORM)
    author = None
    if author_id:
        info = (users or {}).get(author_id, {})
        author = PlatformAuthor(
            id=author_id, name=str(info.get("name") or ""), username=str(info.get("username") or "")
        )
    root = conversation or parent or tweet_id
    return PlatformComment(
        platform=PLATFORM,
        id=tweet_id,
        post_id=root,
        parent_id=parent or root,
        author=author,
        text=opt_text(tweet.get("text"), f"{path}.text", platform=PLATFORM),
        created_at=parse_time(tweet.get("created_at"), f"{path}.created_at", platform=PLATFORM),
        raw=tweet,
    )


def parse_post_v2(tweet: Mapping[str, Any], *, account_id: str, path: str = "data") -> PlatformPost:
    return PlatformPost(
        platform=PLATFORM,
        id=as_id(tweet.get("id"), f"{path}.id", platform=PLATFORM),
        account_id=account_id,
        text=opt_text(tweet.get("text"), f"{path}.text", platform=PLATFORM),
        created_at=parse_time(tweet.get("created_at"), f"{path}.created_at", platform=PLATFORM),
        raw=tweet,
    )


def _aaa_events(payload: Mapping[str, Any]) -> list[PlatformEvent]:
    account_id = as_id(payload.get("for_user_id"), "for_user_id", platform=PLATFORM)
    events: list[PlatformEvent] = []
    if "tweet_create_events" in payload:
        for i, tweet in enumerate(get_list(payload, "tweet_create_events", "", platform=PLATFORM)):
            path = f"tweet_create_events[{i}]"
            if not isinstance(tweet, Mapping):
                raise MalformedPayload("expected an object", field=path, platform=PLATFORM)
            comment = parse_tweet_v1(tweet, path=path)
            own = comment.author is not None and comment.author.id == account_id
            # A reply is a comment, our own top-level tweet a post, anyone else's a mention.
            # (A direct reply's parent is its post here, so ``is_reply`` is False: ask the tweet.)
            replying = bool(
                tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id")
            )
            item = "comment" if replying else ("post" if own else "mention")
            events.append(
                PlatformEvent(
                    platform=PLATFORM,
                    account_id=account_id,
                    item=item,
                    verb=Verb.ADD,
                    object_id=comment.id,
                    occurred_at=comment.created_at,
                    comment=comment,
                    actor=comment.author,
                    raw=tweet,
                )
            )
    if "tweet_delete_events" in payload:
        for i, deletion in enumerate(
            get_list(payload, "tweet_delete_events", "", platform=PLATFORM)
        ):
            path = f"tweet_delete_events[{i}]"
            status = deletion.get("status") if isinstance(deletion, Mapping) else None
            if not isinstance(status, Mapping):
                raise MalformedPayload("missing status", field=f"{path}.status", platform=PLATFORM)
            user_id = opt_id(status.get("user_id"), f"{path}.status.user_id", platform=PLATFORM)
            # The delete event does not say whether the tweet was a reply: the item is "tweet"
            # and the pipeline finds it by id in the archive.
            events.append(
                PlatformEvent(
                    platform=PLATFORM,
                    account_id=account_id,
                    item="tweet",
                    verb=Verb.REMOVE,
                    object_id=as_id(
                        status.get("id_str") or status.get("id"),
                        f"{path}.status.id",
                        platform=PLATFORM,
                    ),
                    occurred_at=parse_time(
                        deletion.get("timestamp_ms"), f"{path}.timestamp_ms", platform=PLATFORM
                    ),
                    actor=PlatformAuthor(id=user_id) if user_id else None,
                    raw=deletion,
                )
            )
    if "direct_message_events" in payload:
        for i, dm in enumerate(get_list(payload, "direct_message_events", "", platform=PLATFORM)):
            path = f"direct_message_events[{i}]"
            if not isinstance(dm, Mapping):
                raise MalformedPayload("expected an object", field=path, platform=PLATFORM)
            create = dm.get("message_create")
            sender = create.get("sender_id") if isinstance(create, Mapping) else None
            events.append(
                PlatformEvent(
                    platform=PLATFORM,
                    account_id=account_id,
                    item="message",
                    verb=Verb.ADD,
                    object_id=as_id(dm.get("id"), f"{path}.id", platform=PLATFORM),
                    occurred_at=parse_time(
                        dm.get("created_timestamp"), f"{path}.created_timestamp", platform=PLATFORM
                    ),
                    actor=PlatformAuthor(
                        id=as_id(sender, f"{path}.message_create.sender_id", platform=PLATFORM)
                    )
                    if sender is not None
                    else None,
                    raw=dm,
                )
            )
    for key, item in OTHER_ARRAYS.items():
        values = payload.get(key)
        if values is None:
            continue
        for value in values if isinstance(values, list) else [values]:
            object_id = ""
            if isinstance(value, Mapping):
                target = value.get("target") or value.get("favorited_status") or {}
                if isinstance(target, Mapping):
                    object_id = str(target.get("id_str") or target.get("id") or "")
                object_id = object_id or str(value.get("id") or "")
            events.append(
                PlatformEvent(
                    platform=PLATFORM,
                    account_id=account_id,
                    item=item,
                    verb=ARRAY_VERBS.get(key, Verb.ADD if key != "user_event" else Verb.OTHER),
                    object_id=object_id,
                    raw=value if isinstance(value, Mapping) else {"value": value},
                )
            )
    return events


XAA_VERBS = {"create": Verb.ADD, "delete": Verb.REMOVE, "edit": Verb.EDIT, "update": Verb.EDIT}


def _xaa_event(data: Mapping[str, Any]) -> list[PlatformEvent]:
    event_type = opt_text(data.get("event_type"), "data.event_type", platform=PLATFORM) or ""
    item, _, action = event_type.partition(".")
    if not item or not action:
        raise MalformedPayload(
            f"unrecognised event_type {event_type!r}", field="data.event_type", platform=PLATFORM
        )
    flt = data.get("filter")
    account_id = as_id(
        flt.get("user_id") if isinstance(flt, Mapping) else None,
        "data.filter.user_id",
        platform=PLATFORM,
    )
    payload = data.get("payload")
    object_id = str(payload.get("id") or "") if isinstance(payload, Mapping) else ""
    return [
        PlatformEvent(
            platform=PLATFORM,
            account_id=account_id,
            item=item,
            verb=XAA_VERBS.get(action, Verb.OTHER),
            object_id=object_id,
            raw=data,
        )
    ]


def parse_webhook(body: bytes | str | Mapping[str, Any]) -> list[PlatformEvent]:
    payload = load_json(body, platform=PLATFORM)
    if isinstance(payload.get("data"), Mapping) and "event_type" in payload["data"]:
        return _xaa_event(payload["data"])
    return _aaa_events(payload)

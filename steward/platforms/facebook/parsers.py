"""Facebook Page payloads → :mod:`steward.platforms.base` dataclasses (platforms.md §1.3, §1.4).

Quirks handled here, all seen in real fixtures:

* ``verb`` is ``edited`` in some payloads and ``edit`` in others: both are ``Verb.EDIT``.
* Older payloads name the author ``sender_id``/``sender_name``; newer ones ``from: {id, name}``.
* Ids are strings or numbers (``"from": {"id": 1234567890321}``, ``"sender_id": 8423678347823``).
* ``parent_id == post_id`` for a top-level comment; a reply's ``parent_id`` is the parent comment.
* ``created_time`` is Unix seconds in webhooks and ISO 8601 ``+0000`` in the Graph API.
* A ``remove`` carries no message; a photo/GIF/video comment may carry no ``message`` either,
  only ``photo`` or ``video`` (GIFs arrive as ``video``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from steward.platforms.base import (
    PlatformComment,
    PlatformEvent,
    PlatformPost,
    Verb,
    as_id,
    load_json,
    opt_id,
    opt_text,
    parse_time,
)
from steward.platforms.errors import MalformedPayload
from steward.platforms.meta import meta_author, meta_verb, parse_changes

PLATFORM = "facebook"

#: ``item`` values that are posts of one kind or another (their id is ``post_id``).
POST_ITEMS = frozenset({"post", "status", "photo", "video", "share", "album", "event"})


def parse_feed_change(page_id: str, value: Mapping[str, Any], path: str) -> list[PlatformEvent]:
    """One ``changes[]`` entry with ``field == "feed"``."""
    item = opt_text(value.get("item"), f"{path}.item", platform=PLATFORM)
    if not item:
        raise MalformedPayload("missing item", field=f"{path}.item", platform=PLATFORM)
    verb = meta_verb(value.get("verb"), f"{path}.verb", PLATFORM)
    author = meta_author(value, path, PLATFORM)
    when = parse_time(value.get("created_time"), f"{path}.created_time", platform=PLATFORM)

    if item == "comment":
        comment_id = as_id(value.get("comment_id"), f"{path}.comment_id", platform=PLATFORM)
        post_id = as_id(value.get("post_id"), f"{path}.post_id", platform=PLATFORM)
        parent_id = (
            opt_id(value.get("parent_id"), f"{path}.parent_id", platform=PLATFORM) or post_id
        )
        hidden = {Verb.HIDE: True, Verb.UNHIDE: False}.get(verb)
        comment = PlatformComment(
            platform=PLATFORM,
            id=comment_id,
            post_id=post_id,
            parent_id=parent_id,
            author=author,
            text=opt_text(value.get("message"), f"{path}.message", platform=PLATFORM),
            created_at=when,
            is_hidden=hidden,
            media_url=str(value.get("photo") or value.get("video") or ""),
            raw=value,
        )
        object_id = comment_id
    elif item in POST_ITEMS:
        comment = None
        object_id = as_id(value.get("post_id"), f"{path}.post_id", platform=PLATFORM)
    else:
        # reactions, likes: attached to a comment or a post
        comment = None
        object_id = opt_id(
            value.get("comment_id") or value.get("post_id"), f"{path}.post_id", platform=PLATFORM
        )

    return [
        PlatformEvent(
            platform=PLATFORM,
            account_id=page_id,
            item=item,
            verb=verb,
            object_id=object_id,
            occurred_at=when,
            comment=comment,
            actor=author,
            raw=value,
        )
    ]


def parse_mention_change(page_id: str, value: Mapping[str, Any], path: str) -> list[PlatformEvent]:
    """``field == "mention"``: the Page was mentioned in a post or comment."""
    object_id = opt_id(
        value.get("comment_id") or value.get("post_id"), f"{path}.post_id", platform=PLATFORM
    )
    verb = meta_verb(value.get("verb", "add"), f"{path}.verb", PLATFORM)
    return [
        PlatformEvent(
            platform=PLATFORM,
            account_id=page_id,
            item="mention",
            verb=verb,
            object_id=object_id,
            occurred_at=parse_time(
                value.get("created_time"), f"{path}.created_time", platform=PLATFORM
            ),
            actor=meta_author(value, path, PLATFORM),
            raw=value,
        )
    ]


def parse_webhook(body: bytes | str | Mapping[str, Any]) -> list[PlatformEvent]:
    """A Page webhook delivery (``object == "page"``): feed changes and Messenger events."""
    payload = load_json(body, platform=PLATFORM)
    return parse_changes(
        payload,
        expected_object="page",
        platform=PLATFORM,
        change_parsers={"feed": parse_feed_change, "mention": parse_mention_change},
    )


def parse_comment(
    data: Mapping[str, Any], *, post_id: str = "", path: str = "comment"
) -> PlatformComment:
    """A Graph API comment node (``GET /{object-id}/comments`` item or ``GET /{comment-id}``).

    The node has no ``post_id`` field: the caller passes the object it listed; ``parent{id}``
    (when requested in ``fields``) tells a reply from a top-level comment.
    """
    comment_id = as_id(data.get("id"), f"{path}.id", platform=PLATFORM)
    parent = data.get("parent")
    parent_id = (
        as_id(parent.get("id"), f"{path}.parent.id", platform=PLATFORM)
        if isinstance(parent, Mapping)
        else ""
    )
    obj = data.get("object")
    if not post_id and isinstance(obj, Mapping):
        post_id = opt_id(obj.get("id"), f"{path}.object.id", platform=PLATFORM)
    attachment = data.get("attachment")
    media_url = ""
    if isinstance(attachment, Mapping):
        media_url = str(attachment.get("url") or "")
    hidden = data.get("is_hidden")
    return PlatformComment(
        platform=PLATFORM,
        id=comment_id,
        post_id=post_id,
        parent_id=parent_id or post_id,
        author=meta_author(data, path, PLATFORM),
        text=opt_text(data.get("message"), f"{path}.message", platform=PLATFORM),
        created_at=parse_time(data.get("created_time"), f"{path}.created_time", platform=PLATFORM),
        is_hidden=hidden if isinstance(hidden, bool) else None,
        permalink=str(data.get("permalink_url") or ""),
        media_url=media_url,
        raw=data,
    )


def parse_post(data: Mapping[str, Any], *, page_id: str, path: str = "post") -> PlatformPost:
    return PlatformPost(
        platform=PLATFORM,
        id=as_id(data.get("id"), f"{path}.id", platform=PLATFORM),
        account_id=page_id,
        text=opt_text(data.get("message"), f"{path}.message", platform=PLATFORM),
        created_at=parse_time(data.get("created_time"), f"{path}.created_time", platform=PLATFORM),
        permalink=str(data.get("permalink_url") or ""),
        raw=data,
    )

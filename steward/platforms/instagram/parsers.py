"""Instagram payloads → :mod:`steward.platforms.base` dataclasses (platforms.md §2.2, §2.3).

Quirks handled here:

* Webhooks exist only for *new* comments (``comments``, ``live_comments``) and mentions; there is
  no documented webhook for edits or deletions, so those are found by polling.
* A webhook comment's ``parent_id`` is present only on replies; a top-level comment's parent is
  its media (``media.id``), matching the Facebook convention ``parent_id == post_id``.
* Comment authors appear as ``from: {id, username}`` (webhooks, newer fields), ``user: {id}``
  (older Graph objects) or only ``username`` (``GET /{media-id}/comments``).
* Graph API comments list ``replies`` nested under the top-level comment; the listing flattens them.
* Timestamps are ISO 8601 with ``+0000``.
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
    get_obj,
    load_json,
    opt_id,
    opt_text,
    parse_time,
)
from steward.platforms.meta import parse_changes

PLATFORM = "instagram"


def _author(data: Mapping[str, Any], path: str) -> PlatformAuthor | None:
    for key in ("from", "user"):
        who = data.get(key)
        if isinstance(who, Mapping) and who.get("id") not in (None, ""):
            return PlatformAuthor(
                id=as_id(who.get("id"), f"{path}.{key}.id", platform=PLATFORM),
                username=str(who.get("username") or data.get("username") or ""),
            )
    if data.get("username"):
        # Only a username: use it as the id, prefixed so it never collides with a numeric IGSID.
        return PlatformAuthor(id=f"username:{data['username']}", username=str(data["username"]))
    return None


def parse_comments_change(
    account_id: str, value: Mapping[str, Any], path: str
) -> list[PlatformEvent]:
    """``field`` ``comments`` or ``live_comments``: always a new comment (``Verb.ADD``)."""
    media = get_obj(value, "media", path, platform=PLATFORM)
    media_id = as_id(media.get("id"), f"{path}.media.id", platform=PLATFORM)
    comment_id = as_id(value.get("id"), f"{path}.id", platform=PLATFORM)
    author = _author(value, path)
    comment = PlatformComment(
        platform=PLATFORM,
        id=comment_id,
        post_id=media_id,
        parent_id=opt_id(value.get("parent_id"), f"{path}.parent_id", platform=PLATFORM)
        or media_id,
        author=author,
        text=opt_text(value.get("text"), f"{path}.text", platform=PLATFORM),
        created_at=parse_time(value.get("timestamp"), f"{path}.timestamp", platform=PLATFORM),
        raw=value,
    )
    return [
        PlatformEvent(
            platform=PLATFORM,
            account_id=account_id,
            item="comment",
            verb=Verb.ADD,
            object_id=comment_id,
            comment=comment,
            actor=author,
            raw=value,
        )
    ]


def parse_mentions_change(
    account_id: str, value: Mapping[str, Any], path: str
) -> list[PlatformEvent]:
    """``field == "mentions"``: ``{"comment_id", "media_id"}``; fetch the comment to see it."""
    object_id = opt_id(
        value.get("comment_id") or value.get("media_id"), f"{path}.comment_id", platform=PLATFORM
    )
    return [
        PlatformEvent(
            platform=PLATFORM,
            account_id=account_id,
            item="mention",
            verb=Verb.ADD,
            object_id=object_id,
            raw=value,
        )
    ]


def parse_webhook(body: bytes | str | Mapping[str, Any]) -> list[PlatformEvent]:
    """An Instagram webhook delivery (``object == "instagram"``): comments, mentions, DMs."""
    payload = load_json(body, platform=PLATFORM)
    return parse_changes(
        payload,
        expected_object="instagram",
        platform=PLATFORM,
        change_parsers={
            "comments": parse_comments_change,
            "live_comments": parse_comments_change,
            "mentions": parse_mentions_change,
        },
    )


def parse_comment(
    data: Mapping[str, Any], *, media_id: str = "", path: str = "comment"
) -> list[PlatformComment]:
    """A Graph API IG comment, *plus* its nested ``replies.data`` flattened after it."""
    comment_id = as_id(data.get("id"), f"{path}.id", platform=PLATFORM)
    media = data.get("media")
    if not media_id and isinstance(media, Mapping):
        media_id = opt_id(media.get("id"), f"{path}.media.id", platform=PLATFORM)
    hidden = data.get("hidden")
    parent_id = opt_id(data.get("parent_id"), f"{path}.parent_id", platform=PLATFORM)
    out = [
        PlatformComment(
            platform=PLATFORM,
            id=comment_id,
            post_id=media_id,
            parent_id=parent_id or media_id,
            author=_author(data, path),
            text=opt_text(data.get("text"), f"{path}.text", platform=PLATFORM),
            created_at=parse_time(data.get("timestamp"), f"{path}.timestamp", platform=PLATFORM),
            is_hidden=hidden if isinstance(hidden, bool) else None,
            raw=data,
        )
    ]
    replies = data.get("replies")
    if isinstance(replies, Mapping):
        for j, reply in enumerate(replies.get("data") or []):
            reply = {"parent_id": comment_id, **reply}
            out += parse_comment(reply, media_id=media_id, path=f"{path}.replies.data[{j}]")
    return out


def parse_media(data: Mapping[str, Any], *, account_id: str, path: str = "media") -> PlatformPost:
    return PlatformPost(
        platform=PLATFORM,
        id=as_id(data.get("id"), f"{path}.id", platform=PLATFORM),
        account_id=account_id,
        text=opt_text(data.get("caption"), f"{path}.caption", platform=PLATFORM),
        created_at=parse_time(data.get("timestamp"), f"{path}.timestamp", platform=PLATFORM),
        permalink=str(data.get("permalink") or ""),
        raw=data,
    )

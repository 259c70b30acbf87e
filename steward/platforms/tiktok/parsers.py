"""TikTok API for Business payloads → :mod:`steward.platforms.base` dataclasses (platforms.md §5).

Everything about TikTok in the reference is [P] (secondary digests of the official portal) or
[U]. What is assumed here, to confirm before relying on it:

* ``/business/comment/list/`` items carry ``comment_id``, ``video_id``, ``text``,
  ``create_time`` (Unix seconds), ``status`` (``HIDDEN`` when hidden), ``owner`` (true for the
  account's own comments), ``parent_comment_id`` and user display fields; the author id field is
  taken from ``user_id`` / ``unique_identifier`` / ``username`` in that order [U].
* The ``comment.update`` webhook uses TikTok for Developers' envelope ``{"client_key", "event",
  "create_time", "user_openid", "content": "<JSON string>"}`` [U]. It does not say what changed,
  so it parses to ``Verb.OTHER``; the poller re-reads the comment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from steward.platforms.base import (
    PlatformAuthor,
    PlatformComment,
    PlatformEvent,
    Verb,
    as_id,
    load_json,
    opt_id,
    opt_text,
    parse_time,
)
from steward.platforms.errors import MalformedPayload

PLATFORM = "tiktok"


def parse_comment(
    data: Mapping[str, Any], *, video_id: str = "", path: str = "comment"
) -> PlatformComment:
    comment_id = as_id(data.get("comment_id"), f"{path}.comment_id", platform=PLATFORM)
    video = opt_id(data.get("video_id"), f"{path}.video_id", platform=PLATFORM) or video_id
    parent = opt_id(data.get("parent_comment_id"), f"{path}.parent_comment_id", platform=PLATFORM)
    author_key = next(
        (k for k in ("user_id", "unique_identifier", "username") if data.get(k)), None
    )
    author = (
        PlatformAuthor(
            id=as_id(data[author_key], f"{path}.{author_key}", platform=PLATFORM),
            name=str(data.get("display_name") or ""),
            username=str(data.get("username") or ""),
        )
        if author_key
        else None
    )
    status = str(data.get("status") or "")
    return PlatformComment(
        platform=PLATFORM,
        id=comment_id,
        post_id=video,
        parent_id=parent if parent and parent != "0" else video,
        author=author,
        text=opt_text(data.get("text"), f"{path}.text", platform=PLATFORM),
        created_at=parse_time(data.get("create_time"), f"{path}.create_time", platform=PLATFORM),
        is_hidden=(status.upper() == "HIDDEN") if status else None,
        status=status,
        raw=data,
    )


def parse_webhook(body: bytes | str | Mapping[str, Any]) -> list[PlatformEvent]:
    payload = load_json(body, platform=PLATFORM)
    event = opt_text(payload.get("event"), "event", platform=PLATFORM)
    if not event:
        raise MalformedPayload("missing event", field="event", platform=PLATFORM)
    account_id = as_id(payload.get("user_openid"), "user_openid", platform=PLATFORM)
    content: Any = payload.get("content") or {}
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            raise MalformedPayload(
                "content is not JSON", field="content", platform=PLATFORM
            ) from None
    if not isinstance(content, Mapping):
        raise MalformedPayload("expected an object", field="content", platform=PLATFORM)
    item = event.split(".", 1)[0] if "." in event else event
    return [
        PlatformEvent(
            platform=PLATFORM,
            account_id=account_id,
            item=item,
            verb=Verb.OTHER,
            object_id=str(content.get("comment_id") or content.get("video_id") or ""),
            occurred_at=parse_time(payload.get("create_time"), "create_time", platform=PLATFORM),
            raw=payload,
        )
    ]

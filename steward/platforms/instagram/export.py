"""Instagram "Download your information" (JSON) parser (platforms.md §6.3).

Posts (``posts_1.json``), stories, reels, the account's own comments (``post_comments_1.json``,
``reels_comments.json``) and DMs (``messages/inbox/<thread>/message_N.json``, the Messenger schema).
Same mojibake repair and digest ids as Facebook.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from steward.archive.exports import (
    BadExportFile,
    Dedup,
    ExportItem,
    ExportSource,
    basename,
    digest_id,
    fix_mojibake,
    from_unix,
)
from steward.platforms.facebook.export import parse_messages

PLATFORM = "instagram"

_POSTS = re.compile(r"^(posts(_\d+)?|stories|reels)\.json$")
_COMMENTS = re.compile(r"^(post_comments(_\d+)?|reels_comments)\.json$")
_MESSAGES = re.compile(r"^message_\d+\.json$")


def classify(name: str) -> str | None:
    base = basename(name)
    if _MESSAGES.match(base) and "/messages/" in f"/{name}":
        return "messages"
    if _COMMENTS.match(base):
        return "comments"
    if _POSTS.match(base):
        return "posts"
    return None


def parse(path: str | Path) -> Iterator[ExportItem]:
    """Yield every item in an Instagram DYI export. Raises :class:`BadExportFile`."""
    source = ExportSource(path)
    dedup = Dedup()
    found = False
    for name in source.names():
        kind = classify(name)
        if kind is None:
            continue
        found = True
        data = source.load_json(name)
        label = source.label(name)
        if kind == "posts":
            yield from _posts(data, label, dedup)
        elif kind == "comments":
            yield from _comments(data, label, dedup)
        else:
            yield from parse_messages(data, label, dedup, platform=PLATFORM, name=name)
    if not found:
        raise BadExportFile(str(path), "no Instagram posts, comments or messages files found")


def _unwrap(data: Any, label: str, keys: tuple[str, ...]) -> list[Any]:
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return list(data[key])
        raise BadExportFile(label, f"expected one of {', '.join(keys)}")
    if not isinstance(data, list):
        raise BadExportFile(label, "expected a list")
    return data


def _posts(data: Any, label: str, dedup: Dedup) -> Iterator[ExportItem]:
    items = _unwrap(data, label, ("ig_stories", "ig_reels_media", "ig_posts"))
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadExportFile(label, "post is not an object", index=index)
        media = item.get("media")
        if media is None and "uri" in item:  # stories are bare media objects
            media = [item]
        if not isinstance(media, list):
            raise BadExportFile(label, "media list missing", index=index, field="media")
        first = media[0] if media and isinstance(media[0], dict) else {}
        stamp = item.get("creation_timestamp", first.get("creation_timestamp"))
        created = from_unix(stamp, label, index, "creation_timestamp")
        # A single-photo post keeps its caption on the media object, a carousel on the post.
        title = item.get("title") or first.get("title") or ""
        if not isinstance(title, str):
            raise BadExportFile(label, "caption is not a string", index=index, field="title")
        yield ExportItem(
            platform=PLATFORM,
            kind="post",
            platform_id=dedup(digest_id("instagram-dyi-post", item)),
            created_at=created,
            text=fix_mojibake(title),
            media=tuple(
                m["uri"] for m in media if isinstance(m, dict) and isinstance(m.get("uri"), str)
            ),
            extra={"story": "ig_stories" in label or basename(label) == "stories.json"},
            raw=item,
            source_file=label,
            index=index,
        )


def _comments(data: Any, label: str, dedup: Dedup) -> Iterator[ExportItem]:
    items = _unwrap(data, label, ("comments_media_comments", "comments_reels_comments"))
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("string_map_data"), dict):
            raise BadExportFile(
                label, "string_map_data missing", index=index, field="string_map_data"
            )
        smd: dict[str, Any] = item["string_map_data"]
        comment = (smd.get("Comment") or {}).get("value")
        if not isinstance(comment, str):
            raise BadExportFile(
                label, "comment text missing", index=index, field="string_map_data.Comment"
            )
        created = from_unix(
            (smd.get("Time") or {}).get("timestamp"), label, index, "string_map_data.Time"
        )
        owner = (smd.get("Media Owner") or {}).get("value", "")
        yield ExportItem(
            platform=PLATFORM,
            kind="comment",
            platform_id=dedup(digest_id("instagram-dyi-comment", item)),
            created_at=created,
            text=fix_mojibake(comment),
            extra={"media_owner": fix_mojibake(str(owner))},
            raw=item,
            source_file=label,
            index=index,
        )

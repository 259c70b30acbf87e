"""Facebook "Download your information" (JSON) parser (platforms.md §6.1).

Reads posts, comments and Messenger threads from an export directory, ZIP, or a single file. The
export carries no platform ids, so ids are stable digests of the raw item: re-importing the same
export yields the same ids (idempotent import). Text suffers Meta's latin-1 mojibake and is
repaired; ``raw`` keeps the item exactly as found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
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

PLATFORM = "facebook"

_POSTS = re.compile(
    r"^(your_posts(__check_ins__photos_and_videos)?(_\d+)?|posts_on_other_pages_and_profiles(_\d+)?|group_posts_and_comments)\.json$"
)
_COMMENTS = re.compile(r"^(comments(_\d+)?|your_comments_in_groups)\.json$")
_MESSAGES = re.compile(r"^message_\d+\.json$")


def classify(name: str) -> str | None:
    base = basename(name)
    if _MESSAGES.match(base):
        return "messages"
    if _COMMENTS.match(base):
        return "comments"
    if _POSTS.match(base):
        return "posts"
    return None


def parse(path: str | Path, *, platform: str = PLATFORM) -> Iterator[ExportItem]:
    """Yield every item in a Facebook DYI export. Raises :class:`BadExportFile`."""
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
            yield from parse_posts(data, label, dedup, platform=platform)
        elif kind == "comments":
            yield from parse_comments(data, label, dedup, platform=platform)
        else:
            yield from parse_messages(data, label, dedup, platform=platform, name=name)
    if not found:
        raise BadExportFile(str(path), "no Facebook posts, comments or messages files found")


def _media(item: dict[str, Any]) -> tuple[str, ...]:
    uris: list[str] = []
    for att in item.get("attachments") or []:
        for d in (att or {}).get("data") or []:
            media = (d or {}).get("media")
            if isinstance(media, dict) and isinstance(media.get("uri"), str):
                uris.append(media["uri"])
    return tuple(uris)


def parse_posts(
    data: Any, label: str, dedup: Dedup, *, platform: str = PLATFORM
) -> Iterator[ExportItem]:
    if isinstance(data, dict):
        # Group exports wrap the list: {"group_posts_v2": [...]}
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise BadExportFile(label, "expected a list of posts")
        data = lists[0]
    if not isinstance(data, list):
        raise BadExportFile(label, "expected a list of posts")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise BadExportFile(label, "post is not an object", index=index)
        created = from_unix(item.get("timestamp"), label, index, "timestamp")
        text = ""
        extra: dict[str, Any] = {}
        for d in item.get("data") or []:
            if not isinstance(d, dict):
                continue
            if isinstance(d.get("post"), str):
                text = fix_mojibake(d["post"])
            if "update_timestamp" in d:
                extra["updated_at"] = from_unix(
                    d["update_timestamp"], label, index, "data.update_timestamp"
                ).isoformat()
        if isinstance(item.get("title"), str):
            extra["title"] = fix_mojibake(item["title"])
        yield ExportItem(
            platform=platform,
            kind="post",
            platform_id=dedup(digest_id(f"{platform}-dyi-post", item)),
            created_at=created,
            text=text,
            media=_media(item),
            extra=extra,
            raw=item,
            source_file=label,
            index=index,
        )


def parse_comments(
    data: Any, label: str, dedup: Dedup, *, platform: str = PLATFORM
) -> Iterator[ExportItem]:
    if isinstance(data, dict):
        key = next((k for k in ("comments_v2", "group_comments_v2", "comments") if k in data), None)
        if key is None:
            raise BadExportFile(label, "expected a 'comments_v2' list")
        data = data[key]
    if not isinstance(data, list):
        raise BadExportFile(label, "expected a list of comments")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise BadExportFile(label, "comment is not an object", index=index)
        comment: dict[str, Any] | None = None
        for d in item.get("data") or []:
            if isinstance(d, dict) and isinstance(d.get("comment"), dict):
                comment = d["comment"]
        if comment is None:
            raise BadExportFile(label, "no comment in data[]", index=index, field="data")
        stamp = comment.get("timestamp", item.get("timestamp"))
        created = from_unix(stamp, label, index, "data.comment.timestamp")
        text = comment.get("comment", "")
        if not isinstance(text, str):
            raise BadExportFile(
                label, "comment text is not a string", index=index, field="data.comment.comment"
            )
        extra = {"title": fix_mojibake(item["title"])} if isinstance(item.get("title"), str) else {}
        yield ExportItem(
            platform=platform,
            kind="comment",
            platform_id=dedup(digest_id(f"{platform}-dyi-comment", item)),
            created_at=created,
            text=fix_mojibake(text),
            author_name=fix_mojibake(str(comment.get("author", ""))),
            media=_media(item),
            extra=extra,
            raw=item,
            source_file=label,
            index=index,
        )


def parse_messages(
    data: Any, label: str, dedup: Dedup, *, platform: str = PLATFORM, name: str = ""
) -> Iterator[ExportItem]:
    """Messenger / Instagram DM thread file (``message_N.json``); the same schema on both."""
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise BadExportFile(label, "expected an object with a 'messages' list")
    thread = data.get("thread_path")
    if not isinstance(thread, str) or not thread:
        # Older exports omit thread_path; the thread folder name is stable.
        thread = PurePosixPath(name).parent.as_posix() if name else label
    participants = [
        fix_mojibake(str(p.get("name", "")))
        for p in data.get("participants") or []
        if isinstance(p, dict)
    ]
    title = fix_mojibake(data["title"]) if isinstance(data.get("title"), str) else ""
    for index, msg in enumerate(data["messages"]):
        if not isinstance(msg, dict):
            raise BadExportFile(label, "message is not an object", index=index)
        if "timestamp_ms" not in msg:
            raise BadExportFile(label, "timestamp_ms missing", index=index, field="timestamp_ms")
        created = from_unix(msg["timestamp_ms"], label, index, "timestamp_ms", ms=True)
        sender = msg.get("sender_name")
        if not isinstance(sender, str):
            raise BadExportFile(label, "sender_name missing", index=index, field="sender_name")
        content = msg.get("content", "")
        if not isinstance(content, str):
            raise BadExportFile(label, "content is not a string", index=index, field="content")
        media = tuple(
            m["uri"]
            for key in ("photos", "videos", "audio_files", "files", "gifs")
            for m in msg.get(key) or []
            if isinstance(m, dict) and isinstance(m.get("uri"), str)
        )
        yield ExportItem(
            platform=platform,
            kind="message",
            platform_id=dedup(digest_id(f"{platform}-dyi-msg", thread, msg)),
            created_at=created,
            text=fix_mojibake(content),
            author_name=fix_mojibake(sender),
            thread_id=thread,
            state="unsent" if msg.get("is_unsent") else "published",
            media=media,
            extra={"participants": participants, "thread_title": title},
            raw=msg,
            source_file=label,
            index=index,
        )

"""X (Twitter) account archive parser (platforms.md §6.2).

Reads ``data/tweets.js`` (or ``tweet.js``, and split parts ``tweets-part1.js`` ...),
``direct-messages.js`` / ``direct-messages-group.js`` (and their parts) and ``account.js`` for the
author. The files are JavaScript assignments (``window.YTD.tweets.part0 = [...]``): everything
before the first ``[`` and a trailing ``;`` are stripped before JSON parsing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from steward.archive.exports import (
    BadExportFile,
    ExportItem,
    ExportSource,
    basename,
    loads_keeping_text,
)

PLATFORM = "x"

_TWEETS = re.compile(r"^tweets?(-part\d+)?\.js$")
_DMS = re.compile(r"^direct-messages(-group)?(-part\d+)?\.js$")
_ACCOUNT = re.compile(r"^account\.js$")


def load_js(source: ExportSource, name: str) -> list[Any]:
    label = source.label(name)
    try:
        text = source.read_bytes(name).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadExportFile(label, f"not UTF-8 (byte {exc.start})") from None
    start = text.find("[")
    if start < 0:
        raise BadExportFile(label, "no JSON array after the window.YTD assignment")
    body = text[start:].rstrip().rstrip(";")
    try:
        data = loads_keeping_text(body)  # each item keeps its exact text as its raw payload
    except json.JSONDecodeError as exc:
        raise BadExportFile(
            label, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, list):
        raise BadExportFile(label, "expected an array")
    return data


def _part_key(name: str) -> tuple[str, int]:
    m = re.search(r"-part(\d+)\.js$", name)
    return (re.sub(r"-part\d+\.js$", ".js", name), int(m.group(1)) if m else 0)


def parse_tweet_time(value: Any, label: str, index: int, field: str) -> dt.datetime:
    if not isinstance(value, str):
        raise BadExportFile(label, "created_at missing", index=index, field=field)
    try:
        return dt.datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(dt.UTC)
    except ValueError:
        raise BadExportFile(
            label, f"created_at {value!r} not in the archive's format", index=index, field=field
        ) from None


def parse_iso(value: Any, label: str, index: int, field: str) -> dt.datetime:
    if not isinstance(value, str):
        raise BadExportFile(label, "createdAt missing", index=index, field=field)
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadExportFile(
            label, f"createdAt {value!r} is not ISO 8601", index=index, field=field
        ) from None
    if stamp.tzinfo is None:
        raise BadExportFile(label, "createdAt has no time zone", index=index, field=field)
    return stamp.astimezone(dt.UTC)


def parse(path: str | Path) -> Iterator[ExportItem]:
    """Yield every tweet and DM in an X archive (directory, ZIP or one ``.js`` file)."""
    source = ExportSource(path)
    names = source.names()
    author_id = author_name = ""
    for name in names:
        if _ACCOUNT.match(basename(name)):
            data = load_js(source, name)
            account = (data[0] or {}).get("account", {}) if data else {}
            author_id = str(account.get("accountId", ""))
            author_name = str(account.get("accountDisplayName") or account.get("username") or "")
    tweets = sorted((n for n in names if _TWEETS.match(basename(n))), key=_part_key)
    dms = sorted((n for n in names if _DMS.match(basename(n))), key=_part_key)
    if not tweets and not dms:
        raise BadExportFile(str(path), "no tweets.js or direct-messages.js found")
    for name in tweets:
        yield from _tweets(load_js(source, name), source.label(name), author_id, author_name)
    for name in dms:
        yield from _dms(load_js(source, name), source.label(name))


def _tweets(data: list[Any], label: str, author_id: str, author_name: str) -> Iterator[ExportItem]:
    for index, wrapper in enumerate(data):
        tweet = wrapper.get("tweet", wrapper) if isinstance(wrapper, dict) else None
        if not isinstance(tweet, dict):
            raise BadExportFile(label, "tweet is not an object", index=index)
        tid = tweet.get("id_str", tweet.get("id"))
        if not isinstance(tid, (str, int)) or isinstance(tid, bool) or str(tid) == "":
            raise BadExportFile(label, "id_str missing", index=index, field="tweet.id_str")
        text = tweet.get("full_text", tweet.get("text"))
        if not isinstance(text, str):
            raise BadExportFile(label, "full_text missing", index=index, field="tweet.full_text")
        created = parse_tweet_time(tweet.get("created_at"), label, index, "tweet.created_at")
        parent = str(tweet.get("in_reply_to_status_id_str") or "")
        extra: dict[str, Any] = {}
        edit = tweet.get("edit_info") or {}
        if isinstance(edit.get("edit"), dict) and edit["edit"].get("initialTweetId"):
            # A later version of an edited tweet: the archive keeps every version (REC-2).
            extra["edit_of"] = str(edit["edit"]["initialTweetId"])
        if isinstance(edit.get("initial"), dict):
            extra["edit_ids"] = [str(i) for i in edit["initial"].get("editTweetIds", [])]
        if tweet.get("in_reply_to_screen_name"):
            extra["in_reply_to_screen_name"] = str(tweet["in_reply_to_screen_name"])
        media = tuple(
            str(m.get("media_url_https") or m.get("media_url"))
            for m in (
                (tweet.get("extended_entities") or tweet.get("entities") or {}).get("media") or []
            )
            if isinstance(m, dict) and (m.get("media_url_https") or m.get("media_url"))
        )
        yield ExportItem(
            platform=PLATFORM,
            kind="reply" if parent else "post",
            platform_id=str(tid),
            created_at=created,
            text=text,
            author_id=author_id,
            author_name=author_name,
            parent_id=parent,
            # The archive has no conversation_id; a reply's thread is the tweet it answers.
            thread_id=parent or str(tid),
            media=media,
            extra=extra,
            raw=wrapper,
            source_file=label,
            index=index,
        )


def _dms(data: list[Any], label: str) -> Iterator[ExportItem]:
    for index, wrapper in enumerate(data):
        conv = (wrapper or {}).get("dmConversation") if isinstance(wrapper, dict) else None
        if not isinstance(conv, dict):
            raise BadExportFile(
                label, "dmConversation missing", index=index, field="dmConversation"
            )
        conv_id = conv.get("conversationId")
        if not isinstance(conv_id, str) or not conv_id:
            raise BadExportFile(
                label, "conversationId missing", index=index, field="dmConversation.conversationId"
            )
        for m_index, event in enumerate(conv.get("messages") or []):
            where = f"dmConversation.messages[{m_index}]"
            if not isinstance(event, dict):
                raise BadExportFile(label, "message is not an object", index=index, field=where)
            msg = event.get("messageCreate")
            if msg is None:
                continue  # conversationNameUpdate, joinConversation, ...: not messages
            if not isinstance(msg, dict) or not msg.get("id"):
                raise BadExportFile(
                    label,
                    "messageCreate.id missing",
                    index=index,
                    field=f"{where}.messageCreate.id",
                )
            created = parse_iso(
                msg.get("createdAt"), label, index, f"{where}.messageCreate.createdAt"
            )
            text = msg.get("text", "")
            if not isinstance(text, str):
                raise BadExportFile(
                    label, "text is not a string", index=index, field=f"{where}.messageCreate.text"
                )
            yield ExportItem(
                platform=PLATFORM,
                kind="message",
                platform_id=str(msg["id"]),
                created_at=created,
                text=text,
                author_id=str(msg.get("senderId", "")),
                thread_id=conv_id,
                media=tuple(str(u) for u in msg.get("mediaUrls") or []),
                extra={"recipient_id": str(msg.get("recipientId", ""))}
                if msg.get("recipientId")
                else {},
                raw=event,
                source_file=label,
                index=index,
            )

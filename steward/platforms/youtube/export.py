"""Google Takeout YouTube ``comments.csv`` parser (platforms.md §6.4).

The column order changed in June 2024 and header capitalisation varies, so columns are found by
normalised header name. ``Comment Text`` is JSON: ``{"takeoutSegments":[...]}`` in old exports, a
bare comma-separated list of segment objects in new ones (wrapped in ``[...]`` to parse).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from steward.archive.exports import BadExportFile, ExportItem, ExportSource, basename

PLATFORM = "youtube"

REQUIRED = ("comment id", "channel id", "comment create timestamp", "video id", "comment text")


def _norm(header: str) -> str:
    return re.sub(r"\s+", " ", header.replace("\ufeff", "")).strip().lower()


def segments_text(value: str, label: str, index: int) -> str:
    """Join the text of Takeout comment segments (either format)."""
    value = value.strip()
    if not value:
        return ""
    try:
        data: Any = json.loads(value)
    except json.JSONDecodeError:
        try:
            data = json.loads(f"[{value}]")
        except json.JSONDecodeError:
            raise BadExportFile(
                label, "Comment Text is not segment JSON", index=index, field="Comment Text"
            ) from None
    if isinstance(data, dict) and "takeoutSegments" in data:
        data = data["takeoutSegments"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise BadExportFile(
            label, "Comment Text is not a list of segments", index=index, field="Comment Text"
        )
    parts = []
    for seg in data:
        if not isinstance(seg, dict):
            raise BadExportFile(
                label, "segment is not an object", index=index, field="Comment Text"
            )
        text = seg.get("text")
        if isinstance(text, str):
            parts.append(text)
    return "".join(parts)


def parse_time(value: str, label: str, index: int) -> dt.datetime:
    try:
        stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadExportFile(
            label,
            f"timestamp {value!r} is not ISO 8601",
            index=index,
            field="Comment Create Timestamp",
        ) from None
    if stamp.tzinfo is None:
        raise BadExportFile(
            label, "timestamp has no time zone", index=index, field="Comment Create Timestamp"
        )
    return stamp.astimezone(dt.UTC)


def parse(path: str | Path) -> Iterator[ExportItem]:
    """Yield every comment and reply in a Takeout export (directory, ZIP or the CSV itself)."""
    source = ExportSource(path)
    names = [n for n in source.names() if basename(n).lower() == "comments.csv"]
    if not names and Path(path).is_file() and str(path).lower().endswith(".csv"):
        names = source.names()
    if not names:
        raise BadExportFile(str(path), "no comments.csv found")
    for name in names:
        yield from parse_csv(source.read_bytes(name), source.label(name))


def parse_csv(data: bytes, label: str) -> Iterator[ExportItem]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadExportFile(label, f"not UTF-8 (byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        raise BadExportFile(label, "empty file: no header row")
    columns = {_norm(h): h for h in reader.fieldnames}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise BadExportFile(label, f"header lacks column(s): {', '.join(missing)}", field="header")

    def get(row: dict[str, str], key: str) -> str:
        header = columns.get(key)
        return (row.get(header) or "").strip() if header else ""

    for index, row in enumerate(reader):
        if None in row:
            raise BadExportFile(label, "more fields than the header", index=index)
        cid = get(row, "comment id")
        if not cid:
            raise BadExportFile(label, "Comment ID is empty", index=index, field="Comment ID")
        parent = get(row, "parent comment id")
        if not parent and "." in cid:
            parent = cid.split(".", 1)[0]  # reply ids are <parentId>.<suffix>
        top = get(row, "top-level comment id") or parent or cid
        video = get(row, "video id")
        post = get(row, "post id")
        yield ExportItem(
            platform=PLATFORM,
            kind="reply" if parent else "comment",
            platform_id=cid,
            created_at=parse_time(get(row, "comment create timestamp"), label, index),
            text=segments_text(row[columns["comment text"]], label, index),
            author_id=get(row, "channel id"),
            parent_id=parent or video or post,
            thread_id=top,
            extra={
                k: v
                for k, v in {"video_id": video, "post_id": post, "price": get(row, "price")}.items()
                if v
            },
            raw=dict(row),
            source_file=label,
            index=index,
        )

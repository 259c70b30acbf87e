"""Shared shapes for the platform export-file parsers (platforms.md §6).

Each ``steward/platforms/<platform>/export.py`` turns a platform's "download your data" files into
:class:`ExportItem` values. Pure Python, no Django: the import service validates a whole export
(every item parsed) before it writes anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import json.scanner
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

Kind = Literal["post", "comment", "reply", "message"]


class BadExportFile(ValueError):
    """An export file that cannot be imported. Names the file and the record (index and field)."""

    def __init__(
        self, file: str, message: str, *, index: int | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.index = index
        self.field = field
        self.message = message
        where = file
        if index is not None:
            where += f", record {index}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class ExportItem:
    """One post, comment, reply or message found in an export file.

    ``platform_id`` is the platform's id as a string; for Meta DYI exports, which carry no ids,
    it is a stable digest of the raw item (so re-importing finds the same id). ``raw`` is the item
    exactly as found in the file (mojibake included); ``text`` is repaired. Objects read through
    :meth:`ExportSource.load_json` are :class:`RawDict` and are archived as their file text; other
    values (a parser's own ``json.loads``, a CSV row) are archived re-serialised.
    """

    platform: str
    kind: Kind
    platform_id: str
    created_at: dt.datetime
    text: str
    author_id: str = ""
    author_name: str = ""
    parent_id: str = ""
    thread_id: str = ""
    state: str = "published"
    media: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    raw: Any = None
    source_file: str = ""
    index: int = 0


# --- helpers shared by the parsers -----------------------------------------------------------


def fix_mojibake(text: str) -> str:
    """Undo Meta's DYI encoding bug: UTF-8 bytes written as ``\\u00XX`` escapes.

    Only strings made entirely of code points < 256 can be mojibake; anything else (or anything
    that is not valid UTF-8 once re-encoded) is returned unchanged, so repairing twice is harmless.
    """
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def fix_mojibake_deep(value: Any) -> Any:
    if isinstance(value, str):
        return fix_mojibake(value)
    if isinstance(value, list):
        return [fix_mojibake_deep(v) for v in value]
    if isinstance(value, dict):
        return {fix_mojibake(k): fix_mojibake_deep(v) for k, v in value.items()}
    return value


def from_unix(
    value: Any, file: str, index: int, field_name: str, *, ms: bool = False
) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadExportFile(
            file, "timestamp missing or not a number", index=index, field=field_name
        )
    try:
        number = int(value)
    except ValueError:
        raise BadExportFile(
            file, f"timestamp {value!r} is not a number", index=index, field=field_name
        ) from None
    if ms:
        return dt.datetime.fromtimestamp(number / 1000, tz=dt.UTC).replace(
            microsecond=(number % 1000) * 1000
        )
    return dt.datetime.fromtimestamp(number, tz=dt.UTC)


def digest_id(prefix: str, *parts: Any) -> str:
    """A stable id for items the platform did not give one (Meta DYI)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{prefix}:{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:32]}"


class Dedup:
    """Make digest ids unique within one parse when two raw items are byte-identical."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, ident: str) -> str:
        n = self.seen.get(ident, 0)
        self.seen[ident] = n + 1
        return ident if n == 0 else f"{ident}#{n}"


class RawDict(dict[str, Any]):
    """A JSON object from an export file that remembers the exact text it was parsed from, so
    the archive keeps each item's raw payload as it was in the file (REC-1), not re-serialised.
    The text is sliced on demand from the file's text, which all items of a file share."""

    __slots__ = ("_source", "_start", "_end")
    _source: str
    _start: int
    _end: int

    @property
    def raw_text(self) -> str:
        return str(self._source[self._start : self._end])


def loads_keeping_text(text: str) -> Any:
    """``json.loads``, except that every object comes back as a :class:`RawDict`.

    Uses the pure-Python scanner (the C one cannot report where an object started), which is
    several times slower; export files are parsed once, before the import writes anything.
    """
    decoder = json.JSONDecoder()

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[RawDict, int]:
        source, start = s_and_end  # start is just after the "{"
        obj, end = json.decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
        raw = RawDict(obj)
        raw._source, raw._start, raw._end = source, start - 1, end
        return raw, end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


class ExportSource:
    """An export as a directory, a ZIP file or a single file, read as POSIX relative paths."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            self._zip = zipfile.ZipFile(self.path)
        elif not self.path.exists():
            raise BadExportFile(str(self.path), "no such file or directory")

    def names(self) -> list[str]:
        if self._zip is not None:
            return sorted(n for n in self._zip.namelist() if not n.endswith("/"))
        if self.path.is_file():
            return [self.path.name]
        return sorted(
            p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()
        )

    def read_bytes(self, name: str) -> bytes:
        if self._zip is not None:
            return self._zip.read(name)
        if self.path.is_file():
            return self.path.read_bytes()
        return (self.path / name).read_bytes()

    def label(self, name: str) -> str:
        """How a file is named in error messages."""
        if self.path.is_file() and self._zip is None:
            return str(self.path)
        return f"{self.path}!{name}" if self._zip is not None else str(self.path / name)

    def load_json(self, name: str) -> Any:
        data = self.read_bytes(name)
        try:
            return loads_keeping_text(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise BadExportFile(
                self.label(name), f"not UTF-8 ({exc.reason} at byte {exc.start})"
            ) from None
        except json.JSONDecodeError as exc:
            raise BadExportFile(
                self.label(name),
                f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            ) from None


def basename(name: str) -> str:
    return PurePosixPath(name).name


def walk(source: ExportSource, predicate: Any) -> Iterator[str]:
    for name in source.names():
        if predicate(name):
            yield name

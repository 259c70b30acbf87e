"""Full-text search over the archive, one interface on two engines (PRR-3).

SQLite: an FTS5 virtual table ``archive_record_fts(document)`` whose rowid is the record id.
PostgreSQL: a table ``archive_record_fts(record_id, tsv)`` with a GIN index, ``simple`` config.

Both engines are fed the *same* document and the *same* query terms, produced here in Python:
text is accent-folded and case-folded and split into words, so "Peña" finds "pena", and neither
engine's own parser or stemmer decides what matches. That is what makes the two return the same
records (tested on both). Highlighting is done in Python over the record's own text, so it is
identical too.

Query syntax: words (all must match), ``"a phrase"``, ``prefix*``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

WORD = re.compile(r"\w+", re.UNICODE)
QUERY = re.compile(r'"([^"]*)"|(\S+)')


def fold(text: str) -> str:
    """Case-fold and strip accents."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return [w for w in WORD.findall(fold(text).replace("_", " ")) if w]


def document(*parts: str) -> str:
    """What gets indexed: folded words joined by spaces."""
    return " ".join(w for part in parts for w in words(part or ""))


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    terms: list[Term] = []
    for phrase, bare in QUERY.findall(query or ""):
        if phrase:
            ws = tuple(words(phrase))
            if ws:
                terms.append(Term(ws))
            continue
        prefix = bare.endswith("*")
        ws = tuple(words(bare))
        if not ws:
            continue
        if len(ws) == 1:
            terms.append(Term(ws, prefix=prefix))
        else:  # "e-mail" or "peña-rodríguez": adjacent words, as a phrase
            terms.append(Term(ws, prefix=prefix))
    return terms


def _fts5(terms: Sequence[Term]) -> str:
    parts = []
    for t in terms:
        quoted = '"' + " ".join(t.words) + '"'
        parts.append(quoted + ("*" if t.prefix else ""))
    return " AND ".join(parts)


def _tsquery(terms: Sequence[Term]) -> str:
    parts = []
    for t in terms:
        ws = [f"'{w}'" for w in t.words]
        if t.prefix:
            ws[-1] += ":*"
        parts.append("(" + " <-> ".join(ws) + ")" if len(ws) > 1 else ws[0])
    return " & ".join(parts)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def matching_ids_sql(query: str) -> RawSQL | None:
    """A subquery of matching record ids, or None when the query has no words."""
    terms = parse_query(query)
    if not terms:
        return None
    if is_postgres():
        return RawSQL(
            "SELECT record_id FROM archive_record_fts WHERE tsv @@ to_tsquery('simple', %s)",
            [_tsquery(terms)],
        )
    return RawSQL(
        "SELECT rowid FROM archive_record_fts WHERE archive_record_fts MATCH %s", [_fts5(terms)]
    )


def index_rows(rows: Iterable[tuple[int, str]]) -> None:
    """Add (record id, document) pairs to the index. Called by the append services."""
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cur:
        if is_postgres():
            cur.executemany(
                "INSERT INTO archive_record_fts (record_id, tsv) VALUES (%s, to_tsvector('simple', %s))",
                rows,
            )
        else:
            cur.executemany(
                "INSERT INTO archive_record_fts (rowid, document) VALUES (%s, %s)", rows
            )


def unindex(ids: Iterable[int]) -> None:
    ids = list(ids)
    if not ids:
        return
    with connection.cursor() as cur:
        col = "record_id" if is_postgres() else "rowid"
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cur.execute(
                f"DELETE FROM archive_record_fts WHERE {col} IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                chunk,
            )


def highlight(text: str, query: str, *, context: int = 0) -> SafeString:
    """HTML-escaped ``text`` with matched words wrapped in ``<mark>``; accent- and case-blind.

    With ``context`` > 0 returns a snippet of about that many characters around the first match.
    """
    terms = parse_query(query)
    targets = {w for t in terms for w in t.words}
    prefixes = {t.words[-1] for t in terms if t.prefix}
    spans = []
    for m in WORD.finditer(text or ""):
        w = fold(m.group())
        if w in targets or any(w.startswith(p) for p in prefixes):
            spans.append((m.start(), m.end()))
    start, end = 0, len(text or "")
    if context and spans:
        start = max(0, spans[0][0] - context // 2)
        end = min(len(text), start + context)
    elif context:
        end = min(len(text or ""), context)
    out = ["…" if start > 0 else ""]
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    if end < len(text or ""):
        out.append("…")
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped

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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet
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
    if text.isascii():
        return WORD.findall(text.lower().replace("_", " "))
    # Folding is character by character and an ASCII space ends every combining sequence, so the
    # words of a text are the words of its space-separated pieces; those repeat (a district writes
    # the same words all day), and caching them took the folding out of the import's profile.
    return [w for piece in text.split(" ") for w in _piece_words(piece)]


@lru_cache(maxsize=200_000)
def _piece_words(piece: str) -> tuple[str, ...]:
    return tuple(WORD.findall(fold(piece).replace("_", " ")))


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


# PostgreSQL phrases. GIN stores no positions, so a phrase of two common words made PostgreSQL
# recheck every row holding both words (60,000 of a million for "parent field"). Each document
# therefore also carries its adjacent word pairs as lexemes ("~parent field": the "~" keeps a
# word prefix query such as 'teach':* from matching a pair, which PostgreSQL's phrase operator
# mishandles, since pair lexemes have no positions), built here in Python
# from the same words on both sides, and a phrase query requires its pairs as well as the
# positional match: GIN narrows to the rows holding the pair, the positions decide. A document
# too long for its pairs to fit a tsvector carries NO_PAIRS instead, which every pair query
# accepts (then only the positional match decides, as before).
PAIRS_MAX_WORDS = 20_000
PAIR_MAX_BYTES = 2_000  # a lexeme is at most 2,047 bytes
NO_PAIRS = "~no-pairs~"  # cannot be a pair or a word: words are \w+ runs


def pair_lexemes(doc: str) -> list[str]:
    """The adjacent word pairs of an indexed document (its words joined by spaces)."""
    ws = doc.split(" ") if doc else []
    if len(ws) > PAIRS_MAX_WORDS:
        return [NO_PAIRS]
    pairs = {f"~{a} {b}" for a, b in zip(ws, ws[1:], strict=False)}
    return sorted(p for p in pairs if len(p.encode()) <= PAIR_MAX_BYTES)


def _pairs_tsquery(terms: Sequence[Term]) -> str | None:
    parts = []
    for t in terms:
        for i in range(len(t.words) - 1):
            pair = f"~{t.words[i]} {t.words[i + 1]}"
            if len(pair.encode()) > PAIR_MAX_BYTES:
                continue
            last = i == len(t.words) - 2
            parts.append(f"'{pair}'" + (":*" if t.prefix and last else ""))
    if not parts:
        return None
    return f"(({' & '.join(parts)}) | '{NO_PAIRS}')"


def _pg_match(terms: Sequence[Term]) -> tuple[str, list[Any]]:
    """The WHERE condition of a PostgreSQL text match, with its parameters."""
    pairs = _pairs_tsquery(terms)
    if pairs is None:
        return "tsv @@ to_tsquery('simple', %s)", [_tsquery(terms)]
    # Only the pairs go to the index: ts_match_vq is @@ spelt as a function, which the planner
    # does not match to the GIN index, so the common words' long posting lists are not read
    # (that was 90 ms of "trip school"); the positional match is checked on the rows found.
    return "tsv @@ %s::tsquery AND ts_match_vq(tsv, to_tsquery('simple', %s))", [
        pairs,
        _tsquery(terms),
    ]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def matching_ids_sql(query: str) -> RawSQL | None:
    """A subquery of matching record ids, or None when the query has no words."""
    terms = parse_query(query)
    if not terms:
        return None
    if is_postgres():
        return RawSQL(*_subquery(terms))  # noqa: S611 - fixed SQL, the query is a parameter
    return RawSQL(
        "SELECT rowid FROM archive_record_fts WHERE archive_record_fts MATCH %s", [_fts5(terms)]
    )


def _ids_desc(terms: Sequence[Term], below: int | None, limit: int) -> list[int]:
    """Matching record ids, newest first, below an id (keyset paging driven by the index)."""
    sql, params = _subquery(terms)
    col = "record_id" if is_postgres() else "rowid"
    if below is not None:
        sql += f" AND {col} < %s"
        params.append(below)
    sql += f" ORDER BY {col} DESC LIMIT %s"
    params.append(limit)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [row[0] for row in cur.fetchall()]


SMALL = 5_000  # below this many text matches, handing the engine the whole id list is cheap
MAX_CHUNK = 10_000  # SQLite allows 32,766 parameters per statement
DATED_MAX = 200_000  # candidate ids of a date-range search kept in memory


def _fts_count(terms: Sequence[Term], cap: int) -> int:
    sql, params = _subquery(terms)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM ({sql} LIMIT %s) t", [*params, cap])  # noqa: S608
        return int(cur.fetchone()[0])


def _fts_among(terms: Sequence[Term], ids: Sequence[int]) -> set[int]:
    """Which of ``ids`` (sorted, descending) match.

    Candidates are split into runs wherever they jump by more than 1,000 ids; a dense run is
    checked with one range scan of the index, a sparse one by probing its ids (``rowid IN``),
    an index seek each but one that expands a prefix query per probe.
    """
    runs: list[list[int]] = []
    for i in ids:
        if runs and runs[-1][-1] - i <= 1000:
            runs[-1].append(i)
        else:
            runs.append([i])
    col = "record_id" if is_postgres() else "rowid"
    found: set[int] = set()
    with connection.cursor() as cur:
        for run in runs:
            sql, params = _subquery(terms)
            lo, hi = run[-1], run[0]
            if hi - lo <= 20 * len(run):
                sql += f" AND {col} >= %s AND {col} <= %s"
                params = [*params, lo, hi]
            else:
                sql += f" AND {col} IN ({', '.join(['%s'] * len(run))})"
                params = [*params, *run]
            cur.execute(sql, params)
            found.update(row[0] for row in cur.fetchall())
    return found & set(ids)


def _matching_ids(qs: QuerySet[Any], terms: Sequence[Term], before: int | None) -> Iterator[int]:
    """Ids of ``qs`` records matching ``terms``, highest first, choosing who drives:

    * few text matches (< SMALL): the engine gets the whole match list (``id IN (subquery)``);
    * many matches and no filters: the text index drives, newest first, in growing chunks;
    * many matches and filters: the filters drive (newest candidates first) and each chunk of
      candidates is checked against the index, so a common word in an old date range does not
      walk every newer match.
    """
    filtered = bool(qs.query.where)
    if is_postgres() and not filtered:
        yield from _pg_unfiltered(terms, before)
        return
    if _fts_count(terms, SMALL) < SMALL:
        # Plain queries in keyset chunks, not a server-side cursor: PostgreSQL plans a cursor
        # for its first rows (walking the primary key backwards through every record) and a
        # WITH HOLD cursor copies its result before the first fetch; that was 300-400 ms.
        cursor, chunk = before, 1000
        while True:
            if filtered:
                sub = RawSQL(*_subquery(terms))  # noqa: S611 - fixed SQL, the query is a parameter
                page = qs.filter(id__in=sub)
                if cursor is not None:
                    page = page.filter(id__lt=cursor)
                ids = list(page.order_by("-id").values_list("id", flat=True)[:chunk])
            else:  # every record is a candidate: the index alone answers
                ids = _ids_desc(terms, cursor, chunk)
            yield from ids
            if len(ids) < chunk:
                return
            cursor = ids[-1]
    base = qs.filter(id__lt=before) if before is not None else qs
    dated = "occurred_at" in str(qs.query.where)
    cursor, chunk = before, 500
    dated_ids: list[int] | None = None
    if filtered and dated:
        # With a date range, ordering by "id * 1" keeps SQLite from walking the primary key
        # backwards through every newer row: it uses the occurred_at index and sorts the range,
        # once, keeping up to DATED_MAX candidate ids in memory.
        dated_ids = list(
            base.order_by((F("id") * 1).desc()).values_list("id", flat=True)[:DATED_MAX]
        )
        if len(dated_ids) == DATED_MAX:
            dated_ids = None
    offset = 0
    while True:
        if dated_ids is not None:
            cands = dated_ids[offset : offset + chunk]
            offset += chunk
            if not cands:
                return
            hits = _fts_among(terms, cands)
            yield from (i for i in cands if i in hits)
            done = offset >= len(dated_ids)
        elif filtered:
            cand_qs = qs.filter(id__lt=cursor) if cursor is not None else qs
            order = (F("id") * 1).desc() if dated else F("id").desc()
            cands = list(cand_qs.order_by(order).values_list("id", flat=True)[:chunk])
            if not cands:
                return
            hits = _fts_among(terms, cands)
            yield from (i for i in cands if i in hits)
            cursor = cands[-1]
            done = len(cands) < chunk
        else:
            ids = _ids_desc(terms, cursor, chunk)
            if not ids:
                return
            yield from ids  # unfiltered: every indexed id is a record of qs
            cursor = ids[-1]
            done = len(ids) < chunk
        if done:
            return
        chunk = min(chunk * 4, MAX_CHUNK)


WINDOW = 20_000  # PostgreSQL: ids walked newest first before deciding a word is sparse
DENSE = 1_000  # matches wanted (the count stops at 1,000)
BITMAP_COST = 2.0  # a match read from a bitmap and sorted costs about two ids walked (bench)


def _pg_unfiltered(terms: Sequence[Term], before: int | None) -> Iterator[int]:
    """Every record is a candidate, on PostgreSQL. GIN yields matches in no order, so:

    * the newest WINDOW ids are walked on the primary key (``record_id`` range, newest first);
    * from the density seen there, the rest of a page (DENSE matches) costs about
      ``(DENSE - found) / density`` ids walked, or ``density * ids below`` matches read from a
      bitmap (BITMAP_COST each) — whichever is cheaper is used for the rest;
    * a dense word goes on walking in growing windows: its newest thousand matches are close to
      the top; a sparse one (a rare word, a phrase — whose pair lexemes GIN finds directly) is
      read from a bitmap of all its older matches, sorted, in keyset chunks. Walking backwards
      through a rare phrase of common words read the whole table (0.3-1 s).
    """
    sql, params = _subquery(terms)
    with connection.cursor() as cur:
        if before is None:
            cur.execute("SELECT max(record_id) FROM archive_record_fts")
            top = (cur.fetchone() or [None])[0]
            if top is None:
                return
            top += 1
        else:
            top = before
        window = WINDOW
        cur.execute(
            f"{sql} AND record_id >= %s AND record_id < %s ORDER BY record_id DESC",
            [*params, top - window, top],
        )
        ids = [row[0] for row in cur.fetchall()]
        yield from ids
        found, below = len(ids), max(top - window, 0)
        # walked ids (DENSE - found) * window / found  vs  bitmap matches found / window * below
        dense = found > 0 and (DENSE - found) * window * window <= (
            BITMAP_COST * found * found * below
        )
        top -= window
        while top > 0:
            if dense:
                window = min(window * 4, 1_000_000)
                cur.execute(
                    f"{sql} AND record_id >= %s AND record_id < %s ORDER BY record_id DESC",
                    [*params, top - window, top],
                )
                ids = [row[0] for row in cur.fetchall()]
                top -= window
            else:
                # record_id + 0: not the primary key's order, so the planner takes the bitmap.
                cur.execute(
                    f"{sql} AND record_id < %s ORDER BY record_id + 0 DESC LIMIT %s",
                    [*params, top, MAX_CHUNK],
                )
                ids = [row[0] for row in cur.fetchall()]
                if len(ids) < MAX_CHUNK:
                    top = 0
                elif ids:
                    top = ids[-1]
            yield from ids


def _subquery(terms: Sequence[Term]) -> tuple[str, list[Any]]:
    if is_postgres():
        where, params = _pg_match(terms)
        return f"SELECT record_id FROM archive_record_fts WHERE {where}", params  # noqa: S608
    return "SELECT rowid FROM archive_record_fts WHERE archive_record_fts MATCH %s", [_fts5(terms)]


def page(qs: QuerySet[Any], query: str, *, limit: int = 50, before: int | None = None) -> list[Any]:
    """Up to ``limit + 1`` records of ``qs`` (filtered, not yet text-matched) that match
    ``query``, newest (highest id) first, with ids below ``before`` (keyset paging).

    Returns exactly what ``record_search`` would list first, without counting or materialising
    every match of a common word (see ``_matching_ids``).
    """
    terms = parse_query(query)
    base = qs.filter(id__lt=before) if before is not None else qs
    if not terms:
        return list(base.order_by("-id")[: limit + 1])
    ids = list(islice(_matching_ids(qs, terms, before), limit + 1))
    by_id = {
        r.pk: r for r in qs.model._default_manager.filter(id__in=ids).select_related("account")
    }
    return [by_id[i] for i in ids]


def page_and_count(
    qs: QuerySet[Any], query: str, *, limit: int = 50, cap: int = 1000
) -> tuple[list[Any], int, bool]:
    """The first page and the capped count in one pass over the matches (what the search page
    shows first): returns (up to limit + 1 records, count up to cap, more than cap)."""
    terms = parse_query(query)
    if not terms:
        n = qs[: cap + 1].count()
        return list(qs.order_by("-id")[: limit + 1]), min(n, cap), n > cap
    ids = list(islice(_matching_ids(qs, terms, None), max(cap, limit) + 1))
    head = ids[: limit + 1]
    by_id = {
        r.pk: r for r in qs.model._default_manager.filter(id__in=head).select_related("account")
    }
    return [by_id[i] for i in head], min(len(ids), cap), len(ids) > cap


def count_capped(qs: QuerySet[Any], query: str, *, cap: int = 1000) -> tuple[int, bool]:
    """How many records match, counting at most ``cap``: returns (n, there are more)."""
    terms = parse_query(query)
    if not terms:
        n = qs[: cap + 1].count()
    else:
        n = sum(1 for _ in islice(_matching_ids(qs, terms, None), cap + 1))
    return min(n, cap), n > cap


def index_rows(rows: Iterable[tuple[int, str]]) -> None:
    """Add (record id, document) pairs to the index. Called by the append services."""
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cur:
        if is_postgres():
            # The pairs travel as one "|"-joined text (words are \w runs: no "|"); adapting a
            # Python list to text[] per row cost more than building the pairs.
            cur.executemany(
                "INSERT INTO archive_record_fts (record_id, tsv) VALUES (%s, to_tsvector("
                "'simple', %s) || array_to_tsvector(string_to_array(%s, '|')))",
                [(pk, doc, "|".join(pair_lexemes(doc))) for pk, doc in rows],
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

"""Reading the archive back for ``archive_verify``: the chains as segments, in parallel processes.

``chain.verify_rows`` does the checking; this module feeds it. Two things made a million records
take 100 s and are gone:

* Rows are read with plain SQL, only the hashed columns, in keyset pages of one chain
  (``WHERE chain = %s AND seq > %s ORDER BY seq``, the ``(chain, seq)`` index), and turned into the
  canonical content directly: datetimes come as text (SQLite's stored text, PostgreSQL's
  ``to_char``) and are rewritten, not parsed into ``datetime`` and printed again.
* Each chain is cut into segments of ``SEGMENT`` sequence numbers, verified by a pool of forked
  processes. A segment starts from the stored hash of the record before it, so it is checked
  exactly as a walk from the chain's first record would check it, and the verdict is taken from
  the segments in (chain, seq) order: the first broken record named is the one a single walk
  names. The stored hash a segment starts from is itself checked by the segment before it.

Processes are used only where they can see the same data: not inside a transaction (the tests'),
not on an in-memory SQLite database, and only for archives big enough to pay for the fork.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, connections

from steward.archive import chain as chainlib

SEGMENT = 50_000  # sequence numbers per unit of work
PAGE = 10_000  # rows per query
PARALLEL_MIN = 100_000  # fewer records than this: one process (forking costs more than it saves)

_PG_TIME = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_COLUMNS = (
    "id, seq, prev_hash, content_hash, hash, kind, version, platform, account_id, platform_id, "
    "parent_platform_id, thread_platform_id, author_platform_id, author_name, person_id, text, "
    "{media}, {created}, {captured}, source, state, moderation_category, clause, actor, "
    "raw_payload, raw_content_type, {extra}, tombstoned_at IS NOT NULL"
)


class Row(NamedTuple):
    """A chainlib.ChainRow read from the database."""

    record_id: int
    chain: str
    seq: int
    prev_hash: str
    content_hash: str
    hash: str
    content: dict[str, Any] | None


@dataclass(frozen=True)
class Segment:
    """Records of ``chain`` with ``after < seq <= upto`` (None: unbounded)."""

    chain: str
    after: int | None
    upto: int | None


def _columns() -> str:
    if connection.vendor == "postgresql":
        return _COLUMNS.format(
            media="media::text",
            extra="extra::text",
            created=_PG_TIME.format("platform_created_at"),
            captured=_PG_TIME.format("captured_at"),
        )
    # CAST: a column without a declared type comes back as the stored text, not run through
    # the datetime converter Django registers with the sqlite3 module.
    return _COLUMNS.format(
        media="media",
        extra="extra",
        created="CAST(platform_created_at AS TEXT)",
        captured="CAST(captured_at AS TEXT)",
    )


def _iso(value: Any) -> str | None:
    """Canonical UTC text (``…T…​.ffffffZ``) of a datetime as the database returned it.

    PostgreSQL's ``to_char`` already writes it; SQLite holds what Django stored, ``str()`` of the
    naive UTC datetime, which is rewritten here. Anything else goes through Django's converter.
    """
    if value is None:
        return None
    if type(value) is str:
        if len(value) == 27 and value[10] == "T" and value[26] == "Z":
            return value
        if value[10:11] == " " and value[4:5] == "-" and value[13:14] == ":":
            if len(value) == 19:
                return f"{value[:10]}T{value[11:]}.000000Z"
            if len(value) == 26 and value[19] == ".":
                return f"{value[:10]}T{value[11:]}Z"
    try:
        from steward.archive.models import _iso as model_iso

        converted = connection.ops.convert_datetimefield_value(value, None, connection)  # type: ignore[attr-defined]
        return model_iso(converted)
    except (AttributeError, TypeError, ValueError):
        return str(value)  # cannot be what was hashed: the content check reports it


def _json(value: Any) -> Any:
    if type(value) is not str:
        return value
    if value == "[]":
        return []
    try:
        return json.loads(value)
    except ValueError:
        return value  # as Django's JSONField does with text that is not JSON


def _rows(segment: Segment) -> Iterator[Row]:
    """The segment's rows in seq order, in keyset pages."""
    sql = f"SELECT {_columns()} FROM archive_record WHERE chain = %s AND seq > %s"  # noqa: S608
    if segment.upto is not None:
        sql += " AND seq <= %s"
    sql += " ORDER BY seq LIMIT %s"
    sha256 = hashlib.sha256
    chain = segment.chain
    after = segment.after if segment.after is not None else -(2**63)
    with connection.cursor() as cur:
        while True:
            params: list[Any] = [chain, after]
            if segment.upto is not None:
                params.append(segment.upto)
            params.append(PAGE)
            cur.execute(sql, params)
            page = cur.fetchall()
            for (
                rid, seq, prev_hash, content_hash, hash_, kind, version, platform, account_id,
                platform_id, parent_id, thread_id, author_id, author_name, person_id, text,
                media, created_at, captured_at, source, state, category, clause, actor,
                raw_payload, raw_content_type, extra, tombstoned,
            ) in page:  # fmt: skip
                content = None
                if not tombstoned:
                    # Exactly models.content_of(), from the columns.
                    content = {
                        "kind": kind,
                        "version": version,
                        "platform": platform,
                        "account": account_id,
                        "platform_id": platform_id,
                        "parent_id": parent_id,
                        "thread_id": thread_id,
                        "author_id": author_id,
                        "author_name": author_name,
                        "person": person_id,
                        "text": text,
                        "media": list(_json(media) or []),
                        "created_at": _iso(created_at),
                        "captured_at": _iso(captured_at),
                        "source": source,
                        "state": state,
                        "moderation_category": category,
                        "clause": clause,
                        "actor": actor,
                        "raw_sha256": sha256((raw_payload or "").encode("utf-8")).hexdigest(),
                        "raw_content_type": raw_content_type,
                        "extra": _json(extra) or {},
                    }
                yield Row(rid, chain, seq, prev_hash, content_hash, hash_, content)
            if len(page) < PAGE:
                return
            after = page[-1][1]


def verify_segment(segment: Segment) -> chainlib.VerifyResult:
    """Verify one segment, starting from the stored head just before it."""
    start: dict[str, tuple[int, str]] = {}
    if segment.after is not None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT seq, hash FROM archive_record WHERE chain = %s AND seq <= %s "
                "ORDER BY seq DESC LIMIT 1",
                [segment.chain, segment.after],
            )
            row = cur.fetchone()
        if row is not None:
            start[segment.chain] = (row[0], row[1])
    return chainlib.verify_rows(_rows(segment), native=True, start=start)


def segments(chain: str | None = None) -> tuple[list[Segment], int]:
    """Every chain that has records, cut into segments; and the highest seq summed (≈ records)."""
    sql = "SELECT chain, max(seq) FROM archive_record"
    params: list[Any] = []
    if chain is not None:
        sql += " WHERE chain = %s"
        params.append(chain)
    sql += " GROUP BY chain ORDER BY chain"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        tops = cur.fetchall()
    out: list[Segment] = []
    for name, top in tops:
        bounds = list(range(SEGMENT, int(top), SEGMENT))
        edges: list[int | None] = [None, *bounds]
        for i, after in enumerate(edges):
            out.append(Segment(name, after, edges[i + 1] if i + 1 < len(edges) else None))
    return out, sum(int(top) for _, top in tops)


def workers_for(records: int, requested: int | None = None) -> int:
    """How many processes: 1 unless forked processes would see the same committed data."""
    if requested is not None and requested <= 1:
        return 1
    if connection.in_atomic_block:
        return 1  # uncommitted rows are invisible to other connections
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if multiprocessing.current_process().daemon:
        return 1  # e.g. a Celery prefork worker: daemonic processes may not have children
    if requested is None:
        if records < PARALLEL_MIN:
            return 1
        requested = os.cpu_count() or 1
    return max(1, requested)


def _child_init() -> None:
    # The parent closed its connections before forking; make sure no child reuses a socket or
    # SQLite handle object inherited from it.
    for conn in connections.all(initialized_only=True):
        conn.connection = None


def verify_all(
    parts: Sequence[Segment],
    *,
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> chainlib.VerifyResult:
    """Verify segments (in parallel when ``workers`` > 1) and combine them in (chain, seq) order:
    the first broken segment in that order holds the record a single walk would name."""
    heads: dict[str, tuple[int, str]] = {}
    checked = 0
    if workers <= 1 or len(parts) <= 1:
        results: Iterator[chainlib.VerifyResult] = (verify_segment(p) for p in parts)
        pool = None
    else:
        connections.close_all()
        pool = multiprocessing.get_context("fork").Pool(
            min(workers, len(parts)), initializer=_child_init
        )
        results = pool.imap(verify_segment, parts)
    try:
        for result in results:
            checked += result.checked
            if progress:
                progress(result.checked)
            if result.broken is not None:
                return chainlib.VerifyResult(checked=checked, chains=heads, broken=result.broken)
            heads.update(result.chains)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    return chainlib.VerifyResult(checked=checked, chains=heads, broken=None)

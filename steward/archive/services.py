"""Writes to the archive. Every state change goes through a function here (STYLE.md).

Record appends compute the hash chain under a row lock on the chain's head, so concurrent appends
to one account serialise and can never fork the chain (INT-3); other accounts are not blocked.
Requests, holds, rules and purges write an audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.archive import chain as chainlib
from steward.archive import search
from steward.archive.business_days import due_date as business_due_date
from steward.archive.exports import BadExportFile, ExportItem, ExportSource, RawDict
from steward.archive.models import (
    ChainHead,
    Checkpoint,
    DeadlineAlert,
    DispositionLog,
    LegalHold,
    Media,
    Record,
    RecordsRequest,
    Redaction,
    RetentionRule,
    SavedSearch,
    content_of,
)
from steward.core.audit import actor_label, audit
from steward.core.db import update_each
from steward.core.errors import PolicyViolation

APPEAL_WINDOW = dt.timedelta(
    days=90
)  # 950 CMR 32.08: open requests hold records this long after closing


# --- the chain ---------------------------------------------------------------------------


def chain_for(account: Any, platform: str = "") -> str:
    """One chain per account; records without an account chain per platform (e.g. ``manual``)."""
    if account is not None:
        return f"account:{account.pk if hasattr(account, 'pk') else account}"
    return f"platform:{platform or 'manual'}"


def _jsonable(value: Any) -> Any:
    """Make platform extras hashable canonically: floats become strings (see chain.py)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _raw_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, RawDict):  # an item of an export file: its text as it was in the file
        return raw.raw_text
    if isinstance(raw, bytes):
        return (
            raw.decode("utf-8", errors="surrogateescape")
            .encode("utf-8", errors="backslashreplace")
            .decode()
        )
    if isinstance(raw, str):
        return raw
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))


def _lock_heads(chains: Sequence[str]) -> dict[str, ChainHead]:
    """Lock the heads of ``chains``, creating the missing ones: two queries however many chains,
    the rows locked in one fixed order (by name), so appends never deadlock on each other."""
    ChainHead.objects.bulk_create([ChainHead(chain=c) for c in chains], ignore_conflicts=True)
    return {
        h.chain: h
        for h in ChainHead.objects.select_for_update().filter(chain__in=chains).order_by("chain")
    }


def _build(
    *,
    kind: str,
    platform: str,
    source: str,
    account: Any = None,
    platform_id: str = "",
    parent_id: str = "",
    thread_id: str = "",
    author_id: str = "",
    author_name: str = "",
    person: Any = None,
    text: str = "",
    media: Sequence[str] = (),
    created_at: dt.datetime | None = None,
    captured_at: dt.datetime | None = None,
    state: str = "published",
    version: str = Record.Version.CREATED,
    moderation_category: str = "",
    clause: str = "",
    actor: str = "",
    raw_payload: Any = None,
    raw_content_type: str = "application/json",
    extra: dict[str, Any] | None = None,
) -> Record:
    now = timezone.now()
    values = {
        "id": None,
        "chain": "",
        "seq": None,
        "prev_hash": "",
        "content_hash": "",
        "hash": "",
        "kind": kind,
        "version": version,
        "platform": platform,
        "account_id": account.pk if account is not None else None,
        "platform_id": str(platform_id or ""),
        "parent_platform_id": str(parent_id or ""),
        "thread_platform_id": str(thread_id or ""),
        "author_platform_id": str(author_id or ""),
        "author_name": author_name or "",
        "person_id": person.pk if person is not None else None,
        "text": text or "",
        "media": list(media),
        "platform_created_at": created_at,
        "captured_at": captured_at or now,
        "source": source,
        "state": state,
        "moderation_category": moderation_category,
        "clause": clause,
        "actor": actor,
        "raw_payload": _raw_text(raw_payload),
        "raw_content_type": raw_content_type if raw_payload is not None else "",
        "extra": _jsonable(extra or {}),
        "occurred_at": created_at or captured_at or now,
        "tombstoned_at": None,
    }
    # Positional construction: Django's keyword path resolves every field name and was a sixth of
    # the import time (bench/archive.py). The related objects are cached as the keywords would.
    model: Any = Record  # the stubs type positional arguments by field; these are all of them
    record: Record = model(*[values[name] for name in _record_attnames()])
    if account is not None:
        record.account = account
    if person is not None:
        record.person = person
    return record


@cache
def _record_attnames() -> tuple[str, ...]:
    return tuple(f.attname for f in Record._meta.concrete_fields)


def _append(records: Sequence[Record], *, batch: int = 2000) -> list[Record]:
    """Chain and insert records (already built, same or different chains) in one transaction."""
    by_chain: dict[str, list[Record]] = {}
    for r in records:
        r.chain = chain_for(r.account_id, r.platform)
        by_chain.setdefault(r.chain, []).append(r)
    with transaction.atomic():
        heads = _lock_heads(sorted(by_chain))
        for chain_id in sorted(by_chain):
            head = heads[chain_id]
            seq, prev = head.seq, head.hash
            for r in by_chain[chain_id]:
                link = chainlib.next_link(
                    chain=chain_id, head_seq=seq, head_hash=prev, content=content_of(r)
                )
                r.seq, r.prev_hash, r.content_hash, r.hash = (
                    link.seq,
                    link.prev_hash,
                    link.content_hash,
                    link.hash,
                )
                seq, prev = link.seq, link.hash
            head.seq, head.hash, head.updated_at = seq, prev, timezone.now()
        update_each(list(heads.values()), ["seq", "hash", "updated_at"])
        _insert(records)
        search.index_rows((r.pk, search.document(r.text, r.author_name)) for r in records)
    return list(records)


def _insert(records: Sequence[Record]) -> None:
    """INSERT ... RETURNING id in multi-row statements.

    Equivalent to ``bulk_create`` but prepares only the fields that need it (datetimes, JSON):
    Django's per-field preparation was half the import time (bench/archive.py).
    """
    conn = connections[connection.alias]  # the wrapper itself, not the per-access proxy
    fields = [f for f in Record._meta.concrete_fields if f.name != "id"]
    prepared = {
        f.attname for f in fields if f.get_internal_type() in ("DateTimeField", "JSONField")
    }
    # An aware UTC datetime is what appends carry; it is stored as Django would store it
    # (SQLite: the text of the naive UTC value; PostgreSQL: the value itself) without the
    # field's checks, which cost more than the insert. Anything else goes through the field.
    utc_text = settings.USE_TZ and conn.vendor == "sqlite" and conn.timezone is dt.UTC
    utc_self = settings.USE_TZ and conn.vendor == "postgresql"
    ops = conn.ops
    columns = ", ".join(ops.quote_name(str(f.column)) for f in fields)
    per_statement = max(1, min(500, 30000 // len(fields)))
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = ops.quote_name(Record._meta.db_table)
    plan = [(f.attname, f if f.attname in prepared else None) for f in fields]
    with conn.cursor() as cur:
        for start in range(0, len(records), per_statement):
            chunk = records[start : start + per_statement]
            params: list[Any] = []
            for r in chunk:
                row = r.__dict__
                for attname, field in plan:
                    value = row[attname]
                    if field is None or value is None:
                        params.append(value)
                    elif type(value) is dt.datetime and value.tzinfo is dt.UTC and utc_text:
                        params.append(str(value.replace(tzinfo=None)))
                    elif type(value) is dt.datetime and value.tzinfo is dt.UTC and utc_self:
                        params.append(value)
                    else:
                        params.append(field.get_db_prep_save(value, conn))
            values = ", ".join([row_sql] * len(chunk))
            cur.execute(f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING id", params)  # noqa: S608
            for r, (pk,) in zip(chunk, cur.fetchall(), strict=True):
                r.pk = pk
                r._state.adding = False
                r._state.db = conn.alias


def record_append(**fields: Any) -> Record:
    """Append one record version (REC-1). Keyword arguments as Record's fields; see ``_build``.

    Used by webhooks, polls, moderation decisions and uploads; returns the saved record.
    """
    return records_append([fields])[0]


def records_append(many: Sequence[dict[str, Any]]) -> list[Record]:
    """Append many record versions in one transaction: one chain-head lock per account, one
    multi-row insert (the live pipeline's batches). Same keyword fields as :func:`record_append`."""
    return _append([_build(**fields) for fields in many])


def record_version_append(
    *,
    previous: Record,
    version: str,
    state: str,
    actor: str = "",
    text: str | None = None,
    raw_payload: Any = None,
    source: str = Record.Source.SYSTEM,
    moderation_category: str = "",
    clause: str = "",
    captured_at: dt.datetime | None = None,
) -> Record:
    """A new version of an item already archived: edited, hidden, unhidden, deleted by its author
    or removed by the district (REC-2). The previous version stays as it was."""
    return record_append(
        kind=previous.kind,
        platform=previous.platform,
        source=source,
        account=previous.account,
        platform_id=previous.platform_id,
        parent_id=previous.parent_platform_id,
        thread_id=previous.thread_platform_id,
        author_id=previous.author_platform_id,
        author_name=previous.author_name,
        person=previous.person,
        text=previous.text if text is None else text,
        media=previous.media,
        created_at=previous.platform_created_at,
        captured_at=captured_at,
        state=state,
        version=version,
        moderation_category=moderation_category,
        clause=clause,
        actor=actor,
        raw_payload=raw_payload,
        extra={"previous_record": previous.pk},
    )


def media_store(*, data: bytes, name: str = "", content_type: str = "") -> Media:
    """Store a media file once, by SHA-256 (INT-1)."""
    sha = hashlib.sha256(data).hexdigest()
    existing = Media.objects.filter(sha256=sha).first()
    if existing is not None:
        return existing
    ext = Path(name).suffix.lower()[:10] if name else ""
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    media = Media(sha256=sha, content_type=content_type, size=len(data), original_name=name[:300])
    media.file.save(f"{sha[:2]}/{sha}{ext}", ContentFile(data), save=False)
    media.save()
    return media


def record_preserve_upload(
    *,
    actor: Any,
    account: Any,
    data: bytes,
    filename: str,
    people: Sequence[Any] = (),
    authorization: Any = None,
    note: str = "",
) -> Record:
    """Manual preservation of a message thread (1.7): a screenshot or PDF, hashed and archived."""
    with transaction.atomic():
        media = media_store(data=data, name=filename)
        record = record_append(
            kind=Record.Kind.MANUAL,
            platform=account.platform if account is not None else "manual",
            source=Record.Source.UPLOAD,
            account=account,
            text=note,
            media=[media.sha256],
            actor=actor_label(actor),
            extra={
                "filename": filename,
                "people": [p.pk for p in people],
                "authorization": authorization.pk if authorization is not None else None,
            },
        )
        audit(
            actor=actor,
            action="archive.thread_preserved",
            obj=record,
            clause="1.7",
            after={"media": media.sha256, "people": [p.pk for p in people]},
        )
    return record


# --- import of platform export files -----------------------------------------------------


def _parsers() -> dict[str, Callable[[Any], Iterable[ExportItem]]]:
    from steward.platforms.facebook import export as facebook
    from steward.platforms.instagram import export as instagram
    from steward.platforms.x import export as x
    from steward.platforms.youtube import export as youtube

    return {
        "facebook": facebook.parse,
        "instagram": instagram.parse,
        "x": x.parse,
        "youtube": youtube.parse,
    }


PLATFORMS = ("facebook", "instagram", "x", "youtube")


@dataclass
class ImportResult:
    parsed: int = 0
    added: int = 0
    skipped: int = 0
    media_stored: int = 0
    records: list[int] = field(default_factory=list)


def export_parse(*, platform: str, path: str | Path) -> list[ExportItem]:
    """Parse and validate a whole export before anything is written (raises BadExportFile)."""
    parsers = _parsers()
    if platform not in parsers:
        raise BadExportFile(
            str(path), f"unknown platform {platform!r}; one of {', '.join(sorted(parsers))}"
        )
    return list(parsers[platform](path))


def export_import(
    *,
    actor: Any,
    platform: str,
    path: str | Path,
    account: Any,
    progress: Callable[[int], None] | None = None,
    items: list[ExportItem] | None = None,
    batch: int = 2000,
) -> ImportResult:
    """Import a platform export into the archive, idempotently (an item whose platform id is
    already archived for the account is skipped). A bad file raises BadExportFile and writes
    nothing: the whole file is parsed before the first write."""
    if account.platform != platform:
        raise PolicyViolation(
            f"Account {account} is on {account.platform}, not {platform}.", clause="1.6"
        )
    items = export_parse(platform=platform, path=path) if items is None else items
    result = ImportResult(parsed=len(items))
    source = ExportSource(path)
    available = (
        set(source.names()) if not Path(path).is_file() or str(path).endswith(".zip") else set()
    )
    label = actor_label(actor)
    with transaction.atomic():
        seen: set[str] = set()
        ids = [i.platform_id for i in items]
        for start in range(0, len(ids), 500):
            seen.update(
                Record.objects.filter(
                    account=account, platform_id__in=ids[start : start + 500]
                ).values_list("platform_id", flat=True)
            )
        pending: list[Record] = []

        def flush() -> None:
            result.records.extend(r.pk for r in _append(pending, batch=batch))
            if progress:
                progress(len(pending))
            pending.clear()

        now = timezone.now()
        for item in items:
            if item.platform_id in seen:
                result.skipped += 1
                if progress:
                    progress(1)
                continue
            seen.add(item.platform_id)
            shas = []
            for uri in item.media:
                if uri in available:
                    shas.append(media_store(data=source.read_bytes(uri), name=uri).sha256)
                    result.media_stored += 1
            extra = dict(item.extra)
            extra["export_file"] = item.source_file.rsplit("/", 1)[-1]
            extra["export_index"] = item.index
            if item.media and len(shas) != len(item.media):
                extra["media_refs"] = list(item.media)
            pending.append(
                _build(
                    kind=item.kind,
                    platform=platform,
                    source=Record.Source.EXPORT,
                    account=account,
                    platform_id=item.platform_id,
                    parent_id=item.parent_id,
                    thread_id=item.thread_id,
                    author_id=item.author_id,
                    author_name=item.author_name,
                    text=item.text,
                    media=shas,
                    created_at=item.created_at,
                    captured_at=now,
                    state=item.state,
                    actor=label,
                    raw_payload=item.raw,
                    extra=extra,
                )
            )
            result.added += 1
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
        audit(
            actor=actor,
            action="archive.export_imported",
            obj=account,
            clause="1.6",
            after={
                "platform": platform,
                "file": str(path),
                "parsed": result.parsed,
                "added": result.added,
                "skipped": result.skipped,
            },
        )
    return result


# --- verification ------------------------------------------------------------------------


@dataclass
class ArchiveVerifyResult:
    checked: int
    chains: int
    broken: chainlib.ChainBreak | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.problems


def archive_verify(
    *,
    chain: str | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> ArchiveVerifyResult:
    """Walk every chain and report the first broken link (INT-3, INT-4). Also compares each
    chain's last record with its head row and with signed checkpoints (truncation).

    ``workers``: processes to verify with (None: one per CPU for a large archive; see
    ``verify.workers_for``). The verdict and the record named do not depend on it.
    """
    from steward.archive import verify

    parts, records = verify.segments(chain)
    result = verify.verify_all(
        parts, workers=verify.workers_for(records, workers), progress=progress
    )
    out = ArchiveVerifyResult(
        checked=result.checked, chains=len(result.chains), broken=result.broken
    )
    if result.broken is not None:
        return out
    heads = ChainHead.objects.all() if chain is None else ChainHead.objects.filter(chain=chain)
    for head in heads:
        seen = result.chains.get(head.chain, (0, chainlib.GENESIS_HASH))
        if seen != (head.seq, head.hash):
            out.problems.append(
                f"chain {head.chain}: last record is seq {seen[0]} but the head says seq {head.seq} — records "
                "missing from the end"
            )
    for cp in Checkpoint.objects.all() if chain is None else Checkpoint.objects.filter(chain=chain):
        seen_seq = result.chains.get(cp.chain, (0, ""))[0]
        if seen_seq < cp.seq:
            out.problems.append(
                f"chain {cp.chain}: checkpoint at seq {cp.seq} but only {seen_seq} records"
            )
            continue
        rec = Record.objects.filter(chain=cp.chain, seq=cp.seq).only("hash").first()
        if rec is None or rec.hash != cp.head_hash:
            out.problems.append(
                f"chain {cp.chain}: record seq {cp.seq} differs from the signed checkpoint"
            )
        elif cp.signature and not chainlib.checkpoint_verify(
            cp.payload(), cp.signature, cp.public_key
        ):
            out.problems.append(
                f"chain {cp.chain}: checkpoint at seq {cp.seq} has an invalid signature"
            )
    return out


def checkpoint_create_all(*, private_key_b64: str | None) -> list[Checkpoint]:
    """Record (and sign, when a key is configured) the head of every chain (INT-2)."""
    now = timezone.now().replace(microsecond=0)
    out = []
    with transaction.atomic():
        for head in ChainHead.objects.filter(seq__gt=0):
            cp = Checkpoint(chain=head.chain, seq=head.seq, head_hash=head.hash, at=now)
            if private_key_b64:
                cp.signature = chainlib.checkpoint_sign(cp.payload(), private_key_b64)
                cp.public_key = chainlib.public_key_of(private_key_b64)
            cp.save()
            out.append(cp)
    return out


# --- records requests ----------------------------------------------------------------------


def _next_reference(year: int) -> str:
    prefix = f"PRR-{year}-"
    last = RecordsRequest.objects.filter(reference__startswith=prefix).aggregate(
        m=Max("reference")
    )["m"]
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:03d}"


def saved_search_create(
    *, actor: Any, name: str, query: str = "", filters: dict[str, Any] | None = None
) -> SavedSearch:
    with transaction.atomic():
        ss = SavedSearch.objects.create(
            name=name,
            query=query,
            filters=_jsonable(filters or {}),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(
            actor=actor,
            action="archive.saved_search_created",
            obj=ss,
            after={"query": query, "filters": ss.filters},
        )
    return ss


def request_create(
    *,
    actor: Any,
    requester: str,
    received_at: dt.datetime,
    description: str,
    channel: str = RecordsRequest.Channel.EMAIL,
    requester_contact: str = "",
    officer: Any = None,
    notes: str = "",
) -> RecordsRequest:
    """Log a public records request with its initial-response deadline (PRR-1)."""
    with transaction.atomic():
        req = RecordsRequest.objects.create(
            reference=_next_reference(received_at.year),
            requester=requester,
            requester_contact=requester_contact,
            received_at=received_at,
            channel=channel,
            description=description,
            officer=officer,
            notes=notes,
            due_date=business_due_date(received_at),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(
            actor=actor,
            action="archive.request_received",
            obj=req,
            after={"due_date": req.due_date.isoformat()},
        )
    return req


def request_attach_search(
    *, actor: Any, request: RecordsRequest, saved_search: SavedSearch
) -> None:
    with transaction.atomic():
        request.saved_searches.add(saved_search)
        audit(
            actor=actor,
            action="archive.request_search_attached",
            obj=request,
            after={"saved_search": saved_search.pk},
        )


def deadline_alerts_send(
    *, today: dt.date | None = None, dry_run: bool = False
) -> list[DeadlineAlert]:
    """Send the PRR-1 reminders due today: business day 7 and day 9 of the 10 allowed for the
    first response, to the assigned officer and whoever logged the request. Each is recorded
    (and audited) once; a request whose day-7 reminder was missed gets only the day-9 one.
    Run daily (``steward records_deadline_alerts`` or the ``steward.archive.deadline_alerts``
    task). ``dry_run`` returns what would be sent without sending or recording it."""
    from django.core.mail import send_mail

    from steward.archive.selectors import requests_needing_alerts

    today = today or timezone.localdate()
    sent: list[DeadlineAlert] = []
    for request, day in requests_needing_alerts(today):
        recipients = sorted(
            {
                address
                for address in (
                    getattr(request.officer, "email", ""),
                    getattr(request.created_by, "email", ""),
                )
                if address
            }
        )
        alert = DeadlineAlert(
            request=request,
            day=day,
            due_date=request.due_date,
            sent_at=timezone.now(),
            recipients="\n".join(recipients),
        )
        sent.append(alert)
        if dry_run:
            continue
        subject = (
            f"{request.reference}: initial response due {request.due_date:%A %Y-%m-%d} "
            f"(business day {day} of 10)"
        )
        body = (
            f"Public records request {request.reference} from {request.requester}, received "
            f"{timezone.localtime(request.received_at):%Y-%m-%d %H:%M}, has not had its initial "
            f"written response. It is due {request.due_date:%A %Y-%m-%d}, 10 business days "
            "after receipt (950 CMR 32.06(2)(b)); a late response waives the fees "
            "(950 CMR 32.06(2)(c)).\n\n"
            f"{request.description[:500]}"
        )
        with transaction.atomic():
            alert.save()
            audit(
                actor=None,
                action="archive.request_deadline_alert",
                obj=request,
                clause="PRR-1",
                after={"day": day, "due": str(request.due_date), "recipients": recipients},
            )
            if recipients:
                transaction.on_commit(partial(send_mail, subject, body, None, recipients))
    return sent


def request_set_status(
    *, actor: Any, request: RecordsRequest, status: str, note: str = ""
) -> RecordsRequest:
    """Move a request along: initial response sent, extension petitioned, closed."""
    with transaction.atomic():
        before = {"status": request.status}
        now = timezone.now()
        request.status = status
        if (
            status in (RecordsRequest.Status.RESPONDED, RecordsRequest.Status.EXTENDED)
            and not request.initial_response_at
        ):
            request.initial_response_at = now
        if status == RecordsRequest.Status.CLOSED:
            request.closed_at = now
        request.save()
        audit(
            actor=actor,
            action="archive.request_status_changed",
            obj=request,
            before=before,
            after={"status": status},
            note=note,
        )
    return request


PETITION_BUSINESS_DAYS = 20  # G.L. c.66 §10(c): petition the Supervisor within 20 business days


def petition_deadline(request: RecordsRequest) -> dt.date:
    """The last day to petition the Supervisor of Records for an extension (PRR-1)."""
    return business_due_date(request.received_at, PETITION_BUSINESS_DAYS)


def request_petition_file(
    *, actor: Any, request: RecordsRequest, filed_on: dt.date, note: str = ""
) -> RecordsRequest:
    """Record that the records access officer petitioned the Supervisor of Records for more time.

    Refused after the 20th business day from receipt, or before the request was received: the
    petition would not be timely and the log must not say it was.
    """
    last_day = petition_deadline(request)
    received = timezone.localdate(request.received_at)
    if filed_on < received:
        raise PolicyViolation(
            _("A petition cannot be filed before the request was received (%(day)s).")
            % {"day": received.isoformat()},
            clause="G.L. c.66 §10(c)",
            field="filed_on",
        )
    if filed_on > last_day:
        raise PolicyViolation(
            _("Too late to petition: the last day was %(day)s (20 business days from receipt).")
            % {"day": last_day.isoformat()},
            clause="G.L. c.66 §10(c)",
            field="filed_on",
        )
    if request.status == RecordsRequest.Status.CLOSED:
        raise PolicyViolation(_("This request is closed."), field="filed_on")
    with transaction.atomic():
        before = {"petition_filed_on": request.petition_filed_on, "status": request.status}
        request.petition_filed_on = filed_on
        request.petition_decision = RecordsRequest.PetitionDecision.PENDING
        request.petition_decided_on = None
        request.extended_due_date = None
        request.status = RecordsRequest.Status.EXTENDED
        request.save()
        audit(actor=actor, action="archive.request_petition_filed", obj=request, before=before,
              after={"petition_filed_on": filed_on.isoformat(), "status": request.status,
                     "petition_deadline": last_day.isoformat()}, note=note)  # fmt: skip
    return request


def request_petition_decide(
    *,
    actor: Any,
    request: RecordsRequest,
    decision: str,
    decided_on: dt.date,
    extended_to: dt.date | None = None,
    note: str = "",
) -> RecordsRequest:
    """Record the Supervisor of Records' decision on the petition; a grant carries the new date."""
    if not request.petition_filed_on:
        raise PolicyViolation(_("No petition has been filed for this request."), field="decision")
    if decision not in (RecordsRequest.PetitionDecision.GRANTED, RecordsRequest.PetitionDecision.DENIED):
        raise PolicyViolation(_("The decision is either granted or denied."), field="decision")
    if decided_on < request.petition_filed_on:
        raise PolicyViolation(_("The decision cannot come before the petition."), field="decided_on")
    if decision == RecordsRequest.PetitionDecision.GRANTED:
        if extended_to is None or extended_to <= request.due_date:
            raise PolicyViolation(
                _("A granted extension needs the new date, after %(due)s.") % {"due": request.due_date.isoformat()},
                field="extended_to",
            )
    else:
        extended_to = None
    with transaction.atomic():
        before = {"petition_decision": request.petition_decision,
                  "extended_due_date": request.extended_due_date}  # fmt: skip
        request.petition_decision = decision
        request.petition_decided_on = decided_on
        request.extended_due_date = extended_to
        request.save()
        audit(actor=actor, action="archive.request_petition_decided", obj=request, before=before,
              after={"petition_decision": decision, "decided_on": decided_on.isoformat(),
                     "extended_due_date": extended_to.isoformat() if extended_to else None},
              note=note)  # fmt: skip
    return request


FREE_HOURS = Decimal(2)  # municipal rule: no charge for the first 2 hours (PRR-6)
RATE_CAP_CENTS = 2500  # $25/hour unless the Supervisor of Records approved more


def fee_estimate_cents(
    *, hours: Decimal, hourly_rate_cents: int, approval_reference: str = ""
) -> int:
    """PRR-6: first 2 hours free; the rate is capped at $25/hour without a Supervisor approval."""
    rate = (
        hourly_rate_cents if approval_reference.strip() else min(hourly_rate_cents, RATE_CAP_CENTS)
    )
    billable = max(Decimal(0), hours - FREE_HOURS)
    return int((billable * rate).to_integral_value())


def fees_locked(request: RecordsRequest, today: dt.date | None = None) -> bool:
    """PRR-2: no fee may be charged when the initial response missed its 10-business-day deadline."""
    today = today or timezone.localdate()
    responded = request.initial_response_at
    if responded is not None:
        return timezone.localtime(responded).date() > request.due_date
    return today > request.due_date


def request_set_fee(
    *,
    actor: Any,
    request: RecordsRequest,
    hours_search: Decimal,
    hours_redaction: Decimal,
    hourly_rate_cents: int,
    rate_approval_reference: str = "",
    override_reason: str = "",
) -> RecordsRequest:
    """Record staff time and the fee (PRR-6). Blocked at $0 when the deadline was missed
    (PRR-2, 950 CMR 32.06(2)(c)) unless a documented override reason is given."""
    fee = fee_estimate_cents(
        hours=hours_search + hours_redaction,
        hourly_rate_cents=hourly_rate_cents,
        approval_reference=rate_approval_reference,
    )
    if fee and fees_locked(request) and not override_reason.strip():
        raise PolicyViolation(
            "The initial response was not given within 10 business days: no fee may be charged "
            "(950 CMR 32.06(2)(c)) without a documented override.",
            field="fee",
        )
    with transaction.atomic():
        before = {"fee_cents": request.fee_cents}
        request.hours_search, request.hours_redaction = hours_search, hours_redaction
        request.hourly_rate_cents, request.rate_approval_reference = (
            hourly_rate_cents,
            rate_approval_reference,
        )
        request.fee_cents, request.fee_override_reason = fee, override_reason
        request.save()
        audit(
            actor=actor,
            action="archive.request_fee_set",
            obj=request,
            before=before,
            after={"fee_cents": fee, "override": override_reason},
        )
    return request


def request_records(request: RecordsRequest) -> list[Record]:
    """The records a request's saved searches select, ordered by chain and sequence."""
    from steward.archive.selectors import record_search_unscoped

    ids: set[int] = set()
    for ss in request.saved_searches.all():
        ids.update(
            record_search_unscoped(query=ss.query, filters=ss.filters).values_list("id", flat=True)
        )
    return list(
        Record.objects.filter(id__in=ids).select_related("account").order_by("chain", "seq")
    )


def roster_for_redaction() -> list[Any]:
    """Every student in the roster (FERPA-5: only names, ids, opt-out)."""
    from steward.archive.redaction import RosterStudent
    from steward.people.models import Person

    out = []
    for p in Person.objects.filter(kind=Person.Kind.STUDENT).only(
        "id", "given_name", "family_name", "preferred_name", "identifier", "email", "media_opt_out"
    ):
        out.append(
            RosterStudent(
                first_name=p.given_name,
                last_name=p.family_name,
                preferred_name=p.preferred_name,
                ref=str(p.pk),
                student_ids=(p.identifier,) if p.identifier else (),
                emails=(p.email,) if p.email else (),
                media_opt_out=bool(p.media_opt_out),
            )
        )
    return out


def request_redactions_propose(
    *, actor: Any, request: RecordsRequest, student_email_domains: Sequence[str] = ()
) -> int:
    """Run student-data redaction over the request's records (PRR-5, FERPA-3). Confident matches
    are logged as applied, candidates as proposed; a person reviews both before export."""
    from steward.archive.redaction import Redactor

    redactor = Redactor(roster_for_redaction(), student_email_domains=student_email_domains)
    created = 0
    with transaction.atomic():
        for record in request_records(request):
            if record.is_tombstone:
                continue
            for fld in ("text", "author_name"):
                value = getattr(record, fld)
                result = redactor.redact(value)
                for red, status in [(r, Redaction.Status.APPLIED) for r in result.redactions] + [
                    (r, Redaction.Status.PROPOSED) for r in result.candidates
                ]:
                    _, was_new = Redaction.objects.get_or_create(
                        request=request,
                        record=record,
                        field=fld,
                        start=red.start,
                        end=red.end,
                        defaults={
                            "kind": red.kind,
                            "original": red.original,
                            "replacement": red.replacement,
                            "reason": red.reason,
                            "exemption": red.exemption,
                            "status": status,
                            "student_id": int(red.student_ref) if red.student_ref else None,
                        },
                    )
                    created += int(was_new)
        audit(
            actor=actor,
            action="archive.redactions_proposed",
            obj=request,
            after={"created": created},
        )
    return created


def redaction_decide(*, actor: Any, redaction: Redaction, apply: bool) -> Redaction:
    with transaction.atomic():
        before = {"status": redaction.status}
        redaction.status = Redaction.Status.APPLIED if apply else Redaction.Status.REJECTED
        redaction.decided_by = actor if getattr(actor, "pk", None) else None
        redaction.decided_at = timezone.now()
        redaction.automatic = False
        redaction.save()
        audit(
            actor=actor,
            action="archive.redaction_decided",
            obj=redaction.request,
            before=before,
            after={"redaction": redaction.pk, "status": redaction.status},
        )
    return redaction


def redaction_add(
    *,
    actor: Any,
    request: RecordsRequest,
    record: Record,
    start: int,
    end: int,
    reason: str,
    exemption: str,
    kind: str = "other",
    field: str = "text",
) -> Redaction:
    """A redaction a person marks by hand."""
    value = getattr(record, field)
    if not (0 <= start < end <= len(value)):
        raise PolicyViolation("The span is outside the text.", field="start")
    with transaction.atomic():
        red = Redaction.objects.create(
            request=request,
            record=record,
            field=field,
            kind=kind,
            start=start,
            end=end,
            original=value[start:end],
            replacement=f"[REDACTED: {kind}]",
            reason=reason,
            exemption=exemption,
            status=Redaction.Status.APPLIED,
            automatic=False,
            decided_by=actor if getattr(actor, "pk", None) else None,
            decided_at=timezone.now(),
        )
        audit(
            actor=actor, action="archive.redaction_added", obj=request, after={"redaction": red.pk}
        )
    return red


def apply_redactions(value: str, spans: Sequence[Redaction]) -> str:
    out, pos = [], 0
    for r in sorted(spans, key=lambda r: r.start):
        if r.start < pos:
            continue
        out.append(value[pos : r.start])
        out.append(r.replacement)
        pos = r.end
    out.append(value[pos:])
    return "".join(out)


def request_export(
    *,
    actor: Any,
    request: RecordsRequest,
    recipient: str,
    purpose: str,
    recipient_affiliation: str = "",
    position: str = "",
    include_warc: bool = False,
    signing_key: str | None = None,
) -> Any:
    """Write the verifiable export bundle (PRR-4) and log the disclosure (FERPA-4, 603 CMR 23.07).

    Refuses while proposed redactions await review: nothing is released unreviewed (FERPA-3).
    """
    from steward.archive.bundle import BundleRecord, bundle_write
    from steward.archive.models import DisclosureLog

    if request.redactions.filter(status=Redaction.Status.PROPOSED).exists():
        raise PolicyViolation("Review every proposed redaction before exporting.", clause="0.2")
    records = request_records(request)
    applied: dict[int, list[Redaction]] = {}
    for red in request.redactions.filter(status=Redaction.Status.APPLIED):
        applied.setdefault(red.record_id, []).append(red)
    bundle_records = []
    media: dict[str, tuple[str, bytes]] = {}
    redaction_rows: list[dict[str, Any]] = []
    for r in records:
        content = r.content()
        if content is None:
            content = {"kind": r.kind, "platform_id": r.platform_id, "disposed": True}
        released = None
        reds = applied.get(r.pk, [])
        if reds:
            released = dict(content)
            for fld in ("text", "author_name"):
                spans = [x for x in reds if x.field == fld]
                if spans:
                    released[fld] = apply_redactions(getattr(r, fld), spans)
            released["raw_sha256"] = "withheld"
            released["media"] = []
            for x in reds:
                redaction_rows.append(
                    {
                        "record_id": str(r.pk),
                        "field": x.field,
                        "kind": x.kind,
                        "exemption": x.exemption,
                        "reason": x.reason,
                        "replacement": x.replacement,
                    }
                )
            if r.media:
                redaction_rows.append(
                    {
                        "record_id": str(r.pk),
                        "field": "media",
                        "kind": "media",
                        "exemption": reds[0].exemption,
                        "reason": "attached to a record naming a student; withheld pending review",
                        "replacement": "",
                    }
                )
        elif r.media and not r.is_tombstone:
            for m in Media.objects.filter(sha256__in=r.media, disposed_at__isnull=True):
                with m.file.open("rb") as fh:
                    media[m.sha256] = (Path(m.file.name or "").suffix, fh.read())
        bundle_records.append(
            BundleRecord(
                record_id=str(r.pk),
                content=content,
                proof=r.proof(),
                released=released,
                raw=r.raw_payload.encode("utf-8") if r.raw_payload else None,
                raw_uri=f"urn:steward:{r.platform}:{r.platform_id or r.pk}",
            )
        )
    now = timezone.now()
    label = actor_label(actor)
    path = Path(tempfile.mkdtemp(prefix="steward-bundle-")) / "bundle.zip"
    bundle_write(
        path,
        records=bundle_records,
        media=media,
        request={
            "reference": request.reference,
            "requester": request.requester,
            "received_at": request.received_at.isoformat(),
            "description": request.description,
        },
        redactions=redaction_rows,
        exporter=label,
        exported_at=now,
        include_warc=include_warc,
        signing_key=signing_key,
    )
    data = path.read_bytes()
    path.unlink()
    path.parent.rmdir()
    with transaction.atomic():
        log = DisclosureLog(
            request=request,
            released_by=actor if getattr(actor, "pk", None) else None,
            released_by_label=label,
            position=position,
            recipient=recipient,
            recipient_affiliation=recipient_affiliation,
            released_at=now,
            purpose=purpose,
            parts="records " + ", ".join(str(r.pk) for r in records),
            record_count=len(records),
            redacted_count=sum(1 for b in bundle_records if b.redacted),
            student_record_material=any(r.kind == Record.Kind.MESSAGE for r in records)
            or bool(applied),
            bundle_sha256=hashlib.sha256(data).hexdigest(),
        )
        log.bundle_file.save(
            f"{request.reference}-{now:%Y%m%dT%H%M%S}.zip", ContentFile(data), save=False
        )
        log.save()
        audit(
            actor=actor,
            action="archive.bundle_exported",
            obj=request,
            clause="1.6",
            after={"disclosure": log.pk, "records": len(records), "sha256": log.bundle_sha256},
        )
    return log


# --- holds, retention, purge --------------------------------------------------------------


def hold_place(
    *,
    actor: Any,
    matter: str,
    custodian: str,
    account: Any = None,
    saved_search: SavedSearch | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> LegalHold:
    """Place a legal hold (HOLD-1) by account and/or saved search, optionally limited to dates."""
    if account is None and saved_search is None:
        raise PolicyViolation("A hold needs an account or a saved search.", field="account")
    with transaction.atomic():
        hold = LegalHold.objects.create(
            matter=matter,
            custodian=custodian,
            account=account,
            saved_search=saved_search,
            date_from=date_from,
            date_to=date_to,
            starts_at=timezone.now(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(actor=actor, action="archive.hold_placed", obj=hold, after={"matter": matter})
    return hold


def hold_release(*, actor: Any, hold: LegalHold, directive: str) -> LegalHold:
    """Lift a hold; needs the written directive's reference (HOLD-1)."""
    if not directive.strip():
        raise PolicyViolation(
            "Lifting a hold needs the written directive's reference.", field="directive"
        )
    with transaction.atomic():
        hold.released_at = timezone.now()
        hold.release_directive = directive
        hold.released_by = actor if getattr(actor, "pk", None) else None
        hold.save()
        audit(actor=actor, action="archive.hold_released", obj=hold, after={"directive": directive})
    return hold


def retention_rule_create(
    *,
    actor: Any,
    retain_days: int,
    series: str,
    kind: str = "",
    account: Any = None,
    authority: str = "",
) -> RetentionRule:
    """Map records to a retention series (REC-4); audit-logged."""
    with transaction.atomic():
        rule = RetentionRule.objects.create(
            kind=kind,
            account=account,
            retain_days=retain_days,
            series=series,
            authority=authority,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(
            actor=actor,
            action="archive.retention_rule_created",
            obj=rule,
            after={
                "kind": kind,
                "account": getattr(account, "pk", None),
                "retain_days": retain_days,
                "series": series,
            },
        )
    return rule


def retention_rule_deactivate(*, actor: Any, rule: RetentionRule) -> RetentionRule:
    with transaction.atomic():
        rule.active = False
        rule.save(update_fields=["active"])
        audit(actor=actor, action="archive.retention_rule_deactivated", obj=rule)
    return rule


def held_record_ids(candidate_ids: Iterable[int] | None = None) -> set[int]:
    """Records under an active hold, or responsive to an open request or one closed within the
    appeal window (HOLD-2). Every version of a held item is held."""
    from steward.archive.selectors import record_search_unscoped

    now = timezone.now()
    ids: set[int] = set()
    for hold in LegalHold.objects.filter(released_at__isnull=True):
        qs = Record.objects.all()
        if hold.account_id:
            qs = qs.filter(account_id=hold.account_id)
        if hold.saved_search_id:
            assert hold.saved_search is not None
            qs = qs.filter(
                id__in=record_search_unscoped(
                    query=hold.saved_search.query, filters=hold.saved_search.filters
                ).values("id")
            )
        if hold.date_from:
            qs = qs.filter(captured_at__date__gte=hold.date_from)
        if hold.date_to:
            qs = qs.filter(captured_at__date__lte=hold.date_to)
        ids.update(qs.values_list("id", flat=True))
    from django.db.models import Q

    open_requests = RecordsRequest.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=now - APPEAL_WINDOW)
    )
    for req in open_requests.prefetch_related("saved_searches"):
        for ss in req.saved_searches.all():
            ids.update(
                record_search_unscoped(query=ss.query, filters=ss.filters).values_list(
                    "id", flat=True
                )
            )
    if not ids:
        return ids
    keys = set(
        Record.objects.filter(id__in=ids)
        .exclude(platform_id="")
        .values_list("chain", "platform_id")
    )
    for chain_id, pid in keys:
        ids.update(
            Record.objects.filter(chain=chain_id, platform_id=pid).values_list("id", flat=True)
        )
    return ids


@dataclass
class PurgePlan:
    eligible: list[tuple[Record, RetentionRule]] = field(default_factory=list)
    held: list[tuple[Record, RetentionRule]] = field(default_factory=list)


def purge_plan(*, now: dt.datetime | None = None) -> PurgePlan:
    """Which records are past retention (the longest applicable rule wins) and which of those are
    held. Records no rule covers are never eligible (RET-1)."""
    now = now or timezone.now()
    rules = list(RetentionRule.objects.filter(active=True))
    if not rules:
        return PurgePlan()
    shortest = min(r.retain_days for r in rules)
    candidates = Record.objects.filter(
        tombstoned_at__isnull=True, captured_at__lt=now - dt.timedelta(days=shortest)
    )
    plan = PurgePlan()
    chosen: list[tuple[Record, RetentionRule]] = []
    for record in candidates.iterator(chunk_size=2000):
        applicable = [
            r
            for r in rules
            if (not r.kind or r.kind == record.kind)
            and (r.account_id is None or r.account_id == record.account_id)
        ]
        if not applicable:
            continue
        rule = max(applicable, key=lambda r: r.retain_days)
        if record.captured_at < now - dt.timedelta(days=rule.retain_days):
            chosen.append((record, rule))
    held = held_record_ids()
    for record, rule in chosen:
        (plan.held if record.pk in held else plan.eligible).append((record, rule))
    return plan


def _purge_permit(on: bool) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT set_config('steward.archive_purge', %s, true)", ["on" if on else "off"]
            )
        elif on:
            cur.execute("INSERT INTO archive_purgepermit (token) VALUES ('purge')")
        else:
            cur.execute("DELETE FROM archive_purgepermit")


def archive_purge(
    *, actor: Any, approval_reference: str, dry_run: bool = True, now: dt.datetime | None = None
) -> tuple[PurgePlan, list[DispositionLog]]:
    """Dispose of records past retention that no hold covers (RET-1, RET-2, HOLD-1, HOLD-2).

    Each disposed record becomes a tombstone: text, author, raw payload and media references are
    destroyed; chain fields and the content hash stay, so the archive still verifies, and a
    DispositionLog certificate names the record, its hashes, the rule and the approval.
    """
    plan = purge_plan(now=now)
    if dry_run:
        return plan, []
    if not approval_reference.strip():
        raise PolicyViolation(
            "Disposition needs the Supervisor of Records approval reference (RET-1).",
            field="approval_reference",
        )
    batch = f"disp-{uuid.uuid4().hex[:12]}"
    performed_at = timezone.now()
    label = actor_label(actor)
    logs = []
    with transaction.atomic():
        _purge_permit(True)
        for record, rule in plan.eligible:
            logs.append(
                DispositionLog(
                    batch=batch,
                    record=record,
                    chain=record.chain,
                    seq=record.seq,
                    content_hash=record.content_hash,
                    hash=record.hash,
                    kind=record.kind,
                    platform_id=record.platform_id,
                    captured_at=record.captured_at,
                    rule=rule,
                    series=rule.series,
                    approval_reference=approval_reference,
                    method=(
                        "content overwritten in place (tombstone); index entry deleted; media "
                        "files no other record uses deleted"
                    ),
                    performed_by=label,
                    performed_at=performed_at,
                )
            )
            Record.objects.filter(pk=record.pk).update(
                text="",
                author_name="",
                author_platform_id="",
                raw_payload="",
                media=[],
                extra={},
                tombstoned_at=performed_at,
            )
        DispositionLog.objects.bulk_create(logs)
        search.unindex([r.pk for r, _ in plan.eligible])
        _purge_permit(False)
        media_disposed = _media_dispose(
            {sha for record, _ in plan.eligible for sha in record.media or []}, performed_at
        )
        if logs:
            audit(
                actor=actor,
                action="archive.records_disposed",
                obj=logs[0].rule,
                clause="1.6",
                after={
                    "batch": batch,
                    "records": len(logs),
                    "held_skipped": len(plan.held),
                    "approval": approval_reference,
                    "media_files_deleted": media_disposed,
                },
            )
    return plan, logs


def _media_dispose(shas: set[str], when: dt.datetime) -> list[str]:
    """Delete the files of media that only disposed records referenced (RET-2). The Media row
    stays, marked disposed, with its hash and size: what was destroyed remains provable, as the
    record's tombstone keeps its content hash. Files go once the transaction commits, so a purge
    that rolls back deletes nothing; a file shared with a live record is kept."""
    if not shas:
        return []
    live: set[str] = set()
    for media in (
        Record.objects.filter(tombstoned_at__isnull=True)
        .exclude(media=[])
        .values_list("media", flat=True)
    ):
        live.update(sha for sha in media or [] if sha in shas)
    disposed = []
    for item in Media.objects.filter(sha256__in=shas - live, disposed_at__isnull=True):
        item.disposed_at = when
        item.save(update_fields=["disposed_at"])
        disposed.append(item.sha256)
        if item.file and item.file.name:
            transaction.on_commit(partial(item.file.storage.delete, item.file.name))
    return sorted(disposed)

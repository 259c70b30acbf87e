"""Records-request export bundles: write and verify offline (PRR-4, PRR-5, INT-2, INT-6, REC-5).

Pure Python, no Django import: ``records_verify BUNDLE`` runs on a requester's or a court's machine
without the district's database. A bundle is a ZIP holding

====================== ============================================================================
``README.txt``         what the requester received and how to check it (``sha256sum -c SHA256SUMS``)
``records.jsonl``      one record per line: the released record, whether it was redacted, its proof
``records.csv``        the same, flat, for spreadsheets (NARA CSV practice)
``records.html``       a readable view: threads in order, replies indented (REC-5)
``data_dictionary.csv`` every column explained
``redactions.csv``     the withholding/exemption table: record, field, kind, exemption, reason
``media/<sha256>.<ext>`` media files, named by their hash
``raw/payloads.warc.gz`` optional: the raw payloads as WARC ``resource`` records (unredacted records only)
``certification_draft.txt`` draft FRE 902(13)/(14)-style certification for a qualified person
``manifest.json``      request, exporter, time, every file's SHA-256 and size, every record's proof
``manifest.sig.json``  optional Ed25519 signature over ``manifest.json`` with the public key
``SHA256SUMS``         ``sha256sum -c`` compatible list of every other file
====================== ============================================================================

A record's proof is its chain position ``(chain, seq, prev_hash, content_hash, hash)``. For an
unredacted record the verifier recomputes ``content_hash`` from the released record, then ``hash``;
for a redacted one the content cannot be recomputed (that is the point of redaction) but the link
still verifies, and consecutive records of a chain in the bundle must link to each other.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steward.archive import chain as chainlib

FORMAT = "steward-records-bundle/1"

CSV_COLUMNS = [
    ("record_id", "Steward's id for this record version"),
    ("chain", "The hash chain the record belongs to (one per account)"),
    ("seq", "Position of the record in its chain (1, 2, 3, ...)"),
    ("kind", "post, comment, reply, message, media, moderation_decision or manual_preservation"),
    ("version", "created, edited, hidden, unhidden, deleted_by_author or removed_by_district"),
    ("platform", "facebook, instagram, x, youtube, tiktok or manual"),
    ("account", "The district account (handle) the record was captured from"),
    ("platform_id", "The platform's own id for the item (text)"),
    ("parent_id", "Platform id of the item this one answers"),
    ("thread_id", "Platform id of the thread or conversation"),
    ("author_id", "Author's platform id"),
    ("author_name", "Author's display name at capture"),
    ("created_at", "When the platform says the item was created (UTC, ISO 8601)"),
    ("captured_at", "When Steward captured this version (UTC, ISO 8601)"),
    ("source", "webhook, poll, export (platform export file) or upload"),
    ("state", "Platform state of the item when this version was captured"),
    ("text", "The text as released (redactions marked [REDACTED: ...])"),
    ("media", "SHA-256 of attached media files, separated by ';' (files in media/)"),
    ("redacted", "true if part of this record was withheld; see redactions.csv"),
    ("content_hash", "SHA-256 of the record's canonical content at capture"),
    ("hash", "SHA-256 chaining this record to the previous one in its chain"),
]


@dataclass
class BundleRecord:
    """One record as it goes into a bundle.

    ``content`` is exactly what the archive hashed (JSON-native values only). ``released`` is what
    the requester may see: ``content`` itself, or a redacted copy.
    """

    record_id: str
    content: Mapping[str, Any]
    proof: Mapping[str, Any]  # chain, seq, prev_hash, content_hash, hash
    released: Mapping[str, Any] | None = None
    raw: bytes | None = None
    raw_uri: str = ""

    @property
    def redacted(self) -> bool:
        return self.released is not None and dict(self.released) != dict(self.content)

    def public(self) -> Mapping[str, Any]:
        return self.released if self.released is not None else self.content


@dataclass
class BundleReport:
    ok: bool
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0
    records_checked: int = 0
    records_redacted: int = 0
    signature: str = "absent"  # absent | valid | invalid | untrusted

    def summary(self) -> str:
        head = "OK" if self.ok else "FAILED"
        return (
            f"{head}: {self.files_checked} files, {self.records_checked} records "
            f"({self.records_redacted} redacted), signature {self.signature}"
        )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(_fmt(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _csv(rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_fmt(v) for v in row])
    return buf.getvalue().encode("utf-8")


def _html(records: Sequence[BundleRecord], request: Mapping[str, Any]) -> bytes:
    """Threads in order, replies indented, every version shown (REC-5)."""
    by_platform_id: dict[str, list[BundleRecord]] = {}
    for r in records:
        by_platform_id.setdefault(str(r.public().get("platform_id", "")), []).append(r)
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    for pid, versions in by_platform_id.items():
        parent = str(versions[0].public().get("parent_id") or "")
        if parent and parent in by_platform_id:
            children.setdefault(parent, []).append(pid)
        else:
            roots.append(pid)

    def created(pid: str) -> str:
        return str(by_platform_id[pid][0].public().get("created_at") or "")

    out: list[str] = []

    def render(pid: str, depth: int) -> None:
        for r in by_platform_id[pid]:
            p = r.public()
            flag = ' <strong class="redacted">(redacted)</strong>' if r.redacted else ""
            out.append(
                f'<article style="margin-left:{depth * 2}em" id="r{html.escape(r.record_id)}">'
                f"<header><b>{html.escape(str(p.get('author_name') or p.get('author_id') or ''))}</b> · "
                f"{html.escape(str(p.get('kind', '')))} · {html.escape(str(p.get('version', '')))} · "
                f"{html.escape(str(p.get('platform', '')))} {html.escape(str(p.get('account', '')))} · "
                f"created {html.escape(str(p.get('created_at') or ''))} · captured "
                f"{html.escape(str(p.get('captured_at') or ''))} · state {html.escape(str(p.get('state', '')))}{flag}</header>"
                f"<p>{html.escape(str(p.get('text') or '')).replace(chr(10), '<br>')}</p>"
                f"<footer><small>record {html.escape(r.record_id)} · hash <code>{html.escape(str(r.proof.get('hash', '')))}</code></small></footer>"
                "</article>"
            )
        for child in sorted(children.get(pid, []), key=created):
            render(child, depth + 1)

    for root in sorted(roots, key=created):
        render(root, 0)
    title = html.escape(f"Records — {request.get('reference', '')}")
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>body{{font-family:sans-serif;max-width:60em;margin:auto}}"
        "article{border-left:3px solid #ccc;padding:.3em .8em;margin:.6em 0}.redacted{color:#a00}</style>"
        f"</head><body><h1>{title}</h1><p>{len(records)} records. Text marked [REDACTED: …] was withheld; "
        "see redactions.csv for the exemption cited.</p>" + "".join(out) + "</body></html>"
    )
    return page.encode("utf-8")


def _warc(records: Sequence[BundleRecord], exported_at: str) -> bytes:
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            "payloads.warc.gz",
            {
                "software": "Steward archive",
                "format": "WARC File Format 1.1",
                "created": exported_at,
            },
        )
    )
    for r in records:
        if r.raw is None or r.redacted:
            continue  # a redacted record's raw payload holds what was withheld
        rec = writer.create_warc_record(
            r.raw_uri or f"urn:steward:record:{r.record_id}",
            "resource",
            payload=io.BytesIO(r.raw),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Date": exported_at, "Steward-Record-ID": r.record_id},
        )
        writer.write_record(rec)
    return buf.getvalue()


README = """Public records response {reference}
=====================================

Prepared by {district} under G.L. c.66 §10 for: {requester}
Request received: {received}    Exported: {exported_at}    Exported by: {exporter}

What is in this package
-----------------------
records.csv / records.jsonl   {count} records from the district's social media archive, one per
                              version (an edited or removed item appears once per version).
records.html                  the same records as readable threads.
media/                        photos and videos attached to the records, named by their SHA-256.
redactions.csv                every passage withheld and the exemption relied on ({redacted} records).
data_dictionary.csv           what each column means.
raw/payloads.warc.gz          (if present) the data exactly as received from the platforms.
manifest.json                 the SHA-256 of every file and the hash-chain proof of every record.

How to check that nothing was altered
-------------------------------------
1. In this folder run:  sha256sum -c SHA256SUMS      (every line must say OK)
2. Or run:  steward records_verify <this file>.zip     (also checks each record's hash-chain proof)
{signature_note}
Questions: contact the Records Access Officer, {district}.
"""

CERTIFICATION = """DRAFT — for review and signature by a qualified person (FRE 902(11)/(13)/(14);
Mass. G. Evid. §901 equivalent to be confirmed by counsel).

I, ______________________, am the ______________________ of {district} and a custodian of its
social media archive ("Steward"). Steward captures content from the district's registered accounts
through platform webhooks, scheduled polling and platform export files. At capture it computes a
SHA-256 hash over the canonical form of each record version and links it to the previous record of
the same account in an append-only hash chain; the database refuses updates and deletions of
archived records.

The {count} records in this package (request {reference}) were exported on {exported_at} by
{exporter}. manifest.json lists the SHA-256 hash of every file and the chain proof of every record.
Redactions were made to export copies only; the archived originals are unchanged and still verify.

Signature: ______________________   Date: ______________
"""


def bundle_write(
    path: str | Path,
    *,
    records: Sequence[BundleRecord],
    media: Mapping[str, tuple[str, bytes]] | None = None,
    request: Mapping[str, Any],
    redactions: Sequence[Mapping[str, Any]] = (),
    exporter: str,
    exported_at: dt.datetime,
    district: str = "Lawrence Public Schools",
    include_warc: bool = False,
    signing_key: str | None = None,
) -> dict[str, Any]:
    """Write a bundle ZIP and return its manifest.

    ``media`` maps SHA-256 → (file extension, bytes). ``redactions`` rows need ``record_id``,
    ``field``, ``kind``, ``exemption``, ``reason``, ``replacement`` — never the withheld text.
    """
    stamp = exported_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    files: dict[str, bytes] = {}
    lines = []
    for r in records:
        lines.append(
            json.dumps(
                {
                    "record_id": r.record_id,
                    "redacted": r.redacted,
                    "record": r.public(),
                    "proof": dict(r.proof),
                },
                sort_keys=True,
                ensure_ascii=False,
            )
        )
    files["records.jsonl"] = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    header = [c for c, _ in CSV_COLUMNS]
    rows: list[list[Any]] = [header]
    for r in records:
        p = dict(r.public())
        p.update(
            record_id=r.record_id,
            redacted=r.redacted,
            **{k: r.proof.get(k) for k in ("chain", "seq", "content_hash", "hash")},
        )
        rows.append([p.get(c) for c in header])
    files["records.csv"] = _csv(rows)
    files["data_dictionary.csv"] = _csv([("column", "meaning"), *CSV_COLUMNS])
    files["redactions.csv"] = _csv(
        [("record_id", "field", "kind", "exemption", "reason", "replacement")]
        + [
            [
                d.get(k, "")
                for k in ("record_id", "field", "kind", "exemption", "reason", "replacement")
            ]
            for d in redactions
        ]
    )
    files["records.html"] = _html(records, request)
    for sha, (ext, data) in sorted((media or {}).items()):
        if _sha(data) != sha:
            raise ValueError(f"media {sha} does not hash to its name")
        files[f"media/{sha}{ext}"] = data
    if include_warc:
        files["raw/payloads.warc.gz"] = _warc(records, stamp)
    redacted_count = sum(1 for r in records if r.redacted)
    signature_note = (
        "3. manifest.sig.json holds an Ed25519 signature of manifest.json by the district's key.\n"
        if signing_key
        else ""
    )
    files["README.txt"] = README.format(
        reference=request.get("reference", ""),
        district=district,
        requester=request.get("requester", ""),
        received=request.get("received_at", ""),
        exported_at=stamp,
        exporter=exporter,
        count=len(records),
        redacted=redacted_count,
        signature_note=signature_note,
    ).encode("utf-8")
    files["certification_draft.txt"] = CERTIFICATION.format(
        district=district,
        count=len(records),
        reference=request.get("reference", ""),
        exported_at=stamp,
        exporter=exporter,
    ).encode("utf-8")

    chains: dict[str, dict[str, Any]] = {}
    for r in records:
        c = chains.setdefault(
            str(r.proof["chain"]),
            {"records": 0, "first_seq": r.proof["seq"], "last_seq": r.proof["seq"]},
        )
        c["records"] += 1
        c["first_seq"] = min(c["first_seq"], r.proof["seq"])
        c["last_seq"] = max(c["last_seq"], r.proof["seq"])
    manifest = {
        "format": FORMAT,
        "request": dict(request),
        "exported_at": stamp,
        "exporter": exporter,
        "district": district,
        "hash_algorithm": "sha256",
        "chain_hash_version": chainlib.HASH_VERSION,
        "files": [
            {"path": name, "sha256": _sha(data), "bytes": len(data)}
            for name, data in sorted(files.items())
        ],
        "records": [
            {"record_id": r.record_id, "redacted": r.redacted, **dict(r.proof)} for r in records
        ],
        "chains": chains,
    }
    files["manifest.json"] = json.dumps(
        manifest, indent=2, sort_keys=True, ensure_ascii=False
    ).encode("utf-8")
    if signing_key:
        files["manifest.sig.json"] = json.dumps(
            {
                "algorithm": "Ed25519",
                "public_key": chainlib.public_key_of(signing_key),
                "signature": chainlib.checkpoint_sign(files["manifest.json"], signing_key),
                "signed": "manifest.json",
            },
            indent=2,
        ).encode("utf-8")
    files["SHA256SUMS"] = "".join(
        f"{_sha(data)}  {name}\n" for name, data in sorted(files.items())
    ).encode("utf-8")

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            # WARC is already gzip-compressed and WACZ practice stores it as is.
            compress = zipfile.ZIP_STORED if name.endswith(".gz") else zipfile.ZIP_DEFLATED
            zf.writestr(
                zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=compress
            )
    return manifest


def bundle_verify(path: str | Path, *, trusted_public_key: str | None = None) -> BundleReport:
    """Check a bundle offline: file hashes, record proofs, chain continuity, raw payloads, signature.

    With ``trusted_public_key`` (the district's published key) a signature by any other key fails;
    without it a valid signature is reported as ``untrusted`` (self-consistent only).
    """
    report = BundleReport(ok=True)

    def problem(text: str) -> None:
        report.ok = False
        report.problems.append(text)

    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return BundleReport(ok=False, problems=[f"not a readable ZIP: {exc}"])
    with zf:
        names = {n for n in zf.namelist() if not n.endswith("/")}
        data = {n: zf.read(n) for n in names}
    if "SHA256SUMS" not in data or "manifest.json" not in data:
        return BundleReport(ok=False, problems=["SHA256SUMS or manifest.json missing"])

    sums: dict[str, str] = {}
    for line in data["SHA256SUMS"].decode("utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        sums[name.lstrip("*")] = digest
    for name, digest in sorted(sums.items()):
        if name not in data:
            problem(f"{name}: listed in SHA256SUMS but missing")
        elif _sha(data[name]) != digest:
            problem(f"{name}: SHA-256 does not match SHA256SUMS")
        report.files_checked += 1
    for name in sorted(names - set(sums) - {"SHA256SUMS"}):
        problem(f"{name}: not listed in SHA256SUMS")

    try:
        manifest = json.loads(data["manifest.json"])
    except json.JSONDecodeError:
        problem("manifest.json is not valid JSON")
        return report
    for entry in manifest.get("files", []):
        name = entry["path"]
        if name not in data:
            problem(f"{name}: listed in manifest.json but missing")
        elif _sha(data[name]) != entry["sha256"] or len(data[name]) != entry["bytes"]:
            problem(f"{name}: does not match manifest.json")
    listed = {e["path"] for e in manifest.get("files", [])}
    for name in sorted(names - listed - {"manifest.json", "manifest.sig.json", "SHA256SUMS"}):
        problem(f"{name}: not listed in manifest.json")

    if "manifest.sig.json" in data:
        sig = json.loads(data["manifest.sig.json"])
        valid = chainlib.checkpoint_verify(
            data["manifest.json"], sig.get("signature", ""), sig.get("public_key", "")
        )
        if not valid:
            report.signature = "invalid"
            problem("manifest.sig.json: signature does not verify")
        elif trusted_public_key and sig.get("public_key") != trusted_public_key:
            report.signature = "invalid"
            problem("manifest.sig.json: signed by a key other than the trusted one")
        else:
            report.signature = "valid" if trusted_public_key else "untrusted"

    proofs = {str(p["record_id"]): p for p in manifest.get("records", [])}
    raw_digests: dict[str, str] = {}
    if "raw/payloads.warc.gz" in data:
        from warcio.archiveiterator import ArchiveIterator

        for rec in ArchiveIterator(io.BytesIO(data["raw/payloads.warc.gz"])):
            if rec.rec_type == "resource":
                rid = rec.rec_headers.get_header("Steward-Record-ID")
                raw_digests[str(rid)] = _sha(rec.content_stream().read())

    last: dict[str, tuple[int, str]] = {}
    lines = data.get("records.jsonl", b"").decode("utf-8").splitlines()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        report.records_checked += 1
        try:
            item = json.loads(line)
            rid = str(item["record_id"])
            proof = item["proof"]
        except (json.JSONDecodeError, KeyError, TypeError):
            problem(f"records.jsonl line {n}: not a record")
            continue
        if proofs.get(rid) is None or {k: proofs[rid].get(k) for k in proof} != proof:
            problem(f"record {rid}: proof differs from manifest.json")
        chain_id, seq = str(proof["chain"]), int(proof["seq"])
        if item.get("redacted"):
            report.records_redacted += 1
        else:
            try:
                if chainlib.content_hash(item["record"]) != proof["content_hash"]:
                    problem(f"record {rid}: content does not match its content hash")
            except chainlib.CanonicalJSONError as exc:
                problem(f"record {rid}: content cannot be hashed ({exc})")
            raw_sha = item["record"].get("raw_sha256")
            if rid in raw_digests and raw_sha and raw_digests[rid] != raw_sha:
                problem(f"record {rid}: raw payload in WARC does not match raw_sha256")
        expected = chainlib.link_hash(
            chain=chain_id,
            seq=seq,
            prev_hash=proof["prev_hash"],
            content_hash=proof["content_hash"],
        )
        if expected != proof["hash"]:
            problem(f"record {rid}: chain hash does not recompute")
        prev = last.get(chain_id)
        if prev is not None and prev[0] + 1 == seq and prev[1] != proof["prev_hash"]:
            problem(f"record {rid}: does not link to record seq {prev[0]} of chain {chain_id}")
        if prev is None or seq > prev[0]:
            last[chain_id] = (seq, proof["hash"])
    if report.records_checked != len(proofs):
        problem(f"records.jsonl has {report.records_checked} records, manifest.json {len(proofs)}")
    return report

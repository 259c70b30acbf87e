"""Export bundles verify offline (PRR-4) and detect tampering."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import subprocess
import zipfile
from pathlib import Path

from steward.archive.bundle import BundleRecord, bundle_verify, bundle_write
from steward.archive.chain import GENESIS_HASH, keypair_generate, next_link

PHOTO = b"\x89PNG fake photo"
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


def records() -> list[BundleRecord]:
    out = []
    head_seq, head_hash = 0, GENESIS_HASH
    for i, (kind, parent, text) in enumerate(
        [
            ("post", "", "Field day!"),
            ("comment", "p0", "Great job Kevin Nguyen"),
            ("reply", "p1", "Thanks"),
        ]
    ):
        raw = f'{{"id":"p{i}","message":"{text}"}}'.encode()
        content = {
            "kind": kind,
            "version": "created",
            "platform": "facebook",
            "account": "lawrenceps",
            "platform_id": f"p{i}",
            "parent_id": parent,
            "text": text,
            "created_at": f"2026-03-0{i + 1}T10:00:00.000000Z",
            "media": [PHOTO_SHA] if i == 0 else [],
            "raw_sha256": hashlib.sha256(raw).hexdigest(),
        }
        link = next_link(chain="account:1", head_seq=head_seq, head_hash=head_hash, content=content)
        head_seq, head_hash = link.seq, link.hash
        proof = {
            "chain": link.chain,
            "seq": link.seq,
            "prev_hash": link.prev_hash,
            "content_hash": link.content_hash,
            "hash": link.hash,
        }
        released = {**content, "text": "Great job [REDACTED: student name]"} if i == 1 else None
        out.append(
            BundleRecord(
                record_id=str(i + 1), content=content, proof=proof, released=released, raw=raw
            )
        )
    return out


def write(tmp_path: Path, **kw: object) -> Path:
    path = tmp_path / "bundle.zip"
    bundle_write(
        path,
        records=records(),
        media={PHOTO_SHA: (".png", PHOTO)},
        request={
            "reference": "PRR-2026-001",
            "requester": "A. Reporter",
            "received_at": "2026-03-10",
        },
        redactions=[
            {
                "record_id": "2",
                "field": "text",
                "kind": "student_name",
                "exemption": "c.4 §7(26)(a)",
                "reason": "roster",
                "replacement": "[REDACTED: student name]",
            }
        ],
        exporter="records_officer",
        exported_at=dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC),
        include_warc=True,
        **kw,  # type: ignore[arg-type]
    )
    return path


def test_bundle_verifies(tmp_path: Path) -> None:
    report = bundle_verify(write(tmp_path))
    assert report.ok, report.problems
    assert report.records_checked == 3 and report.records_redacted == 1
    with zipfile.ZipFile(tmp_path / "bundle.zip") as zf:
        names = set(zf.namelist())
        assert {
            "README.txt",
            "records.jsonl",
            "records.csv",
            "records.html",
            "manifest.json",
            "SHA256SUMS",
            "redactions.csv",
            f"media/{PHOTO_SHA}.png",
            "raw/payloads.warc.gz",
        } <= names
        assert b"Kevin" not in zf.read("records.jsonl")
        assert b"Kevin" not in zf.read("records.csv")
        warc = gzip.decompress(zf.read("raw/payloads.warc.gz"))
        assert b"Field day" in warc and b"Kevin" not in warc  # raw of a redacted record is withheld
        html = zf.read("records.html").decode()
        assert html.index("Field day") < html.index("Great job") < html.index("Thanks")


def test_sha256sum_accepts_the_bundle(tmp_path: Path) -> None:
    path = write(tmp_path)
    out = tmp_path / "x"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(out)
    result = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _rewrite(path: Path, name: str, change) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    files[name] = change(files[name])
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in files.items():
            zf.writestr(n, d)


def test_tampered_record_is_found(tmp_path: Path) -> None:
    path = write(tmp_path)
    _rewrite(path, "records.jsonl", lambda b: b.replace(b"Field day!", b"Field day?"))
    report = bundle_verify(path)
    assert not report.ok
    assert any("records.jsonl" in p for p in report.problems)
    assert any("record 1: content" in p for p in report.problems)


def test_signed_bundle(tmp_path: Path) -> None:
    private, public = keypair_generate()
    path = write(tmp_path, signing_key=private)
    assert bundle_verify(path, trusted_public_key=public).signature == "valid"
    _, other = keypair_generate()
    report = bundle_verify(path, trusted_public_key=other)
    assert not report.ok and report.signature == "invalid"

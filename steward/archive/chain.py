"""The archive's hash chain: canonical JSON, record hashes and verification.

Pure Python, no Django import (STYLE.md "pure core"), so that `records_verify` can check an export
bundle on a machine that has never seen the database.

Design (documented at length in docs/archive.md):

* One chain **per account** (plus one chain per non-account stream, e.g. ``"manual"``). Appends for
  different accounts never contend for the same lock, and a records request about one account can
  prove that account's chain segment without shipping the whole archive.
* Two-level hashing. ``content_hash = SHA-256(canonical(content))`` fixes what was captured
  (INT-1); ``hash = SHA-256(canonical({chain, seq, prev_hash, content_hash}))`` links it to its
  predecessor (INT-3, INT-4). Disposition under an approved retention rule (RET-1, RET-2) destroys
  the content but keeps ``content_hash``: the row becomes a *tombstone* whose link still verifies,
  so purging never breaks the chain and the disposition certificate can name the destroyed hash.
* ``seq`` is dense per chain (1, 2, 3, ...). A missing sequence number is a deleted row.
* Signed checkpoints (Ed25519, INT-2) of ``(chain, seq, head hash)`` make truncation of a chain's
  tail detectable; they are optional because the district controls the key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

GENESIS_HASH = "0" * 64
HASH_VERSION = 1


_SCALARS = frozenset({str, int, bool, type(None)})


class CanonicalJSONError(TypeError):
    """A value cannot be represented canonically (floats, sets, arbitrary objects)."""


def _normalise(value: Any, path: str = "$") -> Any:
    # Floats are refused rather than formatted: 0.1 + 0.2 serialises differently across
    # languages and versions, and a hash that depends on float printing is not reproducible by an
    # independent verifier. Platform payloads are hashed as raw bytes instead (raw_sha256).
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise CanonicalJSONError(f"non-string key {key!r} at {path}")
            out[key] = _normalise(item, f"{path}.{key}") if type(item) not in _SCALARS else item
        return out
    if kind is list:
        return [
            _normalise(item, f"{path}[{i}]") if type(item) not in _SCALARS else item
            for i, item in enumerate(value)
        ]
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise CanonicalJSONError(f"float at {path}: store numbers as int or str")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise CanonicalJSONError(f"naive datetime at {path}")
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")[:-6] + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJSONError(f"non-string key {key!r} at {path}")
            out[key] = _normalise(item, f"{path}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [_normalise(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise CanonicalJSONError(f"unsupported type {type(value).__name__} at {path}")


def _native(value: Any) -> bool:
    """Only str, int, bool, None, lists and str-keyed dicts: what ``_normalise`` returns unchanged
    (so ``canonical_json`` can skip rebuilding it)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            t = type(item)
            if not (t is str or t is int or t is bool or item is None or _native(item)):
                return False
        return True
    if isinstance(value, str):  # e.g. TextChoices members: serialised as their text either way
        return True
    if kind is list:
        for item in value:
            t = type(item)
            if not (t is str or t is int or t is bool or item is None or _native(item)):
                return False
        return True
    return kind is str or kind is int or kind is bool or value is None


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` deterministically: sorted keys, no whitespace, UTF-8, no floats.

    Datetimes must be timezone-aware and are written as UTC with microseconds and a ``Z``.
    """
    return json.dumps(
        value if _native(value) else _normalise(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(content: Mapping[str, Any], *, native: bool = False) -> str:
    """SHA-256 of the canonical JSON of a record's content.

    ``native=True`` skips the type walk for content already made of JSON-native values (the
    database verifier's rows): any float or other drift then simply fails to match the hash.
    """
    if native:
        try:
            return sha256_hex(
                json.dumps(
                    content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
                ).encode()
            )
        except TypeError:
            pass
    return sha256_hex(canonical_json(content))


def _plain(s: Any) -> bool:
    """True when json.dumps(s, ensure_ascii=False) is just the string in quotes."""
    return type(s) is str and s.isascii() and s.isprintable() and '"' not in s and "\\" not in s


def link_hash(*, chain: str, seq: int, prev_hash: str, content_hash: str) -> str:
    """The record hash: binds the content hash to its place in its chain.

    The canonical JSON of ``{v, chain, seq, prev_hash, content_hash}`` is written directly when
    every value is plain (what appends and an intact archive always have): the same bytes as
    ``canonical_json`` (keys sorted), a fifth of the time; anything else takes the general path.
    """
    if type(seq) is int and _plain(chain) and _plain(prev_hash) and _plain(content_hash):
        return hashlib.sha256(
            f'{{"chain":"{chain}","content_hash":"{content_hash}","prev_hash":"{prev_hash}",'
            f'"seq":{seq},"v":{HASH_VERSION}}}'.encode()
        ).hexdigest()
    return sha256_hex(
        canonical_json(
            {
                "v": HASH_VERSION,
                "chain": chain,
                "seq": seq,
                "prev_hash": prev_hash,
                "content_hash": content_hash,
            }
        )
    )


@dataclass(frozen=True)
class Link:
    """What an append computes: the next position of a chain."""

    chain: str
    seq: int
    prev_hash: str
    content_hash: str
    hash: str


def next_link(*, chain: str, head_seq: int, head_hash: str, content: Mapping[str, Any]) -> Link:
    """Compute the link that appends ``content`` after the head ``(head_seq, head_hash)``.

    An empty chain has ``head_seq=0`` and ``head_hash=GENESIS_HASH``.
    """
    c_hash = content_hash(content)
    seq = head_seq + 1
    return Link(
        chain=chain,
        seq=seq,
        prev_hash=head_hash,
        content_hash=c_hash,
        hash=link_hash(chain=chain, seq=seq, prev_hash=head_hash, content_hash=c_hash),
    )


class ChainRow(Protocol):
    """Anything verify_rows can walk (RowView, or an adapter over database rows)."""

    @property
    def record_id(self) -> Any: ...
    @property
    def chain(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def content(self) -> Mapping[str, Any] | None:  # None for a tombstone (content disposed of)
        ...


@dataclass(frozen=True)
class RowView:
    """A plain ChainRow, used by verifiers that read JSON or database tuples."""

    record_id: Any
    chain: str
    seq: int
    prev_hash: str
    content_hash: str
    hash: str
    content: Mapping[str, Any] | None


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the archive does not verify."""

    record_id: Any
    chain: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"record {self.record_id} (chain {self.chain}, seq {self.seq}): {self.reason}"


@dataclass
class VerifyResult:
    checked: int
    chains: dict[str, tuple[int, str]]  # chain -> (head seq, head hash)
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_rows(
    rows: Iterable[ChainRow],
    *,
    native: bool = False,
    start: Mapping[str, tuple[int, str]] | None = None,
) -> VerifyResult:
    """Walk rows ordered by (chain, seq) — or interleaved, as long as each chain's rows come in
    ascending seq — and return the first broken link.

    Checks, per row: seq is the next dense number (a gap is a deleted row), ``prev_hash`` equals
    the previous row's hash, the content still hashes to ``content_hash`` (skipped for tombstones),
    and ``hash`` recomputes.

    ``start`` gives a chain's head before the first row (its last record's seq and stored hash):
    a segment of a chain is then checked exactly as a walk from its start would check it, which is
    what lets the database verifier split a chain across processes.
    """
    heads: dict[str, tuple[int, str]] = dict(start or {})
    checked = 0
    for row in rows:
        checked += 1
        reason = _row_problem(row, heads.get(row.chain, (0, GENESIS_HASH)), native)
        if reason is not None:
            return VerifyResult(
                checked=checked,
                chains=heads,
                broken=ChainBreak(row.record_id, row.chain, row.seq, reason),
            )
        heads[row.chain] = (row.seq, row.hash)
    return VerifyResult(checked=checked, chains=heads, broken=None)


def _row_problem(row: ChainRow, head: tuple[int, str], native: bool = False) -> str | None:
    head_seq, head_hash = head
    if row.seq != head_seq + 1:
        if row.seq <= head_seq:
            return f"sequence {row.seq} repeats or goes back (head is {head_seq})"
        return f"sequence jumps from {head_seq} to {row.seq}: records missing"
    if row.prev_hash != head_hash:
        return "prev_hash does not match the previous record's hash"
    if row.content is not None:
        try:
            actual = content_hash(row.content, native=native)
        except CanonicalJSONError as exc:
            return f"content cannot be hashed: {exc}"
        if actual != row.content_hash:
            return "content was altered: content hash does not match"
    expected = link_hash(
        chain=row.chain, seq=row.seq, prev_hash=row.prev_hash, content_hash=row.content_hash
    )
    if expected != row.hash:
        return "record hash does not match its content hash and predecessor"
    return None


# --- signed checkpoints (INT-2) -------------------------------------------------------------


def checkpoint_payload(*, chain: str, seq: int, head_hash: str, at: dt.datetime) -> bytes:
    return canonical_json(
        {"v": HASH_VERSION, "chain": chain, "seq": seq, "head_hash": head_hash, "at": at}
    )


def checkpoint_sign(payload: bytes, private_key_b64: str) -> str:
    """Sign a checkpoint with the district's Ed25519 key (raw 32-byte key, base64)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))
    return base64.b64encode(key.sign(payload)).decode("ascii")


def checkpoint_verify(payload: bytes, signature_b64: str, public_key_b64: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    try:
        key.verify(base64.b64decode(signature_b64), payload)
    except (InvalidSignature, ValueError):
        return False
    return True


def keypair_generate() -> tuple[str, str]:
    """Return (private, public) Ed25519 keys as base64 raw bytes."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(private).decode(), base64.b64encode(public).decode()


def public_key_of(private_key_b64: str) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))
    return base64.b64encode(
        key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode()

"""The pure hash chain (INT-1, INT-3, INT-4)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from steward.archive.chain import (
    GENESIS_HASH,
    CanonicalJSONError,
    RowView,
    canonical_json,
    checkpoint_payload,
    checkpoint_sign,
    checkpoint_verify,
    keypair_generate,
    next_link,
    verify_rows,
)


def build(n: int, chain: str = "acct:1") -> list[RowView]:
    rows: list[RowView] = []
    head_seq, head_hash = 0, GENESIS_HASH
    for i in range(n):
        content = {
            "text": f"comment {i} ¡sí!",
            "n": i,
            "at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        }
        link = next_link(chain=chain, head_seq=head_seq, head_hash=head_hash, content=content)
        rows.append(
            RowView(i + 1, chain, link.seq, link.prev_hash, link.content_hash, link.hash, content)
        )
        head_seq, head_hash = link.seq, link.hash
    return rows


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()
    assert canonical_json(
        {"t": dt.datetime(2026, 1, 1, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5)))}
    ) == (b'{"t":"2026-01-01T10:00:00.000000Z"}')


@pytest.mark.parametrize(
    "bad", [{"x": 0.1}, {"x": dt.datetime(2026, 1, 1)}, {1: "a"}, {"x": {1, 2}}]
)
def test_canonical_json_refuses_ambiguity(bad: object) -> None:
    with pytest.raises(CanonicalJSONError):
        canonical_json(bad)


def test_intact_chain_verifies() -> None:
    result = verify_rows(build(50))
    assert result.ok and result.checked == 50 and result.chains["acct:1"][0] == 50


def test_altered_content_is_found_at_that_row() -> None:
    rows = build(10)
    rows[6] = dataclasses.replace(rows[6], content={**rows[6].content, "text": "edited"})  # type: ignore[dict-item]
    broken = verify_rows(rows).broken
    assert broken is not None and broken.record_id == 7 and "content" in broken.reason


def test_deleted_row_is_found() -> None:
    rows = build(10)
    del rows[3]
    broken = verify_rows(rows).broken
    assert broken is not None and broken.record_id == 5 and "missing" in broken.reason


def test_rehashed_row_breaks_the_next_link() -> None:
    rows = build(10)
    forged = next_link(
        chain="acct:1", head_seq=2, head_hash=rows[1].hash, content={"text": "forged"}
    )
    rows[2] = RowView(
        3, "acct:1", 3, forged.prev_hash, forged.content_hash, forged.hash, {"text": "forged"}
    )
    broken = verify_rows(rows).broken
    assert broken is not None and broken.record_id == 4 and "prev_hash" in broken.reason


def test_tombstone_keeps_chain_verifiable() -> None:
    rows = build(5)
    rows[2] = dataclasses.replace(rows[2], content=None)
    assert verify_rows(rows).ok


def test_chains_are_independent() -> None:
    a, b = build(3, "acct:a"), build(3, "acct:b")
    interleaved = [a[0], b[0], a[1], b[1], b[2], a[2]]
    assert verify_rows(interleaved).ok


def test_signed_checkpoint() -> None:
    private, public = keypair_generate()
    payload = checkpoint_payload(
        chain="acct:1", seq=10, head_hash="ab" * 32, at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    sig = checkpoint_sign(payload, private)
    assert checkpoint_verify(payload, sig, public)
    assert not checkpoint_verify(payload.replace(b"10", b"11"), sig, public)


def test_direct_paths_write_the_same_bytes() -> None:
    """The shortcuts (content already JSON-native; the link hash written directly) produce
    exactly the general path's bytes, and still refuse what the general path refuses."""
    import enum
    import hashlib
    import json

    from steward.archive.chain import _normalise, link_hash

    class Kind(enum.StrEnum):
        POST = "post"

    def general(value: object) -> bytes:
        return json.dumps(
            _normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()

    for value in [
        {"kind": Kind.POST, "n": [1, "é", None, True, {"b": 1, "a": [2]}], "z": {}},
        {"t": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "x": (1, 2)},
    ]:
        assert canonical_json(value) == general(value)
    with pytest.raises(CanonicalJSONError):
        canonical_json({"x": [1, {"y": 0.5}]})
    for chain, seq, prev in [("account:1", 3, "0" * 64), ('a"b\\', 3, "x\n"), ("é", True, "")]:
        expected = hashlib.sha256(
            general({"v": 1, "chain": chain, "seq": seq, "prev_hash": prev, "content_hash": "c"})
        ).hexdigest()
        assert link_hash(chain=chain, seq=seq, prev_hash=prev, content_hash="c") == expected

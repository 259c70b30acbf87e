"""Webhook signatures and handshakes, good and bad."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from steward.platforms.errors import SignatureInvalid
from steward.platforms.signatures import (
    meta_challenge,
    meta_signature,
    tiktok_signature,
    verify_meta_signature,
    verify_tiktok_signature,
    verify_webhook,
    verify_x_signature,
    x_crc_response,
    x_signature,
)
from tests.platforms.conftest import fixture_bytes

SECRET = "app-secret"
BODY = fixture_bytes("facebook/feed-two-entries.json")


def test_meta_signature_is_hex_hmac_sha256_of_raw_body() -> None:
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert meta_signature(BODY, SECRET) == f"sha256={expected}"
    assert verify_meta_signature(BODY, f"sha256={expected}", SECRET)
    assert verify_meta_signature(BODY, f"sha256={expected.upper()}", SECRET)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha256=deadbeef",
        "sha1=" + "0" * 40,
        meta_signature(BODY, "other-secret"),
    ],
)
def test_meta_signature_refused(header: str | None) -> None:
    assert not verify_meta_signature(BODY, header, SECRET)


def test_meta_signature_fails_on_reserialised_json() -> None:
    """The reason to keep raw bytes: json round-trip turns \\u00a1 into ¡ and changes spacing."""
    header = meta_signature(BODY, SECRET)
    reserialised = json.dumps(json.loads(BODY), ensure_ascii=False).encode()
    assert reserialised != BODY
    assert not verify_meta_signature(reserialised, header, SECRET)


def test_meta_challenge() -> None:
    good = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "tok"}
    assert meta_challenge(good, "tok") == "1158201444"
    assert meta_challenge({**good, "hub.verify_token": "nope"}, "tok") is None
    assert meta_challenge({**good, "hub.mode": "unsubscribe"}, "tok") is None
    assert meta_challenge({**good, "hub.verify_token": ""}, "") is None
    assert meta_challenge({k: v for k, v in good.items() if k != "hub.challenge"}, "tok") is None


def test_x_crc_response_token() -> None:
    digest = hmac.new(b"consumer", b"crc-123", hashlib.sha256).digest()
    assert x_crc_response("crc-123", "consumer") == {
        "response_token": "sha256=" + base64.b64encode(digest).decode()
    }


def test_x_signature() -> None:
    body = fixture_bytes("x/aaa-tweet-create-reply.json")
    header = x_signature(body, "consumer")
    assert verify_x_signature(body, header, "consumer")
    assert not verify_x_signature(body, header, "other")
    assert not verify_x_signature(body + b" ", header, "consumer")
    assert not verify_x_signature(body, None, "consumer")
    # hex instead of base64 is refused
    hexed = "sha256=" + hmac.new(b"consumer", body, hashlib.sha256).hexdigest()
    assert not verify_x_signature(body, hexed, "consumer")


def test_tiktok_signature_with_tolerance() -> None:
    body = fixture_bytes("tiktok/webhook-comment-update.json")
    header = tiktok_signature(body, "client-secret", 1_700_000_000)
    assert verify_tiktok_signature(body, header, "client-secret", now=1_700_000_100)
    assert not verify_tiktok_signature(
        body, header, "client-secret", now=1_700_001_000
    )  # replayed late
    assert not verify_tiktok_signature(body, header, "wrong", now=1_700_000_100)


def test_verify_webhook_dispatch_and_case_insensitive_headers() -> None:
    verify_webhook("facebook", {"x-hub-signature-256": meta_signature(BODY, SECRET)}, BODY, SECRET)
    verify_webhook("instagram", {"X-Hub-Signature-256": meta_signature(BODY, SECRET)}, BODY, SECRET)
    verify_webhook("x", {"X-Twitter-Webhooks-Signature": x_signature(BODY, SECRET)}, BODY, SECRET)
    with pytest.raises(SignatureInvalid, match="missing"):
        verify_webhook("facebook", {}, BODY, SECRET)
    with pytest.raises(SignatureInvalid, match="bad"):
        verify_webhook(
            "x", {"x-twitter-webhooks-signature": meta_signature(BODY, SECRET)}, BODY, SECRET
        )
    with pytest.raises(SignatureInvalid):
        verify_webhook("youtube", {}, BODY, SECRET)
    with pytest.raises(SignatureInvalid):
        verify_webhook("facebook", {"X-Hub-Signature-256": meta_signature(BODY, SECRET)}, BODY, "")

"""Webhook authenticity: Meta's and X's handshakes and body signatures (platforms.md §1.4, §3.5).

Every check is over the **raw request bytes**. Meta signs "an escaped unicode version of the
payload": re-serialising parsed JSON changes the bytes (``\\u00e9`` vs ``é``, spacing) and the
signature no longer matches. A Django view must read ``request.body`` before anything parses it.
All comparisons use :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

from steward.platforms.errors import SignatureInvalid


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def _secret(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


# -- Meta (Facebook Pages, Instagram) -----------------------------------------------------------


def meta_signature(body: bytes, app_secret: str | bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta would send for ``body``."""
    return "sha256=" + hmac.new(_secret(app_secret), body, hashlib.sha256).hexdigest()


def verify_meta_signature(body: bytes, header: str | None, app_secret: str | bytes) -> bool:
    """True when ``header`` is ``sha256=<hex HMAC-SHA256(app_secret, body)>``.

    The legacy ``X-Hub-Signature: sha1=`` is deliberately not accepted: SHA-256 is what Meta
    sends today and accepting the weaker one would let a downgrade through.
    """
    if not header or not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(_secret(app_secret), body, hashlib.sha256).hexdigest()
    # Meta documents lowercase hex; compare case-insensitively in case a proxy upper-cases it.
    return hmac.compare_digest(expected, header[len("sha256=") :].strip().lower())


def meta_challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """The subscription handshake: the body to answer 200 with, or None to answer 403.

    Meta sends ``GET ?hub.mode=subscribe&hub.challenge=...&hub.verify_token=...``; Django keeps
    the dotted names as they are (``request.GET["hub.challenge"]``), PHP would not.
    """
    mode = params.get("hub.mode", "")
    token = params.get("hub.verify_token", "")
    challenge = params.get("hub.challenge", "")
    if mode != "subscribe" or not verify_token or not challenge:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return challenge


# -- X (Account Activity API) -------------------------------------------------------------------


def _x_digest(message: bytes, consumer_secret: str | bytes) -> str:
    digest = hmac.new(_secret(consumer_secret), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def x_crc_response(crc_token: str, consumer_secret: str | bytes) -> dict[str, str]:
    """The JSON to answer X's ``GET ?crc_token=`` with, within 3 seconds.

    ``{"response_token": "sha256=<base64 HMAC-SHA256(consumer_secret, crc_token)>"}``; a failed
    CRC marks the webhook invalid and X stops delivering.
    """
    return {"response_token": _x_digest(crc_token.encode(), consumer_secret)}


def x_signature(body: bytes, consumer_secret: str | bytes) -> str:
    """The ``x-twitter-webhooks-signature`` value X would send for ``body`` (base64, not hex)."""
    return _x_digest(body, consumer_secret)


def verify_x_signature(body: bytes, header: str | None, consumer_secret: str | bytes) -> bool:
    if not header or not consumer_secret or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(_x_digest(body, consumer_secret).encode(), header.strip().encode())


# -- TikTok [U] ---------------------------------------------------------------------------------


def tiktok_signature(body: bytes, client_secret: str | bytes, timestamp: int) -> str:
    """``TikTok-Signature: t=<ts>,s=<hex HMAC-SHA256(client_secret, "<ts>." + body)>``.

    From TikTok for Developers' webhook docs as generally known; platforms.md marks TikTok's
    webhook mechanism [U]. Confirm before relying on it.
    """
    signed = str(timestamp).encode() + b"." + body
    return (
        f"t={timestamp},s=" + hmac.new(_secret(client_secret), signed, hashlib.sha256).hexdigest()
    )


def verify_tiktok_signature(
    body: bytes,
    header: str | None,
    client_secret: str | bytes,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    if not header or not client_secret:
        return False
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    stamp, sig = fields.get("t", ""), fields.get("s", "")
    if not stamp.isdigit() or not sig:
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance:
        return False
    expected = tiktok_signature(body, client_secret, int(stamp))
    return hmac.compare_digest(expected.encode(), f"t={stamp},s={sig.lower()}".encode())


# -- one entry point for a webhook view ---------------------------------------------------------

SIGNATURE_HEADERS = {
    "meta": "X-Hub-Signature-256",  # one callback URL for both Page and Instagram objects
    "facebook": "X-Hub-Signature-256",
    "instagram": "X-Hub-Signature-256",
    "x": "x-twitter-webhooks-signature",
    "tiktok": "TikTok-Signature",
}


def verify_webhook(
    platform: str, headers: Mapping[str, str], body: bytes, secret: str | bytes
) -> None:
    """Raise :class:`SignatureInvalid` unless ``body`` carries a valid signature for ``platform``.

    ``secret`` is the Meta app secret, the X consumer secret, or the TikTok client secret.
    """
    name = SIGNATURE_HEADERS.get(platform)
    if name is None:
        raise SignatureInvalid(f"{platform} has no signed webhooks", platform=platform)
    header = _header(headers, name)
    if platform in ("meta", "facebook", "instagram"):
        ok = verify_meta_signature(body, header, secret)
    elif platform == "x":
        ok = verify_x_signature(body, header, secret)
    else:
        ok = verify_tiktok_signature(body, header, secret)
    if not ok:
        raise SignatureInvalid(
            f"bad or missing {name} header" if header else f"missing {name} header",
            platform=platform,
        )

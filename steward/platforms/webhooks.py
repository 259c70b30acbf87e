"""The two calls a webhook view and the pipeline need, without Django.

The view::

    verify_webhook(platform, request.headers, request.body, secret)   # SignatureInvalid → 403
    store the raw bytes and headers durably, then return 200

The pipeline, later::

    for event in parse_webhook(platform, headers, body): ...          # MalformedPayload names the field

Handshakes (GET) are :func:`steward.platforms.signatures.meta_challenge` and
:func:`steward.platforms.signatures.x_crc_response`.
"""

from __future__ import annotations

from collections.abc import Mapping

from steward.platforms.base import PlatformEvent, load_json
from steward.platforms.errors import MalformedPayload
from steward.platforms.registry import WEBHOOK_PARSERS, _known
from steward.platforms.signatures import meta_challenge, verify_webhook, x_crc_response

__all__ = ["meta_challenge", "parse_webhook", "verify_webhook", "x_crc_response"]


def parse_webhook(
    platform: str, headers: Mapping[str, str], body: bytes | str
) -> list[PlatformEvent]:
    """Parse one stored delivery into events (one delivery may carry many).

    ``headers`` is accepted for symmetry with :func:`verify_webhook` and for platforms whose event
    type travels in a header; none of the documented ones does today. YouTube has no webhooks.
    ``platform="meta"`` picks Facebook or Instagram from the envelope's ``object``.
    """
    if platform == "meta":
        # One Meta callback URL may receive both objects: the envelope says which.
        obj = load_json(body, platform="meta").get("object")
        if obj not in ("page", "instagram"):
            raise MalformedPayload(
                f"expected 'page' or 'instagram', got {obj!r}", field="object", platform="meta"
            )
        platform = "facebook" if obj == "page" else "instagram"
    name = _known(platform)
    parser = WEBHOOK_PARSERS.get(name)
    if parser is None:
        raise MalformedPayload(
            f"{name} sends no webhooks; its comments are polled", field="<platform>", platform=name
        )
    return parser(body)

"""Writes on the live path's edge: connecting accounts, storing webhook deliveries, building clients.

The connector layer (``base.py``, ``<platform>/client.py``, ``signatures.py``, ``secrets.py``) is
pure Python; this module is where Django settings, the database and the audit log meet it.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from steward.core.audit import audit
from steward.core.errors import PolicyViolation
from steward.platforms import secrets as secretlib
from steward.platforms.base import BaseClient
from steward.platforms.models import PlatformConnection, WebhookEvent, WebhookRejection
from steward.platforms.signatures import SIGNATURE_HEADERS, verify_webhook
from steward.registry.models import Account

log = logging.getLogger("steward.webhooks")

CLIENT_CLASSES = {
    "facebook": ("steward.platforms.facebook.client", "FacebookClient"),
    "instagram": ("steward.platforms.instagram.client", "InstagramClient"),
    "x": ("steward.platforms.x.client", "XClient"),
    "youtube": ("steward.platforms.youtube.client", "YouTubeClient"),
    "tiktok": ("steward.platforms.tiktok.client", "TikTokClient"),
}
META_PLATFORMS = ("facebook", "instagram")
# Headers worth keeping with a delivery (signatures, content type, Meta/X delivery ids).
KEPT_HEADERS = (
    "content-type",
    "user-agent",
    "x-hub-signature-256",
    "x-hub-signature",
    "x-twitter-webhooks-signature",
    "tiktok-signature",
)


def _key() -> str:
    key = getattr(settings, "STEWARD_TOKEN_KEY", "") or ""
    if not key:
        key = secretlib.key_from_env()
    return key


def encrypt(value: str) -> str:
    return secretlib.encrypt_token(value, key=_key()) if value else ""


def decrypt(value: str) -> str:
    return secretlib.decrypt_token(value, key=_key()) if value else ""


# -- connections ---------------------------------------------------------------------------------


def connection_save(
    *,
    actor: Any,
    account: Account,
    platform_account_id: str,
    access_token: str = "",
    app_secret: str = "",
    app_id: str = "",
    page_id: str = "",
    base_url: str = "",
) -> PlatformConnection:
    """Connect (or reconnect) an account: an admin pastes the token, or the OAuth callback passes it.

    Empty ``access_token``/``app_secret`` keep the stored ones, so editing ids never asks for the
    secret again. The plaintext is encrypted before it reaches the database.
    """
    if account.platform not in CLIENT_CLASSES:
        raise PolicyViolation(f"Steward has no connector for {account.get_platform_display()}.")
    with transaction.atomic():
        conn = PlatformConnection.objects.select_for_update().filter(account=account).first()
        created = conn is None
        if conn is None:
            conn = PlatformConnection(account=account, platform=account.platform, connected_by=actor)
        conn.platform_account_id = str(platform_account_id).strip()
        conn.app_id, conn.page_id, conn.base_url = app_id, page_id, base_url
        if access_token:
            conn.access_token_encrypted = encrypt(access_token)
        if app_secret:
            conn.app_secret_encrypted = encrypt(app_secret)
        conn.status = PlatformConnection.Status.ACTIVE
        conn.last_error = ""
        conn.save()
        if not account.platform_account_id:
            Account.objects.filter(pk=account.pk).update(platform_account_id=conn.platform_account_id)
        audit(
            actor=actor,
            action="platforms.connection_created" if created else "platforms.connection_updated",
            obj=conn,
            clause="1.4",
            after={"platform_account_id": conn.platform_account_id, "token_changed": bool(access_token)},
        )
    _CLIENTS.pop(conn.pk, None)
    from steward.platforms.pipeline import caches_clear

    transaction.on_commit(caches_clear)
    caches_clear()
    return conn


def connection_mark(*, conn: PlatformConnection, status: str, error: str = "") -> None:
    """The pipeline saw an auth failure: an admin must reconnect."""
    PlatformConnection.objects.filter(pk=conn.pk).update(status=status, last_error=error[:2000])
    _CLIENTS.pop(conn.pk, None)


# -- clients -------------------------------------------------------------------------------------

_CLIENTS: dict[int, tuple[Any, BaseClient]] = {}
_CLIENTS_LOCK = threading.Lock()


def client_class(platform: str) -> type[BaseClient]:
    module_name, cls_name = CLIENT_CLASSES[platform]
    return getattr(importlib.import_module(module_name), cls_name)  # type: ignore[no-any-return]


def client_for(conn: PlatformConnection) -> BaseClient:
    """A client for ``conn``, reused within the process so that its throttle remembers the
    platform's last rate-limit answer; rebuilt when the connection changes."""
    stamp = (conn.updated_at, conn.access_token_encrypted, conn.base_url)
    with _CLIENTS_LOCK:
        cached = _CLIENTS.get(conn.pk)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    kwargs: dict[str, Any] = {
        "access_token": decrypt(conn.access_token_encrypted),
        "account_id": conn.platform_account_id,
        "base_url": conn.base_url or None,
    }
    if conn.platform in META_PLATFORMS:
        kwargs["app_secret"] = decrypt(conn.app_secret_encrypted) or meta_app_secret()
    client = client_class(conn.platform)(**kwargs)
    with _CLIENTS_LOCK:
        _CLIENTS[conn.pk] = (stamp, client)
    return client


def clients_reset() -> None:
    from steward.platforms.pipeline import caches_clear

    caches_clear()
    with _CLIENTS_LOCK:
        for _, client in _CLIENTS.values():
            client.close()
        _CLIENTS.clear()


# -- webhook secrets -----------------------------------------------------------------------------


def _setting(name: str) -> str:
    from steward.env import env

    return str(getattr(settings, name, "") or env(name, "") or "")


def meta_app_secret() -> str:
    return _setting("META_APP_SECRET")


_SECRETS: dict[str, tuple[float, list[str]]] = {}


def webhook_secrets(platform: str) -> list[str]:
    """Every secret a delivery for ``platform`` may be signed with: the configured app secret and
    the app secrets stored on active connections (a district may run more than one app).
    Cached for 30 s per process; saving a connection clears the cache."""
    hit = _SECRETS.get(platform)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    found = _webhook_secrets(platform)
    _SECRETS[platform] = (time.monotonic() + 30.0, found)
    return found


def _webhook_secrets(platform: str) -> list[str]:
    family = META_PLATFORMS if platform in (*META_PLATFORMS, "meta") else (platform,)
    configured = {
        "facebook": "META_APP_SECRET",
        "instagram": "META_APP_SECRET",
        "meta": "META_APP_SECRET",
        "x": "X_CONSUMER_SECRET",
        "tiktok": "TIKTOK_CLIENT_SECRET",
    }.get(platform, "")
    found: list[str] = []
    if configured and _setting(configured):
        found.append(_setting(configured))
    stored = (
        PlatformConnection.objects.filter(platform__in=family)
        .exclude(app_secret_encrypted="")
        .values_list("app_secret_encrypted", flat=True)
        .distinct()
    )
    for ciphertext in stored:
        try:
            secret = decrypt(ciphertext)
        except secretlib.SecretError:
            continue
        if secret and secret not in found:
            found.append(secret)
    return found


def verify_token(platform: str) -> str:
    return _setting("META_VERIFY_TOKEN") if platform in (*META_PLATFORMS, "meta") else ""


# -- storing deliveries --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    event: WebhookEvent
    duplicate: bool


def webhook_verify(*, platform: str, headers: Mapping[str, str], body: bytes, remote_addr: str | None) -> bool:
    """Check the signature against every known secret; log and record a refusal."""
    from steward.platforms.errors import SignatureInvalid

    signed_as = "facebook" if platform == "meta" else platform
    reason = "no secret configured"
    for secret in webhook_secrets(platform):
        try:
            verify_webhook(signed_as, headers, body, secret)
            return True
        except SignatureInvalid as exc:
            reason = str(exc)
    if signed_as not in SIGNATURE_HEADERS:
        reason = f"{platform} has no signed webhooks"
    log.warning("webhook refused: platform=%s from=%s reason=%s", platform, remote_addr, reason)
    WebhookRejection.objects.create(
        platform=platform,
        remote_addr=remote_addr or None,
        reason=reason[:300],
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_size=len(body),
    )
    return False


def webhook_store(
    *,
    platform: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    signature_ok: bool = True,
    source: str = WebhookEvent.Source.WEBHOOK,
    dedupe_key: str = "",
) -> Stored:
    """Store a delivery durably and schedule its processing once the row is committed.

    The commit happens before this returns, so the caller may acknowledge the platform: nothing is
    acknowledged before it is stored. A byte-identical redelivery finds the existing row and
    changes nothing.
    """
    digest = hashlib.sha256(body).hexdigest()
    key = dedupe_key or f"{platform}:{digest}"
    kept = {k.lower(): v for k, v in (headers or {}).items() if k.lower() in KEPT_HEADERS}
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                platform=platform,
                source=source,
                body=body,
                body_sha256=digest,
                headers=kept,
                signature_ok=signature_ok,
                dedupe_key=key[:200],
            )
            transaction.on_commit(lambda: enqueue_event(event.pk))
    except IntegrityError:
        existing = WebhookEvent.objects.filter(dedupe_key=key[:200]).first()
        if existing is None:  # pragma: no cover - the row that collided must exist
            raise
        return Stored(existing, True)
    return Stored(event, False)


def enqueue_event(event_id: int) -> None:
    """Hand the event to a worker. A broker outage must not fail the webhook: the row is stored
    and the sweeper re-drives whatever is not done."""
    from steward.platforms.tasks import _eager, process_event_task, send_task

    send_task(process_event_task, event_id)
    if _eager():
        _embedded_sweep()


_LAST_SWEEP = [0.0]


def _embedded_sweep() -> None:
    """With no broker there is no beat: each delivery re-drives, at most every 30 s per process,
    whatever earlier deliveries left to retry (a throttled hide, an event the engine failed on)."""
    now = time.monotonic()
    if now - _LAST_SWEEP[0] < 30.0:
        return
    _LAST_SWEEP[0] = now
    from steward.platforms.pipeline import sweep

    try:
        sweep(limit=100)
    except Exception:
        log.exception("embedded sweep failed")


def event_retry(*, actor: Any, event: WebhookEvent) -> None:
    """The retry button: put a failed (or stuck) event back to received and enqueue it."""
    with transaction.atomic():
        before = {"state": event.state, "attempts": event.attempts}
        WebhookEvent.objects.filter(pk=event.pk).update(
            state=WebhookEvent.State.RECEIVED, next_attempt_at=timezone.now(), lease_until=None
        )
        event.refresh_from_db()
        audit(actor=actor, action="platforms.event_retried", obj=event, before=before, after={"state": event.state})
        transaction.on_commit(lambda: enqueue_event(event.pk))

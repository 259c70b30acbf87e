"""Writes on the live path's edge: connecting accounts, storing webhook deliveries, building clients.

The connector layer (``base.py``, ``<platform>/client.py``, ``signatures.py``, ``secrets.py``) is
pure Python; this module is where Django settings, the database and the audit log meet it.
"""

from __future__ import annotations

import datetime as dt
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
from steward.platforms import oauth as oauthlib
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
    refresh_token: str = "",
    token_expires_at: dt.datetime | None = None,
    via: str = "token",
    scopes: tuple[str, ...] = (),
) -> PlatformConnection:
    """Connect (or reconnect) an account: an admin pastes the token, or the OAuth callback passes it.

    Empty ``access_token``/``app_secret`` keep the stored ones, so editing ids never asks for the
    secret again. The plaintext is encrypted before it reaches the database. A new pasted token
    drops the stored refresh token and expiry (they belonged to the old one).
    """
    if account.platform not in CLIENT_CLASSES:
        raise PolicyViolation(f"Steward has no connector for {account.get_platform_display()}.")
    platform_account_id = str(platform_account_id).strip()
    with transaction.atomic():
        conn = PlatformConnection.objects.select_for_update().filter(account=account).first()
        taken = (
            PlatformConnection.objects.filter(platform=account.platform, platform_account_id=platform_account_id)
            .exclude(account=account)
            .select_related("account")
            .first()
        )
        if taken is not None:
            raise PolicyViolation(
                f"{account.get_platform_display()} id {platform_account_id} is already connected to "
                f"the registry entry {taken.account}."
            )
        created = conn is None
        if conn is None:
            conn = PlatformConnection(account=account, platform=account.platform, connected_by=actor)
        conn.platform_account_id = platform_account_id
        conn.app_id, conn.page_id, conn.base_url = app_id, page_id, base_url
        if access_token:
            conn.access_token_encrypted = encrypt(access_token)
            conn.refresh_token_encrypted = encrypt(refresh_token)
            conn.token_expires_at = token_expires_at
            conn.connected_via = via
            if actor is not None:
                conn.connected_by = actor
        if app_secret:
            conn.app_secret_encrypted = encrypt(app_secret)
        conn.status = PlatformConnection.Status.ACTIVE
        conn.last_error = ""
        conn.save()
        if not account.platform_account_id:
            Account.objects.filter(pk=account.pk).update(platform_account_id=conn.platform_account_id)
        after: dict[str, Any] = {"platform_account_id": conn.platform_account_id, "token_changed": bool(access_token)}
        if via == "oauth":
            action = "platforms.connection_authorized"
            after.update(via="oauth", scopes=list(scopes), expires_at=token_expires_at,
                         refresh_token=bool(refresh_token), page_id=page_id)  # fmt: skip
        else:
            action = "platforms.connection_created" if created else "platforms.connection_updated"
        audit(actor=actor, action=action, obj=conn, clause="1.4", after=after)
    _CLIENTS.pop(conn.pk, None)
    from steward.platforms.pipeline import caches_clear

    transaction.on_commit(caches_clear)
    caches_clear()
    return conn


def connection_mark(*, conn: PlatformConnection, status: str, error: str = "") -> None:
    """The pipeline saw an auth failure: an admin must reconnect."""
    PlatformConnection.objects.filter(pk=conn.pk).update(status=status, last_error=error[:2000])
    _CLIENTS.pop(conn.pk, None)


# -- connecting with the platform's sign-in (OAuth) ---------------------------------------------

#: Settings (or environment variables) per provider: client id, client secret, and the URLs that
#: default to the real endpoints in :data:`oauth.DEFAULT_URLS` (the fake server in demos and tests).
OAUTH_SETTINGS = {
    "meta": {"client_id": "META_APP_ID", "client_secret": "META_APP_SECRET",
             "authorize": "META_OAUTH_DIALOG_URL", "token": "META_OAUTH_TOKEN_URL", "api": "META_GRAPH_URL"},
    "google": {"client_id": "GOOGLE_OAUTH_CLIENT_ID", "client_secret": "GOOGLE_OAUTH_CLIENT_SECRET",
               "authorize": "GOOGLE_OAUTH_AUTHORIZE_URL", "token": "GOOGLE_OAUTH_TOKEN_URL", "api": "YOUTUBE_API_URL"},
    "x": {"client_id": "X_OAUTH_CLIENT_ID", "client_secret": "X_OAUTH_CLIENT_SECRET",
          "authorize": "X_OAUTH_AUTHORIZE_URL", "token": "X_OAUTH_TOKEN_URL", "api": "X_API_URL"},
}  # fmt: skip
#: Refresh an access token this long before it runs out, so no call goes out with a dead one.
REFRESH_MARGIN = dt.timedelta(minutes=5)


def oauth_available(platform: str) -> bool:
    """Whether the platform signs in with OAuth at all (TikTok: tokens are pasted)."""
    return platform in oauthlib.PROVIDER_FOR_PLATFORM


def oauth_provider(platform: str) -> oauthlib.Provider:
    """The configured provider for ``platform``; a clear error naming the settings if it is not."""
    name = oauthlib.PROVIDER_FOR_PLATFORM.get(platform)
    if name is None:
        raise PolicyViolation(f"{platform} has no documented sign-in flow; paste its access token instead.")
    names = OAUTH_SETTINGS[name]
    client_id, client_secret = _setting(names["client_id"]), _setting(names["client_secret"])
    if not client_id or not client_secret:
        raise PolicyViolation(
            f"Connecting with {oauthlib.PROVIDER_NAMES[name]} is not configured: set "
            f"{names['client_id']} and {names['client_secret']}."
        )
    urls = oauthlib.DEFAULT_URLS[name]
    return oauthlib.Provider(
        name=name,
        client_id=client_id,
        client_secret=client_secret,
        authorize_url=_setting(names["authorize"]) or urls["authorize"],
        # Meta's token endpoint lives on the Graph API: follow META_GRAPH_URL unless set apart.
        token_url=_setting(names["token"])
        or (f"{_setting(names['api']).rstrip('/')}/oauth/access_token" if name == "meta" and _setting(names["api"]) else urls["token"]),
        api_base_url=(_setting(names["api"]) or urls["api"]).rstrip("/"),
    )


def connection_oauth_begin(*, account: Account, redirect_uri: str) -> tuple[str, dict[str, str]]:
    """The authorize URL to send the browser to, and what the callback must find in the session
    (``state`` against forged callbacks, the PKCE verifier that proves the code is ours)."""
    provider = oauth_provider(account.platform)
    state = oauthlib.new_state()
    verifier, challenge = oauthlib.pkce_pair() if provider.uses_pkce else ("", "")
    url = oauthlib.authorization_url(
        provider, platform=account.platform, redirect_uri=redirect_uri, state=state, code_challenge=challenge
    )
    return url, {"state": state, "verifier": verifier, "redirect_uri": redirect_uri}


def connection_oauth_complete(
    *, actor: Any, account: Account, code: str, redirect_uri: str, code_verifier: str = ""
) -> PlatformConnection:
    """Exchange the code, find the registered account among what the sign-in grants, and store
    its token (encrypted) and refresh token; audited as ``platforms.connection_authorized``.
    Any failure raises :class:`~steward.platforms.oauth.OAuthError` (or another
    :class:`PlatformError`) and changes nothing."""
    provider = oauth_provider(account.platform)
    tokens = oauthlib.exchange_code(provider, code=code, redirect_uri=redirect_uri, code_verifier=code_verifier)
    existing = getattr(account, "connection", None)
    expected = (existing.platform_account_id if existing else "") or account.platform_account_id
    grant = oauthlib.grant_for(provider, tokens, platform=account.platform, expected_id=expected, now=timezone.now())
    default_api = oauthlib.DEFAULT_URLS[provider.name]["api"]
    base_url = provider.api_base_url if provider.api_base_url != default_api.rstrip("/") else ""
    return connection_save(
        actor=actor,
        account=account,
        platform_account_id=grant.platform_account_id,
        access_token=grant.access_token,
        app_id=provider.client_id if provider.name == "meta" else (existing.app_id if existing else ""),
        page_id=grant.page_id,
        base_url=base_url,
        refresh_token=grant.refresh_token,
        token_expires_at=grant.expires_at,
        via="oauth",
        scopes=grant.scopes,
    )


def connection_refresh(*, conn: PlatformConnection, force: bool = False) -> PlatformConnection:
    """Get a new access token with the stored refresh token, if the current one is about to expire.

    The row stays locked during the call to the provider: X rotates refresh tokens, so two workers
    refreshing at once would each invalidate the other's, and the connection would be lost. The
    second worker waits, then finds the token fresh and does nothing. A refused refresh (revoked,
    expired) marks the connection *needs reconnecting* and raises :class:`AuthError`.
    """
    from steward.platforms.errors import AuthError

    refused: oauthlib.OAuthError | None = None
    with transaction.atomic():
        locked = PlatformConnection.objects.select_for_update().get(pk=conn.pk)
        if not locked.refresh_token_encrypted:
            return locked
        now = timezone.now()
        if not force and (locked.token_expires_at is None or locked.token_expires_at - now > REFRESH_MARGIN):
            return locked
        provider = oauth_provider(locked.platform)
        try:
            tokens = oauthlib.refresh(provider, refresh_token=decrypt(locked.refresh_token_encrypted))
        except oauthlib.OAuthError as exc:
            # Recorded and committed before raising: the status page must say "reconnect".
            refused = exc
            locked.status = PlatformConnection.Status.NEEDS_RECONNECT
            locked.last_error = f"the refresh token was refused; reconnect the account: {exc}"[:2000]
            locked.save(update_fields=["status", "last_error", "updated_at"])
            audit(actor=None, action="platforms.token_refresh_failed", obj=locked, clause="1.4",
                  after={"error": str(exc)})  # fmt: skip
        else:
            # Saved under the same lock: X has already invalidated the refresh token just used.
            locked.access_token_encrypted = encrypt(tokens.access_token)
            locked.refresh_token_encrypted = encrypt(tokens.refresh_token)
            locked.token_expires_at = tokens.expires_at(now)
            locked.save(update_fields=["access_token_encrypted", "refresh_token_encrypted",
                                       "token_expires_at", "updated_at"])  # fmt: skip
            audit(actor=None, action="platforms.token_refreshed", obj=locked, clause="1.4",
                  after={"expires_at": locked.token_expires_at})  # fmt: skip
    _CLIENTS.pop(conn.pk, None)
    if refused is not None:
        raise AuthError(locked.last_error, platform=locked.platform) from refused
    return locked


def connection_refresh_refused(conn: PlatformConnection) -> tuple[bool, str]:
    """After the platform refused ``conn``'s token before its expiry (revoked, rotated elsewhere):
    one refresh with the stored refresh token. ``(True, "")`` when refreshed; ``(False, why)`` when
    the provider refused the refresh too (the connection is then marked *needs reconnecting*);
    ``(False, "")`` when there is no refresh token to try."""
    from steward.platforms.errors import AuthError

    if not conn.refresh_token_encrypted:
        return False, ""
    try:
        connection_refresh(conn=conn, force=True)
    except AuthError as refused:
        return False, str(refused)
    return True, ""


# -- clients -------------------------------------------------------------------------------------

_CLIENTS: dict[int, tuple[Any, BaseClient]] = {}
_CLIENTS_LOCK = threading.Lock()


def client_class(platform: str) -> type[BaseClient]:
    module_name, cls_name = CLIENT_CLASSES[platform]
    return getattr(importlib.import_module(module_name), cls_name)  # type: ignore[no-any-return]


def client_for(conn: PlatformConnection) -> BaseClient:
    """A client for ``conn``, reused within the process so that its throttle remembers the
    platform's last rate-limit answer; rebuilt when the connection changes. An OAuth token about
    to expire is refreshed first."""
    expires = conn.token_expires_at
    if conn.refresh_token_encrypted and expires is not None and expires - timezone.now() <= REFRESH_MARGIN:
        conn = connection_refresh(conn=conn)
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
    from steward.platforms import tasks

    tasks.enqueue_event(event_id)
    if tasks._eager():
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

"""Connecting an account with the platform's own sign-in: the OAuth 2.0 authorization-code flow.

* **Facebook and Instagram** (Facebook Login, platforms.md §1.1): ``dialog/oauth`` → ``code`` →
  ``GET /oauth/access_token`` (a short-lived User token) → ``grant_type=fb_exchange_token`` (a
  long-lived User token) → ``GET /me/accounts`` (each managed Page with its own Page token, its
  tasks and its linked Instagram professional account). Steward keeps only the Page token of the
  Page registered for the account; the User token is never stored.
* **YouTube** (Google OAuth 2.0): ``access_type=offline`` and ``prompt=consent`` so that Google
  returns a refresh token (background polling needs one, §9.6); PKCE as well. The access token
  lasts an hour; :func:`refresh` gets a new one.
* **X** (OAuth 2.0 authorization code with PKCE, §3): ``offline.access`` for a refresh token. X
  *rotates* refresh tokens: each refresh returns a new one and the old stops working.
* **TikTok** is not here: the reference documents its token call (``/tt_user/oauth2/token/``)
  only at second hand and not its authorization URL, so a TikTok token is still pasted.

Pure Python over httpx, no Django: the caller passes the provider's URLs and client credentials
(from settings), so tests and demos point it at :class:`steward.platforms.fake.FakePlatforms`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from steward.platforms.base import shared_ssl_context
from steward.platforms.errors import PermanentError, PlatformError, TransientError
from steward.platforms.facebook.client import FacebookClient
from steward.platforms.meta import GRAPH_URL
from steward.platforms.x.client import XClient
from steward.platforms.youtube.client import YouTubeClient

#: Which sign-in each platform uses.
PROVIDER_FOR_PLATFORM: Mapping[str, str] = {
    "facebook": "meta",
    "instagram": "meta",
    "youtube": "google",
    "x": "x",
}
PROVIDER_NAMES: Mapping[str, str] = {"meta": "Facebook", "google": "Google", "x": "X"}

#: The real endpoints; settings override them (the fake server in demos and tests).
DEFAULT_URLS: Mapping[str, Mapping[str, str]] = {
    "meta": {
        "authorize": "https://www.facebook.com/v25.0/dialog/oauth",
        "token": f"{GRAPH_URL}/oauth/access_token",
        "api": GRAPH_URL,
    },
    "google": {
        "authorize": "https://accounts.google.com/o/oauth2/v2/auth",
        "token": "https://oauth2.googleapis.com/token",
        "api": YouTubeClient.default_base_url,
    },
    "x": {
        "authorize": "https://x.com/i/oauth2/authorize",
        "token": "https://api.x.com/2/oauth2/token",
        "api": XClient.default_base_url,
    },
}

#: Permissions asked for, per platform (platforms.md §1.1, §2, §3, §4).
SCOPES: Mapping[str, tuple[str, ...]] = {
    "facebook": (
        "pages_show_list", "pages_manage_metadata", "pages_read_engagement",
        "pages_read_user_engagement", "pages_manage_engagement",
    ),
    "instagram": (
        "pages_show_list", "pages_manage_metadata", "pages_read_engagement",
        "instagram_basic", "instagram_manage_comments",
    ),
    "youtube": ("https://www.googleapis.com/auth/youtube.force-ssl",),
    "x": ("tweet.read", "tweet.write", "users.read", "tweet.moderate.write", "offline.access"),
}  # fmt: skip


class OAuthError(PermanentError):
    """The sign-in did not produce a usable connection: refused, expired, or the wrong account.

    ``error`` is the provider's RFC 6749 error code where it sent one (``access_denied``,
    ``invalid_grant``...). The message is written for the person who clicked "Connect".
    """

    def __init__(self, message: str, *, error: str = "", **kwargs: Any) -> None:
        super().__init__(message, code=error or None, **kwargs)
        self.error = error


@dataclass(frozen=True)
class Provider:
    """One OAuth provider as configured: endpoints, client credentials, the platform's API base."""

    name: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    api_base_url: str
    timeout: float = 10.0

    @property
    def label(self) -> str:
        return PROVIDER_NAMES.get(self.name, self.name)

    @property
    def uses_pkce(self) -> bool:
        # X requires PKCE; Google accepts it; Facebook Login's code flow does not use it.
        return self.name in ("google", "x")


@dataclass(frozen=True)
class Grant:
    """What a finished sign-in gives Steward for one account."""

    platform: str
    platform_account_id: str
    access_token: str
    name: str = ""
    page_id: str = ""
    refresh_token: str = ""
    expires_at: dt.datetime | None = None
    scopes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str = ""
    expires_in: int | None = None
    scopes: tuple[str, ...] = ()

    def expires_at(self, now: dt.datetime) -> dt.datetime | None:
        return now + dt.timedelta(seconds=self.expires_in) if self.expires_in else None


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: ``BASE64URL(SHA256(ASCII(code_verifier)))`` without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_pair() -> tuple[str, str]:
    """A PKCE ``code_verifier`` (43–128 unreserved characters) and its S256 ``code_challenge``."""
    verifier = secrets.token_urlsafe(64)  # 86 characters from [A-Za-z0-9_-]
    return verifier, pkce_challenge(verifier)


def new_state() -> str:
    return secrets.token_urlsafe(32)


def authorization_url(
    provider: Provider, *, platform: str, redirect_uri: str, state: str, code_challenge: str = ""
) -> str:
    """Where to send the person's browser to sign in and consent."""
    params: dict[str, str] = {
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "response_type": "code",
        # Facebook separates scopes with commas; Google and X with spaces.
        "scope": ("," if provider.name == "meta" else " ").join(SCOPES[platform]),
    }
    if provider.name == "google":
        params.update(access_type="offline", prompt="consent", include_granted_scopes="true")
    if provider.uses_pkce:
        if not code_challenge:
            raise ValueError(f"{provider.label} sign-in needs a PKCE code_challenge")
        params.update(code_challenge=code_challenge, code_challenge_method="S256")
    sep = "&" if "?" in provider.authorize_url else "?"
    return f"{provider.authorize_url}{sep}{urlencode(params)}"


def callback_error(params: Mapping[str, str], provider: Provider) -> OAuthError | None:
    """The provider redirected back with ``error=...`` instead of a code (the person said no)."""
    error = params.get("error")
    if not error:
        return None
    detail = params.get("error_description") or params.get("error_reason") or ""
    if error == "access_denied":
        message = f"Permission was not granted at {provider.label}; nothing was changed."
    else:
        message = f"{provider.label} refused the sign-in: {error}."
    if detail:
        message += f" ({provider.label} said: {detail})"
    return OAuthError(message, error=error, platform=provider.name)


def _token_call(provider: Provider, *, method: str, data: Mapping[str, str]) -> Tokens:
    """One call to the token endpoint; RFC 6749 §5.2 errors and Graph API errors alike become
    :class:`OAuthError` with a message that says what to do."""
    try:
        with httpx.Client(timeout=provider.timeout, verify=shared_ssl_context()) as http:
            if method == "GET":  # Facebook's token endpoint is a Graph API GET
                response = http.get(provider.token_url, params=data)
            elif provider.name == "x":
                # X: a confidential client authenticates with HTTP Basic (client id : secret).
                body = {k: v for k, v in data.items() if k != "client_secret"}
                response = http.post(
                    provider.token_url, data=body, auth=(provider.client_id, provider.client_secret)
                )
            else:
                response = http.post(provider.token_url, data=data)
    except httpx.HTTPError as exc:
        raise TransientError(
            f"Could not reach {provider.label} to finish the sign-in ({type(exc).__name__}); try again.",
            platform=provider.name,
        ) from exc
    try:
        body_json = response.json()
    except ValueError:
        body_json = None
    answer: dict[str, Any] = body_json if isinstance(body_json, dict) else {}
    if response.status_code >= 500:
        raise TransientError(
            f"{provider.label} answered HTTP {response.status_code}; try again.",
            platform=provider.name,
            status_code=response.status_code,
        )
    if response.status_code != 200 or not answer.get("access_token"):
        graph_error = answer.get("error") if isinstance(answer.get("error"), Mapping) else None
        if graph_error is not None:
            error, detail = "invalid_grant", str(graph_error.get("message") or "")
        else:
            error = str(answer.get("error") or f"http_{response.status_code}")
            detail = str(answer.get("error_description") or "")
        hint = {
            "invalid_grant": "the sign-in code expired or was already used; start again",
            "invalid_client": "Steward's client id or secret for this provider is wrong; check the settings",
        }.get(error, "")
        message = f"{provider.label} did not issue a token: {error}"
        message += f" — {detail}" if detail else ""
        message += f" ({hint})." if hint else "."
        raise OAuthError(
            message, error=error, platform=provider.name, status_code=response.status_code
        )
    expires = answer.get("expires_in")
    scope = answer.get("scope")
    return Tokens(
        access_token=str(answer["access_token"]),
        refresh_token=str(answer.get("refresh_token") or ""),
        expires_in=int(expires) if isinstance(expires, int | float | str) and str(expires).isdigit() else None,
        scopes=tuple(str(scope).replace(",", " ").split()) if scope else (),
    )


def exchange_code(
    provider: Provider, *, code: str, redirect_uri: str, code_verifier: str = ""
) -> Tokens:
    """Trade the authorization code for tokens (the redirect URI must be the one sent before)."""
    if not code:
        raise OAuthError(f"{provider.label} sent no authorization code back.", error="invalid_request")
    data = {
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "redirect_uri": redirect_uri,
        "code": code,
    }
    if provider.name == "meta":
        return _token_call(provider, method="GET", data=data)
    data["grant_type"] = "authorization_code"
    if provider.uses_pkce:
        data["code_verifier"] = code_verifier
    return _token_call(provider, method="POST", data=data)


def refresh(provider: Provider, *, refresh_token: str) -> Tokens:
    """A new access token from a refresh token (Google keeps the refresh token; X returns a new
    one, and the caller must store it, because the old one no longer works)."""
    data = {
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }
    tokens = _token_call(provider, method="POST", data=data)
    if not tokens.refresh_token:
        tokens = Tokens(tokens.access_token, refresh_token, tokens.expires_in, tokens.scopes)
    return tokens


def grant_for(
    provider: Provider,
    tokens: Tokens,
    *,
    platform: str,
    expected_id: str = "",
    now: dt.datetime,
) -> Grant:
    """Find the account the person signed in for, and check it is the one registered.

    ``expected_id`` is the platform id on the registry (empty for an account not yet tied to
    one: then the sign-in must name exactly one candidate).
    """
    try:
        if provider.name == "meta":
            return _meta_grant(provider, tokens, platform=platform, expected_id=expected_id)
        if provider.name == "google":
            yt = YouTubeClient(access_token=tokens.access_token, account_id="", base_url=provider.api_base_url)
            try:
                found_id, name = yt.my_channel()
            finally:
                yt.close()
        else:
            x = XClient(access_token=tokens.access_token, account_id="", base_url=provider.api_base_url)
            try:
                found_id, name = x.me()
            finally:
                x.close()
    except OAuthError:
        raise
    except PlatformError as exc:
        raise OAuthError(
            f"Signed in, but {provider.label} would not say which account: {exc}",
            platform=provider.name,
        ) from exc
    if expected_id and found_id != expected_id:
        what = "channel" if platform == "youtube" else "account"
        raise OAuthError(
            f"You signed in to the {provider.label} {what} {name or found_id} (id {found_id}), but this "
            f"registry entry is {what} id {expected_id}. Sign in as that {what}; nothing was changed.",
            error="wrong_account",
            platform=provider.name,
        )
    return Grant(
        platform=platform,
        platform_account_id=found_id,
        access_token=tokens.access_token,
        name=name,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at(now),
        scopes=tokens.scopes,
    )


def _meta_grant(provider: Provider, tokens: Tokens, *, platform: str, expected_id: str) -> Grant:
    user = FacebookClient(
        access_token=tokens.access_token,
        account_id="me",
        app_secret=provider.client_secret,
        base_url=provider.api_base_url,
    )
    try:
        long_lived, _ = user.exchange_long_lived(app_id=provider.client_id)
        user.access_token = long_lived
        pages = user.managed_pages()
    finally:
        user.close()
    # A Page token obtained with a long-lived User token has no expiry date (Meta's Pages docs).
    if platform == "instagram":
        candidates = [p for p in pages if p.instagram_account_id]
        match = [p for p in candidates if p.instagram_account_id == expected_id]
        what = "Instagram professional account"
    else:
        candidates = list(pages)
        match = [p for p in candidates if p.id == expected_id]
        what = "Facebook Page"
    if not expected_id and len(candidates) == 1:
        match = candidates
    if not match:
        listed = ", ".join(
            f"{p.name} ({p.instagram_account_id if platform == 'instagram' else p.id})" for p in candidates
        ) or "none"
        wanted = f"the {what} with id {expected_id}" if expected_id else f"exactly one {what}"
        raise OAuthError(
            f"The Facebook user who signed in does not manage {wanted}. They manage: {listed}. "
            "Sign in as an admin of that Page (or set the platform id on the registry entry); "
            "nothing was changed.",
            error="wrong_account",
            platform=provider.name,
        )
    page = match[0]
    if not page.can_moderate:
        raise OAuthError(
            f"The signed-in user's role on {page.name} cannot moderate comments (tasks: "
            f"{', '.join(page.tasks) or 'none'}); a Page admin or moderator must connect it.",
            error="insufficient_role",
            platform=provider.name,
        )
    if not page.access_token:
        raise OAuthError(f"Facebook returned no Page token for {page.name}.", platform=provider.name)
    return Grant(
        platform=platform,
        platform_account_id=page.instagram_account_id if platform == "instagram" else page.id,
        access_token=page.access_token,
        name=page.name,
        page_id=page.id if platform == "instagram" else "",
        scopes=tokens.scopes,
    )

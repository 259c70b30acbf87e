"""Webhook receivers (no sign-in, CSRF-exempt, signature-checked) and the live-path pages.

A receiver reads ``request.body`` *before* anything parses it, verifies the signature over those
bytes, stores them and commits, and only then answers 200. Processing happens on a worker.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from steward.core.errors import NotPermitted, PolicyViolation
from steward.platforms import oauth as oauthlib
from steward.platforms import selectors, services
from steward.platforms.errors import PlatformError
from steward.platforms.forms import ConnectionForm
from steward.platforms.signatures import meta_challenge, x_crc_response
from steward.registry.selectors import account_get

WEBHOOK_PLATFORMS = ("facebook", "instagram", "meta", "x", "tiktok")
MAX_BODY = 5 * 1024 * 1024


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, platform: str) -> HttpResponse:
    if platform not in WEBHOOK_PLATFORMS:
        raise Http404
    if request.method == "GET":
        return _handshake(request, platform)
    body = request.body  # raw bytes, before any parsing (signatures cover them exactly)
    if len(body) > MAX_BODY:
        return HttpResponse(status=413)
    headers = {k: v for k, v in request.headers.items()}
    if not services.webhook_verify(
        platform=platform, headers=headers, body=body, remote_addr=request.META.get("REMOTE_ADDR")
    ):
        return HttpResponseForbidden("bad signature")
    stored = services.webhook_store(platform=platform, body=body, headers=headers, signature_ok=True)
    # The row is committed here: acknowledging now cannot lose the event.
    return JsonResponse({"ok": True, "duplicate": stored.duplicate, "id": stored.event.pk})


def _handshake(request: HttpRequest, platform: str) -> HttpResponse:
    if platform == "x":
        token = request.GET.get("crc_token", "")
        secrets = services.webhook_secrets("x")
        if not token or not secrets:
            return HttpResponseBadRequest("missing crc_token")
        return JsonResponse(x_crc_response(token, secrets[0]))
    if platform in ("facebook", "instagram", "meta"):
        challenge = meta_challenge(request.GET, services.verify_token(platform))
        if challenge is None:
            return HttpResponseForbidden("verification failed")
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponseBadRequest("no handshake for this platform")


# -- pages -----------------------------------------------------------------------------------------


@login_required
def live_status(request: HttpRequest) -> HttpResponse:
    """Queue depth, failed events with their last error, stuck actions, rejected deliveries."""
    ctx: dict[str, Any] = selectors.live_overview(user=request.user)
    template = "platforms/_live_status.html" if getattr(request, "htmx", False) else "platforms/live_status.html"
    return render(request, template, ctx)


@login_required
@require_POST
def event_retry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        event = selectors.event_get(user=request.user, pk=pk)
    except NotPermitted as exc:
        raise Http404 from exc
    if not selectors.can_operate(request.user):
        raise PermissionDenied
    services.event_retry(actor=request.user, event=event)
    messages.success(request, _("Event %(n)s queued again.") % {"n": event.pk})
    return redirect("platforms:live_status")


@login_required
@require_POST
def action_retry(request: HttpRequest, pk: int) -> HttpResponse:
    from steward.moderation import services as mod_services

    try:
        action = selectors.action_get(user=request.user, pk=pk)
    except NotPermitted as exc:
        raise Http404 from exc
    if not selectors.can_operate(request.user):
        raise PermissionDenied
    mod_services.action_retry(actor=request.user, action=action)
    messages.success(request, _("Action %(n)s queued again.") % {"n": action.pk})
    return redirect("platforms:live_status")


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        event = selectors.event_get(user=request.user, pk=pk)
    except NotPermitted as exc:
        raise Http404 from exc
    return render(request, "platforms/event_detail.html", {"event": event})


def _account_to_connect(request: HttpRequest, account_pk: int) -> Any:
    """The account, if this user sees it (else 404) and may connect accounts (else 403)."""
    try:
        account = account_get(user=request.user, pk=account_pk)
    except NotPermitted as exc:
        raise Http404 from exc
    if not selectors.can_connect(request.user):
        raise PermissionDenied
    return account


@login_required
@require_http_methods(["GET", "POST"])
def connection_edit(request: HttpRequest, account_pk: int) -> HttpResponse:
    """Connect an account: an admin pastes the token (and the app secret for Meta and X)."""
    account = _account_to_connect(request, account_pk)
    conn = getattr(account, "connection", None)
    form = ConnectionForm(request.POST or None, instance=conn, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_save(actor=request.user, account=account, **form.cleaned_data)
        except PolicyViolation as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Connection saved."))
            return redirect("platforms:live_status")
    return render(request, "platforms/connection_form.html", {
        "form": form, "account": account, "connection": conn, **_oauth_context(account),
    })  # fmt: skip


def _oauth_context(account: Any) -> dict[str, Any]:
    """What the connection page says about signing in: offered? configured? (why not, if not)."""
    if not services.oauth_available(account.platform):
        return {"oauth_available": False}
    try:
        provider = services.oauth_provider(account.platform)
    except PolicyViolation as exc:
        return {"oauth_available": True, "oauth_problem": str(exc), "oauth_label": ""}
    return {"oauth_available": True, "oauth_problem": "", "oauth_label": provider.label}


# -- connecting with the platform's sign-in (OAuth 2.0) ------------------------------------------

#: Session key holding the sign-ins started in this session, by ``state``.
OAUTH_SESSION_KEY = "steward.platforms.oauth"
#: A sign-in not finished within this many seconds must be started again.
OAUTH_MAX_AGE = 15 * 60


def _redirect_uri(request: HttpRequest, provider: str) -> str:
    """One callback URL per provider, as registered with it (never per account: the providers
    match redirect URIs exactly). ``SITE_URL`` wins over the request's host behind a proxy."""
    from django.conf import settings

    path = reverse("platforms:oauth_callback", args=[provider])
    site = str(getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return f"{site}{path}" if site else request.build_absolute_uri(path)


@login_required
@require_POST
def oauth_start(request: HttpRequest, account_pk: int) -> HttpResponse:
    """"Connect with <platform>": remember ``state`` (and the PKCE verifier) in the session and
    send the browser to the platform's consent screen."""
    import time

    account = _account_to_connect(request, account_pk)
    provider = oauthlib.PROVIDER_FOR_PLATFORM.get(account.platform, "")
    try:
        url, pending = services.connection_oauth_begin(
            account=account, redirect_uri=_redirect_uri(request, provider or "none")
        )
    except PolicyViolation as exc:
        messages.error(request, str(exc))
        return redirect("platforms:connection_edit", account_pk=account.pk)
    now = time.time()
    started = {
        k: v for k, v in request.session.get(OAUTH_SESSION_KEY, {}).items() if now - v.get("at", 0) < OAUTH_MAX_AGE
    }
    started[pending["state"]] = {
        "account": account.pk, "provider": provider, "user": request.user.pk, "at": now,
        "verifier": pending["verifier"], "redirect_uri": pending["redirect_uri"],
    }  # fmt: skip
    request.session[OAUTH_SESSION_KEY] = dict(sorted(started.items(), key=lambda kv: kv[1]["at"])[-5:])
    return redirect(url)


def _oauth_failed(request: HttpRequest, message: str, *, account: Any = None, status: int = 400) -> HttpResponse:
    return render(request, "platforms/oauth_error.html", {"message": message, "account": account}, status=status)


@login_required
@require_http_methods(["GET"])
def oauth_callback(request: HttpRequest, provider: str) -> HttpResponse:
    """The platform sends the browser back here with ``code`` and ``state`` (or ``error``).

    ``state`` must be one this session started (and is used once): a callback nobody started here
    is refused, so another site cannot connect its own account to ours (login CSRF).
    """
    import time

    if provider not in oauthlib.PROVIDER_NAMES:
        raise Http404
    started = dict(request.session.get(OAUTH_SESSION_KEY, {}))
    pending = started.pop(request.GET.get("state", ""), None)
    request.session[OAUTH_SESSION_KEY] = started
    if (
        pending is None
        or pending.get("provider") != provider
        or pending.get("user") != request.user.pk
        or time.time() - pending.get("at", 0) > OAUTH_MAX_AGE
    ):
        return _oauth_failed(
            request,
            "This sign-in was not started from Steward in this browser session, or it took longer "
            "than 15 minutes. Nothing was changed: start again from the account's connection page.",
        )
    try:
        account = account_get(user=request.user, pk=pending["account"])
    except NotPermitted as exc:
        raise Http404 from exc
    if not selectors.can_operate(request.user):
        raise PermissionDenied
    try:
        config = services.oauth_provider(account.platform)
        denied = oauthlib.callback_error(request.GET, config)
        if denied is not None:
            raise denied
        conn = services.connection_oauth_complete(
            actor=request.user,
            account=account,
            code=request.GET.get("code", ""),
            redirect_uri=pending["redirect_uri"],
            code_verifier=pending.get("verifier", ""),
        )
    except (PlatformError, PolicyViolation) as exc:
        message = exc.message if isinstance(exc, PlatformError) else str(exc)
        transient = isinstance(exc, PlatformError) and not exc.permanent
        return _oauth_failed(request, message, account=account, status=502 if transient else 400)
    messages.success(
        request,
        _("Connected with %(provider)s: %(platform)s id %(id)s. The token is stored encrypted.")
        % {"provider": config.label, "platform": account.get_platform_display(), "id": conn.platform_account_id},
    )
    return redirect("platforms:connection_edit", account_pk=account.pk)

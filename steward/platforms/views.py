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
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from steward.core.errors import NotPermitted, PolicyViolation
from steward.platforms import selectors, services
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
    messages.success(request, f"Event {event.pk} queued again.")
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
    messages.success(request, f"Action {action.pk} queued again.")
    return redirect("platforms:live_status")


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        event = selectors.event_get(user=request.user, pk=pk)
    except NotPermitted as exc:
        raise Http404 from exc
    return render(request, "platforms/event_detail.html", {"event": event})


@login_required
@require_http_methods(["GET", "POST"])
def connection_edit(request: HttpRequest, account_pk: int) -> HttpResponse:
    """Connect an account: an admin pastes the token (and the app secret for Meta and X)."""
    try:
        account = account_get(user=request.user, pk=account_pk)
    except NotPermitted as exc:
        raise Http404 from exc
    if not selectors.can_operate(request.user):
        raise PermissionDenied
    conn = getattr(account, "connection", None)
    form = ConnectionForm(request.POST or None, instance=conn, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_save(actor=request.user, account=account, **form.cleaned_data)
        except PolicyViolation as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Connection saved.")
            return redirect("platforms:live_status")
    return render(request, "platforms/connection_form.html", {"form": form, "account": account, "connection": conn})

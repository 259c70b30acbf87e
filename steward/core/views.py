"""The dashboard, the signed-in person's own account pages, and small shared pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from steward.core.errors import NotPermitted
from steward.core.forms import ApiTokenForm
from steward.core.permissions import is_administrator, scope_for
from steward.core.selectors import api_tokens_for, dashboard_summary
from steward.core.services import api_token_create, api_token_revoke


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    summary = dashboard_summary(user=request.user)
    try:
        account_list_url = reverse("registry:account_list")
    except NoReverseMatch:
        account_list_url = ""
    return render(
        request,
        "core/dashboard.html",
        {"summary": summary, "table": _status_platform_table(summary["by_status_platform"]), "account_list_url": account_list_url},
    )


def _status_platform_table(counts: dict[str, Any]) -> dict[str, Any]:
    """The selector's counts with display labels, ready for the template."""
    from steward.registry.models import Account, Platform

    status_labels = dict(Account.Status.choices)
    platform_labels = dict(Platform.choices)
    statuses = list(counts.get("statuses", []))
    rows = [
        (platform, platform_labels.get(platform, platform), list(zip(statuses, row, strict=False)), sum(row))
        for platform, row in counts.get("rows", [])
    ]
    totals = list(counts.get("totals", []))
    registered = totals[statuses.index("registered")] if "registered" in statuses else 0
    return {
        "statuses": [(s, status_labels.get(s, s)) for s in statuses],
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
        "registered": registered,
    }


@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    from allauth.mfa.models import Authenticator

    from steward.people.models import Person, StaffRole

    scope = scope_for(request.user)
    person = Person.objects.filter(pk=scope.person_id).first() if scope.person_id else None
    roles = StaffRole.objects.filter(person=person).select_related("unit") if person else []
    return render(
        request,
        "core/my_account.html",
        {
            "person": person,
            "roles": roles,
            "scope": scope,
            "is_administrator": is_administrator(request.user),
            "has_totp": Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists(),
        },
    )


@never_cache
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the user's tokens and create one; a new token's secret is shown in this response only."""
    new_secret = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, new_secret = api_token_create(actor=request.user, user=request.user, name=form.cleaned_data["name"])
        messages.success(request, _("Token “%(name)s” created. Copy it now: it will not be shown again.") % {"name": token.name})
        form = ApiTokenForm()
    return render(
        request, "core/api_tokens.html", {"tokens": api_tokens_for(request.user), "form": form, "new_secret": new_secret}
    )


@require_POST
@login_required
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = api_tokens_for(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    try:
        api_token_revoke(actor=request.user, token=token)
    except NotPermitted as exc:
        raise Http404 from exc
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("core:api_tokens")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

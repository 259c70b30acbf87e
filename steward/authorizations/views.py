"""Authorization pages. Thin: selectors to read, services to write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from steward.authorizations import rules, selectors, services
from steward.authorizations.forms import GrantFilterForm, GrantForm, MayPostForm, RevokeForm
from steward.authorizations.models import Authorization
from steward.core.audit import history_for
from steward.core.errors import NotPermitted, PolicyViolation
from steward.registry.forms import add_violation
from steward.registry.views import wants_partial


def _grant(request: HttpRequest, pk: int) -> Authorization:
    try:
        return selectors.grant_get(user=request.user, pk=pk)
    except NotPermitted as exc:
        raise Http404(str(exc)) from exc


def client_address(request: HttpRequest) -> str | None:
    """The address an attestation was signed from. REMOTE_ADDR is the peer; behind the district's
    proxy, settings decide whether X-Forwarded-For is trusted (not here)."""
    return request.META.get("REMOTE_ADDR") or None


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    form = GrantFilterForm(request.GET or None)
    qs = selectors.grant_search(user=request.user, **form.search_args())
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(g, selectors.grant_state(g, now)) for g in page],
        "total": page.paginator.count,
        "can_create": rules.can_create(request.user),
        "querystring": query.urlencode(),
    }
    template = (
        "authorizations/_grant_results.html"
        if wants_partial(request)
        else "authorizations/grant_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(request, pk)
    can_revoke = grant.revoked_at is None and rules.can_revoke(request.user, grant)
    return render(
        request,
        "authorizations/grant_detail.html",
        {
            "grant": grant,
            "state": selectors.grant_state(grant),
            "history": history_for(grant),
            "can_revoke": can_revoke,
            "revoke_form": RevokeForm() if can_revoke else None,
        },
    )


@login_required
def grant_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The signed document, to whoever may see the grant."""
    grant = _grant(request, pk)
    if not grant.evidence_document:
        raise Http404
    name = (grant.evidence_document.name or "evidence").rsplit("/", 1)[-1]
    return FileResponse(grant.evidence_document.open("rb"), as_attachment=True, filename=name)


@login_required
def grant_create(request: HttpRequest) -> HttpResponse:
    if not rules.can_create(request.user):
        raise PermissionDenied
    initial = {
        k: request.GET[k]
        for k in ("account", "unit", "grantee", "kind", "student")
        if request.GET.get(k)
    }
    if initial.get("unit"):
        initial["scope"] = "unit"
    form = GrantForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_create(
                actor=request.user, remote_addr=client_address(request), **form.service_args()
            )
        except PolicyViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("Authorization recorded."))
            return redirect("authorizations:grant_detail", pk=grant.pk)
    return render(request, "authorizations/grant_form.html", {
        "form": form,
        # The browser does not send a chosen file again: say so when the form comes back.
        "file_dropped": request.method == "POST" and bool(request.FILES),
    })  # fmt: skip


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(request, pk)
    if not rules.can_revoke(request.user, grant):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.grant_revoke(
                actor=request.user, grant=grant, reason=form.cleaned_data["reason"]
            )
        except PolicyViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("Authorization revoked."))
            return redirect("authorizations:grant_detail", pk=grant.pk)
    return render(
        request,
        "authorizations/grant_detail.html",
        {
            "grant": grant,
            "state": selectors.grant_state(grant),
            "history": history_for(grant),
            "can_revoke": True,
            "revoke_form": form,
        },
        status=200,
    )


@login_required
def grant_expiring(request: HttpRequest) -> HttpResponse:
    grants = selectors.grants_expiring(user=request.user, days=30).select_related(
        "grantee", "grantor", "account", "unit"
    )
    return render(request, "authorizations/grant_expiring.html", {"grants": grants, "days": 30})


@login_required
def may_post_check(request: HttpRequest) -> HttpResponse:
    form = MayPostForm(request.GET or None, user=request.user)
    decision = None
    if request.GET and form.is_valid():
        decision = selectors.may_post(
            person=form.cleaned_data["person"],
            account=form.cleaned_data["account"],
            at=form.cleaned_data.get("at"),
        )
    return render(request, "authorizations/may_post.html", {"form": form, "decision": decision})

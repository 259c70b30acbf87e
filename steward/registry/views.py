"""Registry pages. Thin: selectors to read, services to write, forms to show refusals."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from steward.core.audit import history_for
from steward.core.errors import NotPermitted, PolicyViolation
from steward.people.models import Person
from steward.platforms.selectors import can_connect
from steward.registry import rules, selectors, services
from steward.registry.forms import (
    AccountFilterForm,
    AccountForm,
    AccountReportForm,
    ManagerForm,
    ReasonForm,
    add_violation,
)
from steward.registry.models import Account

TRANSITIONS: dict[str, tuple[Any, Any, Any]] = {
    # action: (service, title, button)
    "register": (
        services.account_register,
        gettext_lazy("Register this account"),
        gettext_lazy("Register"),
    ),
    "suspend": (
        services.account_suspend,
        gettext_lazy("Suspend this account"),
        gettext_lazy("Suspend"),
    ),
    "retire": (
        services.account_retire,
        gettext_lazy("Retire this account"),
        gettext_lazy("Retire"),
    ),
    "reinstate": (
        services.account_reinstate,
        gettext_lazy("Reinstate this account"),
        gettext_lazy("Reinstate"),
    ),
}


def wants_partial(request: HttpRequest) -> bool:
    """An htmx swap of the results, not a history restore (which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _account(request: HttpRequest, pk: int) -> Account:
    try:
        return selectors.account_get(user=request.user, pk=pk)
    except NotPermitted as exc:
        raise Http404(str(exc)) from exc


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    form = AccountFilterForm(request.GET or None, user=request.user)
    qs = selectors.account_search(user=request.user, **form.search_args()).prefetch_related(
        "managers"
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # People are select_related, so the problems cost no queries; "not registered yet" shows as the status.
    rows = [
        (a, [(what, c) for what, c in selectors.account_problems(a) if c == "1.5"]) for a in page
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "total": page.paginator.count,
        "can_create": rules.can_create(request.user),
        "can_report": rules.can_report(request.user),
        "querystring": _without_page(request),
    }
    template = (
        "registry/_account_results.html" if wants_partial(request) else "registry/account_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def account_export(request: HttpRequest) -> HttpResponse:
    """The filtered registry as CSV: the inventory an account audit starts from (ACCT-1)."""
    form = AccountFilterForm(request.GET or None, user=request.user)
    qs = selectors.account_search(user=request.user, **form.search_args()).prefetch_related(
        "managers"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="account-registry.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "platform",
            "handle",
            "url",
            "display_name",
            "owning_unit",
            "kind",
            "status",
            "status_changed_at",
            "responsible_administrator",
            "advisor",
            "managers",
            "problems",
        ]
    )
    for a in qs:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    a.pk,
                    a.platform,
                    a.handle,
                    a.url,
                    a.display_name,
                    a.owning_unit,
                    a.kind,
                    a.status,
                    a.status_changed_at.isoformat() if a.status_changed_at else "",
                    a.responsible_administrator or "",
                    a.advisor or "",
                    "; ".join(str(m) for m in a.managers.all()),
                    "; ".join(
                        f"{what} ({clause})" for what, clause in selectors.account_problems(a)
                    ),
                )
            ]
        )
    return response


def _cell(value: object) -> str:
    """CSV cells that a spreadsheet will not run as a formula (CWE-1236)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _connect_with(user: Any, account: Account) -> str:
    """"Facebook" / "Google" / "X" when this user may connect the account by signing in there."""
    from steward.platforms import oauth
    from steward.platforms.services import oauth_provider

    provider = oauth.PROVIDER_FOR_PLATFORM.get(account.platform)
    if provider is None or account.status == Account.Status.RETIRED or not can_connect(user):
        return ""
    try:
        oauth_provider(account.platform)
    except PolicyViolation:
        # Not configured for this district: no button that can only fail. The "Platform
        # connection" page says which settings are missing and offers to paste a token.
        return ""
    return oauth.PROVIDER_NAMES[provider]


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from steward.authorizations import rules as grant_rules
    from steward.authorizations.selectors import grant_state, grants_on_account

    account = _account(request, pk)
    grants = list(
        grants_on_account(user=request.user, account=account).select_related("grantee", "grantor")
    )
    return render(
        request,
        "registry/account_detail.html",
        {
            "account": account,
            "problems": selectors.account_problems(account),
            "managers": account.managers.all(),
            "grants": [(g, grant_state(g)) for g in grants],
            "status_changes": account.status_changes.select_related("changed_by").all(),
            "history": history_for(account),
            "actions": rules.allowed_actions(request.user, account),
            "transitions": [
                (a, TRANSITIONS[a][2]) for a in ("register", "suspend", "reinstate", "retire")
            ],
            "manager_form": ManagerForm(user=request.user),
            "can_grant": account.status != Account.Status.RETIRED
            and grant_rules.can_create(request.user),
            "connect_with": _connect_with(request.user, account),
            "can_connect": can_connect(request.user),
        },
    )


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    if not rules.can_create(request.user):
        raise PermissionDenied
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(
                actor=request.user,
                register=form.cleaned_data.get("register", False),
                reason=form.cleaned_data.get("reason", ""),
                **form.facts(),
            )
        except PolicyViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("Account added to the registry."))
            return redirect("registry:account_detail", pk=account.pk)
    return render(
        request, "registry/account_form.html", {"form": form, "title": _("Add an account")}
    )


@login_required
def account_report(request: HttpRequest) -> HttpResponse:
    if not rules.can_report(request.user):
        raise PermissionDenied
    form = AccountReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_request(
                actor=request.user, reason=form.cleaned_data["reason"], **form.facts()
            )
        except PolicyViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(
                request, _("Thank you. LPS Media will review the account and register it.")
            )
            return redirect("registry:account_detail", pk=account.pk)
    return render(
        request,
        "registry/account_form.html",
        {
            "form": form,
            "title": _("Report an account"),
            "intro": _(
                "Every account created for an LPS school, program, club, team or initiative is registered with "
                "LPS Media (policy 1.4). Tell us about one that is not in the registry yet."
            ),
        },
    )


@login_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    if "edit" not in rules.allowed_actions(request.user, account):
        raise PermissionDenied
    initial = {f: getattr(account, f) for f in services.EDITABLE_FIELDS}
    form = AccountForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.facts().items() if v != initial.get(k)}
        try:
            services.account_update(actor=request.user, account=account, **changes)
        except PolicyViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:account_detail", pk=account.pk)
    return render(
        request,
        "registry/account_form.html",
        {
            "form": form,
            "account": account,
            "title": _("Edit %(account)s") % {"account": account.display_name},
        },
    )


@login_required
def account_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    account = _account(request, pk)
    if action not in TRANSITIONS:
        raise Http404
    service, title, button = TRANSITIONS[action]
    if action not in rules.allowed_actions(request.user, account):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if action == "register":
        form.fields["reason"].label = _(
            "Note for the history (e.g. the registration form received)"
        )
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, account=account, reason=form.cleaned_data["reason"])
        except PolicyViolation as exc:
            add_violation(form, exc)
        else:
            account.refresh_from_db()
            messages.success(
                request,
                _("%(account)s is now %(status)s.")
                % {"account": account.display_name, "status": account.get_status_display()},
            )
            return redirect("registry:account_detail", pk=account.pk)
    return render(
        request,
        "registry/account_transition.html",
        {
            "form": form,
            "account": account,
            "action": action,
            "title": title,
            "button": button,
            "problems": selectors.account_problems(account),
            "can_edit": "edit" in rules.allowed_actions(request.user, account),
        },
    )


@login_required
@require_POST
def account_manager_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    if "managers" not in rules.allowed_actions(request.user, account):
        raise PermissionDenied
    form = ManagerForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.account_manager_add(
                actor=request.user, account=account, person=form.cleaned_data["person"]
            )
        except PolicyViolation as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Manager added."))
    else:
        messages.error(request, _("Choose a staff member."))
    return redirect("registry:account_detail", pk=account.pk)


@login_required
@require_POST
def account_manager_remove(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    account = _account(request, pk)
    if "managers" not in rules.allowed_actions(request.user, account):
        raise PermissionDenied
    person = Person.objects.filter(pk=person_pk, managed_accounts=account).first()
    if person is None:
        raise Http404
    services.account_manager_remove(actor=request.user, account=account, person=person)
    messages.success(request, _("Manager removed."))
    return redirect("registry:account_detail", pk=account.pk)

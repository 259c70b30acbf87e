"""Archive pages: search, record versions, records requests, holds, retention. Thin: they call
selectors to read and services to write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from steward.archive import selectors, services
from steward.archive.forms import (
    ExportForm,
    FeeForm,
    HoldForm,
    PetitionDecisionForm,
    PetitionForm,
    PreserveForm,
    RecordsRequestForm,
    ReleaseForm,
    RetentionRuleForm,
    SavedSearchForm,
    SearchForm,
    StatusForm,
    search_summary,
)
from steward.archive.models import (
    DisclosureLog,
    LegalHold,
    Record,
    Redaction,
    RetentionRule,
    SavedSearch,
)
from steward.archive.search import highlight
from steward.core.errors import NotPermitted, PolicyViolation


def records_staff_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.is_records_staff(request.user):
            raise Http404(_("Not found."))
        try:
            return view(request, *args, **kwargs)
        except NotPermitted as exc:
            raise Http404(str(exc)) from exc

    return wrapped


def _search_form(request: HttpRequest) -> SearchForm:
    from steward.people.selectors import units_for
    from steward.registry.selectors import accounts_for

    return SearchForm(
        request.GET or None, accounts=accounts_for(request.user), units=units_for(request.user)
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Full-text search with filters, newest first, matches highlighted (PRR-3)."""
    form = _search_form(request)
    query = request.GET.get("q", "")
    filters = form.filters() if request.GET else {}
    page = None
    if request.GET:
        before = request.GET.get("before", "")
        page = selectors.record_search_page(
            user=request.user,
            query=query,
            filters=filters,
            before=int(before) if before.isdigit() else None,
        )
    rows = (
        [(r, highlight(r.text, query, context=240)) for r in page.records]
        if page is not None
        else []
    )
    params = request.GET.copy()
    params.pop("before", None)
    save_form = SavedSearchForm()
    cast(forms.ModelChoiceField, save_form.fields["request"]).queryset = selectors.requests_for(
        request.user
    ).exclude(status="closed")
    return render(
        request,
        "archive/search.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query,
            "params": params.urlencode(),
            "save_form": save_form,
            "can_save": selectors.is_records_staff(request.user),
        },
    )


@require_POST
@records_staff_required
def search_save(request: HttpRequest) -> HttpResponse:
    form = _search_form(request)  # the search being saved travels in the query string
    save = SavedSearchForm(request.POST)
    cast(forms.ModelChoiceField, save.fields["request"]).queryset = selectors.requests_for(
        request.user
    )
    if not save.is_valid():
        messages.error(request, _("Give the saved search a name."))
        return redirect(f"{reverse('archive:search')}?{request.GET.urlencode()}")
    ss = services.saved_search_create(
        actor=request.user,
        name=save.cleaned_data["name"],
        query=request.GET.get("q", ""),
        filters=form.filters(),
    )
    req = save.cleaned_data.get("request")
    if req is not None:
        services.request_attach_search(actor=request.user, request=req, saved_search=ss)
        messages.success(
            request, _("Search saved and attached to %(ref)s.") % {"ref": req.reference}
        )
        return redirect("archive:request_detail", pk=req.pk)
    messages.success(request, _("Search saved."))
    return redirect(f"{reverse('archive:search')}?{request.GET.urlencode()}")


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version of the item, side by side, with what changed (REC-2)."""
    try:
        record = selectors.record_get(user=request.user, pk=pk)
    except NotPermitted as exc:
        raise Http404(str(exc)) from exc
    versions = selectors.record_versions(user=request.user, record=record)
    thread = []
    if record.thread_platform_id:
        thread = list(
            selectors.records_for(request.user)
            .filter(
                chain=record.chain, thread_platform_id=record.thread_platform_id, version="created"
            )
            # What people wrote in the thread; the district's decisions on it are records of
            # their own, shown with each comment's versions, not as messages.
            .exclude(kind=Record.Kind.MODERATION)
            .order_by("platform_created_at", "seq")[:200]
        )
    return render(
        request,
        "archive/record_detail.html",
        {"record": record, "versions": versions, "thread": thread},
    )


@login_required
def preserve(request: HttpRequest) -> HttpResponse:
    """Upload a screenshot or PDF of a message thread (1.7)."""
    from steward.authorizations.models import Authorization
    from steward.authorizations.selectors import grants_for
    from steward.people.models import Person
    from steward.registry.selectors import accounts_for

    accounts = accounts_for(request.user)
    grants = grants_for(request.user).filter(kind=Authorization.Kind.MESSAGING, revoked_at__isnull=True)
    form = PreserveForm(
        request.POST or None, request.FILES or None, accounts=accounts, authorizations=grants
    )
    if request.method == "POST" and form.is_valid():
        account = accounts.get(pk=int(form.cleaned_data["account"]))
        grant = form.cleaned_data["authorization"]
        ids = [
            int(x) for x in form.cleaned_data["people"].replace(" ", "").split(",") if x.isdigit()
        ]
        people = [p for p in (grant.grantee, grant.student) if p is not None] if grant else []
        people += [p for p in Person.objects.filter(pk__in=ids) if p not in people]
        upload = form.cleaned_data["file"]
        record = services.record_preserve_upload(
            actor=request.user,
            account=account,
            data=upload.read(),
            filename=upload.name,
            people=people,
            authorization=grant,
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Thread preserved as record %(id)s.") % {"id": record.pk})
        return redirect("archive:record_detail", pk=record.pk)
    return render(request, "archive/preserve.html", {"form": form})


# --- records requests ----------------------------------------------------------------------


@records_staff_required
def request_list(request: HttpRequest) -> HttpResponse:
    # Most requests are logged as they arrive: received "now" unless the officer says otherwise.
    now = timezone.localtime().replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
    form = RecordsRequestForm(request.POST or None, initial={"received_at": now})
    if request.method == "POST" and form.is_valid():
        req = services.request_create(actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Request %(ref)s logged; initial response due %(due)s.")
            % {"ref": req.reference, "due": req.due_date},
        )
        return redirect("archive:request_detail", pk=req.pk)
    today = timezone.localdate()
    rows = [(r, selectors.request_deadline(r, today)) for r in selectors.requests_for(request.user)]
    return render(request, "archive/request_list.html", {"rows": rows, "form": form})


@records_staff_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_get(user=request.user, pk=pk)
    records = services.request_records(req)
    bundle = request.GET.get("bundle", "")  # just exported: offer its download
    return render(
        request,
        "archive/request_detail.html",
        {
            "req": req,
            "deadline": selectors.request_deadline(req, timezone.localdate()),
            "alerts": req.deadline_alerts.all(),
            "records": records[:500],
            "record_count": len(records),
            "redactions": selectors.redactions_for(user=request.user, request=req),
            "disclosures": req.disclosures.all(),
            "status_form": StatusForm(initial={"status": req.status}),
            "export_form": ExportForm(),
            "fee_form": FeeForm(
                initial={
                    "hours_search": req.hours_search,
                    "hours_redaction": req.hours_redaction,
                    "hourly_rate_cents": req.hourly_rate_cents,
                }
            ),
            "petition_form": PetitionForm(initial={"filed_on": timezone.localdate()}),
            "petition_decision_form": PetitionDecisionForm(),
            "petition_deadline": services.petition_deadline(req),
            "fees_locked": services.fees_locked(req),
            "fee_dollars": f"{req.fee_cents / 100:.2f}",
            "searches": [(saved, search_summary(saved)) for saved in req.saved_searches.all()],
            "new_bundle": req.disclosures.filter(pk=int(bundle)).first() if bundle.isdigit() else None,
        },
    )


@require_POST
@records_staff_required
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        if action == "status":
            form = StatusForm(request.POST)
            if form.is_valid():
                services.request_set_status(
                    actor=request.user,
                    request=req,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
        elif action == "fee":
            fee_form = FeeForm(request.POST)
            if fee_form.is_valid():
                services.request_set_fee(actor=request.user, request=req, **fee_form.cleaned_data)
        elif action == "petition":
            petition_form = PetitionForm(request.POST)
            if not petition_form.is_valid():
                raise PolicyViolation(_("Give the date the petition was filed."), field="filed_on")
            services.request_petition_file(actor=request.user, request=req, **petition_form.cleaned_data)
            messages.success(request, _("Petition recorded."))
        elif action == "petition_decision":
            decision_form = PetitionDecisionForm(request.POST)
            if not decision_form.is_valid():
                raise PolicyViolation(_("Give the decision and its date."), field="decision")
            services.request_petition_decide(actor=request.user, request=req, **decision_form.cleaned_data)
            messages.success(request, _("Decision recorded."))
        elif action == "propose":
            n = services.request_redactions_propose(actor=request.user, request=req)
            messages.success(request, _("%(n)s redactions found; review them below.") % {"n": n})
        elif action == "export":
            export_form = ExportForm(request.POST)
            if export_form.is_valid():
                log = services.request_export(
                    actor=request.user, request=req, **export_form.cleaned_data
                )
                # Back on the request page, where the message is seen and the bundle is offered
                # (a download as the answer to the form left the message for some later page).
                messages.success(request, _("Bundle exported and the disclosure logged."))
                return redirect(f"{reverse('archive:request_detail', args=[req.pk])}?bundle={log.pk}#released")
            messages.error(request, _("Say who receives the bundle and why."))
        elif action in ("apply", "reject"):
            red = selectors.redactions_for(user=request.user, request=req).get(
                pk=int(request.POST["redaction"])
            )
            services.redaction_decide(actor=request.user, redaction=red, apply=action == "apply")
        else:
            raise Http404
    except PolicyViolation as exc:
        messages.error(request, str(exc))
    except (Redaction.DoesNotExist, KeyError, ValueError) as exc:
        raise Http404 from exc
    return redirect("archive:request_detail", pk=req.pk)


@records_staff_required
def disclosure_download(request: HttpRequest, pk: int) -> FileResponse:
    log = DisclosureLog.objects.filter(pk=pk).first()
    if log is None or not log.bundle_file:
        raise Http404
    return FileResponse(
        log.bundle_file.open("rb"),
        as_attachment=True,
        filename=f"{log.request.reference if log.request else 'bundle'}.zip",
    )


# --- holds, retention ----------------------------------------------------------------------


@records_staff_required
def hold_list(request: HttpRequest) -> HttpResponse:
    from steward.registry.selectors import accounts_for

    accounts = accounts_for(request.user)
    searches = SavedSearch.objects.order_by("-created_at")[:200]
    form = HoldForm(request.POST or None, accounts=accounts, searches=searches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hold_place(
                actor=request.user,
                matter=data["matter"],
                custodian=data["custodian"],
                account=accounts.filter(pk=data["account"] or 0).first(),
                saved_search=SavedSearch.objects.filter(pk=data["saved_search"] or 0).first(),
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
            messages.success(request, _("Hold placed."))
            return redirect("archive:hold_list")
        except PolicyViolation as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "archive/hold_list.html",
        {"holds": selectors.holds_for(request.user), "form": form, "release_form": ReleaseForm()},
    )


@require_POST
@records_staff_required
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold = LegalHold.objects.filter(pk=pk, released_at__isnull=True).first()
    form = ReleaseForm(request.POST)
    if hold is None:
        raise Http404
    if form.is_valid():
        services.hold_release(
            actor=request.user, hold=hold, directive=form.cleaned_data["directive"]
        )
        messages.success(request, _("Hold released."))
    else:
        messages.error(request, _("Lifting a hold needs the written directive's reference."))
    return redirect("archive:hold_list")


@records_staff_required
def retention(request: HttpRequest) -> HttpResponse:
    from steward.registry.selectors import accounts_for

    accounts = accounts_for(request.user)
    form = RetentionRuleForm(request.POST or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.retention_rule_create(
            actor=request.user,
            kind=data["kind"],
            account=accounts.filter(pk=data["account"] or 0).first(),
            retain_days=data["retain_days"],
            series=data["series"],
            authority=data["authority"],
        )
        messages.success(request, _("Retention rule added."))
        return redirect("archive:retention")
    plan = services.purge_plan()
    return render(
        request,
        "archive/retention.html",
        {
            "rules": selectors.retention_rules_for(request.user),
            "form": form,
            "dispositions": selectors.dispositions_for(request.user)[:200],
            "eligible": len(plan.eligible),
            "held": len(plan.held),
            "now": dt.datetime.now(dt.UTC),
        },
    )


@require_POST
@records_staff_required
def retention_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    rule = RetentionRule.objects.filter(pk=pk, active=True).first()
    if rule is None:
        raise Http404
    services.retention_rule_deactivate(actor=request.user, rule=rule)
    return redirect("archive:retention")

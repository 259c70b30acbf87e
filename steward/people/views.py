"""People pages: the people list and page, the unit tree and page, the roster import.

Every object is read through the selectors (``people_for``, ``units_for``), so an object outside
the user's scope is a 404, exactly as if it did not exist.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from steward.core.audit import history_for
from steward.core.errors import NotPermitted
from steward.core.permissions import scope_for
from steward.people import oneroster
from steward.people.forms import PersonFilterForm, RosterUploadForm
from steward.people.selectors import (
    people_for,
    people_search,
    person_get,
    person_responsibilities,
    roster_imports_for,
    unit_get,
    unit_tree,
    units_for,
)
from steward.people.services import ImportReport, RosterImportError, roster_import

PAGE_SIZE = 50
UPLOAD_DIR = "roster_uploads"
SESSION_KEY = "steward_roster_upload"


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    units = units_for(request.user)
    form = PersonFilterForm(request.GET or None, units=units)
    if form.is_bound and form.is_valid():
        people = people_search(
            user=request.user, kind=form.cleaned_data["kind"], unit=form.cleaned_data["unit"],
            active=form.active_value(), q=form.cleaned_data["q"],
        )
    else:
        people = people_search(user=request.user, active=True)
    page = Paginator(people.prefetch_related("roles__unit"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "people/person_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        person = person_get(user=request.user, pk=pk)
    except NotPermitted as exc:
        raise Http404(str(exc)) from exc
    context: dict[str, Any] = {"person": person, "history": history_for(person)[:100]}
    context.update(person_responsibilities(user=request.user, person=person))
    return render(request, "people/person_detail.html", context)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    with_classes = request.GET.get("classrooms") == "1"
    return render(
        request, "people/unit_list.html",
        {"tree": unit_tree(user=request.user, include_classrooms=with_classes), "with_classes": with_classes},
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        unit = unit_get(user=request.user, pk=pk)
    except NotPermitted as exc:
        raise Http404(str(exc)) from exc
    from steward.registry.selectors import accounts_for

    visible_people = people_for(request.user)
    staff_roles = (
        unit.staff_roles.filter(person__in=visible_people, person__active=True)
        .select_related("person").order_by("person__family_name", "person__given_name")
    )
    context = {
        "unit": unit,
        "ancestors": units_for(request.user).filter(pk__in=unit.ancestors(include_self=False).values("pk")),
        "children": units_for(request.user).filter(parent=unit).order_by("name"),
        "staff_roles": staff_roles[:200],
        "student_count": visible_people.filter(school=unit, active=True).count(),
        "enrolled_count": visible_people.filter(enrollments__unit=unit, enrollments__active=True).count(),
        "accounts": accounts_for(request.user).filter(owning_unit=unit),
        "history": history_for(unit)[:100],
    }
    return render(request, "people/unit_detail.html", context)


def _require_importer(request: HttpRequest) -> None:
    if not scope_for(request.user).district_wide:
        raise PermissionDenied(_("Only the communications office or the superintendent's office may import the roster."))


def _stash(request: HttpRequest, form: RosterUploadForm) -> dict[str, Any]:
    """Keep the upload between the preview and the confirmation, named by a random token."""
    _discard(request)
    token = secrets.token_urlsafe(24)
    base = f"{UPLOAD_DIR}/{token}"
    default_storage.save(f"{base}/package.zip", ContentFile(form.package_zip()))
    stash: dict[str, Any] = {
        "token": token, "name": form.package_name(),
        "deactivate_missing": bool(form.cleaned_data.get("deactivate_missing")),
        "opt_outs": False, "mapping": "",
    }
    if form.cleaned_data.get("opt_outs"):
        default_storage.save(f"{base}/opt_outs.csv", ContentFile(form.cleaned_data["opt_outs"].read()))
        stash["opt_outs"] = True
    if form.cleaned_data.get("mapping"):
        stash["mapping"] = form.cleaned_data["mapping"].read().decode("utf-8-sig", errors="replace")
        stash["mapping_name"] = form.cleaned_data["mapping"].name
    request.session[SESSION_KEY] = stash
    return stash


def _discard(request: HttpRequest) -> None:
    stash = request.session.pop(SESSION_KEY, None)
    if stash:
        for name in ("package.zip", "opt_outs.csv"):
            path = f"{UPLOAD_DIR}/{stash['token']}/{name}"
            if default_storage.exists(path):
                default_storage.delete(path)


def _run(request: HttpRequest, stash: dict[str, Any], *, dry_run: bool) -> ImportReport:
    base = f"{UPLOAD_DIR}/{stash['token']}"
    mapping = (
        oneroster.Mapping.parse(stash["mapping"], name=stash.get("mapping_name", "mapping"))
        if stash.get("mapping") else None
    )
    opt_outs = None
    if stash["opt_outs"]:
        with default_storage.open(f"{base}/opt_outs.csv", "rb") as fh:
            opt_outs = fh.read()
    with default_storage.open(f"{base}/package.zip", "rb") as package:
        return roster_import(
            actor=request.user, package=package, dry_run=dry_run, mapping=mapping, opt_outs=opt_outs,
            deactivate_missing=stash["deactivate_missing"], source_label=stash["name"],
        )


@login_required
@require_http_methods(["GET", "POST"])
def roster_import_page(request: HttpRequest) -> HttpResponse:
    """Upload → dry-run report (every problem with file, row and column) → confirm → import."""
    _require_importer(request)
    context: dict[str, Any] = {"recent": roster_imports_for(request.user)[:10]}
    form = RosterUploadForm()
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stash = request.session.get(SESSION_KEY)
        if not stash or stash.get("token") != request.POST.get("token"):
            messages.error(request, _("That preview has expired; upload the package again."))
            return redirect("people:roster_import")
        try:
            report = _run(request, stash, dry_run=False)
        except (RosterImportError, oneroster.PackageError) as exc:
            # The roster or the people changed since the preview: show the new report.
            context.update(form=form, report=getattr(exc, "report", None), error=str(exc))
            return render(request, "people/roster_import.html", context, status=422)
        _discard(request)
        messages.success(request, _("The roster was imported."))
        return redirect("people:roster_import_detail", pk=report.import_id)
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            stash = _stash(request, form)
            try:
                report = _run(request, stash, dry_run=True)
                context.update(report=report, token=stash["token"])
            except RosterImportError as exc:
                _discard(request)
                context.update(report=exc.report, refused=True)
            except oneroster.PackageError as exc:
                _discard(request)
                form.add_error(None, str(exc))
        status = 422 if form.errors or context.get("refused") else 200
        context["form"] = form
        return render(request, "people/roster_import.html", context, status=status)
    context["form"] = form
    return render(request, "people/roster_import.html", context)


@login_required
def roster_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    run = roster_imports_for(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404(_("No such import."))
    return render(
        request, "people/roster_import_detail.html",
        {"run": run, "report": ImportReport.from_dict(run.report), "history": history_for(run)},
    )

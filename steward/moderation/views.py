"""Moderation pages: the queue (held, reported, escalated, hidden by the engine), a comment with
its evidence and its author's history, decisions, blocks and appeals. Thin: selectors read,
services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from steward.core.errors import NotPermitted, PolicyViolation
from steward.moderation import report, rulebook, selectors, services
from steward.moderation.forms import (
    AppealForm,
    AppealReviewForm,
    BlockDecisionForm,
    BlockProposalForm,
    ConsistencyReportForm,
    DecisionForm,
    LiftForm,
    ReportForm,
    TryCommentForm,
)
from steward.moderation.guidelines import guideline_text
from steward.moderation.models import CATEGORIES, Decision, PlatformAction, QueueItem
from steward.platforms.selectors import offered_actions
from steward.registry.selectors import accounts_for


def _get(fn: Any, **kw: Any) -> Any:
    try:
        return fn(**kw)
    except NotPermitted as exc:
        raise Http404 from exc


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    reason = request.GET.get("reason", "held")
    if reason not in selectors.QUEUES:
        reason = "held"
    account_id, unit_id = _int(request.GET.get("account")), _int(request.GET.get("unit"))
    items = selectors.queue_items_for(request.user, reason=reason, account_id=account_id, unit_id=unit_id)[:200]
    accounts = accounts_for(request.user)
    counts = selectors.queue_counts(request.user)
    units = {a.owning_unit for a in accounts}
    return render(request, "moderation/queue.html", {
        "items": items, "reason": reason,
        "tabs": [(v, label, counts.get(v, 0)) for v, label in QueueItem.Reason.choices], "accounts": accounts, "units": sorted(units, key=str),
        "account_id": account_id, "unit_id": unit_id,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    """The engine's rules in words, and a comment tried against them (POST, so that what is typed
    stays out of addresses and logs; nothing is recorded)."""
    form = TryCommentForm(request.POST if request.method == "POST" else None)
    verdict = None
    if form.is_valid():
        d = form.cleaned_data
        verdict = rulebook.try_comment(d["text"], post=d["post"], lang=d["lang"])
    return render(request, "moderation/rules.html", {
        **rulebook.rules_in_words(), "form": form, "verdict": verdict,
        "categories": CATEGORIES, "actions": Decision.Outcome.choices,
        "verdict_evidence": verdict.to_dict()["evidence"] | {"explanation": verdict.explanation} if verdict else None,
    })  # fmt: skip


@login_required
def consistency_report(request: HttpRequest) -> HttpResponse:
    """What was decided over a period, by category, decider and account; what people did with the
    engine's removals; appeals and second reviews (MOD-6). ``?format=csv`` downloads it."""
    form = ConsistencyReportForm(request.GET or None, accounts=accounts_for(request.user))
    start, end, account_id = form.period()
    data = report.moderation_report(request.user, start=start, end=end, account_id=account_id)
    if request.GET.get("format") == "csv" and not form.errors:
        response = HttpResponse(report.report_csv(data), content_type="text/csv; charset=utf-8")
        name = f"moderation-report-{start.isoformat()}-{end.isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    query = request.GET.copy()
    query["format"] = "csv"
    return render(request, "moderation/report.html", {"form": form, "report": data, "csv_query": query.urlencode()})


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    qs = selectors.decisions_for(request.user)
    account_id = _int(request.GET.get("account"))
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if request.GET.get("outcome"):
        qs = qs.filter(outcome=request.GET["outcome"])
    return render(request, "moderation/decisions.html", {"decisions": qs[:200], "outcomes": Decision.Outcome.choices})


@login_required
def comment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get(selectors.comment_get, user=request.user, pk=pk)
    return _comment_page(request, comment)


def _comment_page(request: HttpRequest, comment: Any, *, form: DecisionForm | None = None) -> HttpResponse:
    """The comment with its evidence and the decision form; ``form`` is a bound form with its
    errors when a decision was refused, so that what the moderator typed is kept."""
    decisions_ = comment.decisions.select_related("actor").prefetch_related("actions").order_by("-created_at")
    last_removal = decisions_.filter(outcome__in=["hide", "remove", "escalate"]).first()
    if form is None:
        form = DecisionForm(initial={"idempotency_key": signing.dumps([comment.pk, request.user.pk, _nonce()])})
    return render(request, "moderation/comment_detail.html", {
        "comment": comment,
        "decisions": decisions_,
        "history": selectors.author_history(comment),
        "queue_items": comment.queue_items.filter(state=QueueItem.State.OPEN),
        "form": form,
        # Their own field ids: the decision form already has a "reason" field.
        "report_form": ReportForm(auto_id="report_%s"),
        "block_form": BlockProposalForm(auto_id="block_%s") if last_removal else None,
        "last_removal": last_removal,
        "offered": _offered_labels(comment.platform),
        "can_approve_blocks": services.is_communications_lead(request.user),
    })  # fmt: skip


def _offered_labels(platform: str) -> list[str]:
    """What the platform lets Steward do to a comment, in the reader's words."""
    labels = {**dict(PlatformAction.Kind.choices), "private_reply": _("Private reply")}
    return [str(labels.get(name, name)) for name, cap in offered_actions(platform).items() if cap.supported]


def _nonce() -> str:
    import secrets

    return secrets.token_hex(8)


@login_required
@require_POST
def comment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get(selectors.comment_get, user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _comment_page(request, comment, form=form)
    data = form.cleaned_data
    try:
        services.comment_decide(
            actor=request.user, comment=comment, outcome=data["outcome"], category=data["category"],
            reason=data["reason"], viewpoint_attested=data["viewpoint_attested"],
            escalate_to=data["escalate_to"],
            idempotency_key=f"form:{data['idempotency_key']}" if data["idempotency_key"] else "",
        )  # fmt: skip
    except PolicyViolation as exc:
        # Shown next to the form, which keeps the outcome, category and reason that were typed.
        form.add_error(None, str(exc))
        return _comment_page(request, comment, form=form)
    messages.success(request, _("Decision recorded."))
    next_url = request.POST.get("next")
    if next_url and next_url.startswith("/moderation/"):
        return redirect(next_url)
    # "#main": the form was posted to "…#decide", and a browser keeps that fragment across the
    # redirect; the confirmation is at the top of the page.
    return redirect(reverse("moderation:comment_detail", args=[pk]) + "#main")


@login_required
@require_POST
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get(selectors.comment_get, user=request.user, pk=pk)
    form = ReportForm(request.POST)
    form.is_valid()
    services.comment_report(actor=request.user, comment=comment, note=form.cleaned_data.get("note", ""))
    messages.success(request, _("Reported to the queue."))
    return redirect("moderation:comment_detail", pk=pk)


@login_required
@require_POST
def block_propose(request: HttpRequest, decision_pk: int) -> HttpResponse:
    decision = _get(selectors.decision_get, user=request.user, pk=decision_pk)
    form = BlockProposalForm(request.POST)
    if form.is_valid():
        try:
            services.block_propose(actor=request.user, violation=decision, **form.cleaned_data)
            messages.success(request, _("Block proposed; the communications lead decides."))
        except PolicyViolation as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _form_errors(form, _("The block was not proposed")))
    return redirect("moderation:comment_detail", pk=decision.comment_id)


def _form_errors(form: Any, what: str) -> str:
    """One line naming each field that was refused and why, for a form posted from a list page."""
    parts = [f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errs)}".lstrip(": ")
             for name, errs in form.errors.items()]  # fmt: skip
    return f"{what} — {'; '.join(parts)}"


@login_required
def blocks(request: HttpRequest) -> HttpResponse:
    qs = selectors.blocks_for(request.user)
    # One form per proposal, with its own field ids, so that each label names its own field.
    proposed = [(b, BlockDecisionForm(auto_id=f"block{b.pk}_%s")) for b in qs.filter(state="proposed")]
    return render(request, "moderation/blocks.html", {
        "proposed": proposed, "active": qs.filter(state="approved").order_by("review_by"),
        "today": timezone.localdate(),
        "closed": qs.filter(state__in=["rejected", "lifted"])[:50],
        "can_decide": services.is_communications_lead(request.user),
    })  # fmt: skip


@login_required
@require_POST
def block_decide(request: HttpRequest, pk: int) -> HttpResponse:
    block = _get(selectors.block_get, user=request.user, pk=pk)
    form = BlockDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form, _("The block was not decided")))
        return redirect("moderation:blocks")
    try:
        services.block_decide(actor=request.user, proposal=block, approve=form.cleaned_data["approve"],
                              review_by=form.cleaned_data["review_by"], note=form.cleaned_data["note"])  # fmt: skip
        messages.success(request, _("Block approved.") if form.cleaned_data["approve"] else _("Block rejected."))
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except PolicyViolation as exc:
        messages.error(request, str(exc))
    return redirect("moderation:blocks")


@login_required
@require_POST
def block_lift(request: HttpRequest, pk: int) -> HttpResponse:
    block = _get(selectors.block_get, user=request.user, pk=pk)
    form = LiftForm(request.POST)
    form.is_valid()
    try:
        services.block_lift(actor=request.user, proposal=block, note=form.cleaned_data.get("note", ""))
        messages.success(request, _("Block lifted."))
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except PolicyViolation as exc:
        messages.error(request, str(exc))
    return redirect("moderation:blocks")


@login_required
def appeals(request: HttpRequest) -> HttpResponse:
    qs = selectors.appeals_for(request.user)
    # One form per appeal, with its own field ids, so that each label names its own field.
    open_ = [(a, AppealReviewForm(auto_id=f"appeal{a.pk}_%s")) for a in qs.filter(state="open")]
    return render(request, "moderation/appeals.html", {"open": open_, "closed": qs.exclude(state="open")[:50]})


@login_required
@require_POST
def appeal_review(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _get(selectors.appeal_get, user=request.user, pk=pk)
    form = AppealReviewForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_review(actor=request.user, appeal=appeal, **form.cleaned_data)
            messages.success(request, _("Appeal decided."))
        except PolicyViolation as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _form_errors(form, _("The appeal was not decided")))
    return redirect("moderation:appeals")


@require_http_methods(["GET", "POST"])
def appeal_public(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the notice on a hidden comment: anyone holding it may appeal, no sign-in."""
    try:
        decision_id = signing.loads(token, salt="steward.appeal", max_age=60 * 60 * 24 * 365)
    except signing.BadSignature as exc:
        raise Http404 from exc
    decision = Decision.objects.filter(pk=decision_id).select_related("comment", "account").first()
    if decision is None:
        raise Http404
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_submit(decision=decision, **form.cleaned_data)
        except PolicyViolation as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "moderation/appeal_thanks.html", {"decision": decision})
    return render(request, "moderation/appeal_public.html", {
        "decision": decision, "form": form, "guideline": guideline_text(decision.clause),
    })  # fmt: skip

"""Moderation forms: a person's decision, a block proposal and its approval, an appeal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.moderation.models import CATEGORIES, MAX_BLOCK_DAYS
from steward.moderation.report import period as report_period

REMOVABLE = [c for c in CATEGORIES if c[0] != "ok"]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("approve", _("Approve (show it)")), ("remove", _("Remove (hide it)")),
                                         ("escalate", _("Escalate")), ("uphold", _("Uphold the hide")),
                                         ("keep", _("Keep as is"))])  # fmt: skip
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *REMOVABLE], required=False,
                                 help_text=_("Required to remove: the published guideline it breaks."))  # fmt: skip
    escalate_to = forms.ChoiceField(label=_("Escalate to"), choices=[("safety", _("Safety contact")), ("records", _("Records officer"))],
                                    required=False)  # fmt: skip
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    viewpoint_attested = forms.BooleanField(
        required=False,
        label=_("I act on this comment's form or subject, not on the opinion it expresses."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)


class ReportForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class BlockProposalForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Repeated or serious violations, with the policy they break."))  # fmt: skip
    clause = forms.ChoiceField(label=_("Clause"), choices=[
        ("1.8.b", _("1.8.b — offensive comments, inappropriate remarks, profanity")),
        ("1.8.a", _("1.8.a — not appropriate for an educational environment or for all ages")),
        ("0.2", _("0.2 — Code of Conduct and non-discrimination (threats, harassment)")),
        ("1.8.e", _("1.8.e — sales and promotions that are not approved fundraisers")),
    ])


class BlockDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), choices=[("1", _("Approve the block")), ("0", _("Reject"))], coerce=lambda v: v == "1")
    review_by = forms.DateField(label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=_("No more than a year from today."))  # fmt: skip
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean_review_by(self) -> dt.date | None:
        value = self.cleaned_data.get("review_by")
        if value and value > timezone.localdate() + dt.timedelta(days=MAX_BLOCK_DAYS):
            raise forms.ValidationError(_("A block must be reviewed within a year."))
        return value


class LiftForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AppealForm(forms.Form):
    name = forms.CharField(required=False, max_length=200, label=_("Your name (optional)"))
    contact = forms.CharField(required=False, max_length=300, label=_("How to reach you (optional)"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label=_("Why should the comment be restored?"))


class AppealReviewForm(forms.Form):
    reverse = forms.TypedChoiceField(label=_("Decision"), choices=[("1", _("Restore the comment")), ("0", _("Uphold the decision"))],
                                     coerce=lambda v: v == "1")  # fmt: skip
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class TryCommentForm(forms.Form):
    """A comment typed to see what the engine would do with it; nothing is stored."""

    text = forms.CharField(label=_("Comment"), max_length=8000, widget=forms.Textarea(attrs={"rows": 3}))
    post = forms.CharField(
        label=_("The post it answers (optional)"), max_length=8000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Off-topic comments are judged against the post."),
    )  # fmt: skip
    lang = forms.ChoiceField(
        label=_("Language"), required=False,
        choices=[("", _("Detect")), ("en", _("English")), ("es", _("Spanish"))],
    )  # fmt: skip


class ConsistencyReportForm(forms.Form):
    """The period and the account of the moderation consistency report (MOD-6)."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.TypedChoiceField(label=_("Account"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any = None, *, accounts: Any = ()) -> None:
        start, end = report_period()
        super().__init__(data, initial={"start": start, "end": end})
        account = self.fields["account"]
        assert isinstance(account, forms.TypedChoiceField)
        account.choices = [("", _("All accounts"))] + [(a.pk, a.display_name) for a in accounts]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        return data

    def period(self) -> tuple[dt.date, dt.date, int | None]:
        """The chosen period and account; by default the 30 days up to today, every account."""
        d = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start, end = report_period(d.get("start"), d.get("end"))
        return start, end, d.get("account")

"""Forms for the archive pages. Choices are narrowed to what the user may see."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from steward.archive.models import RECORD_STATES, Record, RecordsRequest, SavedSearch
from steward.authorizations.models import Authorization
from steward.moderation.models import CATEGORIES as MODERATION_CATEGORIES
from steward.registry.models import Platform

STATES = [
    ("", _("Any state")),
    *((state, RECORD_STATES[state]) for state in ("published", "hidden", "removed", "deleted", "unsent")),
]
CATEGORIES = [("", _("Any category")), *MODERATION_CATEGORIES]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words"), required=False, help_text=_('All words must match; "a phrase"; prefix*')
    )
    account = forms.ChoiceField(label=_("Account"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    platform = forms.ChoiceField(
        label=_("Platform"),
        required=False,
        choices=[("", _("Any platform")), *Platform.choices, ("manual", _("Manual"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Record.Kind.choices]
    )
    version = forms.ChoiceField(
        label=_("Version"),
        required=False,
        choices=[("", _("Any version")), *Record.Version.choices],
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATES)
    moderation_category = forms.ChoiceField(
        label=_("Moderation category"), required=False, choices=CATEGORIES
    )
    author = forms.CharField(label=_("Author"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, accounts: Any = (), units: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["account"]).choices = [("", _("Any account"))] + [
            (str(a.pk), str(a)) for a in accounts
        ]
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", _("Any unit"))] + [
            (str(u.pk), str(u)) for u in units
        ]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = {k: v for k, v in self.cleaned_data.items() if k != "q" and v not in (None, "")}
        for key in ("date_from", "date_to"):
            if key in data:
                data[key] = data[key].isoformat()
        return data


def search_summary(saved: SavedSearch) -> str:
    """What a saved search selects, in the words and the order of the search form:
    «"bus" · Platform: Facebook · State: Hidden» (PostgreSQL's jsonb keeps no key order)."""
    from steward.people.models import OrgUnit
    from steward.registry.models import Account

    fields = SearchForm.base_fields
    named: dict[str, Any] = {"account": Account, "unit": OrgUnit}  # choices set per form, per user
    chosen = saved.filters or {}
    parts = [f"“{saved.query}”"] if saved.query else []
    for key in [*(k for k in fields if k in chosen), *sorted(k for k in chosen if k not in fields)]:
        value, field = chosen[key], fields.get(key)
        if key in named:
            shown = str(named[key].objects.filter(pk=value).first() or value)
        elif isinstance(field, forms.ChoiceField):
            shown = str(dict(cast(Any, field.choices)).get(value, value))
        else:
            shown = str(value)
        parts.append(f"{field.label if field is not None else key}: {shown}")
    return " · ".join(parts) or str(_("everything"))


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of the saved search"), max_length=200)
    request = forms.ModelChoiceField(
        label=_("Attach to request"), required=False, queryset=RecordsRequest.objects.none()
    )


class RecordsRequestForm(forms.ModelForm):
    class Meta:
        model = RecordsRequest
        fields = [
            "requester",
            "requester_contact",
            "received_at",
            "channel",
            "description",
            "officer",
            "notes",
        ]
        widgets = {"received_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from steward.people.models import Person

        super().__init__(*args, **kwargs)
        # Only active staff can be the assigned officer; students are never offered.
        cast(forms.ModelChoiceField, self.fields["officer"]).queryset = Person.objects.filter(
            kind=Person.Kind.STAFF, active=True
        ).order_by("family_name", "given_name")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RecordsRequest.Status.choices)
    note = forms.CharField(label=_("Note"), required=False)


class PetitionForm(forms.Form):
    filed_on = forms.DateField(
        label=_("Petition filed with the Supervisor of Records on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Why more time is needed"), required=False)


class PetitionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("The Supervisor's decision"),
        choices=[
            (RecordsRequest.PetitionDecision.GRANTED, _("Granted")),
            (RecordsRequest.PetitionDecision.DENIED, _("Denied")),
        ],
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"}))
    extended_to = forms.DateField(
        label=_("New due date (if granted)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False)


class FeeForm(forms.Form):
    hours_search = forms.DecimalField(
        label=_("Hours searching and compiling"), min_value=0, decimal_places=2
    )
    hours_redaction = forms.DecimalField(
        label=_("Hours segregating and redacting"), min_value=0, decimal_places=2
    )
    hourly_rate_cents = forms.IntegerField(label=_("Hourly rate (cents)"), min_value=0)
    rate_approval_reference = forms.CharField(
        label=_("Supervisor of Records approval (above $25/hour)"), required=False
    )
    override_reason = forms.CharField(
        label=_("Reason to charge despite a missed deadline"), required=False
    )


class ExportForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), max_length=200)
    recipient_affiliation = forms.CharField(
        label=_("Recipient's affiliation"), max_length=200, required=False
    )
    position = forms.CharField(label=_("Your position"), max_length=200, required=False)
    purpose = forms.CharField(
        label=_("Purpose"), max_length=300, initial="Public records request (G.L. c.66 §10)"
    )
    include_warc = forms.BooleanField(label=_("Include raw payloads (WARC)"), required=False)


class HoldForm(forms.Form):
    matter = forms.CharField(label=_("Matter"), max_length=200)
    custodian = forms.CharField(label=_("Custodian"), max_length=200)
    account = forms.ChoiceField(label=_("Account"), required=False)
    saved_search = forms.ChoiceField(label=_("Saved search"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, accounts: Any = (), searches: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["account"]).choices = [("", "—")] + [
            (str(a.pk), str(a)) for a in accounts
        ]
        cast(forms.ChoiceField, self.fields["saved_search"]).choices = [("", "—")] + [
            (str(s.pk), str(s)) for s in searches
        ]


class ReleaseForm(forms.Form):
    directive = forms.CharField(label=_("Written directive reference"), max_length=300)


class RetentionRuleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Every kind")), *Record.Kind.choices]
    )
    account = forms.ChoiceField(label=_("Account"), required=False)
    retain_days = forms.IntegerField(label=_("Keep for (days)"), min_value=1)
    series = forms.CharField(label=_("Schedule series"), max_length=100)
    authority = forms.CharField(label=_("Authority"), max_length=300, required=False)

    def __init__(self, *args: Any, accounts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["account"]).choices = [("", _("Every account"))] + [
            (str(a.pk), str(a)) for a in accounts
        ]


class PreserveForm(forms.Form):
    account = forms.ChoiceField(label=_("Account"))
    file = forms.FileField(label=_("Screenshot or PDF of the thread"))
    authorization = forms.ModelChoiceField(
        label=_("The messaging authorization this thread belongs to (1.7)"),
        required=False,
        queryset=Authorization.objects.none(),
        help_text=_("Its staff member and student are recorded as the people in the thread."),
    )
    people = forms.CharField(
        label=_("Anyone else in the thread (Steward ids, comma separated; optional)"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, accounts: Any = (), authorizations: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["account"]).choices = [
            (str(a.pk), str(a)) for a in accounts
        ]
        if authorizations is not None:
            field = cast(forms.ModelChoiceField, self.fields["authorization"])
            field.queryset = authorizations
            field.label_from_instance = lambda g: (  # type: ignore[method-assign,assignment]
                f"{g.grantee} ↔ {g.student} — {g.purpose[:60]}"
            )

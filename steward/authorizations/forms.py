"""Forms for the authorization pages; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import FileExtensionValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from steward.authorizations import rules
from steward.authorizations.models import Authorization
from steward.authorizations.selectors import STATES
from steward.core.permissions import scope_for
from steward.people.models import OrgUnit, Person, StaffRole
from steward.people.selectors import people_for, units_for
from steward.registry.forms import UnitChoiceField, active_staff
from steward.registry.models import Account
from steward.registry.selectors import accounts_for

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
EVIDENCE_TYPES = ["pdf", "png", "jpg", "jpeg", "heic", "tif", "tiff", "docx"]


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Account) -> str:  # type: ignore[override]
        return f"{obj.display_name} — {obj.get_platform_display()} @{obj.handle}"


class GrantForm(forms.Form):
    SCOPE_CHOICES = [("account", _("One account")), ("unit", _("A unit and everything under it"))]

    kind = forms.ChoiceField(label=_("What is authorized"), choices=Authorization.Kind.choices)
    grantor = forms.ModelChoiceField(
        label=_("Authorized by (grantor)"), queryset=Person.objects.none()
    )
    grantee = forms.ModelChoiceField(
        label=_("Staff member authorized"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Required for posting and messaging."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"), choices=SCOPE_CHOICES, widget=forms.RadioSelect, initial="account"
    )
    account = AccountChoiceField(
        label=_("Account"), queryset=Account.objects.none(), required=False
    )
    unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False)
    student = forms.ModelChoiceField(
        label=_("Student (messaging only)"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_(
            "Private messages with students need the school leader's written authorization (1.7)."
        ),
    )
    parent_notified = forms.BooleanField(
        label=_("The parent or guardian has been told (messaging)"), required=False
    )
    fundraiser_name = forms.CharField(
        label=_("Fundraiser (fundraisers only)"), required=False, max_length=255
    )
    fundraiser_phrases = forms.CharField(
        label=_("Words that identify it in comments, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    valid_from = forms.DateTimeField(
        label=_("Valid from"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Empty: now."),
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Empty: until revoked."),
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_document = forms.FileField(
        label=_("Signed document"),
        required=False,
        validators=[FileExtensionValidator(EVIDENCE_TYPES)],
        help_text=_("A scan or PDF of the signed authorization. Its SHA-256 fingerprint is kept."),
    )
    attestation_name = forms.CharField(
        label=_("Or sign by typing your full name"),
        required=False,
        max_length=200,
        help_text=_(
            "Your typed name, the time and your network address are recorded as your signature."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        if rules.is_recorder(user):
            grantors = Person.objects.filter(
                kind=Person.Kind.STAFF,
                active=True,
                roles__role__in=StaffRole.UNIT_LEADERS | rules.SUPERINTENDENT_OFFICE,
            ).distinct()
            units = OrgUnit.objects.filter(active=True)
        else:
            grantors = Person.objects.filter(pk=scope.person_id or 0)
            units = units_for(user).filter(active=True)
            self.fields["grantor"].initial = scope.person_id
        self.fields["grantor"].queryset = grantors.order_by("family_name", "given_name")  # type: ignore[attr-defined]
        self.fields["grantee"].queryset = active_staff(user)  # type: ignore[attr-defined]
        self.fields["account"].queryset = accounts_for(user).exclude(status=Account.Status.RETIRED)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units.order_by("path")  # type: ignore[attr-defined]
        students = people_for(user).filter(Q(kind=Person.Kind.STUDENT), active=True)
        self.fields["student"].queryset = students.order_by("family_name", "given_name")  # type: ignore[attr-defined]
        if scope.person_id and not rules.is_recorder(user):
            self.fields["grantor"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "account":
            data["unit"] = None
            if not data.get("account") and not (
                data.get("kind") == "messaging" and data.get("student")
            ):
                self.add_error("account", _("Choose the account."))
        else:
            data["account"] = None
            if not data.get("unit") and not (
                data.get("kind") == "messaging" and data.get("student")
            ):
                self.add_error("unit", _("Choose the unit."))
        return data

    def service_args(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "grantor": d["grantor"],
            "grantee": d.get("grantee"),
            "account": d.get("account"),
            "unit": d.get("unit"),
            "student": d.get("student"),
            "parent_notified": d.get("parent_notified", False),
            "fundraiser_name": d.get("fundraiser_name", ""),
            "fundraiser_phrases": [
                p for p in (d.get("fundraiser_phrases") or "").splitlines() if p.strip()
            ],
            "valid_from": d.get("valid_from"),
            "valid_until": d.get("valid_until"),
            "purpose": d["purpose"],
            "evidence_document": d.get("evidence_document"),
            "attestation_name": d.get("attestation_name", ""),
        }


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it revoked?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


STATE_LABELS = {
    "in_force": _("In force"),
    "upcoming": _("Not yet valid"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
    "offboarded": _("Grantee has left"),
}


class GrantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any"))] + list(Authorization.Kind.choices)
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any"))] + [(s, STATE_LABELS[s]) for s in (*STATES, "offboarded")],
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def search_args(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return dict(self.cleaned_data)


class MayPostForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Staff member"), queryset=Person.objects.none())
    account = AccountChoiceField(label=_("Account"), queryset=Account.objects.none())
    at = forms.DateTimeField(
        label=_("At"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Empty: now."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_for(user).filter(kind=Person.Kind.STAFF)  # type: ignore[attr-defined]
        self.fields["account"].queryset = accounts_for(user)  # type: ignore[attr-defined]

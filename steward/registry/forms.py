"""Forms for the registry pages. They collect input; the services decide (and raise
``PolicyViolation`` with the field, which ``add_violation`` puts on the right input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from steward.core.errors import PolicyViolation
from steward.core.permissions import scope_for
from steward.people.models import OrgUnit, Person, StaffRole
from steward.registry import rules
from steward.registry.models import Account, Platform

BLANK_CHOICE = [("", "---------")]


def staff_label(person: Person) -> str:
    """«Marisol Peña — Coach, Lancers Girls Basketball; Teacher, Lawrence High School»."""
    roles = "; ".join(f"{role.get_role_display()}, {role.unit}" for role in person.roles.all())
    return f"{person} — {roles}" if roles else str(person)


def active_staff(user: Any = None) -> Any:
    """Active staff offered in ``user``'s people pickers: everyone for the district-wide offices;
    for a unit leader, staff with a role in their units or in a unit above them (who can answer
    for their accounts: 1.5); for anyone else, themselves. Pickers never list another school's
    staff (issue #2 §5)."""
    qs = Person.objects.filter(kind=Person.Kind.STAFF, active=True).order_by(
        "family_name", "given_name"
    )
    if user is None:
        return qs
    scope = scope_for(user)
    if getattr(user, "is_superuser", False) or scope.district_wide:
        return qs
    q = Q(pk=scope.person_id or 0)
    above: set[int] = set()
    for path in scope.unit_paths:
        q |= Q(roles__unit__path__startswith=path)
        above |= {int(i) for i in path.strip("/").split("/") if i}
    if above:
        q |= Q(roles__unit_id__in=above)
    return qs.filter(q).distinct()


def editable_units(user: Any) -> Any:
    """Units whose accounts ``user`` may add or change."""
    scope = scope_for(user)
    qs = OrgUnit.objects.filter(active=True)
    if getattr(user, "is_superuser", False) or scope.roles & rules.DISTRICT_EDITORS:
        return qs
    return qs.filter(scope.unit_q())


def add_violation(form: forms.Form, exc: PolicyViolation) -> None:
    """Show a refusal on its field (or on the form), with the clause it cites."""
    message = exc.message
    if exc.clause:
        message = gettext("%(message)s (policy clause %(clause)s)") % {
            "message": exc.message,
            "clause": exc.clause,
        }
    form.add_error(exc.field if exc.field in form.fields else None, message)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:  # type: ignore[override]
        depth = max(obj.path.count("/") - 2, 0)
        return f"{'— ' * depth}{obj.name}"


class AccountReportForm(forms.Form):
    """Any staff member: "I know of an account that is not in the registry"."""

    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    handle = forms.CharField(
        label=_("Handle"),
        required=False,
        max_length=255,
        help_text=_("As shown on the platform, with or without @."),
    )
    url = forms.CharField(
        label=_("Web address"),
        required=False,
        max_length=500,
        help_text=_("The profile's address, e.g. https://www.instagram.com/lhs_lancers/"),
    )
    display_name = forms.CharField(label=_("Name of the account"), max_length=255)
    owning_unit = UnitChoiceField(
        label=_("School, department or group it is for"), queryset=OrgUnit.objects.none()
    )
    # No preselected kind: a club reported in a hurry must not be recorded as a district account.
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK_CHOICE + list(Account.Kind.choices))
    purpose = forms.CharField(
        label=_("What it is used for"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=_("Anything else LPS Media should know (who runs it, how you found it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owning_unit"].queryset = OrgUnit.objects.filter(active=True)  # type: ignore[attr-defined]

    def facts(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class AccountForm(forms.Form):
    """Editors (communications office, superintendent's office, unit leaders): create or edit."""

    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    handle = forms.CharField(
        label=_("Handle"),
        required=False,
        max_length=255,
        help_text=_("As shown on the platform, with or without @."),
    )
    url = forms.CharField(
        label=_("Web address"),
        required=False,
        max_length=500,
        help_text=_("Leave empty to use the platform's usual address for the handle."),
    )
    display_name = forms.CharField(label=_("Name of the account"), max_length=255)
    platform_account_id = forms.CharField(
        label=_("Platform's account id"), required=False, max_length=100
    )
    owning_unit = UnitChoiceField(label=_("Owning unit"), queryset=OrgUnit.objects.none())
    # No preselected kind: a club reported in a hurry must not be recorded as a district account.
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK_CHOICE + list(Account.Kind.choices))
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_administrator = forms.ModelChoiceField(
        label=_("Responsible administrator"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_(
            "Active staff of the owning unit or a unit above it; answers for the account (1.5)."
        ),
    )
    advisor = forms.ModelChoiceField(
        label=_("Coach, teacher or faculty advisor"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Required for team, class and club accounts (1.5)."),
    )
    managers = forms.ModelMultipleChoiceField(
        label=_("Managers"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    register = forms.BooleanField(
        label=_("Record the registration now (communications office)"), required=False
    )
    reason = forms.CharField(
        label=_("Note for the history"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owning_unit"].queryset = editable_units(user)  # type: ignore[attr-defined]
        staff = active_staff(user).prefetch_related("roles__unit")
        for name in ("responsible_administrator", "advisor", "managers"):
            field = self.fields[name]
            field.queryset = staff  # type: ignore[attr-defined]
            # Each person with their roles and units, so the right one can be chosen for the unit.
            field.label_from_instance = staff_label  # type: ignore[attr-defined]
        # Only coaches, teachers and faculty advisors can advise (1.5): nobody else is offered.
        self.fields["advisor"].queryset = staff.filter(roles__role__in=StaffRole.ADVISORS).distinct()  # type: ignore[attr-defined]
        if editing:
            del self.fields["managers"]  # managed on the account page, one by one
            del self.fields["register"]
            del self.fields["reason"]
        elif not rules.is_registry_keeper(user):
            del self.fields["register"]

    def facts(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("register", None)
        data.pop("reason", None)
        if "managers" in data:
            data["managers"] = list(data["managers"])
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ManagerForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Add a manager"), queryset=Person.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = active_staff(user)  # type: ignore[attr-defined]


class AccountFilterForm(forms.Form):
    """The registry list's filters (GET)."""

    q = forms.CharField(label=_("Search handle or name"), required=False)
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=[("", _("Any"))] + list(Platform.choices)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + list(Account.Status.choices)
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any"))] + list(Account.Kind.choices)
    )
    unit = UnitChoiceField(
        label=_("Unit"), required=False, queryset=OrgUnit.objects.none(), empty_label=_("Any")
    )
    problems = forms.BooleanField(label=_("Problems only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from steward.people.selectors import units_for

        self.fields["unit"].queryset = units_for(user).order_by("path")  # type: ignore[attr-defined]

    def search_args(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "q": d["q"],
            "platform": d["platform"],
            "status": d["status"],
            "kind": d["kind"],
            "unit": d["unit"],
            "problems_only": d["problems"],
        }

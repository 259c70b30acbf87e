"""Forms of the people pages: the people filters and the roster upload."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from steward.people.models import OrgUnit, Person

MAX_UPLOAD = 200 * 1024 * 1024


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, email or id"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Person.Kind.choices])
    unit = forms.ModelChoiceField(label=_("Unit"), required=False, queryset=OrgUnit.objects.none(), empty_label=_("All units"))
    active = forms.ChoiceField(
        label=_("Status"), required=False, initial="yes",
        choices=[("yes", _("Active")), ("no", _("Left (deactivated)")), ("all", _("All"))],
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units.exclude(kind=OrgUnit.Kind.CLASSROOM)  # type: ignore[attr-defined]

    def active_value(self) -> bool | None:
        value = self.cleaned_data.get("active") or "yes"
        return None if value == "all" else value == "yes"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class RosterUploadForm(forms.Form):
    """A package as one ZIP, or its CSV files chosen together; optional opt-out list and mapping."""

    package = forms.FileField(
        label=_("OneRoster package (ZIP)"), required=False,
        help_text=_("A ZIP holding manifest.csv, orgs.csv, users.csv and the other files."),
    )
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("…or the CSV files"), required=False,
        help_text=_("Choose manifest.csv and the other CSV files together."),
    )
    opt_outs = forms.FileField(
        label=_("Media opt-out list (CSV, optional)"), required=False,
        help_text=_("Columns userSourcedId, mediaOptOut, effectiveDate (and optionally mediaOptOutScope)."),
    )
    mapping = forms.FileField(
        label=_("Column and role mapping (YAML or JSON, optional)"), required=False,
        help_text=_("For SIS exports whose column, file or role names differ from OneRoster's."),
    )
    deactivate_missing = forms.BooleanField(
        label=_("Deactivate people missing from a bulk export (offboarding)"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:  # the template renders it with this id
                field.widget.attrs["aria-describedby"] = f"{str(self.auto_id) % name}-help"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        package = data.get("package")
        files = data.get("files") or []
        if not package and not files:
            raise forms.ValidationError(_("Choose a ZIP package or the CSV files."))
        if package and files:
            raise forms.ValidationError(_("Choose a ZIP package or CSV files, not both."))
        for upload in [package, *files, data.get("opt_outs"), data.get("mapping")]:
            if upload is not None and upload.size > MAX_UPLOAD:
                raise forms.ValidationError(_("%(name)s is larger than 200 MB.") % {"name": upload.name})
        if files and not any(f.name.lower().endswith("manifest.csv") for f in files):
            self.add_error("files", _("manifest.csv is missing from the chosen files."))
        return data

    def package_zip(self) -> bytes:
        """The package as ZIP bytes, whichever way it was uploaded."""
        package = self.cleaned_data.get("package")
        if package:
            return b"".join(package.chunks())
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for upload in self.cleaned_data["files"]:
                zf.writestr(upload.name.rsplit("/", 1)[-1], b"".join(upload.chunks()))
        return buf.getvalue()

    def package_name(self) -> str:
        package = self.cleaned_data.get("package")
        if package:
            return str(package.name)
        return ", ".join(f.name for f in self.cleaned_data["files"])[:500]

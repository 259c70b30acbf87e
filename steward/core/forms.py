from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is this token for?"), max_length=100,
        help_text=_("For example: “SIS nightly sync” or “Communications office spreadsheet”."),
    )

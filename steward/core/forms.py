from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is this token for?"), max_length=100,
        help_text=_("For example: “SIS nightly sync” or “Communications office spreadsheet”."),
    )


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with labels that say what to type (the placeholder disappears as
    soon as one types, so it cannot be the only label; WCAG 3.3.2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or e-mail address")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this computer")

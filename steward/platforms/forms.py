"""Forms of the live path: connecting an account by pasting its token."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from steward.platforms.models import PlatformConnection


class ConnectionForm(forms.Form):
    platform_account_id = forms.CharField(label=_("Platform account id"), max_length=100)
    access_token = forms.CharField(
        label=_("Access token"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored token. Stored encrypted."),
    )
    app_secret = forms.CharField(
        label=_("App secret (Meta) / consumer secret (X)"), required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Signs the webhooks. Leave empty to keep the stored one, or to use the configured one."),
    )
    app_id = forms.CharField(label=_("App id"), required=False, max_length=100)
    page_id = forms.CharField(label=_("Facebook Page id (Instagram only)"), required=False, max_length=100)
    base_url = forms.URLField(label=_("API base URL override"), required=False, assume_scheme="https", help_text=_("For the fake platform server."))

    def __init__(self, *args: Any, instance: PlatformConnection | None = None, account: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "platform_account_id": instance.platform_account_id if instance else getattr(account, "platform_account_id", ""),
                "app_id": instance.app_id if instance else "",
                "page_id": instance.page_id if instance else "",
                "base_url": instance.base_url if instance else "",
            },
        )
        super().__init__(*args, **kwargs)
        self.instance = instance

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance is None and not data.get("access_token"):
            self.add_error("access_token", _("A new connection needs an access token."))
        return data

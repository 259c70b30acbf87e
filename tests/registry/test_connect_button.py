"""The account page offers "Connect with …" only when that sign-in is configured; otherwise the
button could only fail, and the "Platform connection" page says which settings are missing."""

from __future__ import annotations

from django.urls import reverse

from tests.registry.helpers import registered


def test_no_connect_button_without_the_provider_settings(client_as, lps, settings):
    settings.META_APP_ID = ""
    settings.META_APP_SECRET = ""
    account = registered(lps, "school_a", platform="facebook", handle="LawrenceHighSchool")
    c = client_as("media_officer")
    page = c.get(reverse("registry:account_detail", args=[account.pk])).content.decode()
    assert "Connect with Facebook" not in page
    assert reverse("platforms:connection_edit", args=[account.pk]) in page
    connection = c.get(reverse("platforms:connection_edit", args=[account.pk])).content.decode()
    assert "META_APP_ID" in connection

    settings.META_APP_ID, settings.META_APP_SECRET = "app-id", "app-secret"
    page = c.get(reverse("registry:account_detail", args=[account.pk])).content.decode()
    assert "Connect with Facebook" in page

"""A refused authorization form says at the top what to fix, with links to the fields, and asks
for the signed document again (a browser never sends a chosen file twice)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from steward.authorizations.models import Authorization
from tests.registry.helpers import registered


def test_refused_grant_lists_what_to_fix_and_asks_for_the_file_again(client_as, lps):
    account = registered(lps, "team_a", handle="lancers")
    past = (timezone.localtime() - dt.timedelta(days=400)).strftime("%Y-%m-%dT%H:%M")
    r = client_as("principal_a").post(reverse("authorizations:grant_create"), {
        "kind": "posting", "grantor": lps.principal_a.pk, "grantee": lps.teacher_a.pk, "scope": "account", "account": account.pk,
        "purpose": "Game days", "valid_until": past,
        "evidence_document": SimpleUploadedFile("signed.pdf", b"%PDF signed", content_type="application/pdf"),
    })  # fmt: skip
    assert r.status_code == 200 and not Authorization.objects.exists()
    html = r.content.decode()
    summary = html[html.index('class="notice error error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert '<a href="#id_valid_until">Valid until</a>' in summary and "1.3" in summary
    assert "Choose the file again" in summary

    # Without a file there is nothing to choose again; the missing evidence is named at the top.
    r = client_as("principal_a").post(reverse("authorizations:grant_create"), {
        "kind": "posting", "grantor": lps.principal_a.pk, "grantee": lps.teacher_a.pk, "scope": "account", "account": account.pk,
        "purpose": "Game days",
    })  # fmt: skip
    html = r.content.decode()
    assert "error-summary" in html and "must be in writing" in html and "Choose the file again" not in html


def test_account_form_summary(client_as, lps):
    r = client_as("media_officer").post(reverse("registry:account_create"), {"platform": "instagram"})
    html = r.content.decode()
    assert r.status_code == 200 and "error-summary" in html
    assert '<a href="#id_display_name">Name of the account</a>' in html

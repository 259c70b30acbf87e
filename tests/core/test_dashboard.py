"""The dashboard: counts by status and platform and the three problem lists, scoped by user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from steward.authorizations.models import Authorization
from steward.registry.models import Account


@pytest.fixture
def problems(lps):
    """School A and school B each with a registered account, a team page without an advisor, an
    expiring grant and someone who left with an account still in their name."""
    now = timezone.now()
    made = {}
    for key, school, leader, staff in [("a", lps.school_a, lps.principal_a, lps.teacher_a), ("b", lps.school_b, lps.principal_b, lps.staff_b)]:
        made[f"page_{key}"] = Account.objects.create(
            platform="facebook", handle=f"School{key.upper()}Page", display_name=f"School {key.upper()} page",
            owning_unit=school, kind="school", status="registered", responsible_administrator=leader,
        )
        made[f"team_{key}"] = Account.objects.create(
            platform="instagram", handle=f"team_{key}_unadvised", display_name=f"Team {key.upper()} fan page",
            owning_unit=school, kind="team", status="requested", responsible_administrator=leader,
        )
        made[f"grant_{key}"] = Authorization.objects.create(
            grantor=leader, grantee=staff, account=made[f"page_{key}"], purpose=f"Posting grant {key}",
            valid_from=now - dt.timedelta(days=100), valid_until=now + dt.timedelta(days=10),
            attestation_name=str(leader), attestation_at=now, attestation_address="10.0.0.1",
        )
    made["page_a"].managers.add(lps.coach_a)
    lps.coach_a.active = False
    lps.coach_a.deactivated_at = now
    lps.coach_a.save()
    Account.objects.create(
        platform="x", handle="DistrictNews", display_name="District news", owning_unit=lps.district,
        kind="district", status="suspended", responsible_administrator=lps.superintendent,
    )
    return made


def test_media_officer_sees_the_whole_district(client_as, problems):
    response = client_as("media_officer").get(reverse("core:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    table = response.context["table"]
    assert table["total"] == 5 and table["registered"] == 2
    assert {code for code, *_ in table["rows"]} == {"facebook", "instagram", "x"}
    for text in ["Team A fan page", "Team B fan page", "no coach, teacher or faculty advisor", "Marisol Peña", "1.5"]:
        assert text in html, text
    assert len(response.context["summary"]["expiring"]) == 2
    # Each problem links to the object's page.
    assert f'href="{reverse("registry:account_detail", args=[problems["team_b"].pk])}"' in html
    assert f'href="{reverse("authorizations:grant_detail", args=[problems["grant_b"].pk])}"' in html
    assert f'href="{reverse("people:person_detail", args=[problems["grant_b"].grantee_id])}"' in html


def test_principal_sees_only_their_school(client_as, problems):
    response = client_as("principal_a").get(reverse("core:dashboard"))
    html = response.content.decode()
    assert "Team A fan page" in html and "Marisol Peña" in html
    assert "Team B fan page" not in html and "School B page" not in html and "District news" not in html
    assert [g.pk for g in response.context["summary"]["expiring"]] == [problems["grant_a"].pk]
    assert response.context["table"]["total"] == 2


def test_teacher_sees_their_own(client_as, problems):
    response = client_as("teacher_a").get(reverse("core:dashboard"))
    summary = response.context["summary"]
    assert [g.pk for g in summary["expiring"]] == [problems["grant_a"].pk]  # their own grant
    assert response.context["table"]["total"] == 0
    assert "Team A fan page" not in response.content.decode()


def test_outsider_sees_nothing(client_as, problems):
    response = client_as("outsider").get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert response.context["table"]["total"] == 0
    assert not response.context["summary"]["missing_people"]
    assert not response.context["summary"]["expiring"]
    assert not response.context["summary"]["offboarded"]


def test_dashboard_needs_sign_in(db):
    response = Client().get(reverse("core:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_empty_dashboard(client_as):
    response = client_as("media_officer").get(reverse("core:dashboard"))
    assert b"No accounts yet." in response.content


def test_page_landmarks_and_labels(client_as, problems):
    html = client_as("media_officer").get(reverse("core:dashboard")).content.decode()
    assert '<html lang="en">' in html
    assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html
    assert "<header" in html and '<nav aria-label="Main">' in html and "<footer" in html
    assert '<label for="lang-select"' in html
    assert html.count("<h1") == 1

"""API tokens: made on the "my API tokens" page or by ``steward api_token``, shown once, stored as
their SHA-256, revocable; the API answers 401 without one."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from steward.core.models import ApiToken, AuditEvent


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_openapi_schema_is_served(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Steward API"


def test_api_without_a_token_is_401(lps):
    for path in ["/api/accounts", "/api/people", "/api/grants", "/api/units"]:
        assert Client().get(path).status_code == 401, path
    assert Client().get("/api/accounts", **_bearer("stw_not-a-real-token")).status_code == 401
    # A signed-in browser session is not an API credential either.
    client = Client()
    client.force_login(lps.user("media_officer"))
    assert client.get("/api/accounts").status_code == 401


def test_tokens_page_creates_shows_once_lists_and_revokes(client_as, lps):
    client = client_as("teacher_a")
    page = client.get(reverse("core:api_tokens"))
    assert page.status_code == 200 and b"You have no API tokens." in page.content
    assert "no-store" in page.headers.get("Cache-Control", "") or "max-age=0" in page.headers.get("Cache-Control", "")

    response = client.post(reverse("core:api_tokens"), {"name": "Spreadsheet"})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret.startswith("stw_") and secret.encode() in response.content
    token = ApiToken.objects.get(user=lps.user("teacher_a"))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert AuditEvent.objects.filter(action="core.api_token_created", object_id=str(token.pk)).exists()

    # Shown once: the list shows the name, never the secret.
    listing = client.get(reverse("core:api_tokens"))
    assert b"Spreadsheet" in listing.content and secret.encode() not in listing.content

    # The token works on the API, with the user's permissions.
    api = Client()
    assert api.get("/api/openapi.json", **_bearer(secret)).status_code == 200
    assert api.get("/api/accounts", **_bearer(secret)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    # Revoked: the API refuses it.
    response = client.post(reverse("core:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/accounts", **_bearer(secret)).status_code == 401


def test_nobody_revokes_someone_elses_token(client_as, lps):
    from steward.core.services import api_token_create

    token, secret = api_token_create(actor=lps.user("teacher_a"), user=lps.user("teacher_a"), name="mine")
    for name in ["principal_a", "media_officer", "outsider"]:
        assert client_as(name).post(reverse("core:api_token_revoke", args=[token.pk])).status_code == 404
        assert b"mine" not in client_as(name).get(reverse("core:api_tokens")).content
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client().get("/api/accounts", **_bearer(secret)).status_code == 200


def test_revoke_needs_post(client_as, lps):
    from steward.core.services import api_token_create

    token, _ = api_token_create(actor=lps.user("teacher_a"), user=lps.user("teacher_a"), name="mine")
    assert client_as("teacher_a").get(reverse("core:api_token_revoke", args=[token.pk])).status_code == 405


def test_token_of_a_deactivated_user_stops_working(lps):
    from steward.core.services import api_token_create

    user = lps.user("teacher_a")
    _, secret = api_token_create(actor=user, user=user, name="x")
    user.is_active = False
    user.save()
    assert Client().get("/api/accounts", **_bearer(secret)).status_code == 401


def test_api_token_command(lps):
    out, err = StringIO(), StringIO()
    call_command("api_token", "principal_a", "--name", "SIS sync", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("stw_") and "not be shown again" in err.getvalue()
    token = ApiToken.objects.get(name="SIS sync")
    assert token.user == lps.user("principal_a")
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    # principal_a's token sees school A's accounts API, not school B's people
    response = Client().get(f"/api/people/{lps.staff_b.pk}", **_bearer(secret))
    assert response.status_code in (403, 404)
    response = Client().get(f"/api/people/{lps.teacher_a.pk}", **_bearer(secret))
    assert response.status_code == 200


def test_api_token_command_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("api_token", "nobody", "--name", "x", stdout=StringIO(), stderr=StringIO())

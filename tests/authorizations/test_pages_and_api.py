"""Authorization pages and API: the permission matrix, create with evidence, revoke, expiring, may-post."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from steward.authorizations import services
from steward.authorizations.models import Authorization
from tests.registry.helpers import api_client, registered

IP = "192.0.2.10"


def _grant(lps, who, **kw):
    facts = {
        "grantor": getattr(lps, who),
        "grantee": lps.teacher_a,
        "purpose": "Posting",
        "attestation_name": str(getattr(lps, who)),
        "remote_addr": IP,
    }
    facts.update(kw)
    return services.grant_create(actor=lps.user(who), **facts)


@pytest.fixture
def grants(lps):
    team = registered(lps, "team_a", handle="lancers")
    oliver = registered(lps, "school_b", handle="oliver_school")
    return {
        "team": team,
        "oliver": oliver,
        "a": _grant(
            lps, "principal_a", account=team, valid_until=timezone.now() + dt.timedelta(days=10)
        ),
        "b": _grant(lps, "principal_b", grantee=lps.staff_b, unit=lps.school_b),
    }


def test_list_is_scoped_and_filtered(client_as, lps, grants):
    def ids(who, **params):
        r = client_as(who).get(reverse("authorizations:grant_list"), params)
        return {g.pk for g, _ in r.context["rows"]}

    a, b = grants["a"].pk, grants["b"].pk
    assert ids("media_officer") == {a, b}
    assert ids("principal_a") == {a}
    assert ids("principal_b") == {b}
    assert ids("teacher_a") == {a}  # holds it
    assert ids("staff_b") == {b}
    assert ids("coach_a") == set()
    assert ids("media_officer", state="in_force", kind="posting", q="Shah") == {a}
    services.grant_revoke(actor=lps.user("principal_b"), grant=grants["b"], reason="Left")
    assert ids("media_officer", state="revoked") == {b}
    r = client_as("media_officer").get(
        reverse("authorizations:grant_list"), {"q": "x"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in r.content.decode()


@pytest.mark.parametrize("name", ["authorizations:grant_detail", "authorizations:grant_evidence"])
def test_principal_a_cannot_read_school_b_grants(client_as, grants, name):
    assert client_as("principal_a").get(reverse(name, args=[grants["b"].pk])).status_code == 404
    assert client_as("teacher_a").get(reverse(name, args=[grants["b"].pk])).status_code == 404


def test_principal_a_cannot_revoke_school_b_grant(client_as, grants):
    r = client_as("principal_a").post(
        reverse("authorizations:grant_revoke", args=[grants["b"].pk]), {"reason": "x"}
    )
    assert r.status_code == 404
    grants["b"].refresh_from_db()
    assert grants["b"].revoked_at is None


def test_grantee_sees_but_cannot_revoke(client_as, grants):
    c = client_as("teacher_a")
    page = c.get(reverse("authorizations:grant_detail", args=[grants["a"].pk]))
    assert page.status_code == 200 and "Revoke from now on" not in page.content.decode()
    assert (
        c.post(
            reverse("authorizations:grant_revoke", args=[grants["a"].pk]), {"reason": "x"}
        ).status_code
        == 403
    )
    assert c.get(reverse("authorizations:grant_create")).status_code == 403


def test_grant_page_shows_evidence_and_history_and_revokes(client_as, lps, grants):
    c = client_as("principal_a")
    body = c.get(reverse("authorizations:grant_detail", args=[grants["a"].pk])).content.decode()
    assert IP in body and "Daniel Murphy" in body and "authorizations.grant_created" in body
    r = c.post(
        reverse("authorizations:grant_revoke", args=[grants["a"].pk]), {"reason": "Season over"}
    )
    assert r.status_code == 302
    body = c.get(reverse("authorizations:grant_detail", args=[grants["a"].pk])).content.decode()
    assert "Season over" in body and "authorizations.grant_revoked" in body
    assert "revoked 20" in body and "until revoked" not in body  # the validity says it ended


def test_create_with_attestation_from_the_page(client_as, lps, grants):
    c = client_as("principal_a")
    data = {
        "kind": "posting",
        "grantor": lps.principal_a.pk,
        "grantee": lps.coach_a.pk,
        "scope": "unit",
        "unit": lps.team_a.pk,
        "purpose": "Game recaps",
        "valid_until": "2031-06-30T00:00",
    }
    r = c.post(reverse("authorizations:grant_create"), data, REMOTE_ADDR=IP)
    assert (
        r.status_code == 200 and "in writing" in r.content.decode() and "1.3" in r.content.decode()
    )
    r = c.post(
        reverse("authorizations:grant_create"),
        {**data, "attestation_name": "Daniel Murphy"},
        REMOTE_ADDR=IP,
    )
    assert r.status_code == 302
    g = Authorization.objects.get(grantee=lps.coach_a)
    assert (
        g.unit == lps.team_a
        and g.attestation_address == IP
        and g.created_by == lps.user("principal_a")
    )


def test_principal_cannot_grant_for_another_school_from_the_page(client_as, lps, grants):
    page = client_as("principal_a").get(reverse("authorizations:grant_create"))
    form = page.context["form"]
    assert lps.school_b not in set(form.fields["unit"].queryset)
    assert grants["oliver"] not in set(form.fields["account"].queryset)
    assert list(form.fields["grantor"].queryset) == [lps.principal_a]


def test_media_officer_records_with_document(client_as, lps, grants):
    c = client_as("media_officer")
    doc = SimpleUploadedFile("signed.pdf", b"%PDF signed", content_type="application/pdf")
    r = c.post(
        reverse("authorizations:grant_create"),
        {
            "kind": "posting",
            "grantor": lps.principal_b.pk,
            "grantee": lps.staff_b.pk,
            "scope": "account",
            "account": grants["oliver"].pk,
            "purpose": "News",
            "evidence_document": doc,
        },
    )
    assert r.status_code == 302, r.content.decode()[-3000:]
    g = Authorization.objects.get(account=grants["oliver"])
    assert g.grantor == lps.principal_b and len(g.evidence_sha256) == 64
    r = c.get(reverse("authorizations:grant_evidence", args=[g.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF signed"


def test_expiring_page(client_as, lps, grants):
    body = client_as("principal_a").get(reverse("authorizations:grant_expiring")).content.decode()
    assert reverse("authorizations:grant_detail", args=[grants["a"].pk]) in body
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):
        body = (
            client_as("principal_a").get(reverse("authorizations:grant_expiring")).content.decode()
        )
        assert "Nothing expires" in body
    body = client_as("principal_b").get(reverse("authorizations:grant_expiring")).content.decode()
    assert "Nothing expires" in body  # B's grant has no end; A's is not B's to see


def test_may_post_check_page(client_as, lps, grants):
    c = client_as("principal_a")
    r = c.get(
        reverse("authorizations:may_post_check"),
        {"person": lps.teacher_a.pk, "account": grants["team"].pk},
    )
    assert r.context["decision"].allowed and "Daniel Murphy" in r.content.decode()
    r = c.get(
        reverse("authorizations:may_post_check"),
        {"person": lps.coach_a.pk, "account": grants["team"].pk},
    )
    assert not r.context["decision"].allowed
    # school B's account is not a choice for principal A
    r = c.get(
        reverse("authorizations:may_post_check"),
        {"person": lps.teacher_a.pk, "account": grants["oliver"].pk},
    )
    assert r.context["decision"] is None


# -- API ----------------------------------------------------------------------------------------


def call(lps, who, method, path, body=None, **params):
    client, headers = api_client(lps.user(who))
    if body is not None:
        return getattr(client, method)(
            path, data=json.dumps(body), content_type="application/json", REMOTE_ADDR=IP, **headers
        )
    return getattr(client, method)(path, params, **headers)


def test_api_list_read_scoped(lps, grants):
    ids = lambda who: {g["id"] for g in call(lps, who, "get", "/api/grants").json()["items"]}  # noqa: E731
    assert ids("principal_a") == {grants["a"].pk}
    assert ids("teacher_a") == {grants["a"].pk}
    assert call(lps, "principal_a", "get", f"/api/grants/{grants['b'].pk}").status_code == 404
    r = call(lps, "teacher_a", "get", f"/api/grants/{grants['a'].pk}")
    assert r.json()["state"] == "in_force" and r.json()["attestation_address"] == IP


def test_api_create_and_revoke(lps, grants):
    r = call(
        lps,
        "principal_a",
        "post",
        "/api/grants",
        {
            "grantee_id": lps.coach_a.pk,
            "unit_id": lps.school_b.pk,
            "purpose": "x",
            "attestation_name": "Daniel Murphy",
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "unit_id"  # not a unit A may use
    r = call(
        lps,
        "principal_a",
        "post",
        "/api/grants",
        {
            "grantee_id": lps.coach_a.pk,
            "unit_id": lps.district.pk,
            "purpose": "x",
            "attestation_name": "Daniel Murphy",
        },
    )
    assert r.status_code == 422
    r = call(
        lps,
        "principal_a",
        "post",
        "/api/grants",
        {
            "grantee_id": lps.coach_a.pk,
            "account_id": grants["team"].pk,
            "purpose": "Recaps",
            "attestation_name": "Daniel Murphy",
        },
    )
    assert r.status_code == 201 and r.json()["attestation_address"] == IP
    pk = r.json()["id"]
    r = call(
        lps,
        "media_officer",
        "post",
        "/api/grants",
        {
            "grantor_id": lps.superintendent.pk,
            "grantee_id": lps.media_officer.pk,
            "unit_id": lps.district.pk,
            "purpose": "District news",
            "evidence_document_base64": base64.b64encode(b"signed").decode(),
        },
    )
    assert r.status_code == 201 and len(r.json()["evidence_sha256"]) == 64
    assert (
        call(lps, "principal_b", "post", f"/api/grants/{pk}/revoke", {"reason": "x"}).status_code
        == 404
    )
    assert (
        call(lps, "coach_a", "post", f"/api/grants/{pk}/revoke", {"reason": "x"}).status_code == 403
    )
    r = call(lps, "principal_a", "post", f"/api/grants/{pk}/revoke", {"reason": "Done"})
    assert r.status_code == 200 and r.json()["state"] == "revoked"


def test_api_may_post_message_and_fundraisers(lps, grants):
    r = call(
        lps,
        "principal_a",
        "get",
        "/api/may-post",
        person=lps.teacher_a.pk,
        account=grants["team"].pk,
    )
    assert r.json() == {
        "allowed": True,
        "reason": r.json()["reason"],
        "clause": "1.3",
        "grant_id": grants["a"].pk,
    }
    r = call(
        lps,
        "principal_a",
        "get",
        "/api/may-post",
        person=lps.teacher_a.pk,
        account=grants["oliver"].pk,
    )
    assert r.status_code == 404
    r = call(
        lps, "principal_a", "get", "/api/may-post", person=lps.staff_b.pk, account=grants["team"].pk
    )
    assert r.status_code == 404  # principal A does not see school B's staff
    r = call(
        lps,
        "media_officer",
        "get",
        "/api/may-post",
        person=lps.staff_b.pk,
        account=grants["oliver"].pk,
    )
    assert r.json()["allowed"] is True
    _grant(lps, "principal_a", kind="messaging", student=lps.student_a)
    r = call(
        lps,
        "principal_a",
        "get",
        "/api/may-message",
        staff=lps.teacher_a.pk,
        student=lps.student_a.pk,
    )
    assert r.json()["allowed"] is True and r.json()["clause"] == "1.7"
    _grant(
        lps,
        "principal_a",
        kind="fundraiser",
        grantee=None,
        unit=lps.school_a,
        fundraiser_name="Bake sale",
    )
    r = call(lps, "principal_a", "get", f"/api/accounts/{grants['team'].pk}/fundraisers")
    assert [f["name"] for f in r.json()] == ["Bake sale"]

"""The units and people API: token auth, the same selectors and scope as the pages."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from steward.core.models import ApiToken


def api_client(user, name="test") -> Client:
    token = f"tok-{user.username}-{name}"
    ApiToken.objects.create(user=user, name=name, token_hash=hashlib.sha256(token.encode()).hexdigest())
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.django_db
def test_needs_a_token(lps):
    assert Client().get("/api/people").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer nope").get("/api/units").status_code == 401


@pytest.mark.django_db
def test_principal_sees_only_their_school(lps):
    client = api_client(lps.user("principal_a"))
    units = client.get("/api/units").json()
    assert {u["id"] for u in units["items"]} == {lps.school_a.pk, lps.team_a.pk, lps.club_a.pk}
    assert client.get(f"/api/units/{lps.school_a.pk}").json()["name"] == "Lawrence High School"
    assert client.get(f"/api/units/{lps.school_b.pk}").status_code == 404
    people = client.get("/api/people?kind=student").json()
    assert [p["id"] for p in people["items"]] == [lps.student_a.pk] and people["count"] == 1
    assert client.get(f"/api/people/{lps.student_b.pk}").status_code == 404
    assert client.get(f"/api/people/{lps.staff_b.pk}").status_code == 404
    assert client.get(f"/api/people?unit={lps.school_b.pk}").status_code == 404
    coach = client.get(f"/api/people/{lps.coach_a.pk}").json()
    assert {(r["role"], r["unit_id"]) for r in coach["roles"]} == {("teacher", lps.school_a.pk), ("coach", lps.team_a.pk)}


@pytest.mark.django_db
def test_district_wide_reads_and_filters(lps):
    client = api_client(lps.user("media_officer"))
    student_b = client.get(f"/api/people/{lps.student_b.pk}").json()
    assert student_b["media_opt_out"] == "all" and student_b["school_id"] == lps.school_b.pk and student_b["grade"] == "4"
    assert client.get("/api/people?q=nguyen").json()["count"] == 1
    assert client.get(f"/api/people?unit={lps.team_a.pk}").json()["count"] == 1
    assert client.get("/api/units?kind=school").json()["count"] == 2
    assert client.get(f"/api/units?parent={lps.district.pk}").json()["count"] == 3
    page = client.get("/api/people?limit=3&offset=3").json()
    assert len(page["items"]) == 3 and page["count"] == 11


@pytest.mark.django_db
def test_teacher_and_outsider(lps):
    teacher = api_client(lps.user("teacher_a"))
    assert [p["id"] for p in teacher.get("/api/people").json()["items"]] == [lps.teacher_a.pk]
    outsider = api_client(lps.outsider)
    assert outsider.get("/api/people").json()["count"] == 0
    assert outsider.get("/api/units").json()["count"] == 0
    assert outsider.get(f"/api/people/{lps.teacher_a.pk}").status_code == 404


@pytest.mark.django_db
def test_read_only_and_in_the_schema(lps):
    client = api_client(lps.user("media_officer"))
    assert client.post("/api/people", {}).status_code == 405
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/units", "/api/units/{unit_id}", "/api/people", "/api/people/{person_id}"):
        assert set(schema["paths"][path]) == {"get"}, path

"""The registry API: same permissions and rules as the pages."""

from __future__ import annotations

import json

import pytest

from steward.registry.models import Account
from tests.registry.helpers import api_client, registered


@pytest.fixture
def accounts(lps):
    return {
        "a": registered(lps, "school_a", handle="lhs_main"),
        "team": registered(lps, "team_a", handle="lancers", managers=[lps.teacher_a]),
        "b": registered(lps, "school_b", handle="oliver_school"),
    }


def call(lps, who, method, path, body=None, **params):
    client, headers = api_client(lps.user(who))
    fn = getattr(client, method)
    if body is not None:
        return fn(path, data=json.dumps(body), content_type="application/json", **headers)
    return fn(path, params, **headers) if method == "get" else fn(path, **headers)


def handles(response):
    return {a["handle"] for a in response.json()["items"]}


def test_token_required(client, accounts):
    assert client.get("/api/accounts").status_code == 401


def test_list_is_scoped(lps, accounts):
    assert handles(call(lps, "media_officer", "get", "/api/accounts")) == {
        "lhs_main",
        "lancers",
        "oliver_school",
    }
    assert handles(call(lps, "principal_a", "get", "/api/accounts")) == {"lhs_main", "lancers"}
    assert handles(call(lps, "teacher_a", "get", "/api/accounts")) == {"lancers"}
    assert handles(call(lps, "outsider", "get", "/api/accounts")) == set()
    assert handles(call(lps, "media_officer", "get", "/api/accounts", q="oliv")) == {
        "oliver_school"
    }
    assert handles(
        call(lps, "media_officer", "get", "/api/accounts", unit=lps.school_a.pk, kind="team")
    ) == {"lancers"}


def test_principal_a_cannot_read_or_change_school_b(lps, accounts):
    b = accounts["b"].pk
    assert call(lps, "principal_a", "get", f"/api/accounts/{b}").status_code == 404
    assert (
        call(lps, "principal_a", "patch", f"/api/accounts/{b}", {"purpose": "x"}).status_code == 404
    )
    for action in ("suspend", "retire", "register", "reinstate"):
        assert (
            call(
                lps, "principal_a", "post", f"/api/accounts/{b}/{action}", {"reason": "x"}
            ).status_code
            == 404
        )
    assert (
        call(
            lps,
            "principal_a",
            "post",
            f"/api/accounts/{b}/managers",
            {"person_id": lps.teacher_a.pk},
        ).status_code
        == 404
    )
    assert (
        call(
            lps, "principal_a", "delete", f"/api/accounts/{b}/managers/{lps.teacher_a.pk}"
        ).status_code
        == 404
    )
    assert Account.objects.get(pk=b).status == "registered"


def test_teacher_reads_own_but_cannot_change_it(lps, accounts):
    team = accounts["team"].pk
    r = call(lps, "teacher_a", "get", f"/api/accounts/{team}")
    assert r.status_code == 200 and r.json()["advisor"]["label"] == str(lps.coach_a)
    assert (
        call(lps, "teacher_a", "patch", f"/api/accounts/{team}", {"purpose": "x"}).status_code
        == 403
    )
    assert (
        call(lps, "teacher_a", "post", f"/api/accounts/{team}/suspend", {"reason": "x"}).status_code
        == 403
    )
    assert call(lps, "teacher_a", "get", f"/api/accounts/{accounts['a'].pk}").status_code == 404


def test_report_register_and_lifecycle(lps):
    r = call(
        lps,
        "teacher_a",
        "post",
        "/api/accounts",
        {
            "platform": "youtube",
            "url": "https://www.youtube.com/@LHSRobotics",
            "display_name": "LHS Robotics",
            "owning_unit_id": lps.club_a.pk,
            "kind": "club",
            "advisor_id": lps.teacher_a.pk,
        },
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert (
        data["status"] == "requested"
        and data["handle"] == "LHSRobotics"
        and data["reported_by"]["id"] == lps.teacher_a.pk
    )
    pk = data["id"]
    r = call(
        lps,
        "teacher_a",
        "post",
        "/api/accounts",
        {
            "platform": "x",
            "handle": "lhs",
            "display_name": "x",
            "owning_unit_id": lps.school_a.pk,
            "kind": "school",
            "register_now": True,
        },
    )
    assert r.status_code == 422 and r.json()["clause"] == "1.4"
    r = call(lps, "media_officer", "post", f"/api/accounts/{pk}/register", {"reason": "ok"})
    assert (
        r.status_code == 422
        and r.json()["clause"] == "1.5"
        and r.json()["field"] == "responsible_administrator"
    )
    r = call(
        lps,
        "principal_a",
        "patch",
        f"/api/accounts/{pk}",
        {"responsible_administrator_id": lps.principal_a.pk},
    )
    assert (
        r.status_code == 200 and r.json()["responsible_administrator"]["id"] == lps.principal_a.pk
    )
    r = call(lps, "principal_a", "post", f"/api/accounts/{pk}/register", {"reason": "ok"})
    assert r.status_code == 422 and r.json()["clause"] == "1.4"
    r = call(
        lps, "media_officer", "post", f"/api/accounts/{pk}/register", {"reason": "Form on file"}
    )
    assert r.status_code == 200 and r.json()["status"] == "registered"
    r = call(lps, "principal_a", "post", f"/api/accounts/{pk}/suspend", {"reason": "Compromised"})
    assert r.json()["status"] == "suspended" and r.json()["status_reason"] == "Compromised"


def test_create_by_editor_and_duplicates(lps, accounts):
    body = {
        "platform": "instagram",
        "handle": "@LHS_MAIN",
        "display_name": "dup",
        "owning_unit_id": lps.school_a.pk,
        "kind": "school",
        "responsible_administrator_id": lps.principal_a.pk,
    }
    r = call(lps, "principal_a", "post", "/api/accounts", body)
    assert r.status_code == 422 and r.json()["field"] == "handle" and r.json()["clause"] == "1.4"
    r = call(
        lps,
        "principal_a",
        "post",
        "/api/accounts",
        {**body, "handle": "lhs_news", "owning_unit_id": lps.school_b.pk},
    )
    assert r.status_code == 422 and r.json()["field"] == "owning_unit_id"
    r = call(
        lps,
        "media_officer",
        "post",
        "/api/accounts",
        {**body, "handle": "lhs_news", "register_now": True, "manager_ids": [lps.teacher_a.pk]},
    )
    assert (
        r.status_code == 201
        and r.json()["status"] == "registered"
        and r.json()["managers"][0]["id"] == lps.teacher_a.pk
    )


def test_managers(lps, accounts):
    a = accounts["a"].pk
    r = call(
        lps, "principal_a", "post", f"/api/accounts/{a}/managers", {"person_id": lps.teacher_a.pk}
    )
    assert [m["id"] for m in r.json()["managers"]] == [lps.teacher_a.pk]
    r = call(
        lps, "principal_a", "post", f"/api/accounts/{a}/managers", {"person_id": lps.student_a.pk}
    )
    assert r.status_code == 422
    r = call(lps, "principal_a", "delete", f"/api/accounts/{a}/managers/{lps.teacher_a.pk}")
    assert r.json()["managers"] == []

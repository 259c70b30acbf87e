"""Registry pages: what each persona sees and may do (the permission matrix), and the forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from steward.registry.models import Account
from tests.registry.helpers import registered


@pytest.fixture
def accounts(lps):
    return {
        "a": registered(lps, "school_a", handle="lhs_main"),
        "team": registered(lps, "team_a", handle="lancers", managers=[lps.teacher_a]),
        "b": registered(lps, "school_b", handle="oliver_school"),
    }


def test_list_shows_only_what_the_viewer_may_see(client_as, lps, accounts):
    seen = {
        who: client_as(who).get(reverse("registry:account_list")).content.decode()
        for who in ("media_officer", "principal_a", "principal_b", "teacher_a", "staff_b")
    }
    assert "@lhs_main" in seen["media_officer"] and "@oliver_school" in seen["media_officer"]
    assert "@lhs_main" in seen["principal_a"] and "@lancers" in seen["principal_a"]
    assert "@oliver_school" not in seen["principal_a"]
    assert "@oliver_school" in seen["principal_b"] and "@lhs_main" not in seen["principal_b"]
    assert (
        "@lancers" in seen["teacher_a"] and "@lhs_main" not in seen["teacher_a"]
    )  # manages the team only
    assert "@lancers" not in seen["staff_b"]


def test_list_filters_search_and_htmx_partial(client_as, lps, accounts):
    c = client_as("media_officer")
    r = c.get(reverse("registry:account_list"), {"q": "lanc"})
    assert "@lancers" in r.content.decode() and "@lhs_main" not in r.content.decode()
    r = c.get(
        reverse("registry:account_list"),
        {"kind": "team", "status": "registered", "platform": "instagram"},
    )
    assert "@lancers" in r.content.decode() and "@oliver_school" not in r.content.decode()
    r = c.get(reverse("registry:account_list"), {"unit": lps.school_b.pk})
    assert "@oliver_school" in r.content.decode() and "@lancers" not in r.content.decode()
    Account.objects.filter(pk=accounts["b"].pk).update(advisor=None, kind="club")
    r = c.get(reverse("registry:account_list"), {"problems": "on"})
    assert "@oliver_school" in r.content.decode() and "@lancers" not in r.content.decode()
    r = c.get(reverse("registry:account_list"), {"q": "oliver"}, HTTP_HX_REQUEST="true")
    assert "<html" not in r.content.decode() and "@oliver_school" in r.content.decode()
    assert "HX-Request" in r["Vary"]
    r = c.get(
        reverse("registry:account_list"),
        {"q": "oliver"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in r.content.decode()  # back button: the whole page


PAGES = ["registry:account_detail", "registry:account_edit"]


@pytest.mark.parametrize("name", PAGES)
def test_principal_a_cannot_reach_school_b(client_as, accounts, name):
    c = client_as("principal_a")
    assert c.get(reverse(name, args=[accounts["b"].pk])).status_code == 404
    assert c.get(reverse(name, args=[accounts["a"].pk])).status_code == 200


def test_principal_a_cannot_change_school_b(client_as, lps, accounts):
    c = client_as("principal_a")
    b = accounts["b"]
    for url, data in [
        (reverse("registry:account_edit", args=[b.pk]), {"purpose": "x"}),
        (reverse("registry:account_transition", args=[b.pk, "suspend"]), {"reason": "x"}),
        (reverse("registry:account_transition", args=[b.pk, "retire"]), {"reason": "x"}),
        (reverse("registry:account_manager_add", args=[b.pk]), {"person": lps.teacher_a.pk}),
    ]:
        assert c.post(url, data).status_code == 404
    b.refresh_from_db()
    assert b.status == "registered" and not b.managers.exists()


def test_teacher_sees_own_account_but_cannot_change_it(client_as, lps, accounts):
    c = client_as("teacher_a")
    team = accounts["team"]
    page = c.get(reverse("registry:account_detail", args=[team.pk]))
    assert (
        page.status_code == 200
        and reverse("registry:account_edit", args=[team.pk]) not in page.content.decode()
    )
    assert c.get(reverse("registry:account_edit", args=[team.pk])).status_code == 403
    assert (
        c.post(
            reverse("registry:account_transition", args=[team.pk, "retire"]), {"reason": "x"}
        ).status_code
        == 403
    )
    assert c.get(reverse("registry:account_detail", args=[accounts["a"].pk])).status_code == 404
    assert c.get(reverse("registry:account_create")).status_code == 403


def test_account_page_shows_facts_people_grants_and_history(client_as, lps, accounts):
    r = client_as("principal_a").get(reverse("registry:account_detail", args=[accounts["team"].pk]))
    body = r.content.decode()
    for text in (
        "@lancers",
        str(lps.principal_a),
        str(lps.coach_a),
        str(lps.teacher_a),
        "registry.account_registered",
        "Status history",
        "No authorization you can see covers this account",
    ):
        assert text in body
    assert reverse("registry:account_transition", args=[accounts["team"].pk, "suspend"]) in body
    assert (
        reverse("registry:account_transition", args=[accounts["team"].pk, "register"]) not in body
    )


def test_any_staff_member_reports_an_account(client_as, lps):
    c = client_as("staff_b")
    r = c.post(
        reverse("registry:account_report"),
        {
            "platform": "tiktok",
            "url": "https://www.tiktok.com/@oliver.pto",
            "display_name": "Oliver PTO",
            "owning_unit": lps.school_b.pk,
            "kind": "initiative",
            "reason": "Saw it on a flyer",
        },
    )
    account = Account.objects.get(handle="oliver.pto")
    assert (
        r.status_code == 302
        and account.status == "requested"
        and account.reported_by == lps.staff_b
    )
    assert (
        client_as("staff_b").get(reverse("registry:account_detail", args=[account.pk])).status_code
        == 200
    )
    assert client_as("outsider").get(reverse("registry:account_report")).status_code == 403


def test_report_form_shows_field_errors_with_clause(client_as, lps, accounts):
    r = client_as("teacher_a").post(
        reverse("registry:account_report"),
        {
            "platform": "instagram",
            "handle": "LHS_Main",
            "display_name": "Copy",
            "owning_unit": lps.school_a.pk,
            "kind": "school",
        },
    )
    assert r.status_code == 200
    assert "already in the registry" in r.content.decode() and "1.4" in r.content.decode()
    r = client_as("teacher_a").post(
        reverse("registry:account_report"),
        {
            "platform": "x",
            "handle": "far_too_long_for_x_handles",
            "display_name": "Copy",
            "owning_unit": lps.school_a.pk,
            "kind": "school",
        },
    )
    assert "not a valid X handle" in r.content.decode()


def test_media_officer_creates_and_registers(client_as, lps):
    c = client_as("media_officer")
    data = {
        "platform": "instagram",
        "handle": "lhs_robotics",
        "display_name": "LHS Robotics",
        "owning_unit": lps.club_a.pk,
        "kind": "club",
        "responsible_administrator": lps.principal_a.pk,
        "register": "on",
        "reason": "Form received",
    }
    r = c.post(reverse("registry:account_create"), data)
    assert r.status_code == 200 and "1.5" in r.content.decode()  # no advisor
    assert not Account.objects.exists()  # request and registration are one transaction
    r = c.post(
        reverse("registry:account_create"),
        {**data, "advisor": lps.teacher_a.pk, "managers": [lps.teacher_a.pk]},
    )
    account = Account.objects.get()
    assert (
        r.status_code == 302
        and account.status == "registered"
        and list(account.managers.all()) == [lps.teacher_a]
    )


def test_principal_creates_requested_and_cannot_register(client_as, lps):
    c = client_as("principal_a")
    page = c.get(reverse("registry:account_create"))
    assert 'name="register"' not in page.content.decode()
    units = set(page.context["form"].fields["owning_unit"].queryset)
    assert lps.team_a in units and lps.school_b not in units  # cannot pick another school
    people = set(page.context["form"].fields["responsible_administrator"].queryset)
    assert {lps.principal_a, lps.coach_a, lps.superintendent} <= people  # the school and above
    assert lps.principal_b not in people and lps.staff_b not in people  # never another school's staff
    r = c.post(
        reverse("registry:account_create"),
        {
            "platform": "facebook",
            "handle": "LawrenceHighSchool",
            "display_name": "LHS",
            "owning_unit": lps.school_a.pk,
            "kind": "school",
            "responsible_administrator": lps.principal_a.pk,
        },
    )
    account = Account.objects.get()
    assert r.status_code == 302 and account.status == "requested"
    assert (
        c.get(reverse("registry:account_transition", args=[account.pk, "register"])).status_code
        == 403
    )
    r = client_as("media_officer").post(
        reverse("registry:account_transition", args=[account.pk, "register"]), {"reason": "ok"}
    )
    account.refresh_from_db()
    assert r.status_code == 302 and account.status == "registered"


def test_lifecycle_and_managers_from_the_page(client_as, lps, accounts):
    c = client_as("principal_a")
    a = accounts["a"]
    r = c.post(reverse("registry:account_transition", args=[a.pk, "suspend"]), {"reason": ""})
    assert r.status_code == 200  # reason required
    r = c.post(reverse("registry:account_transition", args=[a.pk, "suspend"]), {"reason": "Phishing"}, follow=True)
    a.refresh_from_db()
    assert a.status == "suspended" and a.status_reason == "Phishing"
    # The confirmation says where the account stands now, not "Done: Suspend this account".
    assert f"{a.display_name} is now Suspended." in r.content.decode()
    c.post(reverse("registry:account_manager_add", args=[a.pk]), {"person": lps.teacher_a.pk})
    assert list(a.managers.all()) == [lps.teacher_a]
    c.post(reverse("registry:account_manager_remove", args=[a.pk, lps.teacher_a.pk]))
    assert not a.managers.exists()


def test_edit_form_saves_changes(client_as, lps, accounts):
    a = accounts["a"]
    c = client_as("principal_a")
    data = {
        "platform": "instagram",
        "handle": "lhs_main",
        "url": "",
        "display_name": "LHS (new name)",
        "platform_account_id": "",
        "owning_unit": lps.school_a.pk,
        "kind": "school",
        "purpose": "News",
        "responsible_administrator": lps.principal_a.pk,
        "advisor": "",
    }
    r = c.post(reverse("registry:account_edit", args=[a.pk]), data)
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.display_name == "LHS (new name)" and a.purpose == "News"


def test_spanish_page(client_as, accounts):
    c = client_as("media_officer")
    r = c.get(reverse("registry:account_list"), HTTP_ACCEPT_LANGUAGE="es")
    assert r.status_code == 200


def test_list_pages_do_not_query_per_row(client_as, lps):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from steward.authorizations import services as grants

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client_as("media_officer").get(url).status_code == 200
        return len(ctx)

    def add(n, start):
        for i in range(start, start + n):
            account = registered(lps, "team_a", handle=f"team_{i}")
            grants.grant_create(
                actor=lps.user("principal_a"),
                grantor=lps.principal_a,
                grantee=lps.teacher_a,
                account=account,
                purpose="x",
                attestation_name="Daniel Murphy",
                remote_addr="192.0.2.1",
            )

    add(2, 0)
    few = (count(reverse("registry:account_list")), count(reverse("authorizations:grant_list")))
    add(8, 2)
    many = (count(reverse("registry:account_list")), count(reverse("authorizations:grant_list")))
    assert few == many


def test_records_officer_reads_everything_and_changes_nothing(client_as, lps, accounts):
    c = client_as("records_officer")
    b = accounts["b"]
    page = c.get(reverse("registry:account_detail", args=[b.pk]))
    assert page.status_code == 200 and page.context["actions"] == set()
    assert c.get(reverse("registry:account_edit", args=[b.pk])).status_code == 403
    assert (
        c.post(
            reverse("registry:account_transition", args=[b.pk, "suspend"]), {"reason": "x"}
        ).status_code
        == 403
    )
    assert c.get(reverse("registry:account_create")).status_code == 403
    assert c.get(reverse("registry:account_report")).status_code == 200  # staff may still report


def test_superintendent_edits_anywhere_but_does_not_register(client_as, lps, accounts):
    c = client_as("superintendent")
    page = c.get(reverse("registry:account_detail", args=[accounts["b"].pk]))
    assert {"edit", "suspend", "retire", "managers"} <= page.context["actions"]
    assert "register" not in page.context["actions"] and "reinstate" not in page.context["actions"]


def test_csv_export_is_scoped_filtered_and_formula_safe(client_as, lps, accounts):
    Account.objects.filter(pk=accounts["a"].pk).update(display_name="=HYPERLINK(1)")
    r = client_as("principal_a").get(reverse("registry:account_export"), {"platform": "instagram"})
    body = r.content.decode()
    assert r["Content-Type"].startswith("text/csv")
    assert "lancers" in body and "oliver_school" not in body
    assert "'=HYPERLINK(1)" in body


def test_account_page_offers_a_grant_to_those_who_can_grant(client_as, lps, accounts):
    url = reverse("registry:account_detail", args=[accounts["team"].pk])
    link = f"{reverse('authorizations:grant_create')}?account={accounts['team'].pk}"
    assert link in client_as("principal_a").get(url).content.decode()
    assert link not in client_as("teacher_a").get(url).content.decode()


@pytest.mark.parametrize("route", ["registry:account_report", "registry:account_create"])
def test_kind_is_chosen_not_preselected(client_as, lps, route):
    # A reporter who skips "Kind" is asked for it rather than filing a club as a district account.
    c = client_as("media_officer")
    page = c.get(reverse(route)).content.decode()
    assert '<option value="" selected>---------</option>' in page.split('name="kind"')[1].split("</select>")[0]
    r = c.post(reverse(route), {"platform": "tiktok", "handle": "lhs_robots_tt", "display_name": "LHS Robots",
                                "owning_unit": lps.club_a.pk})  # fmt: skip
    assert r.status_code == 200 and not Account.objects.filter(handle="lhs_robots_tt").exists()
    assert "This field is required." in r.content.decode().split('name="kind"')[0].rsplit("<label", 1)[1]


def test_people_pickers_say_who_is_who(client_as, lps):
    """The advisor picker offers only coaches, teachers and faculty advisors (1.5); every picker
    names each person's roles and units, so the right person can be chosen for the unit."""
    page = client_as("media_officer").get(reverse("registry:account_create")).content.decode()
    advisor = page.split('name="advisor"', 1)[1].split("</select>", 1)[0]
    administrator = page.split('name="responsible_administrator"', 1)[1].split("</select>", 1)[0]
    assert str(lps.coach_a) in advisor and "Coach" in advisor
    assert str(lps.principal_a) not in advisor  # a school leader is not an advisor
    assert f"{lps.principal_a} — School leader, {lps.school_a}" in administrator

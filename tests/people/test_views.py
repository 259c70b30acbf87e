"""People pages and their permission matrix: each route, each persona."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from steward.authorizations.models import Authorization
from steward.people.models import Person, RosterImport
from steward.people.services import roster_import
from steward.registry.models import Account
from tests.people.packages import USER_11_HEADER, package_11, to_bytes, write

ALL = ["superintendent", "media_officer", "records_officer", "principal_a", "principal_b", "athletics_head", "teacher_a", "staff_b", "outsider"]


def zip_bytes(files: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, blob in to_bytes(files).items():
            zf.writestr(name, blob)
    return buf.getvalue()


def upload(name: str, data: bytes) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


# Which people and units each persona may open (everyone else: 404).
SEES_PEOPLE = {
    "superintendent": "*", "media_officer": "*", "records_officer": "*",
    "principal_a": {"principal_a", "teacher_a", "coach_a", "student_a"},
    "principal_b": {"principal_b", "staff_b", "student_b"},
    "athletics_head": {"athletics_head"},
    "teacher_a": {"teacher_a"},
    "staff_b": {"staff_b"},
    "outsider": set(),
}
PEOPLE = ["principal_a", "teacher_a", "coach_a", "student_a", "principal_b", "staff_b", "student_b", "superintendent"]
SEES_UNITS = {
    "principal_a": {"school_a", "team_a", "club_a"},
    "principal_b": {"school_b"},
    "athletics_head": {"dept", "program"},
    "teacher_a": {"school_a"},
    "staff_b": {"school_b"},
    "outsider": set(),
}
UNITS = ["district", "school_a", "team_a", "school_b", "dept", "program"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ALL)
def test_person_page_matrix(lps, client_as, persona):
    client = client_as(persona)
    allowed = SEES_PEOPLE[persona]
    for target in PEOPLE:
        response = client.get(f"/people/{getattr(lps, target).pk}/")
        expected = 200 if allowed == "*" or target in allowed else 404
        assert response.status_code == expected, (persona, target)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ALL)
def test_unit_page_matrix(lps, client_as, persona):
    client = client_as(persona)
    allowed = SEES_UNITS.get(persona, "*")
    for target in UNITS:
        response = client.get(f"/people/units/{getattr(lps, target).pk}/")
        expected = 200 if allowed == "*" or target in allowed else 404
        assert response.status_code == expected, (persona, target)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ALL)
def test_lists_show_only_what_the_persona_may_see(lps, client_as, persona):
    client = client_as(persona)
    people = client.get("/people/?active=all")
    assert people.status_code == 200
    shown = {p.pk for p in people.context["page"].object_list}
    allowed = SEES_PEOPLE[persona]
    for target in PEOPLE:
        visible = allowed == "*" or target in allowed
        assert (getattr(lps, target).pk in shown) == visible, (persona, target)
    units = client.get("/people/units/")
    assert units.status_code == 200
    shown_units = {u.pk for u, _ in units.context["tree"]}
    allowed_units = SEES_UNITS.get(persona, "*")
    for target in UNITS:
        assert (getattr(lps, target).pk in shown_units) == (allowed_units == "*" or target in allowed_units), (persona, target)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ALL)
def test_roster_import_pages_only_for_district_wide_roles(lps, client_as, persona, tmp_path):
    report = roster_import(actor="test", package=write(package_11(), tmp_path / "p.zip"))
    client = client_as(persona)
    expected = 200 if persona in ("superintendent", "media_officer", "records_officer") else 403
    assert client.get("/people/import/").status_code == expected
    assert client.get(f"/people/import/{report.import_id}/").status_code == expected
    if expected == 403:
        before = Person.objects.count()
        response = client.post("/people/import/", {"action": "preview", "package": upload("p.zip", zip_bytes(package_11()))})
        assert response.status_code == 403 and Person.objects.count() == before


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(lps):
    client = Client()
    for url in ["/people/", f"/people/{lps.student_a.pk}/", "/people/units/", f"/people/units/{lps.school_a.pk}/", "/people/import/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.django_db
def test_people_list_filters_and_paging(lps, client_as):
    client = client_as("media_officer")
    assert {p.pk for p in client.get("/people/?kind=student").context["page"].object_list} == {lps.student_a.pk, lps.student_b.pk}
    found = client.get("/people/?q=santos").context["page"].object_list
    assert [p.pk for p in found] == [lps.student_a.pk]
    assert [p.pk for p in client.get("/people/?q=100200301").context["page"].object_list] == [lps.student_b.pk]
    in_team = {p.pk for p in client.get(f"/people/?unit={lps.team_a.pk}").context["page"].object_list}
    assert in_team == {lps.coach_a.pk}
    in_school = {p.pk for p in client.get(f"/people/?unit={lps.school_a.pk}").context["page"].object_list}
    assert in_school == {lps.principal_a.pk, lps.teacher_a.pk, lps.coach_a.pk, lps.student_a.pk}
    lps.teacher_a.active = False
    lps.teacher_a.save()
    assert lps.teacher_a.pk not in {p.pk for p in client.get("/people/").context["page"].object_list}
    assert [p.pk for p in client.get("/people/?active=no").context["page"].object_list] == [lps.teacher_a.pk]
    # A principal cannot filter by a unit they do not see: the form refuses it.
    response = client_as("principal_a").get(f"/people/?unit={lps.school_b.pk}")
    assert response.status_code == 200 and response.context["form"].errors
    for n in range(60):
        Person.objects.create(kind="student", given_name=f"S{n:02}", family_name="Zz", school=lps.school_a)
    page2 = client.get("/people/?kind=student&page=2")
    assert page2.context["page"].number == 2 and len(page2.context["page"].object_list) == 12
    assert 'rel="next"' not in page2.content.decode() and "kind=student&amp;page=1" in page2.content.decode()


@pytest.mark.django_db
def test_person_page_shows_roles_accounts_grants_and_history(lps, client_as, tmp_path):
    account = Account.objects.create(
        platform="instagram", handle="lhslancers", display_name="LHS Lancers", owning_unit=lps.team_a,
        kind="team", status="registered", responsible_administrator=lps.principal_a, advisor=lps.coach_a,
    )
    account.managers.add(lps.coach_a)
    Authorization.objects.create(grantor=lps.principal_a, grantee=lps.coach_a, account=account, purpose="Game days")
    roster_import(actor="test", package=write(package_11(drop=("staff-coach_a",)), tmp_path / "p.zip"))
    page = client_as("principal_a").get(f"/people/{lps.coach_a.pk}/").content.decode()
    assert "Coach" in page and "LHS Lancers Basketball" in page
    assert "LHS Lancers (Instagram @lhslancers)" in page
    assert "Posting #" in page and "No: the grantee has left" in page
    assert "people.person_deactivated" in page and "History" in page
    student = client_as("principal_a").get(f"/people/{lps.student_a.pk}/").content.decode()
    assert "Media opt-out" in student and "Name and image" not in student


@pytest.mark.django_db
def test_unit_page(lps, client_as):
    page = client_as("principal_a").get(f"/people/units/{lps.school_a.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "LHS Lancers Basketball" in body and "Daniel Murphy" in body
    assert page.context["student_count"] == 1
    assert list(page.context["ancestors"]) == []  # the principal does not see the district unit


@pytest.mark.django_db
def test_roster_import_preview_then_confirm(lps, client_as):
    client = client_as("media_officer")
    before = Person.objects.count()
    response = client.post("/people/import/", {
        "action": "preview", "package": upload("lps.zip", zip_bytes(package_11(drop=("staff-coach_a",)))),
        "deactivate_missing": "on",
    })
    assert response.status_code == 200
    body = response.content.decode()
    assert "What the import will do" in body and "Confirm and import" in body
    assert "Marisol Peña" in body  # offboarding preview
    assert Person.objects.count() == before and not RosterImport.objects.exists()
    token = response.context["token"]
    done = client.post("/people/import/", {"action": "confirm", "token": token})
    run = RosterImport.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/people/import/{run.pk}/"
    assert Person.objects.count() == before + 2
    assert not Person.objects.get(pk=lps.coach_a.pk).active
    detail = client.get(done["Location"]).content.decode()
    assert "What the import did" in detail and "Marisol Peña" in detail and "people.roster_imported" in detail
    # The preview cannot be confirmed twice.
    again = client.post("/people/import/", {"action": "confirm", "token": token})
    assert again.status_code == 302 and again["Location"] == "/people/import/"
    assert RosterImport.objects.count() == 1


@pytest.mark.django_db
def test_roster_import_shows_every_problem_and_writes_nothing(lps, client_as):
    files = package_11()
    files["users.csv"][1][USER_11_HEADER.index("role")] = "wizard"
    files["enrollments.csv"].append(["enr-9", "active", "", "class-none", "org-lhs", "stu-a", "student", "", "", ""])
    before = Person.objects.count()
    response = client_as("superintendent").post("/people/import/", {"action": "preview", "package": upload("bad.zip", zip_bytes(files))})
    assert response.status_code == 422
    body = response.content.decode()
    assert "2 problems in the package" in body
    assert "<td>users.csv</td><td>2</td><td>role</td>" in body
    assert "<td>enrollments.csv</td><td>6</td><td>classSourcedId</td>" in body
    assert "Confirm and import" not in body
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_roster_import_from_separate_files_with_opt_outs_and_mapping(lps, client_as):
    client = client_as("media_officer")
    files = package_11()
    for row in files["users.csv"]:
        del row[-2:]
    row = next(r for r in files["users.csv"] if r[0] == "staff-new")
    row[USER_11_HEADER.index("role")] = "Instructor"
    blobs = to_bytes(files)
    response = client.post("/people/import/", {
        "action": "preview",
        "files": [upload(name, blob) for name, blob in blobs.items()],
        "opt_outs": upload("optouts.csv", b"userSourcedId,mediaOptOut,effectiveDate\nstu-c,true,2026-10-01\n"),
        "mapping": upload("aspen.yaml", b"roles:\n  Instructor: teacher\n"),
        "deactivate_missing": "on",
    })
    assert response.status_code == 200, response.content.decode()[:2000]
    client.post("/people/import/", {"action": "confirm", "token": response.context["token"]})
    assert Person.objects.get(sourced_id="stu-c").media_opt_out == "all"
    assert Person.objects.get(sourced_id="staff-new").roles.get().role == "teacher"


@pytest.mark.django_db
def test_roster_import_form_errors(lps, client_as):
    client = client_as("media_officer")
    assert client.post("/people/import/", {"action": "preview"}).status_code == 422
    response = client.post("/people/import/", {"action": "preview", "package": upload("x.zip", b"not a zip")})
    assert response.status_code == 422 and "not a ZIP" in response.content.decode()
    response = client.post("/people/import/", {"action": "preview", "files": [upload("users.csv", b"sourcedId\n")]})
    assert response.status_code == 422 and "manifest.csv is missing" in response.content.decode()


@pytest.mark.django_db
def test_unit_tree_order_and_depth(lps, client_as):
    tree = client_as("media_officer").get("/people/units/").context["tree"]
    assert [(u.name, d) for u, d in tree] == [
        ("Lawrence Public Schools", 0),
        ("Athletics Department", 1), ("Summer Sports Program", 2),
        ("Lawrence High School", 1), ("LHS Lancers Basketball", 2), ("LHS Robotics Club", 2),
        ("Oliver Partnership School", 1),
    ]
    principal = client_as("principal_a").get("/people/units/").context["tree"]
    assert [(u.name, d) for u, d in principal] == [
        ("Lawrence High School", 0), ("LHS Lancers Basketball", 1), ("LHS Robotics Club", 1),
    ]

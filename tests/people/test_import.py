"""The roster import service against the persona district."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from steward.authorizations.models import Authorization
from steward.core.errors import NotPermitted
from steward.core.models import AuditEvent
from steward.people.models import Enrollment, OrgUnit, Person, RosterImport, StaffRole
from steward.people.oneroster import read_package
from steward.people.services import ImportReport, RosterImportError, roster_import
from steward.registry.models import Account
from tests.people.packages import USER_11_HEADER, package_11, package_12, to_bytes, write


def state() -> dict[str, list[tuple]]:
    """Everything the import may touch, to prove a refused or dry-run import wrote nothing."""
    return {
        "units": list(OrgUnit.objects.values_list("pk", "sourced_id", "name", "kind", "identifier", "parent_id", "path", "active").order_by("pk")),
        "people": list(Person.objects.values_list(
            "pk", "sourced_id", "kind", "given_name", "family_name", "email", "active", "school_id", "grade",
            "media_opt_out", "media_opt_out_effective").order_by("pk")),
        "roles": list(StaffRole.objects.values_list("pk", "person_id", "unit_id", "role", "is_primary", "source").order_by("pk")),
        "enrollments": list(Enrollment.objects.values_list("pk", "sourced_id", "person_id", "unit_id", "role", "active").order_by("pk")),
        "imports": list(RosterImport.objects.values_list("pk")),
        "audit": list(AuditEvent.objects.values_list("pk")),
    }


@pytest.mark.django_db
def test_first_import_of_a_11_package(lps, tmp_path):
    report = roster_import(actor="test", package=write(package_11(), tmp_path / "p.zip"))
    assert report.ok and report.import_id
    assert report.created == {"units": 3, "staff": 1, "students": 1, "roles": 4, "enrollments": 4}
    assert report.skipped_users == 1
    arlington = OrgUnit.objects.get(sourced_id="org-arlington")
    assert arlington.kind == "school" and arlington.parent == lps.district
    assert arlington.path == f"{lps.district.path}{arlington.pk}/"
    k2 = OrgUnit.objects.get(sourced_id="class-k2")
    assert k2.kind == "classroom" and k2.is_within(arlington)
    new_teacher = Person.objects.get(sourced_id="staff-new")
    assert new_teacher.kind == "staff" and new_teacher.email == "new@lawrence.k12.ma.us"
    assert list(new_teacher.roles.values_list("role", "unit__sourced_id", "is_primary")) == [("teacher", "org-arlington", True)]
    stu_c = Person.objects.get(sourced_id="stu-c")
    assert (stu_c.kind, stu_c.school, stu_c.grade) == ("student", arlington, "02")
    lps.student_a.refresh_from_db()
    assert lps.student_a.media_opt_out == "image" and lps.student_a.opted_out_of("image")
    lps.student_b.refresh_from_db()
    assert lps.student_b.media_opt_out == ""  # false in the roster lifts the earlier opt-out
    assert Enrollment.objects.get(sourced_id="enr-1").person == lps.student_a
    # District-wide roles set by hand survive a roster that calls everyone "administrator".
    assert set(lps.superintendent.roles.values_list("role", flat=True)) == {"superintendent", "other"}
    assert lps.coach_a.roles.filter(role="coach", unit=lps.team_a).exists()  # units outside the roster stay
    assert not Person.objects.filter(sourced_id="guardian-1").exists()
    # Audited: one event per changed person and unit, and a summary on the import.
    assert AuditEvent.objects.filter(action="people.person_created", object_id=str(new_teacher.pk)).exists()
    assert AuditEvent.objects.filter(action="people.roster_imported").count() == 1
    event = AuditEvent.objects.get(action="people.person_updated", object_id=str(lps.student_a.pk))
    assert event.after["media_opt_out"] == "image" and event.clause == "0.2"


@pytest.mark.django_db
@pytest.mark.parametrize("builder", [package_11, package_12])
def test_reimport_changes_nothing(lps, tmp_path, builder):
    path = write(builder(), tmp_path / "p.zip")
    first = roster_import(actor="test", package=path)
    assert first.changed
    before = state()
    second = roster_import(actor="test", package=path)
    assert not second.changed
    assert sum(second.created.values()) == 0 and sum(second.updated.values()) == 0
    after = state()
    assert after["imports"] != before["imports"]  # the run itself is recorded ...
    for key in ("units", "people", "roles", "enrollments"):
        assert after[key] == before[key], key
    new_events = AuditEvent.objects.exclude(pk__in=[pk for (pk,) in before["audit"]])
    assert list(new_events.values_list("action", flat=True)) == ["people.roster_imported"]  # ... and nothing else


@pytest.mark.django_db
def test_12_secondary_role(lps, tmp_path):
    roster_import(actor="test", package=write(package_12(), tmp_path / "p.zip"))
    roles = set(lps.coach_a.roles.values_list("role", "unit__sourced_id", "is_primary"))
    assert ("teacher", "org-lhs", True) in roles and ("teacher", "org-oliver", False) in roles


@pytest.mark.django_db
def test_broken_package_leaves_the_database_unchanged(lps, tmp_path):
    files = package_11(drop=("staff-coach_a",))
    files["users.csv"][1][USER_11_HEADER.index("role")] = "wizard"
    files["orgs.csv"].append(["org-x", "active", "", "Orphan", "school", "", "org-nowhere"])
    before = state()
    with pytest.raises(RosterImportError) as exc:
        roster_import(actor="test", package=write(files, tmp_path / "bad.zip"))
    report = exc.value.report
    assert {(p.file, p.row, p.column) for p in report.problems} == {
        ("users.csv", 2, "role"), ("orgs.csv", 8, "parentSourcedId"),
    }
    assert state() == before


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_reports_everything(lps, tmp_path):
    before = state()
    report = roster_import(actor="test", package=write(package_11(drop=("staff-coach_a",)), tmp_path / "p.zip"), dry_run=True)
    assert report.dry_run and report.created["staff"] == 1 and report.deactivated["staff"] == 1
    assert [o.name for o in report.offboarding] == ["Marisol Peña"]
    assert state() == before


@pytest.mark.django_db
def test_offboarding_deactivates_and_reports_what_they_leave(lps, tmp_path):
    now = timezone.now()
    team_page = Account.objects.create(
        platform="instagram", handle="lhslancers", display_name="LHS Lancers", owning_unit=lps.team_a,
        kind="team", status="registered", responsible_administrator=lps.principal_a, advisor=lps.coach_a,
    )
    team_page.managers.add(lps.coach_a)
    club_page = Account.objects.create(
        platform="facebook", handle="lhsrobotics", display_name="LHS Robotics", owning_unit=lps.club_a,
        kind="club", status="registered", responsible_administrator=lps.coach_a, advisor=lps.teacher_a,
    )
    club_page.managers.add(lps.coach_a, lps.teacher_a)
    Authorization.objects.create(grantor=lps.principal_a, grantee=lps.coach_a, account=team_page, purpose="Game days")
    Authorization.objects.create(
        grantor=lps.principal_a, grantee=lps.coach_a, unit=lps.club_a, purpose="old",
        valid_from=now - dt.timedelta(days=60), valid_until=now - dt.timedelta(days=1),
    )
    report = roster_import(actor="test", package=write(package_11(drop=("staff-coach_a",)), tmp_path / "p.zip"))
    lps.coach_a.refresh_from_db()
    assert not lps.coach_a.active and lps.coach_a.deactivated_at is not None
    assert report.deactivated["staff"] == 1
    [entry] = report.offboarding
    assert entry.person_id == lps.coach_a.pk
    assert entry.grants == [f"Posting: {team_page}"]  # the expired one no longer counts
    assert entry.only_manager_of == [str(team_page)]  # the club page still has Priya
    assert entry.administrator_of == [str(club_page)]
    assert entry.advisor_of == [str(team_page)]
    assert any("Marisol Peña" in line for line in report.summary_lines())
    event = AuditEvent.objects.get(action="people.person_deactivated", object_id=str(lps.coach_a.pk))
    assert event.clause == "1.3" and event.after == {"active": False}
    # Stored on the import and shown again later, as it was.
    stored = ImportReport.from_dict(RosterImport.objects.get(pk=report.import_id).report)
    assert stored.offboarding[0].only_manager_of == [str(team_page)]
    # Coming back in a later roster reactivates them.
    again = roster_import(actor="test", package=write(package_11(), tmp_path / "p2.zip"))
    lps.coach_a.refresh_from_db()
    assert lps.coach_a.active and lps.coach_a.deactivated_at is None and again.reactivated["staff"] == 1


@pytest.mark.django_db
def test_no_deactivate_keeps_missing_people(lps, tmp_path):
    report = roster_import(
        actor="test", package=write(package_11(drop=("staff-coach_a", "stu-b")), tmp_path / "p.zip"),
        deactivate_missing=False,
    )
    assert report.deactivated["staff"] == 0 and report.offboarding == []
    assert Person.objects.get(pk=lps.coach_a.pk).active and Person.objects.get(pk=lps.student_b.pk).active


@pytest.mark.django_db
def test_tobedeleted_user_and_unit(lps, tmp_path):
    files = package_11()
    files["users.csv"][7][USER_11_HEADER.index("status")] = "tobedeleted"  # teacher_a
    files["orgs.csv"][6][1] = "tobedeleted"  # Arlington
    report = roster_import(actor="test", package=write(files, tmp_path / "p.zip"))
    assert not Person.objects.get(pk=lps.teacher_a.pk).active
    assert [o.person_id for o in report.offboarding] == [lps.teacher_a.pk]
    assert not OrgUnit.objects.get(sourced_id="org-arlington").active


@pytest.mark.django_db
def test_missing_units_are_deactivated_and_moves_carry_the_subtree(lps, tmp_path):
    files = package_11(drop=("staff-athletics_head",))
    files["orgs.csv"] = [r for r in files["orgs.csv"] if r[0] != "org-athletics"]
    next(r for r in files["orgs.csv"] if r[0] == "org-lhs")[6] = "org-oliver"  # LHS now under Oliver (a test of moves, not of sense)
    roster_import(actor="test", package=write(files, tmp_path / "p.zip"))
    lps.dept.refresh_from_db()
    assert not lps.dept.active
    lps.team_a.refresh_from_db()
    lps.school_a.refresh_from_db()
    assert lps.school_a.is_within(lps.school_b) and lps.team_a.is_within(lps.school_a)
    assert Person.objects.get(pk=lps.student_a.pk).school == lps.school_a
    assert AuditEvent.objects.filter(action="people.unit_updated", object_id=str(lps.school_a.pk)).exists()


@pytest.mark.django_db
def test_role_changes_are_synced_but_hand_set_roles_stay(lps, tmp_path):
    roster_import(actor="test", package=write(package_11(), tmp_path / "p.zip"))
    manual = StaffRole.objects.create(person=lps.teacher_a, unit=lps.club_a, role="faculty_advisor", source="manual")
    files = package_11()
    row = next(r for r in files["users.csv"] if r[0] == "staff-teacher_a")
    row[USER_11_HEADER.index("orgSourcedIds")] = "org-oliver"
    report = roster_import(actor="test", package=write(files, tmp_path / "p2.zip"))
    roles = set(lps.teacher_a.roles.values_list("role", "unit__sourced_id"))
    assert ("teacher", "org-oliver") in roles and ("teacher", "org-lhs") not in roles
    assert StaffRole.objects.filter(pk=manual.pk).exists()
    assert report.created["roles"] == 1 and report.deactivated["roles"] == 1 and report.updated["staff"] == 1
    event = AuditEvent.objects.filter(action="people.person_updated", object_id=str(lps.teacher_a.pk)).first()
    assert event.before["roles"] == ["teacher @ Lawrence High School"]
    assert event.after["roles"] == ["teacher @ Oliver Partnership School"]


@pytest.mark.django_db
def test_opt_outs_from_a_separate_csv(lps, tmp_path):
    csv_path = tmp_path / "optouts.csv"
    csv_path.write_text("userSourcedId,mediaOptOut,effectiveDate,mediaOptOutScope\nstu-c,true,2026-10-01,name\n")
    files = package_11()
    for row in files["users.csv"]:
        del row[-2:]  # no metadata columns
    roster_import(actor="test", package=write(files, tmp_path / "p.zip"), opt_outs=csv_path)
    stu_c = Person.objects.get(sourced_id="stu-c")
    assert stu_c.media_opt_out == "name" and stu_c.media_opt_out_effective == dt.date(2026, 10, 1)
    assert not stu_c.opted_out_of("name", dt.date(2026, 9, 30)) and stu_c.opted_out_of("name", dt.date(2026, 10, 2))
    assert Person.objects.get(pk=lps.student_b.pk).media_opt_out == ""  # not on the list


@pytest.mark.django_db
def test_mapping_for_a_differing_sis_gives_district_roles(lps, tmp_path):
    files = package_11()
    row = next(r for r in files["users.csv"] if r[0] == "staff-new")
    row[USER_11_HEADER.index("role")] = "PIO"
    row[USER_11_HEADER.index("orgSourcedIds")] = "org-district"
    report = roster_import(
        actor="test", package=write(files, tmp_path / "p.zip"), mapping={"roles": {"PIO": "communications"}}
    )
    assert report.ok
    carmen = Person.objects.get(sourced_id="staff-new")
    assert list(carmen.roles.values_list("role", flat=True)) == ["communications"]


@pytest.mark.django_db
def test_only_district_wide_roles_may_import(lps, tmp_path):
    path = write(package_11(), tmp_path / "p.zip")
    with pytest.raises(NotPermitted):
        roster_import(actor=lps.user("principal_a"), package=path)
    report = roster_import(actor=lps.user("media_officer"), package=path)
    run = RosterImport.objects.get(pk=report.import_id)
    assert run.actor == lps.user("media_officer") and run.actor_label == "Luis Ortiz"


@pytest.mark.django_db
def test_delta_package_refers_to_people_already_known(lps, tmp_path):
    roster_import(actor="test", package=write(package_11(), tmp_path / "p.zip"))
    files = {
        "manifest.csv": [["propertyName", "value"], ["oneroster.version", "1.1"], ["file.enrollments", "delta"]],
        "enrollments.csv": [
            ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"],
            ["enr-7", "active", "", "class-k2", "org-arlington", "stu-a", "student", "", "", ""],
            ["enr-1", "tobedeleted", "", "class-alg1", "org-lhs", "stu-a", "student", "", "", ""],
        ],
    }
    report = roster_import(actor="test", package=to_bytes(files))
    assert report.created["enrollments"] == 1 and report.deactivated["enrollments"] == 1
    assert report.deactivated["staff"] == 0  # a delta never offboards
    assert Enrollment.objects.filter(active=True, person=lps.student_a).count() == 1


@pytest.mark.django_db
def test_parsed_package_can_be_passed_in(lps, tmp_path):
    pkg = read_package(write(package_11(), tmp_path / "p.zip"))
    assert roster_import(actor="test", package=pkg).created["staff"] == 1


@pytest.mark.django_db
def test_offboarded_people_with_open_responsibilities_for_the_dashboard(lps, tmp_path):
    from steward.people.selectors import offboarded_with_open_responsibilities

    page = Account.objects.create(
        platform="instagram", handle="lhslancers", display_name="LHS Lancers", owning_unit=lps.team_a,
        kind="team", status="registered", advisor=lps.coach_a,
    )
    roster_import(actor="test", package=write(package_11(drop=("staff-coach_a", "staff-teacher_a")), tmp_path / "p.zip"))
    rows = offboarded_with_open_responsibilities(user=lps.user("principal_a"))
    assert [(r["person"], r["accounts"]) for r in rows] == [(lps.coach_a, [page])]  # teacher_a left nothing open
    assert offboarded_with_open_responsibilities(user=lps.user("principal_b")) == []
    page.status = "retired"
    page.save()
    assert offboarded_with_open_responsibilities(user=lps.user("media_officer")) == []


@pytest.mark.django_db
def test_12_everyone_whose_roles_all_lapsed_is_deactivated_not_refused(lps, tmp_path):
    from tests.people.packages import ROLE_HEADER

    roster_import(actor="test", package=write(package_12(), tmp_path / "p.zip"))
    files = package_12()
    for row in files["roles.csv"][1:]:
        if row[3] in ("staff-teacher_a", "stu-a"):
            row[ROLE_HEADER.index("endDate")] = "2025-06-30"
    report = roster_import(actor="test", package=write(files, tmp_path / "p2.zip"))
    teacher, student = Person.objects.get(pk=lps.teacher_a.pk), Person.objects.get(pk=lps.student_a.pk)
    assert not teacher.active and not student.active
    assert student.kind == "student" and student.school == lps.school_a  # still says where they were
    assert report.deactivated["staff"] == 1 and report.deactivated["students"] == 1


@pytest.mark.django_db
def test_student_moving_school_is_updated_and_audited(lps, tmp_path):
    files = package_11()
    next(r for r in files["users.csv"] if r[0] == "stu-a")[USER_11_HEADER.index("orgSourcedIds")] = "org-oliver"
    roster_import(actor="test", package=write(files, tmp_path / "p.zip"))
    assert Person.objects.get(pk=lps.student_a.pk).school == lps.school_b
    event = AuditEvent.objects.get(action="people.person_updated", object_id=str(lps.student_a.pk))
    assert event.before["school"]["label"] == "Lawrence High School"
    assert event.after["school"]["label"] == "Oliver Partnership School"

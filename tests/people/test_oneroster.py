"""The OneRoster parser on its own: no database."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from steward.people import oneroster
from steward.people.oneroster import Mapping, PackageError, read_package
from tests.people.packages import (
    ROLE_HEADER,
    USER_11_HEADER,
    package_11,
    package_12,
    to_bytes,
    write,
)


def problems(pkg: oneroster.Package) -> set[tuple[str, int | None, str]]:
    return {(p.file, p.row, p.column) for p in pkg.problems}


@pytest.mark.parametrize("as_zip", [True, False], ids=["zip", "folder"])
def test_good_11_package(tmp_path, as_zip):
    path = write(package_11(), tmp_path / ("p.zip" if as_zip else "p"), as_zip=as_zip)
    pkg = read_package(path)
    assert pkg.problems == []
    assert pkg.version == "1.1" and pkg.source_system == "Aspen SIS"
    # The state org sits above the district and is not part of the tree.
    assert "org-ma" not in pkg.orgs
    assert pkg.orgs["org-district"].parent_sourced_id is None
    assert list(pkg.orgs)[0] == "org-district"  # parents first
    assert pkg.orgs["class-alg1"].kind == "classroom" and pkg.orgs["class-alg1"].parent_sourced_id == "org-lhs"
    assert pkg.users["staff-principal_a"].roles[0].role == "school_leader"
    assert pkg.users["staff-athletics_head"].roles[0].role == "department_head"
    assert pkg.users["staff-superintendent"].roles[0].role == "other"  # never inferred district-wide
    assert pkg.users["stu-a"].kind == "student" and pkg.users["stu-a"].grades == ["10"]
    assert pkg.users["stu-a"].opt_out == "image"
    assert pkg.users["stu-b"].opt_out == ""  # false: no opt-out
    assert pkg.users["stu-c"].opt_out == ""  # empty cell in an opt-out column: no opt-out
    assert "guardian-1" not in pkg.users and pkg.skipped_users == 1
    assert len(pkg.enrollments) == 4 and pkg.is_bulk("users")


def test_good_12_package(tmp_path):
    pkg = read_package(write(package_12(), tmp_path / "p.zip"))
    assert pkg.problems == []
    assert pkg.version == "1.2"
    coach = pkg.users["staff-coach_a"]
    assert [(r.org_sourced_id, r.role, r.primary) for r in coach.roles] == [
        ("org-lhs", "teacher", True), ("org-oliver", "teacher", False)
    ]
    assert pkg.users["staff-principal_a"].roles[0].role == "school_leader"  # 1.2 "principal"
    assert pkg.users["staff-athletics_head"].roles[0].role == "department_head"  # siteAdministrator at a dept
    assert pkg.users["stu-a"].primary_org == "org-lhs"


def test_zip_with_a_folder_inside_and_a_bom(tmp_path):
    files = to_bytes(package_11())
    files["users.csv"] = b"\xef\xbb\xbf" + files["users.csv"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, blob in files.items():
            zf.writestr(f"export-2026-09-01/{name}", blob)
        zf.writestr("__MACOSX/export-2026-09-01/._users.csv", b"junk")
    buf.seek(0)
    pkg = read_package(buf)
    assert pkg.problems == [] and "stu-a" in pkg.users


def test_dict_source_and_case_insensitive_headers():
    files = package_11()
    files["orgs.csv"][0] = [h.upper() if h == "name" else h.lower() for h in files["orgs.csv"][0]]
    pkg = read_package(to_bytes(files))
    assert pkg.problems == []
    assert pkg.orgs["org-lhs"].name == "Lawrence High School"


def test_not_a_package(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(PackageError):
        read_package(tmp_path / "x.zip")
    with pytest.raises(PackageError):
        read_package(tmp_path / "missing.zip")
    files = package_11()
    del files["manifest.csv"]
    pkg = read_package(to_bytes(files))
    assert problems(pkg) == {("manifest.csv", None, "")}


def test_broken_package_names_every_problem():
    files = package_11()
    orgs = files["orgs.csv"]
    orgs.append(["org-lhs", "active", "", "Duplicate", "school", "", "org-district"])  # row 8
    orgs.append(["org-x", "active", "", "Orphan", "school", "", "org-nowhere"])  # row 9
    orgs.append(["org-y", "active", "", "Odd", "galaxy", "", "org-district"])  # row 10
    orgs.append(["org-z", "active", "yesterday", "Bad date", "school", "", "org-district"])  # row 11
    users = files["users.csv"]
    col = USER_11_HEADER.index
    users[1][col("role")] = "wizard"  # row 2
    users[2][col("orgSourcedIds")] = "org-nowhere"  # row 3
    users[3][0] = users[4][0]  # row 4 duplicates row 5 (row 5 then reports)
    users[11][col("metadata.mediaOptOut")] = "maybe"  # row 12 (stu-a)
    users[12][col("enabledUser")] = "perhaps"  # row 13 (stu-b)
    users[13][col("email")] = "not-an-email"  # row 14 (stu-c)
    users[13][col("status")] = "gone"
    files["enrollments.csv"].append(["enr-9", "active", "", "class-none", "org-lhs", "stu-zz", "student", "", "2026-13-01", ""])
    files["enrollments.csv"].append(["enr-1", "active", "", "class-alg1", "org-lhs", "stu-a", "learner", "", "", ""])
    pkg = read_package(to_bytes(files))
    found = problems(pkg)
    expected = {
        ("orgs.csv", 8, "sourcedId"),
        ("orgs.csv", 9, "parentSourcedId"),
        ("orgs.csv", 10, "type"),
        ("orgs.csv", 11, "dateLastModified"),
        ("users.csv", 2, "role"),
        ("users.csv", 3, "orgSourcedIds"),
        ("users.csv", 5, "sourcedId"),
        ("users.csv", 12, "metadata.mediaOptOut"),
        ("users.csv", 13, "enabledUser"),
        ("users.csv", 14, "email"),
        ("users.csv", 14, "status"),
        ("enrollments.csv", 6, "classSourcedId"),
        ("enrollments.csv", 6, "userSourcedId"),
        ("enrollments.csv", 6, "beginDate"),
        ("enrollments.csv", 7, "sourcedId"),
    }
    assert expected <= found, sorted(expected - found)
    messages = {str(p) for p in pkg.problems}
    assert "orgs.csv, row 9, column parentSourcedId: unknown parent org 'org-nowhere'" in messages
    assert any("duplicate sourcedId 'org-lhs'" in m for m in messages)
    assert any("unknown role 'wizard'" in m for m in messages)
    assert any("bad date 'yesterday'" in m for m in messages)
    assert any("enrollment to unknown class 'class-none'" in m for m in messages)
    assert any("enrollment of unknown user 'stu-zz'" in m for m in messages)


def test_missing_required_column_and_empty_file():
    files = package_11()
    for row in files["users.csv"]:
        del row[USER_11_HEADER.index("familyName")]
    files["classes.csv"] = []
    pkg = read_package(to_bytes(files))
    assert ("users.csv", 1, "familyName") in problems(pkg)
    assert ("classes.csv", 1, "") in problems(pkg)
    assert any(p.message == "required column is missing" for p in pkg.problems)


def test_manifest_problems():
    files = package_11()
    files["manifest.csv"] = [r for r in files["manifest.csv"] if r[0] != "oneroster.version"]
    assert ("manifest.csv", None, "value") in problems(read_package(to_bytes(files)))
    files = package_11()
    files["manifest.csv"][2][1] = "2.0"
    assert ("manifest.csv", 3, "value") in problems(read_package(to_bytes(files)))
    files = package_11()
    del files["enrollments.csv"]
    pkg = read_package(to_bytes(files))
    assert [str(p) for p in pkg.problems] == [
        "enrollments.csv: the manifest declares this file but it is not in the package"
    ]


def test_12_roles_problems_and_dates():
    files = package_12()
    roles = files["roles.csv"]
    col = ROLE_HEADER.index
    roles[1][col("role")] = "headmaster"  # row 2
    roles[2][col("orgSourcedId")] = "org-nowhere"  # row 3
    roles[3][col("endDate")] = "31/12/2026"  # row 4
    roles[4][col("roleType")] = "main"  # row 5
    roles.append(["role-ghost", "active", "", "ghost", "primary", "teacher", "", "", "org-lhs", ""])  # row 17
    pkg = read_package(to_bytes(files))
    assert {
        ("roles.csv", 2, "role"), ("roles.csv", 3, "orgSourcedId"), ("roles.csv", 4, "endDate"),
        ("roles.csv", 5, "roleType"), ("roles.csv", 17, "userSourcedId"),
    } <= problems(pkg)


def test_12_ended_and_deleted_roles_give_no_standing():
    files = package_12()
    col = ROLE_HEADER.index
    extra = files["roles.csv"][-1]
    extra[col("endDate")] = "2025-06-30"
    pkg = read_package(to_bytes(files), today=dt.date(2026, 11, 28))
    assert [r.org_sourced_id for r in pkg.users["staff-coach_a"].roles] == ["org-lhs"]


def test_tobedeleted_and_disabled_users_are_inactive():
    files = package_11()
    col = USER_11_HEADER.index
    files["users.csv"][7][col("status")] = "tobedeleted"  # teacher_a
    files["users.csv"][8][col("enabledUser")] = "false"  # coach_a
    pkg = read_package(to_bytes(files))
    assert pkg.problems == []
    assert not pkg.users["staff-teacher_a"].active and not pkg.users["staff-coach_a"].active
    assert pkg.users["staff-staff_b"].active


def test_opt_outs_from_a_separate_csv(tmp_path):
    files = package_11()
    col = USER_11_HEADER.index
    for row in files["users.csv"]:  # an SIS that cannot add columns
        del row[col("metadata.mediaOptOutScope")]
        del row[col("metadata.mediaOptOut")]
    csv_path = tmp_path / "optouts.csv"
    csv_path.write_text(
        "userSourcedId,mediaOptOut,effectiveDate\nstu-c,true,2026-10-01\nstu-a,false,\n", encoding="utf-8"
    )
    pkg = read_package(to_bytes(files), opt_outs=csv_path)
    assert pkg.problems == []
    assert pkg.users["stu-c"].opt_out == "all"
    assert pkg.users["stu-c"].opt_out_effective == dt.date(2026, 10, 1)
    assert pkg.users["stu-a"].opt_out == "" and pkg.users["stu-b"].opt_out == ""  # not listed: none
    # Without either source the package says nothing: keep what Steward holds.
    assert read_package(to_bytes(files)).users["stu-c"].opt_out is None


def test_opt_out_csv_problems():
    bad = b"userSourcedId,mediaOptOut,effectiveDate\nstu-c,sometimes,2026-10-01\nnobody,true,\nstu-a,true,01/10/2026\nstu-c,true,\n"
    pkg = read_package(to_bytes(package_11()), opt_outs=bad)
    assert {
        ("opt-outs CSV", 2, "mediaOptOut"), ("opt-outs CSV", 3, "userSourcedId"),
        ("opt-outs CSV", 4, "effectiveDate"), ("opt-outs CSV", 5, "userSourcedId"),
    } <= problems(pkg)
    missing = read_package(to_bytes(package_11()), opt_outs=b"student,optout\n1,true\n")
    assert ("opt-outs CSV", 1, "userSourcedId") in problems(missing)


def test_mapping_for_a_differing_sis(tmp_path):
    """An SIS that names its files and columns its own way and has its own role names."""
    files = package_11()
    header = files["users.csv"][0]
    renames = {"givenName": "first_name", "familyName": "last_name", "role": "job", "metadata.mediaOptOut": "photo_release_denied"}
    files["users.csv"][0] = [renames.get(h, h) for h in header]
    for row in files["users.csv"][1:]:
        if row[header.index("role")] == "teacher":
            row[header.index("role")] = "Instructor"
        if row[header.index("sourcedId")] == "staff-media_officer":
            row[header.index("role")] = "PIO"
    files["people.csv"] = files.pop("users.csv")
    mapping_file = tmp_path / "aspen.yaml"
    mapping_file.write_text(
        "files:\n  users: people.csv\n"
        "columns:\n  users: {givenName: first_name, familyName: last_name, role: job}\n"
        "roles:\n  Instructor: teacher\n  PIO: communications\n"
        "opt_out_column: photo_release_denied\n",
        encoding="utf-8",
    )
    files["manifest.csv"].append(["file.users", "bulk"])
    pkg = read_package(to_bytes(files), mapping=Mapping.load(mapping_file))
    assert pkg.problems == []
    assert pkg.users["staff-teacher_a"].given_name == "Priya"
    assert pkg.users["staff-teacher_a"].roles[0].role == "teacher"
    assert pkg.users["staff-media_officer"].roles[0].role == "communications"
    assert pkg.users["stu-a"].opt_out == "image"
    # JSON works too, and a mapping naming an unknown Steward role is refused.
    assert Mapping.parse(json.dumps({"roles": {"Coach": "coach"}}), name="m.json").roles["Coach"] == "coach"
    with pytest.raises(PackageError):
        Mapping.from_dict({"roles": {"Boss": "emperor"}})
    with pytest.raises(PackageError):
        Mapping.from_dict({"colums": {}})


def test_org_tree_loop():
    files = package_11()
    files["orgs.csv"].append(["org-p", "active", "", "P", "program", "", "org-q"])
    files["orgs.csv"].append(["org-q", "active", "", "Q", "program", "", "org-p"])
    pkg = read_package(to_bytes(files))
    assert any("loops back" in p.message for p in pkg.problems)


def test_too_long_values_are_reported_not_truncated():
    files = package_11()
    files["users.csv"][1][USER_11_HEADER.index("givenName")] = "A" * 151
    assert ("users.csv", 2, "givenName") in problems(read_package(to_bytes(files)))


def test_delta_package_may_refer_to_known_people():
    files = {
        "manifest.csv": [["propertyName", "value"], ["oneroster.version", "1.1"], ["file.enrollments", "delta"]],
        "enrollments.csv": [
            ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"],
            ["enr-7", "active", "", "class-alg1", "org-lhs", "stu-a", "student", "", "", ""],
        ],
    }
    assert problems(read_package(to_bytes(files))) == {
        ("enrollments.csv", 2, "classSourcedId"), ("enrollments.csv", 2, "userSourcedId")
    }
    pkg = read_package(to_bytes(files), known_org_ids={"class-alg1"}, known_user_ids={"stu-a"})
    assert pkg.problems == [] and len(pkg.enrollments) == 1 and not pkg.is_bulk("enrollments")


def test_12_package_without_roles_file_is_reported_not_crashed():
    files = package_12()
    del files["roles.csv"]
    files["manifest.csv"] = [r if r[0] != "file.roles" else ["file.roles", "absent"] for r in files["manifest.csv"]]
    pkg = read_package(to_bytes(files))
    assert pkg.problems and all(p.message == "user has no role in any org of the district" for p in pkg.problems)
    assert {(p.file, p.row) for p in pkg.problems} >= {("users.csv", 2)}

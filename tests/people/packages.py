"""OneRoster packages for the tests, built in code so that each test can bend one thing.

They describe the persona district (tests/personas.py) as its SIS would export it, plus one new
school, one new teacher, one new student and a guardian that Steward does not keep.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from steward.people.oneroster import write_package

ORG_HEADER = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
USER_11_HEADER = [
    "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds",
    "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
    "password", "metadata.mediaOptOut", "metadata.mediaOptOutScope",
]
USER_12_HEADER = [
    "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName", "familyName",
    "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
    "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
    "preferredFamilyName", "primaryOrgSourcedId", "pronouns", "metadata.mediaOptOut", "metadata.mediaOptOutScope",
]
ROLE_HEADER = [
    "sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate",
    "orgSourcedId", "userProfileSourcedId",
]
CLASS_HEADER = [
    "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType",
    "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
]
ENROLLMENT_HEADER = [
    "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role",
    "primary", "beginDate", "endDate",
]
WHEN = "2026-09-01T00:00:00Z"
DOMAIN = "lawrence.k12.ma.us"

ORGS = [
    ["org-ma", "active", WHEN, "Massachusetts DESE", "state", "MA", ""],
    ["org-district", "active", WHEN, "Lawrence Public Schools", "district", "01490000", "org-ma"],
    ["org-lhs", "active", WHEN, "Lawrence High School", "school", "01490505", "org-district"],
    ["org-oliver", "active", WHEN, "Oliver Partnership School", "school", "01490040", "org-district"],
    ["org-athletics", "active", WHEN, "Athletics Department", "department", "", "org-district"],
    ["org-arlington", "active", WHEN, "Arlington Elementary School", "school", "01490010", "org-district"],
]
# (sourcedId, role, org, given, family, grade, opt-out, scope)
USERS: list[tuple[str, str, str, str, str, str, str, str]] = [
    ("staff-superintendent", "administrator", "org-district", "Ana", "Rivera", "", "", ""),
    ("staff-media_officer", "administrator", "org-district", "Luis", "Ortiz", "", "", ""),
    ("staff-records_officer", "administrator", "org-district", "Grace", "Kim", "", "", ""),
    ("staff-principal_a", "administrator", "org-lhs", "Daniel", "Murphy", "", "", ""),
    ("staff-principal_b", "administrator", "org-oliver", "Rosa", "Delgado", "", "", ""),
    ("staff-athletics_head", "administrator", "org-athletics", "Tom", "Walsh", "", "", ""),
    ("staff-teacher_a", "teacher", "org-lhs", "Priya", "Shah", "", "", ""),
    ("staff-coach_a", "teacher", "org-lhs", "Marisol", "Peña", "", "", ""),
    ("staff-staff_b", "teacher", "org-oliver", "José", "Almonte", "", "", ""),
    ("staff-new", "teacher", "org-arlington", "Carmen", "Báez", "", "", ""),
    ("stu-a", "student", "org-lhs", "Yamilet", "Santos", "10", "true", "image"),
    ("stu-b", "student", "org-oliver", "Kevin", "Nguyen", "04", "false", ""),
    ("stu-c", "student", "org-arlington", "Sofía", "Reyes", "02", "", ""),
    ("guardian-1", "guardian", "org-arlington", "Marta", "Reyes", "", "", ""),
]
CLASSES = [
    ["class-alg1", "active", WHEN, "Algebra I (P3)", "10", "course-alg1", "ALG1-3", "scheduled", "", "org-lhs", "term-1", "", "", "3"],
    ["class-k2", "active", WHEN, "Grade 2 Homeroom", "02", "course-hr", "HR2", "homeroom", "", "org-arlington", "term-1", "", "", ""],
]
ENROLLMENTS = [
    ["enr-1", "active", WHEN, "class-alg1", "org-lhs", "stu-a", "student", "false", "2026-09-01", ""],
    ["enr-2", "active", WHEN, "class-alg1", "org-lhs", "staff-teacher_a", "teacher", "true", "2026-09-01", ""],
    ["enr-3", "active", WHEN, "class-k2", "org-arlington", "stu-c", "student", "false", "2026-09-01", ""],
    ["enr-4", "active", WHEN, "class-k2", "org-arlington", "staff-new", "teacher", "true", "2026-09-01", ""],
]


def manifest(version: str, **files: str) -> list[list[str]]:
    rows = [["propertyName", "value"], ["manifest.version", "1.0"], ["oneroster.version", version]]
    for name in ("academicSessions", "categories", "classes", "courses", "demographics", "enrollments", "orgs", "users", "roles"):
        if version == "1.1" and name == "roles":
            continue
        rows.append([f"file.{name}", files.get(name, "absent")])
    rows += [["source.systemName", "Aspen SIS"], ["source.systemCode", "ASPEN"]]
    return rows


def _email(sid: str, role: str) -> str:
    if role == "guardian":
        return "marta.reyes@example.com"
    return f"{sid.split('-', 1)[1]}@{DOMAIN}" if sid.startswith("staff-") else f"{sid}@students.{DOMAIN}"


def package_11(*, users: list[Any] | None = None, drop: tuple[str, ...] = ()) -> dict[str, list[list[str]]]:
    """A good OneRoster 1.1 package as {file name: rows}."""
    rows = [list(USER_11_HEADER)]
    for sid, role, org, given, family, grade, opt, scope in users or USERS:
        if sid in drop:
            continue
        rows.append([
            sid, "active", WHEN, "true", org, role, sid, "", given, family, "", "", _email(sid, role), "", "", "",
            grade, "", opt, scope,
        ])
    return {
        "manifest.csv": manifest("1.1", orgs="bulk", users="bulk", classes="bulk", enrollments="bulk"),
        "orgs.csv": [list(ORG_HEADER), *copy.deepcopy(ORGS)],
        "users.csv": rows,
        "classes.csv": [list(CLASS_HEADER), *copy.deepcopy(CLASSES)],
        "enrollments.csv": [list(ENROLLMENT_HEADER), *[e for e in copy.deepcopy(ENROLLMENTS) if e[5] not in drop]],
    }


def package_12(*, drop: tuple[str, ...] = ()) -> dict[str, list[list[str]]]:
    """The same district as a OneRoster 1.2 package (roles in roles.csv, 1.2 role names)."""
    users = [list(USER_12_HEADER)]
    roles = [list(ROLE_HEADER)]
    names_12 = {"administrator": "principal"}
    for n, (sid, role, org, given, family, grade, opt, scope) in enumerate(USERS):
        if sid in drop:
            continue
        users.append([
            sid, "active", WHEN, "true", sid, "", given, family, "", "", _email(sid, role), "", "", "", grade, "",
            "", "", "", "", "", org, "", opt, scope,
        ])
        role_12 = names_12.get(role, role) if org != "org-district" else "districtAdministrator"
        if org == "org-athletics":
            role_12 = "siteAdministrator"
        roles.append([f"role-{n}", "active", WHEN, sid, "primary", role_12, "2020-07-01", "", org, ""])
    # A coach's second, secondary role at another school.
    roles.append(["role-extra", "active", WHEN, "staff-coach_a", "secondary", "teacher", "2020-07-01", "", "org-oliver", ""])
    return {
        "manifest.csv": manifest("1.2", orgs="bulk", users="bulk", roles="bulk", classes="bulk", enrollments="bulk"),
        "orgs.csv": [list(ORG_HEADER), *copy.deepcopy(ORGS)],
        "users.csv": users,
        "roles.csv": roles,
        "classes.csv": [list(CLASS_HEADER), *copy.deepcopy(CLASSES)],
        "enrollments.csv": [list(ENROLLMENT_HEADER), *[e for e in copy.deepcopy(ENROLLMENTS) if e[5] not in drop]],
    }


def write(files: dict[str, list[list[str]]], target: Path, *, as_zip: bool = True) -> Path:
    write_package(target, files, as_zip=as_zip)
    return target


def to_bytes(files: dict[str, list[list[str]]]) -> dict[str, bytes]:
    import csv
    import io

    out = {}
    for name, rows in files.items():
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\r\n").writerows(rows)
        out[name] = buf.getvalue().encode()
    return out

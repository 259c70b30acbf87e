"""Bench: import a generated OneRoster 1.1 package of 5,000 users with enrollments.

    .venv/bin/python bench/roster_import.py [--users 5000] [--keep PATH]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/roster_import.py

Runs on a scratch database (an SQLite file in a temporary folder, or ``steward_bench_roster`` on
PostgreSQL, created and dropped like the test suite's), so it never touches real data. Prints seconds and
users per second for: the first import, a re-import of the same package (nothing changes), and a
re-import with 2% of users changed and 1% gone (offboarding).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

FIRST = ["Ana", "Luis", "Yamilet", "Kevin", "José", "Marisol", "Daniel", "Rosa", "Priya", "Sofía", "Carlos",
         "Emily", "Jayden", "Ashley", "Miguel", "Genesis", "Angel", "Nicole", "Brian", "Camila"]
FAMILY = ["Rivera", "Santos", "Nguyen", "Peña", "Murphy", "Delgado", "Shah", "Reyes", "Almonte", "Báez",
          "Rodríguez", "Pérez", "García", "Martínez", "Tavárez", "Guzmán", "Díaz", "Cruz", "Núñez", "Mejía"]
ORG_HEADER = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
USER_HEADER = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
               "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
               "agentSourcedIds", "grades", "password", "metadata.mediaOptOut", "metadata.mediaOptOutScope"]
CLASS_HEADER = ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
                "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"]
ENR_HEADER = ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId",
              "role", "primary", "beginDate", "endDate"]
WHEN = "2026-09-01T00:00:00Z"


def generate(n_users: int, seed: int = 7, change: float = 0.0, drop: float = 0.0) -> dict[str, list[list[str]]]:
    """A Lawrence-sized district: 12% staff, 88% students, 5 classes per student. ``change`` and
    ``drop`` alter that share of users (renamed, or gone) and leave everything else as it was."""
    n_schools = max(3, n_users // 200)
    orgs = [ORG_HEADER, ["org-district", "active", WHEN, "Lawrence Public Schools", "district", "01490000", ""]]
    schools = [f"org-s{i:03}" for i in range(n_schools)]
    for i, sid in enumerate(schools):
        orgs.append([sid, "active", WHEN, f"School {i:03}", "school", f"0149{i:04}", "org-district"])
    for name in ("Athletics", "Family and Community Engagement", "Technology"):
        orgs.append([f"org-{name[:4].lower()}", "active", WHEN, f"{name} Department", "department", "", "org-district"])
    n_staff = n_users * 12 // 100
    users = [USER_HEADER]
    classes = [CLASS_HEADER]
    enrollments = [ENR_HEADER]
    classes_by_school: dict[str, list[str]] = {s: [] for s in schools}
    for i in range(n_staff):  # two sections per teacher; sections stay when a teacher leaves
        school = schools[i % n_schools]
        if i >= n_schools:
            for k in range(2):
                cid = f"c{i:06}-{k}"
                classes.append([cid, "active", WHEN, f"Section {cid}", "", "", cid, "scheduled", "", school,
                                "term-1", "", "", str(k + 1)])
                classes_by_school[school].append(cid)
    for i in range(n_users):
        rng = random.Random(seed * 1_000_003 + i)  # per user: other users' changes do not shift it
        uid = f"u{i:06}"
        school = schools[i % n_schools]
        given, family = rng.choice(FIRST), rng.choice(FAMILY)
        fate = random.Random(seed + i * 7919).random()
        if fate < drop:
            continue
        if fate > 1 - change:
            family += "-Ortiz"
        if i < n_staff:
            role = "administrator" if i < n_schools else "teacher"
            users.append([uid, "active", WHEN, "true", school, role, uid, "", given, family, "", f"E{i:06}",
                          f"{uid}@lawrence.k12.ma.us", "", "", "", "", "", "", ""])
            if role == "teacher":
                for k in range(2):
                    cid = f"c{i:06}-{k}"
                    enrollments.append([f"e-{cid}-t", "active", WHEN, cid, school, uid, "teacher", "true",
                                        "2026-09-01", ""])
        else:
            opt = rng.random() < 0.08
            users.append([uid, "active", WHEN, "true", school, "student", uid, "", given, family, "",
                          f"S{i:06}", f"{uid}@students.lawrence.k12.ma.us", "", "", "",
                          str(rng.randint(1, 12)).zfill(2), "", "true" if opt else "false",
                          rng.choice(["all", "name", "image"]) if opt else ""])
            pool = classes_by_school[school]
            for cid in rng.sample(pool, min(5, len(pool))):
                enrollments.append([f"e-{cid}-{uid}", "active", WHEN, cid, school, uid, "student", "false",
                                    "2026-09-01", ""])
    manifest = [["propertyName", "value"], ["manifest.version", "1.0"], ["oneroster.version", "1.1"],
                ["file.orgs", "bulk"], ["file.users", "bulk"], ["file.classes", "bulk"],
                ["file.enrollments", "bulk"], ["source.systemName", "bench"]]
    return {"manifest.csv": manifest, "orgs.csv": orgs, "users.csv": users, "classes.csv": classes,
            "enrollments.csv": enrollments}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--keep", help="Also write the generated package (ZIP) here")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from steward.people.oneroster import read_package, write_package
    from steward.people.services import roster_import

    tmp = Path(tempfile.mkdtemp(prefix="steward-bench-"))  # removed at the end
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(tmp / "bench.sqlite3")  # a file, not :memory:
    else:  # its own scratch database, never the test suite's (which may be in use)
        connection.settings_dict["TEST"]["NAME"] = "steward_bench_roster"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        base = generate(args.users)
        n_users = len(base["users.csv"]) - 1
        n_enr = len(base["enrollments.csv"]) - 1
        package = tmp / "roster.zip"
        write_package(package, base)
        if args.keep:
            write_package(args.keep, base)
        changed = tmp / "roster-changed.zip"
        write_package(changed, generate(args.users, change=0.02, drop=0.01))
        print(f"database: {connection.vendor}; package: {n_users} users, {len(base['classes.csv']) - 1} classes, "
              f"{n_enr} enrollments, {package.stat().st_size // 1024} KiB")

        t = time.perf_counter()
        parsed = read_package(package)
        parse_s = time.perf_counter() - t
        assert not parsed.problems, parsed.problems[:5]
        print(f"{'parse + validate only':<34} {parse_s:7.2f} s  {n_users / parse_s:8.0f} users/s")
        rows = []
        for label, path in (("first import", package), ("re-import (unchanged)", package),
                            ("re-import (2% changed, 1% gone)", changed)):
            t, cpu = time.perf_counter(), time.process_time()
            report = roster_import(actor="bench", package=path)
            seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
            rows.append((label, seconds, report))
            print(f"{label:<34} {seconds:7.2f} s  {n_users / seconds:8.0f} users/s  (Python CPU {cpu:5.2f} s)  "
                  f"created {sum(report.created.values())}, updated {sum(report.updated.values())}, "
                  f"deactivated {sum(report.deactivated.values())}")
        assert not rows[1][2].changed, "re-import changed something"
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

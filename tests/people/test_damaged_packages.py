"""Damaged packages: whatever a cell holds, the import either applies the package or refuses it with
its report. Never a crash, never a database error half-way (a varchar too long on PostgreSQL, a
broken tree)."""

from __future__ import annotations

import random

import pytest

from steward.people.oneroster import PackageError
from steward.people.services import RosterImportError, roster_import
from tests.people.packages import package_11, package_12, to_bytes

JUNK = [
    "", " ", "x", "org-lhs", "org-district", "stu-a", "class-alg1", "tobedeleted", "2026-02-30", "true",
    "false", "a,b", '"', "é" * 200, "student", "teacher", "guardian", "-1", "None",
]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(40))
def test_damaged_package_is_imported_or_refused(lps, seed):
    rng = random.Random(seed)
    files = (package_11 if seed % 2 else package_12)()
    for _ in range(rng.randint(1, 4)):
        rows = files[rng.choice([n for n in files if files[n]])]
        row = rows[rng.randrange(len(rows))]
        if row:
            row[rng.randrange(len(row))] = rng.choice(JUNK)
    try:
        report = roster_import(actor="test", package=to_bytes(files))
    except (RosterImportError, PackageError):
        return
    assert report.ok and report.import_id

"""``steward import_roster``."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from steward.people.models import Person, RosterImport
from tests.people.packages import USER_11_HEADER, package_11, write


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_with_progress_and_summary(lps, tmp_path):
    path = write(package_11(drop=("staff-coach_a",)), tmp_path / "lps.zip")
    out, err = run(str(path))
    assert "Imported OneRoster 1.1 package" in out and "Roster import #" in out
    assert "Marisol Peña (staff-coach_a)" in out or "Offboarded staff: 1" in out
    assert "rows" in err  # the tqdm bar
    assert RosterImport.objects.get().actor_label.startswith("import_roster command")
    out, _ = run(str(path), "--no-progress")
    assert "staff               0        0            0            0" in out


@pytest.mark.django_db
def test_dry_run_and_no_deactivate(lps, tmp_path):
    path = write(package_11(drop=("staff-coach_a",)), tmp_path / "lps", as_zip=False)
    out, _ = run(str(path), "--dry-run", "--no-progress")
    assert "Dry run" in out and not RosterImport.objects.exists()
    assert not Person.objects.filter(sourced_id="stu-c").exists()
    run(str(path), "--no-deactivate", "--no-progress")
    assert Person.objects.get(pk=lps.coach_a.pk).active


@pytest.mark.django_db
def test_bad_package_lists_problems_and_fails(lps, tmp_path):
    files = package_11()
    files["users.csv"][1][USER_11_HEADER.index("role")] = "wizard"
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_roster", str(write(files, tmp_path / "bad.zip")), "--no-progress", stderr=err, stdout=io.StringIO())
    assert "users.csv, row 2, column role: unknown role 'wizard'" in err.getvalue()
    assert not Person.objects.filter(sourced_id="stu-c").exists()
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "nowhere.zip"))


@pytest.mark.django_db
def test_mapping_and_opt_outs(lps, tmp_path):
    files = package_11()
    for row in files["users.csv"]:
        del row[-2:]
    next(r for r in files["users.csv"] if r[0] == "staff-new")[USER_11_HEADER.index("role")] = "Instructor"
    (tmp_path / "map.yaml").write_text("roles:\n  Instructor: coach\n")
    (tmp_path / "opt.csv").write_text("userSourcedId,mediaOptOut,effectiveDate\nstu-c,true,\n")
    run(str(write(files, tmp_path / "p.zip")), "--mapping", str(tmp_path / "map.yaml"), "--opt-outs", str(tmp_path / "opt.csv"), "--no-progress")
    assert Person.objects.get(sourced_id="staff-new").roles.get().role == "coach"
    assert Person.objects.get(sourced_id="stu-c").media_opt_out == "all"
    (tmp_path / "bad.yaml").write_text("roles:\n  Instructor: wizard\n")
    with pytest.raises(CommandError, match="unknown Steward role"):
        run(str(tmp_path / "p.zip"), "--mapping", str(tmp_path / "bad.yaml"))

"""``steward demo_district``: a generated district with the problems the dashboard should show."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from steward.authorizations.models import Authorization
from steward.people.models import OrgUnit, Person, StaffRole
from steward.registry.models import Account, Platform


class _Rollback(Exception):
    pass


def _build(seed: int) -> list[tuple[str, str]]:
    """Build with ``seed`` inside a savepoint, note who was made, and roll it back."""
    names: list[tuple[str, str]] = []
    try:
        with transaction.atomic():
            call_command("demo_district", seed=seed, students=60, stdout=StringIO())
            names = list(Person.objects.order_by("sourced_id").values_list("sourced_id", "family_name"))
            raise _Rollback
    except _Rollback:
        pass
    return names


@pytest.fixture
def demo(db):
    call_command("demo_district", seed=2026, stdout=StringIO())


def test_shape_of_the_district(demo):
    assert OrgUnit.objects.filter(kind="district").count() == 1
    assert OrgUnit.objects.filter(kind="school").count() >= 12
    assert OrgUnit.objects.filter(name="Lawrence High School").exists()
    staff = Person.objects.filter(kind="staff")
    students = Person.objects.filter(kind="student")
    assert 55 <= staff.count() <= 70
    assert 550 <= students.count() <= 650
    opted = students.exclude(media_opt_out="")
    assert 0.05 <= opted.count() / students.count() <= 0.11
    assert set(opted.values_list("media_opt_out", flat=True)) == {"name", "image", "all"}
    for role in ["superintendent", "superintendent_designee", "school_leader", "department_head", "teacher",
                 "coach", "faculty_advisor", "communications", "records_officer"]:
        assert StaffRole.objects.filter(role=role).exists(), role
    hispanic = sum(1 for p in students if any(c in p.family_name for c in "áéíóúñ") or p.family_name in {
        "Santos", "Almonte", "Reyes", "Ventura", "Rosario", "Medina", "Ortiz", "Rivera", "Marte", "Santana",
        "Familia", "Paulino", "Lantigua", "Cepeda", "Abreu", "Polanco", "Batista", "Cabrera", "Castillo", "Toribio"})
    assert hispanic / students.count() > 0.5


def test_accounts_and_grants(demo):
    assert 28 <= Account.objects.count() <= 40
    assert set(Account.objects.values_list("platform", flat=True)) == set(Platform.values)
    assert set(Account.objects.values_list("status", flat=True)) == set(Account.Status.values)
    assert not Account.objects.filter(status="registered", responsible_administrator__isnull=True).exists()
    kinds = set(Authorization.objects.values_list("kind", flat=True))
    assert kinds == {"posting", "messaging", "fundraiser"}
    posting = Authorization.objects.filter(kind="posting")
    assert posting.exclude(attestation_name="").count() == posting.count()  # every one in writing
    assert Authorization.objects.filter(revoked_at__isnull=False).exists()


def test_problems_show_on_the_dashboard(demo):
    client = Client()
    client.force_login(Person.objects.get(user__username="media").user)
    response = client.get(reverse("core:dashboard"))
    summary = response.context["summary"]
    problems = {(a.display_name, why) for a, why, _clause in summary["missing_people"]}
    assert ("Frost Middle School Soccer", "no coach, teacher or faculty advisor") in problems
    assert any(name == "LHS Theatre Company" for name, _ in problems)  # its administrator left
    assert len(summary["expiring"]) >= 1
    assert [row["person"].family_name for row in summary["offboarded"]] == ["Doherty"]


def test_demo_sign_ins(demo):
    for username in ["media", "supt", "principal", "teacher", "records"]:
        assert User.objects.get(username=username).check_password("steward-demo-2026"), username
    principal = Person.objects.get(user__username="principal")
    assert principal.roles.get().unit.name == "Lawrence High School"
    assert principal.roles.get().role == "school_leader"
    assert Person.objects.get(user__username="media").roles.filter(role="communications").exists()
    assert Person.objects.get(user__username="records").roles.filter(role="records_officer").exists()
    teacher = Person.objects.get(user__username="teacher")
    assert teacher.managed_accounts.exists()


def test_if_empty_and_refusal(demo):
    out = StringIO()
    call_command("demo_district", if_empty=True, stdout=out)
    assert "not loaded" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("demo_district", stdout=StringIO())


def test_deterministic_with_a_seed(db):
    first = _build(5)
    assert first and first == _build(5)
    assert first != _build(6)

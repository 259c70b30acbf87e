import pytest

from steward.core.permissions import scope_for


@pytest.mark.django_db
def test_scopes(lps):
    assert scope_for(lps.user("superintendent")).district_wide
    assert scope_for(lps.user("media_officer")).district_wide
    principal = scope_for(lps.user("principal_a"))
    assert not principal.district_wide
    assert principal.unit_paths == (lps.school_a.path,)
    assert principal.can_manage_unit_path(lps.team_a.path)
    assert not principal.can_manage_unit_path(lps.school_b.path)
    teacher = scope_for(lps.user("teacher_a"))
    assert not teacher.district_wide and teacher.unit_paths == ()
    assert scope_for(lps.outsider).person_id is None


@pytest.mark.django_db
def test_orgunit_paths_follow_moves(lps):
    assert lps.team_a.path.startswith(lps.school_a.path)
    lps.team_a.parent = lps.school_b
    lps.team_a.save()
    lps.team_a.refresh_from_db()
    assert lps.team_a.is_within(lps.school_b)
    assert set(lps.school_b.descendants()) == {lps.school_b, lps.team_a}


@pytest.mark.django_db
def test_audit_stores_nested_dates_and_models_as_json(lps):
    import datetime as dt

    from django.db import transaction

    from steward.core.audit import audit

    with transaction.atomic():
        event = audit(
            actor=lps.user("media_officer"), action="core.test", obj=lps.school_a,
            after={"window": {"until": dt.date(2027, 1, 31), "unit": lps.school_b}},
        )
    event.refresh_from_db()
    assert event.after == {"window": {"until": "2027-01-31", "unit": {"id": lps.school_b.pk, "label": str(lps.school_b)}}}

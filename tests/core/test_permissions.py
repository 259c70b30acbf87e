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

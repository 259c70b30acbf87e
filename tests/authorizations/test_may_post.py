"""may_post, may_message and approved_fundraisers over time (time-machine)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from steward.authorizations import services
from steward.authorizations.selectors import approved_fundraisers, may_message, may_post
from steward.registry import services as registry
from tests.registry.helpers import registered

T0 = dt.datetime(2026, 9, 1, 12, 0, tzinfo=dt.UTC)
IP = "198.51.100.4"


def _grant(lps, who="principal_a", **kw):
    facts = {
        "grantor": getattr(lps, who),
        "grantee": lps.teacher_a,
        "purpose": "Posting",
        "attestation_name": str(getattr(lps, who)),
        "remote_addr": IP,
    }
    facts.update(kw)
    return services.grant_create(actor=lps.user(who), **facts)


@pytest.fixture
def world(lps):
    with time_machine.travel(T0, tick=False):
        team = registered(lps, "team_a", handle="lancers")
        club = registered(lps, "club_a", handle="robotics")
        school_b = registered(lps, "school_b", handle="oliver")
        program = registered(lps, "program", handle="summer")
    return lps, team, club, school_b, program


def test_no_grant_means_no(world):
    lps, team, *_ = world
    d = may_post(person=lps.teacher_a, account=team, at=T0)
    assert (
        not d and d.grant is None and d.clause == "1.3" and "no written authorization" in d.reason
    )


def test_unit_grant_covers_accounts_below_and_only_those(world):
    lps, team, club, school_b, program = world
    with time_machine.travel(T0, tick=False):
        g = _grant(lps, unit=lps.school_a, valid_until=T0 + dt.timedelta(days=90))
    for account in (team, club):
        d = may_post(person=lps.teacher_a, account=account, at=T0 + dt.timedelta(days=1))
        assert d.allowed and d.grant == g and d.clause == "1.3"
    assert not may_post(person=lps.teacher_a, account=school_b, at=T0 + dt.timedelta(days=1))
    assert not may_post(person=lps.teacher_a, account=program, at=T0 + dt.timedelta(days=1))
    assert not may_post(
        person=lps.coach_a, account=team, at=T0 + dt.timedelta(days=1)
    )  # someone else's grant


def test_account_grant_covers_only_that_account_and_is_preferred(world):
    lps, team, club, *_ = world
    with time_machine.travel(T0, tick=False):
        _grant(lps, unit=lps.school_a)
        g = _grant(lps, account=team)
    assert may_post(person=lps.teacher_a, account=team, at=T0).grant == g
    assert may_post(person=lps.teacher_a, account=club, at=T0).grant != g


def test_window_expiry_and_start(world):
    lps, team, *_ = world
    start, end = T0 + dt.timedelta(days=10), T0 + dt.timedelta(days=40)
    with time_machine.travel(T0, tick=False):
        _grant(lps, account=team, valid_from=start, valid_until=end)
    before = may_post(person=lps.teacher_a, account=team, at=T0)
    assert not before and "starts on" in before.reason
    assert may_post(person=lps.teacher_a, account=team, at=start)
    assert may_post(person=lps.teacher_a, account=team, at=end - dt.timedelta(seconds=1))
    after = may_post(person=lps.teacher_a, account=team, at=end)
    assert not after and "expired" in after.reason
    # default "at" is now: travel past the end
    with time_machine.travel(end + dt.timedelta(days=1), tick=False):
        assert not may_post(person=lps.teacher_a, account=team)
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        assert may_post(person=lps.teacher_a, account=team)


def test_revoked_stops_counting_from_revocation(world):
    lps, team, *_ = world
    with time_machine.travel(T0, tick=False):
        g = _grant(lps, account=team)
    with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
        services.grant_revoke(actor=lps.user("principal_a"), grant=g, reason="Left the team")
        d = may_post(person=lps.teacher_a, account=team)
        assert not d and "revoked" in d.reason and "Left the team" in d.reason
    # it did count before the revocation
    assert may_post(person=lps.teacher_a, account=team, at=T0 + dt.timedelta(days=1))


def test_offboarded_grantee_stops_counting(world):
    lps, team, *_ = world
    with time_machine.travel(T0, tick=False):
        _grant(lps, account=team)
    lps.teacher_a.active = False
    lps.teacher_a.save()
    d = may_post(person=lps.teacher_a, account=team, at=T0)
    assert not d and "offboarded" in d.reason


def test_account_must_be_registered(world):
    lps, team, *_ = world
    with time_machine.travel(T0, tick=False):
        _grant(lps, account=team)
        registry.account_suspend(actor=lps.user("principal_a"), account=team, reason="Hacked")
    team.refresh_from_db()
    d = may_post(person=lps.teacher_a, account=team, at=T0)
    assert not d and d.clause == "1.4"


def test_district_grant_from_superintendent_covers_every_account(world):
    lps, team, club, school_b, program = world
    with time_machine.travel(T0, tick=False):
        district_acc = registered(lps, "district", handle="lawrence_schools")
        _grant(lps, "superintendent", unit=lps.district)
    assert may_post(person=lps.teacher_a, account=district_acc, at=T0)
    assert may_post(person=lps.teacher_a, account=school_b, at=T0)


def test_may_message(world):
    lps, team, *_ = world
    with time_machine.travel(T0, tick=False):
        _grant(lps, kind="messaging", student=lps.student_a, valid_until=T0 + dt.timedelta(days=30))
    d = may_message(staff=lps.teacher_a, student=lps.student_a, at=T0)
    assert d and d.clause == "1.7" and d.grant.student == lps.student_a
    assert may_message(
        staff=lps.teacher_a, student=lps.student_a, at=T0, account=team
    )  # school scope covers team
    assert not may_message(staff=lps.teacher_a, student=lps.student_b, at=T0)
    assert not may_message(staff=lps.coach_a, student=lps.student_a, at=T0)
    late = may_message(staff=lps.teacher_a, student=lps.student_a, at=T0 + dt.timedelta(days=31))
    assert not late and "expired" in late.reason


def test_approved_fundraisers(world):
    lps, team, club, school_b, program = world
    with time_machine.travel(T0, tick=False):
        _grant(
            lps,
            kind="fundraiser",
            grantee=None,
            unit=lps.school_a,
            fundraiser_name="LHS Bake Sale",
            fundraiser_phrases=["bake sale", "brownies"],
            valid_until=T0 + dt.timedelta(days=7),
        )
        _grant(lps, kind="fundraiser", grantee=None, account=club, fundraiser_name="Robot raffle")
    names = [f.name for f in approved_fundraisers(account=club, at=T0)]
    assert names == ["LHS Bake Sale", "Robot raffle"]
    team_now = approved_fundraisers(account=team, at=T0)
    assert [(f.name, f.phrases, f.approved_by) for f in team_now] == [
        ("LHS Bake Sale", ("bake sale", "brownies"), "Daniel Murphy")
    ]
    assert approved_fundraisers(account=team, at=T0 + dt.timedelta(days=8)) == []
    assert approved_fundraisers(account=school_b, at=T0) == []


def test_now_default_is_timezone_aware(world):
    lps, team, *_ = world
    assert timezone.is_aware(timezone.now())
    assert not may_post(person=lps.teacher_a, account=team)

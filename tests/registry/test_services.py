"""Registry services: every rule, the clause it cites, and the audit event in the same transaction."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from steward.core.errors import PolicyViolation
from steward.core.models import AuditEvent
from steward.people.models import StaffRole
from steward.registry import services
from steward.registry.models import Account, AccountStatusChange
from tests.registry.helpers import registered


def _report(lps, who="teacher_a", **kw):
    facts = {
        "platform": "instagram",
        "handle": "lhs_robotics",
        "display_name": "LHS Robotics",
        "owning_unit": lps.club_a,
        "kind": "club",
    }
    facts.update(kw)
    return services.account_request(actor=lps.user(who), **facts)


def test_any_staff_member_reports_an_account_as_requested(lps):
    account = _report(lps)
    assert account.status == Account.Status.REQUESTED
    assert account.reported_by == lps.teacher_a
    assert account.url == "https://www.instagram.com/lhs_robotics/"
    assert account.status_changes.get().to_status == "requested"
    event = AuditEvent.objects.get(action="registry.account_requested")
    assert event.clause == "1.4" and event.actor == lps.user("teacher_a")


def test_outsider_cannot_report(lps):
    with pytest.raises(PermissionDenied):
        _report(lps, who="outsider")


def test_duplicate_platform_handle_is_a_friendly_refusal(lps):
    _report(lps)
    with pytest.raises(PolicyViolation) as exc:
        _report(lps, handle="@LHS_Robotics")
    assert exc.value.field == "handle" and exc.value.clause == "1.4"
    assert "already in the registry" in exc.value.message
    # the same handle on another platform is another account
    assert _report(lps, platform="tiktok").platform == "tiktok"


def test_bad_handle_is_a_field_error(lps):
    with pytest.raises(PolicyViolation) as exc:
        _report(lps, handle="robotics..club")
    assert exc.value.field == "handle"


def test_only_the_communications_office_registers(lps):
    account = _report(lps, responsible_administrator=lps.principal_a, advisor=lps.teacher_a)
    for who in ("principal_a", "superintendent", "teacher_a", "records_officer"):
        with pytest.raises(PolicyViolation) as exc:
            services.account_register(actor=lps.user(who), account=account)
        assert exc.value.clause == "1.4"
    account = services.account_register(
        actor=lps.user("media_officer"), account=account, reason="checked"
    )
    assert account.status == "registered" and account.status_changed_by == lps.user("media_officer")
    assert AuditEvent.objects.filter(
        action="registry.account_registered", object_id=str(account.pk)
    ).exists()


def test_club_account_needs_its_advisor_to_register(lps):
    account = _report(lps, responsible_administrator=lps.principal_a)
    with pytest.raises(PolicyViolation) as exc:
        services.account_register(actor=lps.user("media_officer"), account=account)
    assert (exc.value.clause, exc.value.field) == ("1.5", "advisor")


def test_any_account_needs_a_responsible_administrator_to_register(lps):
    account = _report(lps, kind="initiative", owning_unit=lps.school_a)
    with pytest.raises(PolicyViolation) as exc:
        services.account_register(actor=lps.user("media_officer"), account=account)
    assert (exc.value.clause, exc.value.field) == ("1.5", "responsible_administrator")


def test_advisor_must_advise_in_the_owning_unit_or_above(lps):
    # staff_b teaches at school B, not above the club at school A
    with pytest.raises(PolicyViolation) as exc:
        _report(lps, advisor=lps.staff_b)
    assert (exc.value.clause, exc.value.field) == ("1.5", "advisor")
    # a school leader is not an advisor role
    with pytest.raises(PolicyViolation):
        _report(lps, advisor=lps.principal_a)
    # the coach of the team advises the team account; a teacher at the school the club
    assert (
        _report(
            lps, handle="lancers", owning_unit=lps.team_a, kind="team", advisor=lps.coach_a
        ).advisor
        == lps.coach_a
    )
    assert _report(lps, advisor=lps.teacher_a).advisor == lps.teacher_a


def test_responsible_administrator_is_active_staff_of_the_unit_or_above(lps):
    with pytest.raises(PolicyViolation) as exc:
        _report(lps, responsible_administrator=lps.principal_b)
    assert (exc.value.clause, exc.value.field) == ("1.5", "responsible_administrator")
    with pytest.raises(PolicyViolation):
        _report(lps, responsible_administrator=lps.student_a)
    lps.principal_a.active = False
    lps.principal_a.save()
    with pytest.raises(PolicyViolation) as exc:
        _report(lps, responsible_administrator=lps.principal_a)
    assert "offboarded" in exc.value.message
    # district staff are above every unit
    assert (
        _report(lps, responsible_administrator=lps.superintendent).responsible_administrator
        == lps.superintendent
    )


def test_update_keeps_a_registered_account_complete(lps):
    account = registered(lps, "team_a")
    with pytest.raises(PolicyViolation) as exc:
        services.account_update(actor=lps.user("principal_a"), account=account, advisor=None)
    assert exc.value.clause == "1.5"
    account = services.account_update(
        actor=lps.user("principal_a"), account=account, purpose="Game days", handle="lancers_hoops"
    )
    assert account.purpose == "Game days" and account.url.endswith("/lancers_hoops/")
    event = AuditEvent.objects.filter(action="registry.account_updated").get()
    assert event.before["purpose"] == "" and event.after["purpose"] == "Game days"


def test_update_refuses_other_schools_and_duplicates(lps):
    a = registered(lps, "school_a")
    b = registered(lps, "school_b")
    with pytest.raises(PermissionDenied):
        services.account_update(actor=lps.user("principal_a"), account=b, purpose="mine now")
    with pytest.raises(PermissionDenied):
        services.account_update(actor=lps.user("principal_a"), account=a, owning_unit=lps.school_b)
    with pytest.raises(PolicyViolation) as exc:
        services.account_update(actor=lps.user("principal_a"), account=a, handle=b.handle)
    assert exc.value.field == "handle"


def test_lifecycle_with_who_when_why(lps):
    account = registered(lps, "school_a")
    with pytest.raises(PolicyViolation) as exc:
        services.account_suspend(actor=lps.user("principal_a"), account=account, reason="")
    assert exc.value.field == "reason"
    services.account_suspend(
        actor=lps.user("principal_a"), account=account, reason="Password leaked"
    )
    with pytest.raises(
        PolicyViolation
    ):  # only the communications office reinstates (a registration)
        services.account_reinstate(actor=lps.user("principal_a"), account=account, reason="Fixed")
    services.account_reinstate(
        actor=lps.user("media_officer"), account=account, reason="Fixed, MFA on"
    )
    services.account_retire(
        actor=lps.user("principal_a"), account=account, reason="Merged into main page"
    )
    with pytest.raises(PolicyViolation) as exc:
        services.account_suspend(actor=lps.user("principal_a"), account=account, reason="again")
    assert exc.value.field == "status"
    steps = [
        (c.from_status, c.to_status, c.reason)
        for c in AccountStatusChange.objects.filter(account=account)
    ]
    assert steps == [
        ("", "requested", "test"),
        ("requested", "registered", "test"),
        ("registered", "suspended", "Password leaked"),
        ("suspended", "registered", "Fixed, MFA on"),
        ("registered", "retired", "Merged into main page"),
    ]
    actions = list(
        AuditEvent.objects.filter(object_id=str(account.pk), object_type="registry.account")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        "registry.account_suspended",
        "registry.account_reinstated",
        "registry.account_retired",
    ]
    with pytest.raises(PolicyViolation):  # a retired entry is kept as it was
        services.account_update(actor=lps.user("media_officer"), account=account, purpose="x")


def test_teacher_cannot_change_an_account_they_manage(lps):
    account = registered(lps, "school_a", managers=[lps.teacher_a])
    with pytest.raises(PermissionDenied):
        services.account_suspend(actor=lps.user("teacher_a"), account=account, reason="x")


def test_managers_add_and_remove(lps):
    account = registered(lps, "school_a")
    services.account_manager_add(
        actor=lps.user("principal_a"), account=account, person=lps.teacher_a
    )
    assert list(account.managers.all()) == [lps.teacher_a]
    with pytest.raises(PolicyViolation):
        services.account_manager_add(
            actor=lps.user("principal_a"), account=account, person=lps.student_a
        )
    services.account_manager_remove(
        actor=lps.user("principal_a"), account=account, person=lps.teacher_a
    )
    assert not account.managers.exists()
    assert AuditEvent.objects.filter(action__startswith="registry.account_manager_").count() == 2


def test_audit_is_in_the_same_transaction(lps, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit", boom)
    with pytest.raises(RuntimeError):
        _report(lps)
    assert not Account.objects.exists()
    assert not AccountStatusChange.objects.exists()


def test_audit_failure_rolls_back_registration(lps, monkeypatch):
    account = _report(lps, responsible_administrator=lps.principal_a, advisor=lps.teacher_a)
    monkeypatch.setattr(services, "audit", lambda **kw: (_ for _ in ()).throw(RuntimeError("down")))
    with pytest.raises(RuntimeError):
        services.account_register(actor=lps.user("media_officer"), account=account)
    account.refresh_from_db()
    assert account.status == "requested" and account.status_changes.count() == 1


def test_advisor_role_above_the_unit_counts(lps):
    StaffRole.objects.create(person=lps.staff_b, unit=lps.school_a, role="faculty_advisor")
    assert _report(lps, advisor=lps.staff_b).advisor == lps.staff_b


def test_update_address_follows_what_changed(lps):
    account = registered(lps, "school_a", handle="lhs_main")
    actor = lps.user("media_officer")
    account = services.account_update(
        actor=actor, account=account, url="https://www.instagram.com/lhs_news/"
    )
    assert account.handle == "lhs_news"
    account = services.account_update(actor=actor, account=account, platform="tiktok")
    assert account.url == "https://www.tiktok.com/@lhs_news"
    account = services.account_update(actor=actor, account=account, handle="lhs.news")
    assert account.url == "https://www.tiktok.com/@lhs.news"
    with pytest.raises(PolicyViolation) as exc:
        services.account_update(
            actor=actor, account=account, handle="other", url="https://www.tiktok.com/@lhs.news"
        )
    assert exc.value.field == "url"

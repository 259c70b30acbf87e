"""grant_create and grant_revoke: who may grant what (1.3, 1.7, 1.8.e), evidence, audit."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.utils import timezone

from steward.authorizations import services
from steward.authorizations.models import Authorization
from steward.core.errors import PolicyViolation
from steward.core.models import AuditEvent
from steward.people.models import StaffRole
from tests.registry.helpers import registered

IP = "203.0.113.7"


def grant(lps, who, *, grantor=None, **kw):
    facts = {
        "grantor": grantor or getattr(lps, who),
        "grantee": lps.teacher_a,
        "purpose": "Post game results",
        "attestation_name": str(grantor or getattr(lps, who)),
        "remote_addr": IP,
    }
    facts.update(kw)
    return services.grant_create(actor=lps.user(who), **facts)


# -- who may grant posting (1.3) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "unit", "ok"),
    [
        ("superintendent", "district", True),
        ("principal_a", "district", False),
        (
            "media_officer",
            "district",
            False,
        ),  # the communications office records, it does not authorize
        ("principal_a", "school_a", True),
        ("principal_a", "team_a", True),
        ("principal_a", "school_b", False),
        ("principal_b", "team_a", False),
        ("superintendent", "school_a", False),  # 1.3 gives school posting to the school leader
        ("athletics_head", "program", True),
        ("athletics_head", "team_a", False),
        ("teacher_a", "club_a", False),
    ],
)
def test_who_may_grant_posting_on_a_unit(lps, who, unit, ok):
    if ok:
        g = grant(lps, who, unit=getattr(lps, unit))
        assert g.unit == getattr(lps, unit) and g.attestation_address == IP and g.attestation_at
    else:
        with pytest.raises(PolicyViolation) as exc:
            grant(lps, who, unit=getattr(lps, unit))
        assert exc.value.clause == "1.3"


def test_district_account_needs_the_superintendents_office(lps):
    account = registered(lps, "district")
    with pytest.raises(PolicyViolation) as exc:
        grant(lps, "principal_a", account=account)
    assert exc.value.clause == "1.3"
    StaffRole.objects.create(
        person=lps.teacher_a, unit=lps.district, role="superintendent_designee"
    )
    g = grant(lps, "teacher_a", account=account, grantee=lps.principal_a)
    assert g.account == account


def test_evidence_in_writing_is_required(lps):
    with pytest.raises(PolicyViolation) as exc:
        grant(lps, "principal_a", unit=lps.school_a, attestation_name="")
    assert exc.value.field == "evidence_document" and exc.value.clause == "1.3"
    with pytest.raises(PolicyViolation) as exc:  # the attestation is the grantor's own name
        grant(lps, "principal_a", unit=lps.school_a, attestation_name="Somebody Else")
    assert exc.value.field == "attestation_name"
    # accents and case do not matter
    assert grant(lps, "principal_a", unit=lps.school_a, attestation_name="  daniel   MURPHY ").pk


def test_document_evidence_stores_its_sha256(lps):
    body = b"%PDF-1.4 signed by Daniel Murphy"
    g = grant(
        lps,
        "principal_a",
        unit=lps.school_a,
        attestation_name="",
        evidence_document=ContentFile(body, name="signed.pdf"),
    )
    assert g.evidence_sha256 == hashlib.sha256(body).hexdigest()
    assert g.evidence_document.name.endswith(".pdf")
    assert g.attestation_at is None


def test_recording_on_behalf_needs_the_signed_document(lps):
    # the communications office records the principal's grant from the signed form
    with pytest.raises(PolicyViolation) as exc:
        grant(lps, "media_officer", grantor=lps.principal_a, unit=lps.school_a)
    assert exc.value.field == "attestation_name"
    g = grant(
        lps,
        "media_officer",
        grantor=lps.principal_a,
        unit=lps.school_a,
        attestation_name="",
        evidence_document=ContentFile(b"signed", name="form.pdf"),
    )
    assert g.grantor == lps.principal_a and g.created_by == lps.user("media_officer")
    assert "behalf" in AuditEvent.objects.get(action="authorizations.grant_created").note
    # but a teacher cannot record a grant for the principal
    with pytest.raises(PolicyViolation) as exc:
        grant(
            lps,
            "teacher_a",
            grantor=lps.principal_a,
            unit=lps.school_a,
            attestation_name="",
            evidence_document=ContentFile(b"signed", name="form.pdf"),
        )
    assert exc.value.clause == "1.3"


def test_grantee_must_be_active_staff_and_window_ordered(lps):
    with pytest.raises(PolicyViolation) as exc:
        grant(lps, "principal_a", unit=lps.school_a, grantee=lps.student_a)
    assert exc.value.field == "grantee"
    now = timezone.now()
    with pytest.raises(PolicyViolation) as exc:
        grant(
            lps,
            "principal_a",
            unit=lps.school_a,
            valid_from=now,
            valid_until=now - dt.timedelta(days=1),
        )
    assert exc.value.field == "valid_until"
    with pytest.raises(PolicyViolation) as exc:
        grant(lps, "principal_a", unit=lps.school_a, account=registered(lps, "school_a"))
    assert exc.value.field == "account"  # one scope only


# -- messaging (1.7) and fundraisers (1.8.e) ------------------------------------------------------


def test_messaging_is_authorized_by_the_students_school_leader(lps):
    with pytest.raises(PolicyViolation) as exc:
        grant(lps, "principal_b", grantee=lps.staff_b, kind="messaging", student=lps.student_a)
    assert exc.value.clause == "1.7"
    with pytest.raises(PolicyViolation) as exc:
        grant(lps, "principal_a", kind="messaging")
    assert exc.value.field == "student"
    g = grant(
        lps,
        "principal_a",
        kind="messaging",
        student=lps.student_a,
        parent_notified=True,
        purpose="Robotics competition logistics",
    )
    assert g.unit == lps.school_a and g.parent_notified
    assert AuditEvent.objects.get(action="authorizations.grant_created").clause == "1.7"


def test_fundraisers_are_approved_by_superintendent_or_school_leader(lps):
    account = registered(lps, "team_a")
    with pytest.raises(PolicyViolation) as exc:
        grant(
            lps,
            "athletics_head",
            kind="fundraiser",
            grantee=None,
            unit=lps.program,
            fundraiser_name="Car wash",
        )
    assert exc.value.clause == "1.8.e"
    with pytest.raises(PolicyViolation) as exc:
        grant(lps, "principal_a", kind="fundraiser", grantee=None, account=account)
    assert exc.value.field == "fundraiser_name"
    g = grant(
        lps,
        "principal_a",
        kind="fundraiser",
        grantee=None,
        account=account,
        fundraiser_name="Lancers bake sale",
        fundraiser_phrases=["bake sale", " ", "brownies"],
    )
    assert g.fundraiser_phrases == ["bake sale", "brownies"]
    assert grant(
        lps,
        "superintendent",
        kind="fundraiser",
        grantee=None,
        unit=lps.program,
        fundraiser_name="Summer 5K",
    ).fundraiser_phrases == ["Summer 5K"]


# -- revocation ---------------------------------------------------------------------------------


def test_revoke_with_who_when_why(lps):
    g = grant(lps, "principal_a", unit=lps.school_a)
    with pytest.raises(PermissionDenied):
        services.grant_revoke(actor=lps.user("principal_b"), grant=g, reason="not mine")
    with pytest.raises(PermissionDenied):
        services.grant_revoke(actor=lps.user("teacher_a"), grant=g, reason="I quit")
    with pytest.raises(PolicyViolation):
        services.grant_revoke(actor=lps.user("principal_a"), grant=g, reason=" ")
    g = services.grant_revoke(actor=lps.user("principal_a"), grant=g, reason="Changed role")
    assert (
        g.revoked_at
        and g.revoked_by == lps.user("principal_a")
        and g.revocation_reason == "Changed role"
    )
    with pytest.raises(PolicyViolation):
        services.grant_revoke(actor=lps.user("media_officer"), grant=g, reason="again")
    assert AuditEvent.objects.filter(action="authorizations.grant_revoked").count() == 1


def test_audit_is_in_the_same_transaction(lps, monkeypatch):
    monkeypatch.setattr(services, "audit", lambda **kw: (_ for _ in ()).throw(RuntimeError("down")))
    with pytest.raises(RuntimeError):
        grant(lps, "principal_a", unit=lps.school_a)
    assert not Authorization.objects.exists()


@pytest.mark.django_db
def test_district_level_initiative_is_the_superintendents_to_authorize(lps):
    """An initiative directly under the district has no school leader or department head: 1.3
    gives its posting authorizations to the Office of the Superintendent."""
    from steward.authorizations.rules import check_grantor_authority, is_district_level
    from steward.people.models import OrgUnit

    initiative = OrgUnit.objects.create(name="Count Every Lancer", kind="initiative", parent=lps.district)
    assert is_district_level(initiative)
    assert not is_district_level(lps.team_a) and not is_district_level(lps.program)
    check_grantor_authority(kind="posting", grantor=lps.superintendent, target=initiative)
    with pytest.raises(PolicyViolation) as refused:
        check_grantor_authority(kind="posting", grantor=lps.principal_a, target=initiative)
    assert refused.value.clause == "1.3"
    # ...and the superintendent still does not sign a school's grants.
    with pytest.raises(PolicyViolation):
        check_grantor_authority(kind="posting", grantor=lps.superintendent, target=lps.team_a)

"""Writes of authorizations in writing: create and revoke, each with its audit event in the same
transaction. The questions other parts ask ("may this person post here now?") are reads and live in
``selectors`` (``may_post``, ``may_message``, ``approved_fundraisers``); they are re-exported here
because the design names them as services.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.authorizations import rules
from steward.authorizations.models import Authorization
from steward.authorizations.selectors import (  # noqa: F401  (re-exported)
    Decision,
    FundraiserApproval,
    PostingDecision,
    approved_fundraisers,
    may_message,
    may_post,
)
from steward.core.audit import audit, snapshot
from steward.core.errors import PolicyViolation
from steward.core.permissions import scope_for
from steward.people.models import OrgUnit, Person
from steward.registry.models import Account

AUDITED_FIELDS = (
    "kind",
    "grantor",
    "grantee",
    "account",
    "unit",
    "student",
    "fundraiser_name",
    "fundraiser_phrases",
    "valid_from",
    "valid_until",
    "purpose",
    "evidence_document",
    "evidence_sha256",
    "attestation_name",
    "attestation_at",
    "attestation_address",
    "parent_notified",
    "revoked_at",
    "revocation_reason",
)
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def _filled(data: dict[str, Any]) -> dict[str, Any]:
    """A new object's audit shows what was set, not every empty field."""
    return {k: v for k, v in data.items() if v not in ("", None, [], {})}


def _norm_name(value: str) -> str:
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c))
    return " ".join(value.casefold().split())


def _names_of(person: Person) -> set[str]:
    names = {f"{person.given_name} {person.family_name}", str(person)}
    if person.preferred_name:
        names.add(f"{person.preferred_name} {person.family_name}")
    return {_norm_name(n) for n in names}


def _sha256(document: File) -> str:  # type: ignore[type-arg]
    digest = hashlib.sha256()
    size = 0
    if hasattr(document, "seek"):
        document.seek(0)
    for chunk in (
        document.chunks()
        if hasattr(document, "chunks")
        else iter(lambda: document.read(65536), b"")
    ):
        size += len(chunk)
        digest.update(chunk)
    if hasattr(document, "seek"):
        document.seek(0)
    if size == 0:
        raise PolicyViolation(_("The uploaded document is empty."), field="evidence_document")
    if size > MAX_EVIDENCE_BYTES:
        raise PolicyViolation(_("The document is larger than 20 MB."), field="evidence_document")
    return digest.hexdigest()


def grant_create(
    *,
    actor: Any,
    kind: str = Authorization.Kind.POSTING,
    grantor: Person,
    grantee: Person | None = None,
    account: Account | None = None,
    unit: OrgUnit | None = None,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    purpose: str,
    evidence_document: File | None = None,  # type: ignore[type-arg]
    attestation_name: str = "",
    student: Person | None = None,
    fundraiser_name: str = "",
    fundraiser_phrases: Iterable[str] = (),
    parent_notified: bool = False,
    remote_addr: str | None = None,
) -> Authorization:
    """Record a written authorization.

    Scope is one account or one unit (and everything under it). Evidence is the grantor's signed
    document (its SHA-256 is kept) or a typed attestation by the grantor (name, time and the
    request's IP address). See ``rules`` for who may grant what and who may record it.
    """
    if kind not in Authorization.Kind.values:
        raise PolicyViolation(_("Unknown kind of authorization."), field="kind")
    clause = rules.CLAUSE[kind]  # type: ignore[index]
    scope = scope_for(actor)
    acting_as_grantor = scope.person_id is not None and scope.person_id == grantor.pk
    if not acting_as_grantor and not rules.is_recorder(actor):
        raise PolicyViolation(
            _("You can record only authorizations you give yourself."),
            clause=clause,
            field="grantor",
        )

    if kind == Authorization.Kind.MESSAGING and (
        student is None or student.kind != Person.Kind.STUDENT
    ):
        raise PolicyViolation(
            _("Name the student this authorization covers."), clause=clause, field="student"
        )

    # Scope
    if (
        kind == Authorization.Kind.MESSAGING
        and account is None
        and unit is None
        and student is not None
    ):
        unit = student.school
    if (account is None) == (unit is None):
        raise PolicyViolation(
            _("Choose one account, or one unit and everything under it."),
            clause=clause,
            field="account",
        )
    if account is not None and account.status == Account.Status.RETIRED:
        raise PolicyViolation(_("This account is retired."), clause="1.4", field="account")
    target = rules.scope_unit(account=account, unit=unit)

    # People
    if kind in (Authorization.Kind.POSTING, Authorization.Kind.MESSAGING) and grantee is None:
        raise PolicyViolation(
            _("Name the staff member this authorization is for."), clause=clause, field="grantee"
        )
    if grantee is not None and (grantee.kind != Person.Kind.STAFF or not grantee.active):
        raise PolicyViolation(
            _("%(person)s is not active staff.") % {"person": grantee},
            clause=clause,
            field="grantee",
        )
    if kind != Authorization.Kind.MESSAGING and student is not None:
        raise PolicyViolation(
            _("Only messaging authorizations name a student."), clause=clause, field="student"
        )
    rules.check_grantor_authority(kind=kind, grantor=grantor, target=target, student=student)

    # Fundraiser
    phrases = [p.strip() for p in fundraiser_phrases if p and p.strip()]
    if kind == Authorization.Kind.FUNDRAISER:
        if not fundraiser_name.strip():
            raise PolicyViolation(_("Name the fundraiser."), clause=clause, field="fundraiser_name")
        phrases = phrases or [fundraiser_name.strip()]
    elif fundraiser_name or phrases:
        raise PolicyViolation(
            _("Only fundraiser approvals name a fundraiser."),
            clause=clause,
            field="fundraiser_name",
        )

    # Window and purpose
    now = timezone.now()
    valid_from = valid_from or now
    if valid_until is not None and valid_until <= valid_from:
        raise PolicyViolation(
            _("The end must be after the start."), clause=clause, field="valid_until"
        )
    if not purpose.strip():
        raise PolicyViolation(
            _("Say what the authorization is for."), clause=clause, field="purpose"
        )

    # Evidence in writing
    sha = ""
    if evidence_document is not None:
        sha = _sha256(evidence_document)
    attestation_name = attestation_name.strip()
    if attestation_name:
        if not acting_as_grantor:
            raise PolicyViolation(
                _(
                    "A typed attestation is the grantor's own signature; when recording for someone else, upload their signed document."
                ),
                clause=clause,
                field="attestation_name",
            )
        if _norm_name(attestation_name) not in _names_of(grantor):
            raise PolicyViolation(
                _("Type your name as it appears on the roster (%(name)s) to sign.")
                % {"name": grantor},
                clause=clause,
                field="attestation_name",
            )
        if not remote_addr:
            raise PolicyViolation(
                _("The attestation needs the address it was signed from."),
                clause=clause,
                field="attestation_name",
            )
    if not sha and not attestation_name:
        message = (
            _("Upload the grantor's signed document.")
            if not acting_as_grantor
            else _(
                "Authorization must be in writing: upload the signed document or type your name to attest."
            )
        )
        raise PolicyViolation(message, clause=clause, field="evidence_document")

    with transaction.atomic():
        grant = Authorization(
            kind=kind,
            grantor=grantor,
            grantee=grantee,
            account=account,
            unit=unit if account is None else None,
            student=student,
            fundraiser_name=fundraiser_name.strip(),
            fundraiser_phrases=phrases,
            valid_from=valid_from,
            valid_until=valid_until,
            purpose=purpose.strip(),
            evidence_sha256=sha,
            attestation_name=attestation_name,
            attestation_at=now if attestation_name else None,
            attestation_address=remote_addr if attestation_name else None,
            parent_notified=parent_notified,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        if evidence_document is not None:
            name = getattr(evidence_document, "name", "") or "evidence"
            grant.evidence_document.save(name.rsplit("/", 1)[-1], evidence_document, save=False)
        grant.save()
        note = (
            ""
            if acting_as_grantor
            else _("Recorded on the grantor's behalf from their signed document.")
        )
        audit(
            actor=actor,
            action="authorizations.grant_created",
            obj=grant,
            clause=clause,
            after=_filled(snapshot(grant, AUDITED_FIELDS)),
            note=note,
        )
    return grant


def grant_revoke(*, actor: Any, grant: Authorization, reason: str) -> Authorization:
    """Revoke from now on. The grant stays, with who revoked it, when and why."""
    clause = rules.CLAUSE.get(grant.kind, "1.3")  # type: ignore[call-overload]
    if not rules.can_revoke(actor, grant):
        raise PermissionDenied(_("You may not revoke this authorization."))
    if not reason.strip():
        raise PolicyViolation(_("Say why."), clause=clause, field="reason")
    with transaction.atomic():
        grant = Authorization.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            raise PolicyViolation(
                _("This authorization was already revoked."), clause=clause, field="reason"
            )
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor if getattr(actor, "pk", None) else None
        grant.revocation_reason = reason.strip()
        grant.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        audit(
            actor=actor,
            action="authorizations.grant_revoked",
            obj=grant,
            clause=clause,
            before={"revoked_at": None},
            after=snapshot(grant, ("revoked_at", "revoked_by", "revocation_reason")),
            note=reason.strip(),
        )
    return grant

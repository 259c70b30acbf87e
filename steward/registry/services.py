"""Writes to the account registry. Every function checks who acts, enforces the clause it carries
out, and writes its audit event in the same transaction as the change.

Refusals: ``PolicyViolation`` (with the clause) for what the policy forbids, ``NotPermitted`` when
the actor may not see the account, ``PermissionDenied`` when they see it but may not change it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.core.audit import audit, diff, snapshot
from steward.core.errors import PolicyViolation
from steward.core.permissions import scope_for
from steward.people.models import OrgUnit, Person
from steward.registry import rules
from steward.registry.handles import HandleProblem, check_account_address, handle_key
from steward.registry.models import Account, AccountStatusChange

EDITABLE_FIELDS = (
    "platform",
    "handle",
    "url",
    "platform_account_id",
    "display_name",
    "owning_unit",
    "kind",
    "purpose",
    "responsible_administrator",
    "advisor",
)
# What the audit trail records of an entry: its editable facts and its lifecycle state.
AUDITED_FIELDS = (*EDITABLE_FIELDS, "status", "status_reason")
_UNSET: Any = object()


def _snap(account: Account) -> dict[str, Any]:
    data = snapshot(account, AUDITED_FIELDS)
    if account.pk:
        data["managers"] = sorted(str(p) for p in account.managers.all())
    return data


def _address(
    *, platform: str, handle: str, url: str, exclude_pk: int | None = None
) -> tuple[str, str]:
    """Checked handle and URL, and no other entry with the same platform + handle (1.4: one entry
    per account, so that the registry is the single inventory)."""
    try:
        handle, url = check_account_address(platform, handle, url)
    except HandleProblem as exc:
        raise PolicyViolation(
            _(exc.message) % exc.params if exc.params else _(exc.message),
            clause="1.4",
            field=exc.field,
        ) from exc
    same = Account.objects.filter(platform=platform, handle_key=handle_key(handle))
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    clash = same.first()
    if clash is not None:
        raise PolicyViolation(
            _("%(platform)s @%(handle)s is already in the registry as “%(name)s” (%(status)s).")
            % {
                "platform": clash.get_platform_display(),
                "handle": clash.handle,
                "name": clash.display_name,
                "status": clash.get_status_display(),
            },
            clause="1.4",
            field="handle",
        )
    return handle, url


def _save(account: Account) -> None:
    """Save, turning a lost race on platform + handle into the same friendly refusal."""
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        if (
            Account.objects.filter(platform=account.platform, handle_key=handle_key(account.handle))
            .exclude(pk=account.pk)
            .exists()
        ):
            raise PolicyViolation(
                _("This platform and handle are already in the registry."),
                clause="1.4",
                field="handle",
            ) from exc
        raise


def _check_people(account: Account) -> None:
    rules.check_responsible_administrator(account.responsible_administrator, account.owning_unit)
    rules.check_advisor(account.advisor, account.owning_unit)


def _record_status(
    account: Account, *, actor: Any, to_status: str, reason: str
) -> AccountStatusChange:
    from_status = account.status if account.pk else ""
    account.status = to_status
    account.status_changed_at = timezone.now()
    account.status_changed_by = actor if getattr(actor, "pk", None) else None
    account.status_reason = reason
    return AccountStatusChange(
        account=account,
        from_status=from_status,
        to_status=to_status,
        changed_by=account.status_changed_by,
        reason=reason,
    )


def account_request(
    *,
    actor: Any,
    platform: str,
    handle: str = "",
    url: str = "",
    display_name: str,
    owning_unit: OrgUnit,
    kind: str,
    purpose: str = "",
    platform_account_id: str = "",
    responsible_administrator: Person | None = None,
    advisor: Person | None = None,
    managers: Iterable[Person] = (),
    reason: str = "",
) -> Account:
    """Record an account a staff member reports (or that an editor adds) as a *requested* entry.

    A requested entry may be incomplete; the people it names must still be the right people (1.5).
    """
    if not rules.can_report(actor):
        raise PermissionDenied(_("Only staff on the roster can report accounts."))
    if kind not in Account.Kind.values:
        raise PolicyViolation(_("Choose what kind of account this is."), clause="1.1", field="kind")
    if not display_name.strip():
        raise PolicyViolation(
            _("Enter the account's name as it appears on the platform."),
            clause="1.4",
            field="display_name",
        )
    handle, url = _address(platform=platform, handle=handle, url=url)
    managers = list(managers)
    for person in managers:
        rules.check_active_staff(person, field="managers", clause="1.4")
    scope = scope_for(actor)
    reporter = Person.objects.filter(pk=scope.person_id).first() if scope.person_id else None
    with transaction.atomic():
        account = Account(
            platform=platform,
            handle=handle,
            url=url,
            display_name=display_name.strip(),
            owning_unit=owning_unit,
            kind=kind,
            purpose=purpose,
            platform_account_id=platform_account_id,
            responsible_administrator=responsible_administrator,
            advisor=advisor,
            reported_by=reporter,
        )
        _check_people(account)
        change = _record_status(
            account, actor=actor, to_status=Account.Status.REQUESTED, reason=reason
        )
        _save(account)
        change.save()
        if managers:
            account.managers.set(managers)
        after = {k: v for k, v in _snap(account).items() if v not in ("", None, [])}
        audit(
            actor=actor,
            action="registry.account_requested",
            obj=account,
            clause="1.4",
            after=after,
            note=reason,
        )
    return account


def account_register(*, actor: Any, account: Account, reason: str = "") -> Account:
    """Requested → registered. Recorded by the communications office (1.4), and only when the entry
    names its responsible administrator and, for team, class and club accounts, its advisor (1.5)."""
    if not rules.is_registry_keeper(actor):
        raise PolicyViolation(
            _("Registration is recorded by the communications office (LPS Media)."),
            clause="1.4",
            field="status",
        )
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.status != Account.Status.REQUESTED:
            raise PolicyViolation(
                _("Only a requested entry can be registered; this one is %(status)s.")
                % {"status": account.get_status_display()},
                clause="1.4",
                field="status",
            )
        rules.check_complete_for_registration(account)
        before = _snap(account)
        change = _record_status(
            account, actor=actor, to_status=Account.Status.REGISTERED, reason=reason
        )
        account.save()
        change.save()
        b, a = diff(before, _snap(account))
        audit(
            actor=actor,
            action="registry.account_registered",
            obj=account,
            clause="1.4",
            before=b,
            after=a,
            note=reason,
        )
    return account


def account_create(
    *, actor: Any, register: bool = False, reason: str = "", **facts: Any
) -> Account:
    """The editors' form: request, and register at once when the communications office asks."""
    if not rules.can_edit_unit(actor, facts["owning_unit"]):
        raise PermissionDenied(_("You may not add accounts for this unit."))
    with transaction.atomic():
        account = account_request(actor=actor, reason=reason, **facts)
        if register:
            account = account_register(actor=actor, account=account, reason=reason)
    return account


def account_update(*, actor: Any, account: Account, **changes: Any) -> Account:
    """Change an entry's facts or people. A registered or suspended entry must stay complete (1.5)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"account_update() cannot change {', '.join(sorted(unknown))}")
    if not rules.can_edit(actor, account):
        raise PermissionDenied(_("You may not change this account."))
    new_unit = changes.get("owning_unit")
    if new_unit is not None and not rules.can_edit_unit(actor, new_unit):
        raise PermissionDenied(_("You may not move accounts to this unit."))
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.status == Account.Status.RETIRED:
            raise PolicyViolation(
                _("A retired account is kept as it was; reinstate it first."),
                clause="1.4",
                field="status",
            )
        before = _snap(account)
        for name, value in changes.items():
            setattr(account, name, value)
        if {"platform", "handle", "url"} & set(changes):
            # Whatever was typed last wins: a new URL alone names the handle, a new handle or
            # platform alone gets the platform's usual URL ("other" platforms have none).
            fixed_shape = account.platform != "other"
            handle = account.handle
            if "handle" not in changes and changes.get("url") and fixed_shape:
                handle = ""
            url = account.url
            if "url" not in changes and fixed_shape and {"handle", "platform"} & set(changes):
                url = ""
            account.handle, account.url = _address(
                platform=account.platform, handle=handle, url=url, exclude_pk=account.pk
            )
        if account.kind not in Account.Kind.values:
            raise PolicyViolation(
                _("Choose what kind of account this is."), clause="1.1", field="kind"
            )
        _check_people(account)
        if account.status in (Account.Status.REGISTERED, Account.Status.SUSPENDED):
            rules.check_complete_for_registration(account)
        _save(account)
        b, a = diff(before, _snap(account))
        if b or a:
            audit(
                actor=actor,
                action="registry.account_updated",
                obj=account,
                clause="1.4",
                before=b,
                after=a,
            )
    return account


def _transition(
    *,
    actor: Any,
    account: Account,
    to_status: str,
    allowed_from: set[str],
    reason: str,
    action: str,
    clause: str,
) -> Account:
    if not reason.strip():
        raise PolicyViolation(_("Say why."), clause=clause, field="reason")
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.status not in allowed_from:
            raise PolicyViolation(
                _("A %(status)s account cannot become %(to)s.")
                % {"status": account.get_status_display(), "to": Account.Status(to_status).label},
                clause=clause,
                field="status",
            )
        if to_status == Account.Status.REGISTERED:
            rules.check_complete_for_registration(account)
        before = _snap(account)
        change = _record_status(account, actor=actor, to_status=to_status, reason=reason)
        account.save()
        change.save()
        b, a = diff(before, _snap(account))
        audit(
            actor=actor, action=action, obj=account, clause=clause, before=b, after=a, note=reason
        )
    return account


def account_suspend(*, actor: Any, account: Account, reason: str) -> Account:
    """Registered → suspended (e.g. a compromised login, a policy breach under review)."""
    if not rules.can_edit(actor, account):
        raise PermissionDenied(_("You may not change this account."))
    return _transition(
        actor=actor,
        account=account,
        to_status=Account.Status.SUSPENDED,
        allowed_from={Account.Status.REGISTERED},
        reason=reason,
        action="registry.account_suspended",
        clause="1.4",
    )


def account_retire(*, actor: Any, account: Account, reason: str) -> Account:
    """Any live state → retired. The entry and its history stay: the account's content may be a
    public record (1.6)."""
    if not rules.can_edit(actor, account):
        raise PermissionDenied(_("You may not change this account."))
    return _transition(
        actor=actor,
        account=account,
        to_status=Account.Status.RETIRED,
        allowed_from={
            Account.Status.REQUESTED,
            Account.Status.REGISTERED,
            Account.Status.SUSPENDED,
        },
        reason=reason,
        action="registry.account_retired",
        clause="1.4",
    )


def account_reinstate(*, actor: Any, account: Account, reason: str) -> Account:
    """Suspended or retired → registered: a registration again, so the communications office
    records it (1.4) and the entry must be complete (1.5)."""
    if not rules.is_registry_keeper(actor):
        raise PolicyViolation(
            _("Registration is recorded by the communications office (LPS Media)."),
            clause="1.4",
            field="status",
        )
    return _transition(
        actor=actor,
        account=account,
        to_status=Account.Status.REGISTERED,
        allowed_from={Account.Status.SUSPENDED, Account.Status.RETIRED},
        reason=reason,
        action="registry.account_reinstated",
        clause="1.4",
    )


def account_manager_add(*, actor: Any, account: Account, person: Person) -> Account:
    """Add an active staff member as a manager of the account."""
    if not rules.can_edit(actor, account) or account.status == Account.Status.RETIRED:
        raise PermissionDenied(_("You may not change this account."))
    rules.check_active_staff(person, field="person", clause="1.4")
    with transaction.atomic():
        if account.managers.filter(pk=person.pk).exists():
            return account
        account.managers.add(person)
        audit(
            actor=actor,
            action="registry.account_manager_added",
            obj=account,
            clause="1.4",
            after={"manager": {"id": person.pk, "label": str(person)}},
        )
    return account


def account_manager_remove(*, actor: Any, account: Account, person: Person) -> Account:
    """Remove a manager (offboarding, role change)."""
    if not rules.can_edit(actor, account):
        raise PermissionDenied(_("You may not change this account."))
    with transaction.atomic():
        if not account.managers.filter(pk=person.pk).exists():
            return account
        account.managers.remove(person)
        audit(
            actor=actor,
            action="registry.account_manager_removed",
            obj=account,
            clause="1.4",
            before={"manager": {"id": person.pk, "label": str(person)}},
        )
    return account

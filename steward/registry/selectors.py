"""Reads of the account registry, narrowed to what the acting user may see."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from steward.core.errors import NotPermitted
from steward.core.permissions import scope_for
from steward.registry.models import Account


def accounts_for(user: Any) -> QuerySet[Account]:
    """District-wide roles see every account; unit leaders see their units' accounts; other staff
    see the accounts they manage, administer, advise or reported."""
    scope = scope_for(user)
    qs = Account.objects.select_related("owning_unit", "responsible_administrator", "advisor")
    if scope.district_wide:
        return qs
    q = scope.unit_q("owning_unit__") if scope.unit_paths else Q(pk__in=[])
    if scope.person_id:
        pid = scope.person_id
        q |= (
            Q(managers__id=pid)
            | Q(responsible_administrator_id=pid)
            | Q(advisor_id=pid)
            | Q(reported_by_id=pid)
        )
    return qs.filter(q).distinct()


def account_get(*, user: Any, pk: int | str) -> Account:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotPermitted("No such account.") from None
    account = accounts_for(user).filter(pk=pk).first()
    if account is None:
        raise NotPermitted("No such account.")
    return account


def status_platform_counts(accounts: QuerySet[Account]) -> dict[str, Any]:
    counts = Counter(accounts.values_list("status", "platform"))
    statuses = [s for s, _ in Account.Status.choices]
    platforms = sorted({p for _, p in counts})
    return {
        "statuses": statuses,
        "platforms": platforms,
        "rows": [(p, [counts.get((s, p), 0) for s in statuses]) for p in platforms],
        "totals": [sum(counts.get((s, p), 0) for p in platforms) for s in statuses],
    }


def accounts_missing_people(accounts: QuerySet[Account]) -> list[tuple[Account, str, str]]:
    """Live accounts without a responsible administrator (1.5), or advised kinds without an advisor."""
    problems = []
    live = accounts.exclude(status=Account.Status.RETIRED)
    for account in live.filter(responsible_administrator__isnull=True):
        problems.append((account, "no responsible administrator", "1.5"))
    for account in live.filter(kind__in=Account.ADVISED_KINDS, advisor__isnull=True):
        problems.append((account, "no coach, teacher or faculty advisor", "1.5"))
    for account in live.filter(responsible_administrator__active=False):
        problems.append((account, "responsible administrator has left", "1.5"))
    for account in live.filter(advisor__active=False):
        problems.append((account, "advisor has left", "1.5"))
    return problems


def problems_q() -> Q:
    """Live entries that miss someone who answers for them (1.5): no responsible administrator,
    one who has left, or a team, class or club account without its advisor."""
    return ~Q(status=Account.Status.RETIRED) & (
        Q(responsible_administrator__isnull=True)
        | Q(responsible_administrator__active=False)
        | Q(kind__in=Account.ADVISED_KINDS, advisor__isnull=True)
        | Q(advisor__active=False)
    )


def account_search(
    *,
    user: Any,
    q: str = "",
    platform: str = "",
    status: str = "",
    kind: str = "",
    unit: Any = None,
    problems_only: bool = False,
) -> QuerySet[Account]:
    """The registry list: what ``user`` may see, filtered. ``unit`` means that unit and everything
    under it; ``q`` matches handle or name."""
    qs = accounts_for(user)
    if q.strip():
        term = q.strip().lstrip("@")
        qs = qs.filter(
            Q(handle__icontains=term) | Q(display_name__icontains=term) | Q(url__icontains=term)
        )
    if platform:
        qs = qs.filter(platform=platform)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(owning_unit__path__startswith=unit.path)
    if problems_only:
        qs = qs.filter(problems_q())
    return qs.order_by("display_name", "pk")


def account_problems(account: Account) -> list[tuple[Any, str]]:
    """(what is missing, clause) for one entry, shown on its page."""
    if account.status == Account.Status.RETIRED:
        return []
    out: list[tuple[Any, str]] = []
    admin, advisor = account.responsible_administrator, account.advisor
    if admin is None:
        out.append((_("no responsible administrator"), "1.5"))
    elif not admin.active:
        out.append((_("responsible administrator has left"), "1.5"))
    if account.kind in Account.ADVISED_KINDS and advisor is None:
        out.append((_("no coach, teacher or faculty advisor"), "1.5"))
    elif advisor is not None and not advisor.active:
        out.append((_("advisor has left"), "1.5"))
    if account.status == Account.Status.REQUESTED:
        out.append((_("not registered with LPS Media yet"), "1.4"))
    return out

"""Reads of the account registry, narrowed to what the acting user may see."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Q, QuerySet

from steward.core.errors import NotPermitted
from steward.core.permissions import scope_for
from steward.registry.models import Account


def accounts_for(user: Any) -> QuerySet[Account]:
    """District-wide roles see every account; unit leaders see their units' accounts; other staff
    see the accounts they manage, administer or advise."""
    scope = scope_for(user)
    qs = Account.objects.select_related("owning_unit", "responsible_administrator", "advisor")
    if scope.district_wide:
        return qs
    q = scope.unit_q("owning_unit__") if scope.unit_paths else Q(pk__in=[])
    if scope.person_id:
        pid = scope.person_id
        q |= Q(managers__id=pid) | Q(responsible_administrator_id=pid) | Q(advisor_id=pid)
    return qs.filter(q).distinct()


def account_get(*, user: Any, pk: int) -> Account:
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
    return problems

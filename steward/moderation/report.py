"""The moderation consistency report (records-and-law.md part B, MOD-6): what was decided over a
period, by category, by who decided, by account; how often people reversed or upheld what the
engine did; appeals and second reviews of possible criticism. For the communications director and
for counsel: it shows whether the published rules are applied the same way to everyone.

Counts come from the decision records themselves (never edited, MOD-2), within the accounts the
reader may see.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from steward.moderation.models import CATEGORIES, Appeal, Decision, QueueItem
from steward.moderation.services import REMOVING
from steward.registry.selectors import accounts_for

OUTCOMES = list(Decision.Outcome.choices)
#: The outcome that puts a comment back in view (``services.REMOVING`` takes it out).
RESTORING = {Decision.Outcome.APPROVE}


@dataclass(frozen=True)
class Row:
    label: str
    counts: dict[str, int]  # by outcome value
    total: int

    @property
    def cells(self) -> list[int]:
        """The counts in the order of the outcomes (the report's columns)."""
        return [self.counts.get(v, 0) for v, _ in OUTCOMES]


@dataclass(frozen=True)
class EngineReview:
    category: str
    label: str
    removed_by_engine: int
    restored_by_a_person: int
    upheld_by_a_person: int


@dataclass
class ModerationReport:
    start: dt.date
    end: dt.date
    account: Any | None
    by_category: list[Row] = field(default_factory=list)
    by_decider: list[Row] = field(default_factory=list)
    by_account: list[Row] = field(default_factory=list)
    engine_review: list[EngineReview] = field(default_factory=list)
    appeals: dict[str, int] = field(default_factory=dict)
    criticism_reviews: dict[str, int] = field(default_factory=dict)
    total: int = 0

    @property
    def outcomes(self) -> list[tuple[str, str]]:
        return [(v, str(label)) for v, label in OUTCOMES]


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of ``start`` to the end of ``end``, on the district's clock."""
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return first, last


#: The period the report covers when none is asked for: the 30 days up to today.
DEFAULT_DAYS = 30


def period(start: dt.date | None = None, end: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """``start`` and ``end`` with what is missing filled in: ``end`` today, ``start``
    ``DEFAULT_DAYS`` before ``end`` (the page, its form and the API share this default)."""
    end = end or timezone.localdate()
    return start or end - dt.timedelta(days=DEFAULT_DAYS), end


def _rows(pairs: list[tuple[str, str, int]], labels: dict[str, str]) -> list[Row]:
    """``(key, outcome, n)`` triples as one row per key, in the order of ``labels``."""
    by: dict[str, Counter[str]] = {}
    for key, outcome, n in pairs:
        by.setdefault(key, Counter())[outcome] += n
    return [Row(labels.get(k, k), dict(by[k]), sum(by[k].values())) for k in labels if k in by]


def moderation_report(
    user: Any, *, start: dt.date, end: dt.date, account_id: int | None = None
) -> ModerationReport:
    """The report for what ``user`` may see, decisions made from ``start`` to ``end`` inclusive."""
    accounts = accounts_for(user)
    account = accounts.filter(pk=account_id).first() if account_id is not None else None
    if account is not None:
        accounts = accounts.filter(pk=account.pk)
    first, last = _window(start, end)
    decisions = Decision.objects.filter(account__in=accounts, created_at__gte=first, created_at__lt=last)
    report = ModerationReport(start=start, end=end, account=account, total=decisions.count())

    cats = {"": "—", **{v: str(label) for v, label in CATEGORIES}}
    rows = decisions.values_list("category", "outcome").annotate(n=Count("id"))
    report.by_category = _rows(list(rows), cats)

    rows = decisions.values_list("actor_label", "outcome").annotate(n=Count("id"))
    deciders = sorted({r[0] for r in rows}, key=lambda a: (not a.startswith("engine"), a))
    report.by_decider = _rows(list(rows), {d: d for d in deciders})

    rows = decisions.values_list("account_id", "outcome").annotate(n=Count("id"))
    names = {a.pk: a.display_name for a in accounts.filter(pk__in={r[0] for r in rows})}
    report.by_account = _rows([(str(a), o, n) for a, o, n in rows],
                              {str(pk): name for pk, name in sorted(names.items(), key=lambda kv: kv[1])})  # fmt: skip

    # What people did with the engine's removals: a decision by a person that supersedes one by
    # the engine (actor empty) which had taken the comment down.
    engine_removed = decisions.filter(actor__isnull=True, outcome__in=REMOVING)
    later = Decision.objects.filter(supersedes__in=engine_removed, actor__isnull=False)
    removed = Counter(dict(engine_removed.values_list("category").annotate(n=Count("id"))))
    restored = Counter(dict(later.filter(outcome__in=RESTORING)
                            .values_list("supersedes__category").annotate(n=Count("id"))))  # fmt: skip
    upheld = Counter(dict(later.exclude(outcome__in=RESTORING)
                          .values_list("supersedes__category").annotate(n=Count("id"))))  # fmt: skip
    report.engine_review = [
        EngineReview(c, cats[c], removed[c], restored[c], upheld[c]) for c in cats if removed[c]
    ]

    appeals = Appeal.objects.filter(account__in=accounts, received_at__gte=first, received_at__lt=last)
    states = dict(appeals.values_list("state").annotate(n=Count("id")))
    report.appeals = {"received": sum(states.values()), **{s: states.get(s, 0) for s in Appeal.State.values}}

    reviews = QueueItem.objects.filter(account__in=accounts, reason=QueueItem.Reason.CRITICISM_REVIEW,
                                       opened_at__gte=first, opened_at__lt=last)  # fmt: skip
    report.criticism_reviews = reviews.aggregate(
        opened=Count("id"),
        resolved=Count("id", filter=Q(state=QueueItem.State.RESOLVED)),
        within_a_day=Count("id", filter=Q(state=QueueItem.State.RESOLVED,
                                          resolved_at__lte=F("opened_at") + dt.timedelta(days=1))),  # fmt: skip
    )
    return report


def report_csv(report: ModerationReport) -> str:
    """The report as one CSV table: section, row, outcome or figure, count."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["section", "row", "figure", "count"])
    w.writerow(["period", f"{report.start.isoformat()} to {report.end.isoformat()}",
                "account", report.account.display_name if report.account else "all"])  # fmt: skip
    w.writerow(["decisions", "all", "total", report.total])
    for section, rows in (("by category", report.by_category), ("by decider", report.by_decider),
                          ("by account", report.by_account)):  # fmt: skip
        for row in rows:
            for outcome, _label in OUTCOMES:
                if row.counts.get(outcome):
                    w.writerow([section, row.label, outcome, row.counts[outcome]])
            w.writerow([section, row.label, "total", row.total])
    for e in report.engine_review:
        w.writerow(["engine removals reviewed", e.label, "removed by the engine", e.removed_by_engine])
        w.writerow(["engine removals reviewed", e.label, "restored by a person", e.restored_by_a_person])
        w.writerow(["engine removals reviewed", e.label, "upheld by a person", e.upheld_by_a_person])
    for key, n in report.appeals.items():
        w.writerow(["appeals", "all", key, n])
    for key, n in report.criticism_reviews.items():
        w.writerow(["second reviews of possible criticism", "all", key, n])
    return buf.getvalue()

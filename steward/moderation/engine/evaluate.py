"""Evaluation: per-category precision, recall and F1, macro-F1, the confusion matrix, and the share
of ``ok`` comments (and of criticisms) that would have been hidden or escalated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .types import CATEGORIES, REMOVING_ACTIONS

__all__ = ["Report", "BinaryReport", "report", "binary_report"]


@dataclass(slots=True)
class Report:
    """Figures of one labeled run."""

    n: int
    per_category: dict[str, dict[str, float]]
    macro_f1: float
    accuracy: float
    confusion: dict[str, dict[str, int]]
    ok_n: int
    ok_removed: int
    criticism_n: int
    criticism_removed: int
    removed_criticisms: list[str] = field(default_factory=list)

    def format(self) -> str:
        """Plain-text tables for a terminal."""
        labels = [
            c
            for c in CATEGORIES
            if c in self.confusion or any(c in r for r in self.confusion.values())
        ]
        lines = [
            f"comments: {self.n}   macro-F1: {self.macro_f1:.3f}   accuracy: {self.accuracy:.3f}",
            "",
        ]
        lines.append(f"{'category':<16}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
        for c in labels:
            m = self.per_category[c]
            lines.append(
                f"{c:<16}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{int(m['support']):>9}"
            )
        lines += ["", "confusion (rows: label, columns: verdict)"]
        short = [c[:6] for c in labels]
        lines.append(" " * 16 + "".join(f"{s:>8}" for s in short))
        for c in labels:
            row = self.confusion.get(c, {})
            lines.append(f"{c:<16}" + "".join(f"{row.get(d, 0):>8}" for d in labels))
        lines.append("")
        share = self.ok_removed / self.ok_n if self.ok_n else 0.0
        lines.append(
            f"ok comments hidden or escalated: {self.ok_removed}/{self.ok_n} ({share:.1%})"
        )
        if self.criticism_n:
            lines.append(
                f"criticisms hidden or escalated: {self.criticism_removed}/{self.criticism_n}"
            )
            for t in self.removed_criticisms:
                lines.append(f"  REMOVED CRITICISM: {t}")
        return "\n".join(lines)


def report(
    labels: Sequence[str],
    predicted: Sequence[str],
    actions: Sequence[str],
    criticism: Sequence[bool] | None = None,
    texts: Sequence[str] | None = None,
) -> Report:
    """Compare predicted categories with labels."""
    n = len(labels)
    crit = list(criticism) if criticism is not None else [False] * n
    cats = [c for c in CATEGORIES if c in set(labels) | set(predicted)]
    conf: dict[str, dict[str, int]] = {}
    for y, p in zip(labels, predicted, strict=True):
        conf.setdefault(y, {})
        conf[y][p] = conf[y].get(p, 0) + 1
    per: dict[str, dict[str, float]] = {}
    f1s = []
    for c in cats:
        tp = conf.get(c, {}).get(c, 0)
        fp = sum(r.get(c, 0) for y, r in conf.items() if y != c)
        fn = sum(v for p, v in conf.get(c, {}).items() if p != c)
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        per[c] = {"precision": pr, "recall": rc, "f1": f1, "support": float(tp + fn)}
        if tp + fn:
            f1s.append(f1)
    ok_idx = [i for i, y in enumerate(labels) if y == "ok"]
    ok_removed = sum(1 for i in ok_idx if actions[i] in REMOVING_ACTIONS)
    crit_idx = [i for i in range(n) if crit[i]]
    crit_removed = [i for i in crit_idx if actions[i] in REMOVING_ACTIONS]
    return Report(
        n=n,
        per_category=per,
        macro_f1=sum(f1s) / len(f1s) if f1s else 0.0,
        accuracy=sum(1 for y, p in zip(labels, predicted, strict=True) if y == p) / n if n else 0.0,
        confusion=conf,
        ok_n=len(ok_idx),
        ok_removed=ok_removed,
        criticism_n=len(crit_idx),
        criticism_removed=len(crit_removed),
        removed_criticisms=[texts[i] for i in crit_removed] if texts else [],
    )


@dataclass(frozen=True, slots=True)
class BinaryReport:
    """Removable-vs-ok figures (F1 of the removable class)."""

    n: int
    precision: float
    recall: float
    f1: float
    accuracy: float


def binary_report(truth: Sequence[bool], predicted: Sequence[bool]) -> BinaryReport:
    """Precision, recall and F1 of the removable class."""
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if not t and p)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
    acc = (
        sum(1 for t, p in zip(truth, predicted, strict=True) if t == p) / len(truth)
        if truth
        else 0.0
    )
    return BinaryReport(len(truth), pr, rc, f1, acc)

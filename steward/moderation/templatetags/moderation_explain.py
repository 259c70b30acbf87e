"""Template filters that put an engine decision's "why" in the reader's language (``explain.py``)."""

from __future__ import annotations

from typing import Any

from django import template

from .. import explain

register = template.Library()


@register.filter
def decision_explanation(decision: Any) -> str:
    """``{{ decision|decision_explanation }}``: the engine's reasons in the active language."""
    return explain.explanation(decision.evidence or {}, decision.clause or "")


@register.filter
def span_kind(kind: str) -> str:
    """``{{ span.kind|span_kind }}``: what kind of words the engine matched, in words."""
    return explain.span_kind(str(kind))


@register.filter
def queue_note(item: Any) -> str:
    """A queue item's note; when the note is its decision's explanation, in the active language."""
    decision = item.decision
    if decision is not None and item.note and item.note == (decision.evidence or {}).get("explanation"):
        return explain.explanation(decision.evidence, decision.clause or "")
    return str(item.note)


@register.filter
def evidence_explanation(evidence: dict[str, Any], clause: str) -> str:
    """``{{ evidence|evidence_explanation:clause }}``: as ``decision_explanation``, for a verdict
    that was not recorded (the rules page's "try a comment")."""
    return explain.explanation(evidence or {}, clause or "")

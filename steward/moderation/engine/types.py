"""Public value types of the moderation engine: what goes in (Context) and what comes out (Verdict)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CATEGORIES", "ACTIONS", "REMOVING_ACTIONS", "Fundraiser", "Context", "Span", "Evidence",
    "Verdict",
]  # fmt: skip

#: The nine comment categories of CLAUSES.md, in that order.
CATEGORIES = (
    "ok", "profanity", "offensive", "inappropriate", "personal_issue", "off_topic", "commercial",
    "safety", "privacy",
)  # fmt: skip

#: What the engine may ask for: keep, hide, hold for a person, or escalate (hide + notify).
ACTIONS = ("keep", "hide", "hold", "escalate")

#: Actions that take a comment out of public view.
REMOVING_ACTIONS = frozenset({"hide", "escalate"})


@dataclass(frozen=True, slots=True)
class Fundraiser:
    """An approved fundraiser of the account (clause 1.8.e): comments about it are not commercial."""

    name: str
    phrases: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None

    def active(self, on: dt.date) -> bool:
        """Whether the approval covers ``on``."""
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


@dataclass(frozen=True, slots=True)
class Context:
    """What the engine may know about a comment besides its text. Every field is optional."""

    post: str = ""
    account: str = ""
    account_kind: str = ""
    author_prior_removals: int = 0
    lang: str = ""
    fundraisers: tuple[Fundraiser, ...] = ()
    today: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the original comment that a rule relied on."""

    start: int
    end: int
    text: str
    kind: str  # lexicon category, pattern name or phrase rule


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why the engine decided: spans, the scores that were compared, the rule and the pack."""

    spans: tuple[Span, ...]
    scores: dict[str, float]
    rule_id: str
    pack: str
    pack_version: str
    model_version: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The engine's decision on one comment."""

    category: str
    action: str
    clause: str
    confidence: float
    reply: str | None
    requires_confirmation: bool
    language: str
    explanation: str
    evidence: Evidence = field(repr=False)

    @property
    def removes(self) -> bool:
        """True when the action takes the comment out of public view (hide or escalate)."""
        return self.action in REMOVING_ACTIONS

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (used by the command line and the archive). Written out rather
        than ``asdict``, whose deep copies cost more than judging the comment did."""
        ev = self.evidence
        return {
            "category": self.category,
            "action": self.action,
            "clause": self.clause,
            "confidence": self.confidence,
            "reply": self.reply,
            "requires_confirmation": self.requires_confirmation,
            "language": self.language,
            "explanation": self.explanation,
            "evidence": {
                "spans": [{"start": s.start, "end": s.end, "text": s.text, "kind": s.kind} for s in ev.spans],
                "scores": dict(ev.scores),
                "rule_id": ev.rule_id,
                "pack": ev.pack,
                "pack_version": ev.pack_version,
                "model_version": ev.model_version,
            },
        }

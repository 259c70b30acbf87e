"""Steward's moderation engine: plain Python, no Django.

>>> from steward.moderation.engine import Context, Engine
>>> engine = Engine.load()
>>> verdict = engine.judge("Cutting art teachers again is shameful.", Context(lang="en"))
>>> verdict.category, verdict.action
('ok', 'keep')
"""

from .engine import Engine
from .rules import PackError, RulePack
from .types import (
    ACTIONS,
    CATEGORIES,
    REMOVING_ACTIONS,
    Context,
    Evidence,
    Fundraiser,
    Span,
    Verdict,
)

__all__ = [
    "ACTIONS", "CATEGORIES", "REMOVING_ACTIONS", "Context", "Engine", "Evidence", "Fundraiser",
    "PackError", "RulePack", "Span", "Verdict",
]  # fmt: skip

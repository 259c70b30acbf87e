"""The engine's rules in words, and a comment tried against them without recording anything.

For the people who answer for what the engine does — the communications director, the records
officer, the district's lawyer — the rule pack (``rulepacks/lps/pack.yaml``) is shown as it runs:
each rule in the order it is tried, the clause it cites and what that clause says, what it looks at,
what it does and whether a person confirms. A staff member can type a comment and see the verdict
the engine would give, with its reasons, before a real one arrives. Nothing typed is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from . import explain
from .guidelines import guideline_text
from .models import CATEGORIES, Decision
from .services import engine

_CATEGORY_LABELS = dict(CATEGORIES)
_ACTION_LABELS = dict(Decision.Outcome.choices)
#: How many of a block's phrases the page quotes before saying how many more there are.
PHRASES_SHOWN = 4


@dataclass(frozen=True)
class RuleInWords:
    id: str
    priority: int
    category: str
    category_label: str
    clause: str
    guideline: str
    description: str
    action: str
    action_label: str
    requires_confirmation: bool
    when: str
    any: tuple[str, ...]
    reply: dict[str, str]


def _score(name: str, lo: float, hi: float) -> str:
    if hi < float("inf") and lo > float("-inf"):
        return f"{lo:.2f} ≤ {name} ≤ {hi:.2f}"
    if hi < float("inf"):
        return f"{name} ≤ {hi:.2f}"
    return f"{name} ≥ {lo:.2f}"


def condition_in_words(cond: Any) -> str:
    """One condition block of a rule as a sentence (every part must hold)."""
    parts: list[str] = []
    if cond.lexicon:
        kinds = ", ".join(explain.span_kind(c) for c in cond.lexicon)
        parts.append(_("words of the lexicon: %(kinds)s") % {"kinds": kinds})
    if cond.scores:
        parts.append(_("scores %(scores)s") % {"scores": ", ".join(_score(*s) for s in cond.scores)})
    if cond.phrases:
        shown = ", ".join(f"“{p}”" for p in cond.phrases[:PHRASES_SHOWN])
        more = len(cond.phrases) - PHRASES_SHOWN
        text = _("one of the phrases %(shown)s") % {"shown": shown}
        if more > 0:
            text += " " + _("and %(n)d more") % {"n": more}
        parts.append(text)
    if cond.patterns:
        parts.append(_("a pattern (%(n)d)") % {"n": len(cond.patterns)})
    if cond.prior_removals is not None:
        parts.append(
            _("an author with at least %(n)d earlier removals on the account")
            % {"n": cond.prior_removals}
        )
    if cond.account_kinds:
        parts.append(_("accounts of kind %(kinds)s") % {"kinds": ", ".join(cond.account_kinds)})
    if cond.fundraiser is not None:
        parts.append(
            _("about an approved fundraiser") if cond.fundraiser else _("not about an approved fundraiser")
        )
    if cond.post is not None:
        parts.append(_("the post is known") if cond.post else _("the post is not known"))
    if cond.language is not None:
        parts.append(_("the comment is in %(lang)s") % {"lang": cond.language})
    return "; ".join(parts)


def rules_in_words() -> dict[str, Any]:
    """The active rule pack and model, every rule in the order the engine tries them."""
    eng = engine()
    pack = eng.pack
    rules = [
        RuleInWords(
            id=r.id,
            priority=r.priority,
            category=r.category,
            category_label=str(_CATEGORY_LABELS.get(r.category, r.category)),
            clause=r.clause,
            guideline=guideline_text(r.clause),
            description=explain.in_language(r.descriptions) or r.description,
            action=r.action,
            action_label=str(_ACTION_LABELS.get(r.action, r.action)),
            requires_confirmation=r.requires_confirmation,
            when="" if r.when.empty else condition_in_words(r.when),
            any=tuple(condition_in_words(c) for c in r.any),
            reply=dict(r.reply),
        )
        for r in pack.rules
    ]
    meta = eng.model.meta if eng.model is not None else {}
    return {
        "pack": pack.name,
        "version": pack.version,
        "model_version": str(meta.get("version", "")),
        "model_trained_at": str(meta.get("trained_at", "")),
        "rules": rules,
    }


def try_comment(text: str, *, post: str = "", lang: str = "") -> Any:
    """The verdict the engine would give ``text`` under ``post`` (nothing is recorded)."""
    from steward.moderation.engine.types import Context

    return engine().judge(text, Context(post=post, lang=lang))

"""A decision's "why" in the reader's language.

The engine writes its explanation once, in English, into the decision's evidence (the record keeps
those exact words). A page shown in Spanish rebuilds the same facts from the evidence instead: the
rule, the clause and what it means (the published guideline, ``guidelines.py``), and the words the
engine matched, with their kind in words. The scores are numbers and stay in the English original,
which the page still shows beside it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .guidelines import guideline_text
from .services import engine

#: What each kind of matched span is, by the name the engine gives it (the lexicon's categories in
#: the rule pack's lexicon files, and the structural patterns of ``engine/signals.py``).
SPAN_KINDS = {
    "profanity": gettext_lazy("profanity"),
    "slur": gettext_lazy("slur"),
    "insult": gettext_lazy("insult"),
    "sexual": gettext_lazy("sexual content"),
    "substance": gettext_lazy("drugs, alcohol or vaping"),
    "threat": gettext_lazy("threat"),
    "veiled": gettext_lazy("veiled threat"),
    "selfharm": gettext_lazy("self-harm"),
    "private": gettext_lazy("private detail"),
    "offtopic": gettext_lazy("off-topic marker"),
    "promo": gettext_lazy("sales language"),
    "url": gettext_lazy("link"),
    "phone": gettext_lazy("phone number"),
    "email": gettext_lazy("e-mail address"),
    "money": gettext_lazy("price"),
    "address": gettext_lazy("street address"),
    "handle": gettext_lazy("account handle"),
    "pattern": gettext_lazy("rule pattern"),
}

#: The rule id of the engine's verdict when no rule matched.
KEPT_BY_DEFAULT = "default.keep"


def span_kind(kind: str) -> str:
    """A matched span's kind in words (the engine's name when it has no wording here)."""
    label = SPAN_KINDS.get(kind)
    return str(label) if label is not None else kind


def in_language(texts: Any) -> str:
    """The text of ``texts`` (language code -> text) in the active language, if the pack has it."""
    lang = (get_language() or "en")[:2]
    return str(texts.get(lang, "")) if texts else ""


def rule_description(rule_id: str, pack_version: str) -> str:
    """The description of a rule in the active language, if the active pack is the one that
    decided (``pack_version``) and has it; "" otherwise (the record keeps the English)."""
    pack = engine().pack
    if pack.version != pack_version:
        return ""
    rule = next((r for r in pack.rules if r.id == rule_id), None)
    return in_language(rule.descriptions) if rule is not None else ""


def explanation(evidence: dict[str, Any], clause: str) -> str:
    """Why the engine decided, in the active language; "" when the evidence holds no engine
    verdict (a person's decision). In English this is the engine's own sentence."""
    original = str(evidence.get("explanation") or "")
    rule = str(evidence.get("rule_id") or "")
    if not rule or (get_language() or "en").startswith("en"):
        return original
    if rule == KEPT_BY_DEFAULT:
        return _("No rule matched: kept (a public forum, clause 1.6; criticism is not a category).")
    parts = [_("Rule %(rule)s (clause %(clause)s).") % {"rule": rule, "clause": clause or "—"}]
    described = rule_description(rule, str(evidence.get("pack_version") or ""))
    if described:
        parts.append(described[:1].upper() + described[1:] + ".")
    guideline = guideline_text(clause)
    if guideline:
        parts.append(guideline)
    spans = [s for s in evidence.get("spans") or () if isinstance(s, dict)]
    if spans:
        matched = ", ".join(f"“{s.get('text', '')}” ({span_kind(str(s.get('kind', '')))})"
                            for s in spans[:6])  # fmt: skip
        parts.append(_("Matched: %(words)s.") % {"words": matched})
    return " ".join(parts)

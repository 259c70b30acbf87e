"""Rule packs: the district's moderation rules as YAML, in the spirit of Reddit AutoModerator.

A pack names its lexicon files and lists rules. Each rule has an ``id``, the policy ``clause`` it
enforces, a ``category`` (one of the nine), a ``priority`` (higher runs first; the first rule that
matches decides), conditions, an ``action`` (keep, hide, hold, escalate), an optional ``reply`` per
language and ``requires_confirmation`` (a person must confirm before the action stands).

Conditions (all listed must hold; ``any`` is a list of condition blocks of which one must hold)::

    lexicon: [threat, selfharm]        # at least one hit in one of these lexicon categories
    scores: {school.safety: 0.4}       # score >= 0.4; or {min: 0.4, max: 0.9}
    phrases: ["lost dog"]              # whole-word phrases, matched by the same automaton
    patterns: ['\\bstudent id\\b']     # regular expressions on the lightly normalized text
    prior_removals: 2                  # the author had at least 2 earlier removals here
    account_kinds: [team, club]        # only on these kinds of account
    fundraiser: false                  # the comment is (true) / is not (false) about an approved fundraiser
    post: true                         # the post text is (true) / is not (false) known
    language: es                       # the comment's language

The pack is loaded and validated once; every error names the file, the rule and the field.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .types import ACTIONS, CATEGORIES

__all__ = ["PackError", "Condition", "Rule", "RulePack", "Signals", "CLAUSE_IDS", "DEFAULT_PACK"]

# The C implementation of the *safe* loader when libyaml is there (5x faster start-up).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The default pack shipped with the project (LPS policy).
DEFAULT_PACK = Path(__file__).resolve().parent.parent / "rulepacks" / "lps" / "pack.yaml"

#: Clause ids of CLAUSES.md that a moderation rule may cite.
CLAUSE_IDS = frozenset({
    "0.1", "0.2", "1.1", "1.2", "1.6", "1.8.a", "1.8.b", "1.8.c", "1.8.d", "1.8.e", "2.2", "3.2.c",
})  # fmt: skip

_COND_KEYS = {
    "lexicon", "scores", "phrases", "patterns", "prior_removals", "account_kinds", "fundraiser",
    "post", "language",
}  # fmt: skip
_RULE_KEYS = {
    "id", "clause", "category", "priority", "when", "any", "action", "reply",
    "requires_confirmation", "confidence", "description",
}  # fmt: skip


class PackError(ValueError):
    """The rule pack is invalid; the message names the file, the rule and the field."""


@dataclass(slots=True)
class Signals:
    """Everything a rule may look at for one comment."""

    scores: dict[str, float]
    phrase_rules: set[str]
    pattern_rules: Container[str]  # block keys whose patterns match (searched on demand)
    prior_removals: int
    account_kind: str
    fundraiser: bool
    post: bool
    language: str


@dataclass(frozen=True, slots=True)
class Condition:
    """One block of conditions; all present fields must hold."""

    lexicon: tuple[str, ...] = ()
    scores: tuple[tuple[str, float, float], ...] = ()  # (name, min, max)
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    prior_removals: int | None = None
    account_kinds: tuple[str, ...] = ()
    fundraiser: bool | None = None
    post: bool | None = None
    language: str | None = None
    key: str = ""  # id used for the phrases/patterns of this block
    # Score names of ``lexicon`` ("lex.<category>"), built once instead of per comment.
    lex_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # Whether any condition besides lexicon and scores is set (most blocks have none).
    has_other: bool = field(default=True, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lex_keys", tuple(f"lex.{c}" for c in self.lexicon))
        other = (self.phrases, self.patterns, self.account_kinds, self.prior_removals is not None,
                 self.fundraiser is not None, self.post is not None, self.language is not None)  # fmt: skip
        object.__setattr__(self, "has_other", any(other))

    @property
    def empty(self) -> bool:
        """Whether the block has no condition at all (it always holds)."""
        return not (self.lex_keys or self.scores or self.has_other)

    def holds(self, s: Signals) -> bool:
        """Whether every condition of the block holds for ``s``."""
        get = s.scores.get
        if self.lex_keys:
            for k in self.lex_keys:
                if get(k, 0.0) >= 1:
                    break
            else:
                return False
        for name, lo, hi in self.scores:
            v = get(name, 0.0)
            if v < lo or v > hi:
                return False
        if not self.has_other:
            return True
        if self.phrases and self.key not in s.phrase_rules:
            return False
        if self.patterns and self.key not in s.pattern_rules:
            return False
        if self.prior_removals is not None and s.prior_removals < self.prior_removals:
            return False
        if self.account_kinds and s.account_kind not in self.account_kinds:
            return False
        if self.fundraiser is not None and s.fundraiser != self.fundraiser:
            return False
        if self.post is not None and s.post != self.post:
            return False
        return self.language is None or s.language == self.language

    def score_names(self) -> list[str]:
        """Names of the scores this block compares."""
        return [n for n, _, _ in self.scores] + [f"lex.{c}" for c in self.lexicon]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a pack."""

    id: str
    clause: str
    category: str
    priority: int
    action: str
    when: Condition
    any: tuple[Condition, ...] = ()
    reply: Mapping[str, str] = field(default_factory=dict)
    requires_confirmation: bool = False
    confidence: str | None = None
    description: str = ""  # in English: the engine's recorded explanation quotes it
    #: The description in every language the pack gives (``en`` always), for pages in those languages.
    descriptions: Mapping[str, str] = field(default_factory=dict, compare=False)
    when_empty: bool = field(default=False, compare=False, repr=False)
    # The scores its blocks compare, sorted (named in the explanation), built once per rule.
    compared_scores: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "when_empty", self.when.empty)
        names = {n for c in self.conditions() for n, _, _ in c.scores}
        object.__setattr__(self, "compared_scores", tuple(sorted(names)))

    def matches(self, s: Signals) -> bool:
        """Whether the rule fires on ``s``."""
        if not self.when_empty and not self.when.holds(s):
            return False
        if not self.any:
            return True
        for c in self.any:  # noqa: SIM110 - a plain loop avoids a generator per comment
            if c.holds(s):
                return True
        return False

    def conditions(self) -> list[Condition]:
        """The rule's condition blocks."""
        return [self.when, *self.any]

    def owns(self, block_key: str) -> bool:
        """Whether ``block_key`` (``Condition.key``: "<rule id>#when", "<rule id>#any<n>") is one
        of this rule's blocks."""
        return block_key.startswith(f"{self.id}#")


@dataclass(frozen=True, slots=True)
class RulePack:
    """A validated rule pack."""

    name: str
    version: str
    path: Path
    lexicon_files: tuple[Path, ...]
    rules: tuple[Rule, ...]  # sorted by priority, highest first
    default_reply_language: str = "en"

    @classmethod
    def load(cls, path: Path | str | None = None) -> RulePack:
        """Read and validate a pack file."""
        p = Path(path or DEFAULT_PACK)
        try:
            data = yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader
        except (OSError, yaml.YAMLError) as exc:
            raise PackError(f"{p}: cannot read rule pack: {exc}") from exc
        return cls.from_mapping(data, p)

    @classmethod
    def from_mapping(cls, data: Any, path: Path) -> RulePack:
        """Validate an already parsed pack (``path`` is used for messages and relative files)."""
        if not isinstance(data, dict):
            raise PackError(f"{path}: a rule pack must be a mapping")
        for key in ("pack", "version", "rules"):
            if key not in data:
                raise PackError(f"{path}: field {key!r} is required")
        lex = data.get("lexicons", [])
        if not isinstance(lex, list) or not all(isinstance(x, str) for x in lex):
            raise PackError(f"{path}: field 'lexicons' must be a list of file names")
        lex_files = tuple((path.parent / x).resolve() for x in lex)
        for f in lex_files:
            if not f.is_file():
                raise PackError(f"{path}: field 'lexicons': file {f} does not exist")
        if not isinstance(data["rules"], list) or not data["rules"]:
            raise PackError(f"{path}: field 'rules' must be a non-empty list")
        rules: list[Rule] = []
        seen: set[str] = set()
        for n, raw in enumerate(data["rules"]):
            rule = _parse_rule(raw, path, n)
            if rule.id in seen:
                raise PackError(f"{path}: rule {rule.id!r}: field 'id': duplicate id")
            seen.add(rule.id)
            rules.append(rule)
        rules.sort(key=lambda r: -r.priority)
        return cls(
            name=str(data["pack"]),
            version=str(data["version"]),
            path=path,
            lexicon_files=lex_files,
            rules=tuple(rules),
            default_reply_language=str(data.get("default_reply_language", "en")),
        )

    def rules_comparing(self, score: str) -> frozenset[str]:
        """Ids of the rules that compare ``score`` in any of their blocks."""
        return frozenset(r.id for r in self.rules if score in r.compared_scores)

    def phrase_blocks(self) -> list[tuple[str, Sequence[str]]]:
        """(block key, phrases) of every condition block that lists phrases."""
        return [(c.key, c.phrases) for r in self.rules for c in r.conditions() if c.phrases]

    def pattern_blocks(self) -> list[tuple[str, Sequence[str]]]:
        """(block key, patterns) of every condition block that lists patterns."""
        return [(c.key, c.patterns) for r in self.rules for c in r.conditions() if c.patterns]


def _err(path: Path, rule: str, fld: str, msg: str) -> PackError:
    return PackError(f"{path}: rule {rule!r}: field {fld!r}: {msg}")


def _parse_rule(raw: Any, path: Path, n: int) -> Rule:
    if not isinstance(raw, dict):
        raise PackError(f"{path}: rule #{n + 1}: must be a mapping")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise PackError(f"{path}: rule #{n + 1}: field 'id': required, a non-empty string")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise _err(path, rid, sorted(unknown)[0], "unknown field")
    clause = raw.get("clause")
    if not isinstance(clause, str) or clause not in CLAUSE_IDS:
        raise _err(path, rid, "clause", f"{clause!r} is not a clause id of CLAUSES.md")
    cat = raw.get("category")
    if cat not in CATEGORIES:
        raise _err(path, rid, "category", f"{cat!r} is not one of {', '.join(CATEGORIES)}")
    action = raw.get("action")
    if action not in ACTIONS:
        raise _err(path, rid, "action", f"{action!r} is not one of {', '.join(ACTIONS)}")
    prio = raw.get("priority", 0)
    if not isinstance(prio, int) or isinstance(prio, bool):
        raise _err(path, rid, "priority", "must be an integer")
    reply = raw.get("reply") or {}
    if not isinstance(reply, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in reply.items()
    ):
        raise _err(path, rid, "reply", "must map a language code to a text")
    if reply and "en" not in reply:
        raise _err(path, rid, "reply", "needs at least an 'en' text")
    conf = raw.get("requires_confirmation", False)
    if not isinstance(conf, bool):
        raise _err(path, rid, "requires_confirmation", "must be true or false")
    when = _parse_cond(raw.get("when") or {}, path, rid, "when", f"{rid}#when")
    any_raw = raw.get("any") or []
    if not isinstance(any_raw, list):
        raise _err(path, rid, "any", "must be a list of condition blocks")
    anys = tuple(
        _parse_cond(b, path, rid, f"any[{i}]", f"{rid}#any{i}") for i, b in enumerate(any_raw)
    )
    confidence = raw.get("confidence")
    if confidence is not None and not isinstance(confidence, str):
        raise _err(path, rid, "confidence", "must name a score")
    desc = raw.get("description", "")
    if isinstance(desc, str):
        desc = {"en": desc} if desc else {}
    if not isinstance(desc, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in desc.items()
    ):
        raise _err(path, rid, "description", "must be a text, or map a language code to a text")
    if desc and "en" not in desc:
        raise _err(path, rid, "description", "needs at least an 'en' text")
    return Rule(
        id=rid, clause=clause, category=cat, priority=prio, action=action, when=when, any=anys,
        reply=dict(reply), requires_confirmation=conf, confidence=confidence,
        description=desc.get("en", ""), descriptions=dict(desc),
    )  # fmt: skip


def _str_list(v: Any, path: Path, rid: str, fld: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        raise _err(path, rid, fld, "must be a list of strings")
    return tuple(v)


def _parse_cond(raw: Any, path: Path, rid: str, where: str, key: str) -> Condition:
    if not isinstance(raw, dict):
        raise _err(path, rid, where, "must be a mapping of conditions")
    unknown = set(raw) - _COND_KEYS
    if unknown:
        raise _err(path, rid, f"{where}.{sorted(unknown)[0]}", "unknown condition")
    scores: list[tuple[str, float, float]] = []
    for name, th in (raw.get("scores") or {}).items():
        fld = f"{where}.scores.{name}"
        if isinstance(th, bool):
            raise _err(path, rid, fld, "threshold must be a number or {min, max}")
        if isinstance(th, int | float):
            scores.append((str(name), float(th), float("inf")))
        elif isinstance(th, dict) and set(th) <= {"min", "max"} and th:
            lo, hi = th.get("min", float("-inf")), th.get("max", float("inf"))
            if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (lo, hi)):
                raise _err(path, rid, fld, "min and max must be numbers")
            scores.append((str(name), float(lo), float(hi)))
        else:
            raise _err(path, rid, fld, "threshold must be a number or {min, max}")
    patterns = _str_list(raw.get("patterns", []), path, rid, f"{where}.patterns")
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise _err(
                path, rid, f"{where}.patterns", f"bad regular expression {p!r}: {exc}"
            ) from exc
    pr = raw.get("prior_removals")
    if pr is not None and (not isinstance(pr, int) or isinstance(pr, bool) or pr < 0):
        raise _err(path, rid, f"{where}.prior_removals", "must be a non-negative integer")
    for b in ("fundraiser", "post"):
        if b in raw and not isinstance(raw[b], bool):
            raise _err(path, rid, f"{where}.{b}", "must be true or false")
    lang = raw.get("language")
    if lang is not None and lang not in ("en", "es"):
        raise _err(path, rid, f"{where}.language", "must be 'en' or 'es'")
    return Condition(
        lexicon=_str_list(raw.get("lexicon", []), path, rid, f"{where}.lexicon"),
        scores=tuple(scores),
        phrases=_str_list(raw.get("phrases", []), path, rid, f"{where}.phrases"),
        patterns=patterns,
        prior_removals=pr,
        account_kinds=_str_list(raw.get("account_kinds", []), path, rid, f"{where}.account_kinds"),
        fundraiser=raw.get("fundraiser"),
        post=raw.get("post"),
        language=lang,
        key=key,
    )

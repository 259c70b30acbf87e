"""Word lists matched in linear time with one Aho-Corasick automaton over normalized tokens.

Every entry is normalized exactly like a comment, then padded with spaces so that it only matches
whole words (``"word"``), word starts (``"stem*"``) or, for the few strings that are never part of
a clean word, anywhere (``"*part*"``). Letters an author doubles or stretches ("fuuuuck") are
matched by adding, for every one-word entry, the variants with one or two letters doubled — the
normalizer squeezes longer runs to two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import ahocorasick
import yaml

from .normalize import NormText, normalize

__all__ = ["Hit", "Lexicon", "LexiconError", "CATEGORIES"]

# The C implementation of the *safe* loader when libyaml is there (5x faster start-up).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Lexicon categories a pack may define.
CATEGORIES = (
    "profanity", "slur", "insult", "sexual", "substance", "threat", "veiled", "selfharm",
    "private", "offtopic", "promo", "allow",
)  # fmt: skip

# Categories whose words a masked token ("f***", "b*tch") may stand for, in order of preference.
_MASKABLE = ("profanity", "slur", "sexual")
_INFLECTIONS = ("s", "es", "ing", "in", "ed", "er", "ers", "y", "hole", "head")


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names the file, the category and the entry."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One lexicon match: the entry, its category and the tokens (and original span) it covers."""

    category: str
    term: str
    first_token: int
    last_token: int  # inclusive
    span: tuple[int, int]
    language: str


@dataclass(frozen=True, slots=True)
class _Entry:
    category: str
    term: str
    language: str
    mode: str  # "word", "prefix", "infix"


def _variants(word: str) -> set[str]:
    """The word with one or two of its letters doubled (the normalizer squeezes to two)."""
    out = {word}
    idx = [i for i, c in enumerate(word) if c.isalpha() and not (i + 1 < len(word) and word[i + 1] == c)
           and not (i > 0 and word[i - 1] == c)]  # fmt: skip
    for i in idx:
        out.add(word[: i + 1] + word[i] + word[i + 1 :])
    if len(word) <= 9:
        for i, j in combinations(idx, 2):
            out.add(word[: i + 1] + word[i] + word[i + 1 : j + 1] + word[j] + word[j + 1 :])
    return out


class Lexicon:
    """All word lists of a rule pack, compiled into one automaton."""

    def __init__(self, entries: Iterable[_Entry]) -> None:
        self._auto = ahocorasick.Automaton()
        self._mask_words: dict[str, list[str]] = {}
        self.size = 0
        self.languages: set[str] = set()
        table: dict[str, list[_Entry]] = {}
        order = {c: i for i, c in enumerate(CATEGORIES)}
        for e in sorted(entries, key=lambda e: order.get(e.category, len(order))):
            self.size += 1
            self.languages.add(e.language)
            words = [e.term]
            if " " not in e.term and e.category != "allow":
                words = sorted(_variants(e.term))
            for w in words:
                key = {"word": f" {w} ", "prefix": f" {w}", "infix": w, "suffix": f"{w} "}[e.mode]
                table.setdefault(key, []).append(e)
            if e.category in _MASKABLE and " " not in e.term:
                forms = [e.term]
                if e.mode != "word":
                    forms += [e.term + suf for suf in _INFLECTIONS]
                self._mask_words.setdefault(e.term[:1], []).extend(forms)
        for key, ents in table.items():
            self._auto.add_word(key, (len(key), tuple(ents)))
        if table:
            self._auto.make_automaton()
        self._empty = not table
        for k, words in self._mask_words.items():
            self._mask_words[k] = list(dict.fromkeys(words))  # lexicon order: profanity first

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def from_files(
        cls, paths: Iterable[Path], extra: Iterable[tuple[str, Iterable[str]]] = ()
    ) -> Lexicon:
        """Load lexicon YAML files; raise :class:`LexiconError` naming file, category and entry.

        ``extra`` adds (key, phrases) groups, e.g. the phrases of rule-pack conditions; their hits
        come back with category ``"rule:<key>"``, so everything is matched by one automaton.
        """
        entries: list[_Entry] = []
        for path in paths:
            entries.extend(_read_file(Path(path)))
        for key, phrases in extra:
            for ph in phrases:
                entries.append(_parse_entry(ph, f"rule:{key}", "any", f"rule {key}"))
        return cls(entries)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], source: str = "<memory>") -> Lexicon:
        """Build a lexicon from an already parsed mapping (used by tests)."""
        return cls(_read_mapping(data, source))

    # -- matching --------------------------------------------------------------------------
    def resolve_masks(self, norm: NormText) -> NormText:
        """Replace masked tokens ("f***ing", "sh*t") by the lexicon word they most likely hide."""
        if "*" not in norm.joined:
            return norm  # the common case: no masked token
        toks = list(norm.tokens)
        for i, tok in enumerate(toks):
            if "*" not in tok:
                continue
            stripped = tok.replace("*", "")
            if not stripped or not tok[0].isalpha():
                toks[i] = stripped or tok
                continue
            pat = re.compile(
                "".join("[a-zñ]{1,4}" if c == "*" else re.escape(c) for c in tok) + "$"
            )
            cands = self._mask_words.get(tok[0], ())
            found = next((w for w in cands if len(w) >= len(stripped) and pat.match(w)), None)
            toks[i] = found or stripped
        return NormText(norm.original, tuple(toks), norm.spans)

    def scan(self, norm: NormText, allowed_out: list[tuple[int, int]] | None = None) -> list[Hit]:
        """All hits in ``norm`` (masks must already be resolved), minus those inside allow phrases.

        ``allowed_out``, if given, receives the (first, last) tokens of every allow phrase found.
        """
        if self._empty or not norm.tokens:
            return []
        text = " " + norm.joined + " "
        found = list(self._auto.iter(text))
        if not found:
            return []  # the common case: no word of any list, no token offsets needed
        raw: list[Hit] = []
        allowed: list[tuple[int, int]] = []
        # One hit per (category, first token, last token), the first found: several keys (the
        # doubled-letter variants, the same word in two lists) can cover the same tokens.
        seen: set[tuple[str, int, int]] = set()
        count = text.count
        for end, (length, ents) in found:
            s, e = end - length + 1, end  # inclusive char range in ``text``
            if text[s] == " ":
                s += 1
            if text[e] == " ":
                e -= 1
            # Tokens have no spaces and ``text`` starts with one: the token holding a character is
            # the number of spaces before it, minus one (a count in C, no offsets table).
            first = count(" ", 0, s) - 1
            last = count(" ", 0, e) - 1
            if first < 0 or last < first:
                continue
            span = (norm.spans[first][0], norm.spans[last][1])
            for ent in ents:
                if ent.category == "allow":
                    allowed.append((first, last))
                    continue
                key = (ent.category, first, last)
                if key not in seen:
                    seen.add(key)
                    raw.append(Hit(ent.category, ent.term, first, last, span, ent.language))
        if allowed_out is not None:
            allowed_out.extend(allowed)
        if allowed:
            # Dropping them after the de-duplication above gives what dropping them first would:
            # all hits of one key cover the same tokens.
            raw = [h for h in raw if not any(a <= h.first_token and h.last_token <= b
                                             for a, b in allowed)]  # fmt: skip
        return raw


def _read_file(path: Path) -> list[_Entry]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: cannot read lexicon: {exc}") from exc
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: a lexicon file must be a mapping of category to entries")
    return _read_mapping(data, str(path))


def _read_mapping(data: Mapping[str, object], source: str) -> list[_Entry]:
    language = data.get("language")
    if not isinstance(language, str) or not language:
        raise LexiconError(f"{source}: field 'language' is required (e.g. en, es)")
    out: list[_Entry] = []
    for cat, items in data.items():
        if cat == "language":
            continue
        if cat not in CATEGORIES:
            raise LexiconError(
                f"{source}: unknown category {cat!r}; expected one of {', '.join(CATEGORIES)}"
            )
        if not isinstance(items, list):
            raise LexiconError(f"{source}: category {cat!r} must be a list of strings")
        for item in items:
            if not isinstance(item, str) or not item.strip():
                raise LexiconError(f"{source}: category {cat!r}: entry {item!r} is not a string")
            out.append(_parse_entry(item, cat, language, source))
    return out


def _parse_entry(item: str, cat: str, language: str, source: str) -> _Entry:
    s = item.strip()
    mode = "word"
    if s.startswith("*") and s.endswith("*") and len(s) > 2:
        mode, s = "infix", s[1:-1]
    elif s.startswith("*"):
        mode, s = "suffix", s[1:]
    elif s.endswith("*"):
        mode, s = "prefix", s[:-1]
    toks = normalize(s).tokens
    if not toks or any("*" in t for t in toks):
        raise LexiconError(f"{source}: category {cat!r}: entry {item!r} normalizes to nothing")
    term = " ".join(toks)
    if mode == "suffix":
        # "*word": the word at the end of a longer one ("bullshit").
        return _Entry(cat, term, language, "suffix")
    return _Entry(cat, term, language, mode)

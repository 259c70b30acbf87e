"""Text normalization that defeats disguise without the Scunthorpe problem.

The normalizer turns a comment into a list of *tokens* (whole words), each remembering the span of
the original text it came from, so that evidence can point at what the author actually wrote.

Disguises undone here: Unicode compatibility forms (NFKC: fullwidth, math alphabets, circled
letters), case, accents (but ``ñ`` is kept: Spanish "año" and "ano" differ), confusable letters from
Cyrillic and Greek, zero-width and invisible characters, leetspeak inside words (``sh1t``, ``a$$``),
masking (``f***``, ``sh*t``; resolved against the lexicon by the caller), spaced or dotted letters
(``f u c k``, ``f.u.c.k``), letters repeated three times or more, and a small emoji table.

Scunthorpe is avoided by matching whole tokens only (the lexicon matcher pads every token with
spaces), so "Scunthorpe", "assessment" and "Essex" never contain a hit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import chain, repeat
from typing import cast

__all__ = ["NormText", "normalize", "light_normalize", "EMOJI_TOKENS"]

# Invisible characters used to split words without a visible gap.
_INVISIBLE = {
    "\u00ad", "\u034f", "\u061c", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u180e",
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
    "\u202e", "\u2060", "\u2061", "\u2062", "\u2063", "\u2064", "\ufeff",
}  # fmt: skip

# Letters from other scripts that look like Latin ones (a hand table of the common cases;
# NFKC already folds fullwidth and mathematical alphabets).
_CONFUSABLES = {
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "у": "y", "х": "x", "ԝ": "w", "ь": "b", "ѵ": "v", "п": "n",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "µ": "u", "μ": "u", "ı": "i", "ȷ": "j",
    "ɑ": "a", "ɡ": "g", "ɩ": "i", "ɪ": "i", "ʏ": "y", "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d",
    "ᴇ": "e", "ғ": "f", "ʜ": "h", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o",
    "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
    "ø": "o", "ð": "d", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
}  # fmt: skip

# Symbols and digits read as letters, only inside a token that also has a letter.
_LEET = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g", "8": "b",
    "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e", "¢": "c", "£": "l",
}  # fmt: skip
_MASK = {"*", "#", "•", "·"}
_TOKEN_SYMBOLS = set(_LEET) | _MASK | {"'", "’"}
_STRIP_EDGE = "!|'’#+@.·•"

#: Emoji that carry meaning for moderation become tokens the lexicon can name.
EMOJI_TOKENS = {
    "🖕": "emojimiddlefinger", "🍆": "emojieggplant", "🍑": "emojipeach", "💦": "emojidroplets",
    "👅": "emojitongue", "🔫": "emojigun", "🔪": "emojiknife", "🗡": "emojiknife", "💣": "emojibomb",
    "🧨": "emojibomb", "⚰": "emojicoffin", "🪦": "emojicoffin", "🍺": "emojibeer", "🍻": "emojibeer",
    "🍷": "emojiwine", "🥃": "emojiliquor", "🍾": "emojiliquor", "🍸": "emojiliquor", "🌿": "emojiherb",
    "🍃": "emojiherb", "💨": "emojismoke", "🚬": "emojicigarette", "💊": "emojipill", "💉": "emojineedle",
    "🤬": "emojicursing", "💩": "emojipoop", "🐷": "emojipig", "🐖": "emojipig", "🐒": "emojimonkey",
    "🐵": "emojimonkey", "🦍": "emojigorilla", "💰": "emojimoney", "🤑": "emojimoney",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class NormText:
    """A normalized comment: whole-word tokens and where each came from in the original."""

    original: str
    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    @property
    def joined(self) -> str:
        """Tokens joined by single spaces (what the lexicon and the models read)."""
        return " ".join(self.tokens)


_char_cache: dict[str, str] = {}


def _map_char(c: str) -> str:
    """Fold one character: NFKC, lower case, confusables, accents (keeping ñ), invisibles."""
    got = _char_cache.get(c)
    if got is not None:
        return got
    if c in _INVISIBLE or "\ufe00" <= c <= "\ufe0f" or "\U000e0000" <= c <= "\U000e007f":
        out = ""
    elif c in EMOJI_TOKENS:
        out = " " + EMOJI_TOKENS[c] + " "
    else:
        parts = []
        for ch in unicodedata.normalize("NFKC", c).lower():
            ch = _CONFUSABLES.get(ch, ch)
            if ch == "ñ":
                parts.append(ch)
                continue
            dec = unicodedata.normalize("NFD", ch)
            parts.append("".join(x for x in dec if not unicodedata.combining(x)))
        out = "".join(parts)
    if len(_char_cache) < 50_000:
        _char_cache[c] = out
    return out


_REPEAT = re.compile(r"(.)\1{2,}")


def _double(m: re.Match[str]) -> str:
    return m.group(1) * 2


def _squeeze(tok: str) -> str:
    """Letters repeated three or more times count twice ("fuuuuck" -> "fuuck")."""
    return _REPEAT.sub(_double, tok)


def _finish(raw: str) -> str | None:
    """Turn a raw token (letters, digits, leet symbols) into its normalized form, or None."""
    raw = raw.lstrip(_STRIP_EDGE).rstrip("!|'’#+@.·•")
    if not raw:
        return None
    if not any(map(str.isalpha, raw)):
        digits = "".join(filter(str.isdigit, raw))
        return digits or None
    out = []
    for ch in raw:
        if ch in ("'", "’"):
            continue
        if ch in _MASK:
            out.append("*")
        elif ch.isalpha():
            out.append(ch)
        else:
            out.append(_LEET.get(ch, ""))
    tok = _squeeze("".join(out))
    return tok or None


# A token is a run of word characters (not "_") and leet or mask symbols. The text is matched
# with "_" replaced by a space (same length, so spans hold): one character class with ``\w`` runs
# about twice as fast as the equivalent ``(?:[^\W_]|[@$…])+``.
_TOKEN = re.compile(r"[\w@$!|*#+'’€¢£•·]+")
_SPAN = re.Match.span

# The normalized form of every distinct raw token seen ("" when it normalizes to nothing, like a
# lone "$"). Comments reuse a small set of words, so most tokens cost one dictionary look-up in
# C (``map(dict.get, …)``) instead of a Python call each; the form depends on the raw token alone.
_word_cache: dict[str, str] = {}


def _fold_word(raw: str) -> str:
    """The normalized form of one raw token, or "" (cached): plain words squeezed, others
    finished (leet, masks, digits; ``_finish`` squeezes too)."""
    got = _word_cache.get(raw)
    if got is None:
        got = (_squeeze(raw) if raw.isalpha() else _finish(raw)) or ""
        if len(_word_cache) < 200_000:
            _word_cache[raw] = got
    return got


# The folded form (see _map_char) of every character seen in a non-ASCII text, as one
# ``str.translate`` table, so that a text is folded without a Python call per character; ``_MULTI``
# holds those whose folded form is not exactly one character. ``_FOLDED`` (the characters in the
# table) is filled last, so a character in it always has its entry. Bounded: past the bound, a text
# with a new character takes the loop below (the same result, slower).
_FOLD_TABLE: dict[int, str] = {}
_MULTI: set[str] = set()
_FOLDED: set[str] = set()
_MAX_FOLDED = 100_000


def _map_text(text: str) -> tuple[str, list[int] | None]:
    """Fold every character; return the folded text and, unless it is the identity, the index in
    ``text`` of every folded character."""
    if text.isascii():
        return text.lower(), None  # same length: positions are unchanged
    chars = set(text)
    unseen = chars.difference(_FOLDED)
    if unseen and len(_FOLDED) < _MAX_FOLDED:
        for c in unseen:
            m = _map_char(c)
            _FOLD_TABLE[ord(c)] = m
            if len(m) != 1:
                _MULTI.add(c)
        _FOLDED.update(unseen)
        unseen = set()
    # When every character folds to exactly one character (accents, curly quotes, confusables),
    # positions are unchanged too: fold with one translate.
    if not unseen:
        if _MULTI.isdisjoint(chars):
            return text.translate(_FOLD_TABLE), None
        if "\u0303" not in text:  # no decomposed ñ to put together: translate too
            # The positions: each index of ``text`` repeated as often as its folded form is long
            # (zero times for an invisible character such as the byte-order mark), all in C; the
            # same as the loop below gives.
            lengths = map(len, map(_FOLD_TABLE.__getitem__, map(ord, text)))
            indices = chain.from_iterable(map(repeat, range(len(text)), lengths))
            return text.translate(_FOLD_TABLE), list(indices)
    mapped: list[str] = []
    origin: list[int] = []
    prev_n = False
    for i, c in enumerate(text):
        if c == "\u0303" and prev_n:  # decomposed ñ
            mapped[-1] = "ñ"
            continue
        m = _map_char(c)
        for ch in m:
            mapped.append(ch)
            origin.append(i)
        prev_n = bool(m) and m[-1] == "n"
    return "".join(mapped), origin


def _single_run(words: list[str]) -> bool:
    """Whether three or more single-letter words follow each other (a possible "f u c k")."""
    if list(map(len, words)).count(1) < 3:
        return False  # the common case, counted in C
    run = 0
    for w in words:
        if len(w) == 1:
            run += 1
            if run >= 3:
                return True
        else:
            run = 0
    return False


def normalize(text: str) -> NormText:
    """Normalize ``text`` into whole-word tokens with their original spans.

    Masked tokens keep ``*`` for the lexicon to resolve (see :mod:`lexicon`).
    """
    mapped, origin = _map_text(text)
    if "_" in mapped:
        mapped = mapped.replace("_", " ")  # "_" separates tokens (see _TOKEN)
    found = list(map(_SPAN, _TOKEN.finditer(mapped)))
    words = [mapped[s:e] for s, e in found]
    cached = list(map(_word_cache.get, words))
    if None in cached:
        toks = [t if t is not None else _fold_word(w) for t, w in zip(cached, words, strict=True)]
    else:
        toks = cast("list[str]", cached)
    if "" in toks:
        # A token that finishes to nothing (a lone "$") is dropped with its span.
        found = [sp for sp, t in zip(found, toks, strict=True) if t]
        toks = [t for t in toks if t]
    # Three single letters in a row may be a spaced-out word ("f u c k"): the general loop.
    if _single_run(toks):
        return _normalize_runs(text, mapped, origin)
    if origin is not None:
        found = [(origin[s], origin[e - 1] + 1) for s, e in found]
    return NormText(text, tuple(toks), tuple(found))


def _normalize_runs(text: str, mapped: str, origin: list[int] | None) -> NormText:
    """The token loop with merging of single-letter runs ("f u c k", "f.u.c.k")."""
    found = [m.span() for m in _TOKEN.finditer(mapped)]
    words = [mapped[s:e] for s, e in found]
    toks: list[str] = []
    spans: list[tuple[int, int]] = []
    singles: list[int] = []  # indices in toks of single-letter tokens for run merging
    last_end = -1
    add_tok, add_span = toks.append, spans.append
    for (s, e), raw in zip(found, words, strict=True):
        tok = _fold_word(raw)
        if not tok:
            continue
        # Spaced or dotted letters: "f u c k", "f.u.c.k", "f - u - c - k".
        if len(tok) != 1 or not tok.isalpha():
            if singles:
                _merge_run(toks, spans, singles)
                singles = []
            add_tok(tok)
            add_span((s, e) if origin is None else (origin[s], origin[e - 1] + 1))
            last_end = e
            continue
        if origin is None:
            o_start, o_end = s, e
        else:
            o_start, o_end = origin[s], origin[e - 1] + 1
        gap = mapped[last_end:s] if last_end >= 0 else "\n"
        if singles and len(gap) <= 3 and "\n" not in gap:
            singles.append(len(toks))
        else:
            _merge_run(toks, spans, singles)
            singles = [len(toks)]
        add_tok(tok)
        add_span((o_start, o_end))
        last_end = e
    _merge_run(toks, spans, singles)
    return NormText(text, tuple(toks), tuple(spans))


def _merge_run(toks: list[str], spans: list[tuple[int, int]], singles: list[int]) -> None:
    """Merge a run of three or more single letters at the end of ``toks`` into one word."""
    if len(singles) < 3 or singles[-1] != len(toks) - 1:
        return
    first = singles[0]
    word = _squeeze("".join(toks[first:]))
    span = (spans[first][0], spans[-1][1])
    del toks[first:]
    del spans[first:]
    toks.append(word)
    spans.append(span)


_WS = re.compile(r"\s+")
_DROP = {ord(c): None for c in _INVISIBLE}


def light_normalize(text: str) -> str:
    """NFKC, lower case, invisible characters removed; punctuation and digits kept.

    Used for structured patterns (phone numbers, e-mail addresses, street addresses).
    """
    out = (text if text.isascii() else unicodedata.normalize("NFKC", text).translate(_DROP)).lower()
    if "  " not in out and out.isprintable():
        return out  # no whitespace but single spaces (every other kind is not printable)
    return _WS.sub(" ", out)

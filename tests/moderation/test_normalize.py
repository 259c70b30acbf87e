"""Normalization undoes disguise and keeps clean words clean (no Scunthorpe problem)."""

from __future__ import annotations

import pytest

from steward.moderation.engine.lexicon import Lexicon
from steward.moderation.engine.normalize import normalize
from steward.moderation.engine.rules import RulePack

CLEAN = [
    "Essex St",
    "Scunthorpe",
    "assessment",
    "Dick's Sporting Goods",
    "Gamecocks",
    "sex education opt-out forms",
    "the gay-straight alliance meets Thursday",
    "la computadora del salón",
    "Feliz año nuevo",
    "Class of 2026, 9am at Veterans Stadium",
    "we murdered them out there",
    "that dunk was nasty",
    "this team is a beast",
    "the vaping prevention night",
]

DISGUISED = [
    ("fuck", "fuck"),
    ("F.U.C.K", "fuck"),
    ("f u c k", "fuck"),
    ("f-u-c-k", "fuck"),
    ("Ｆｕｃｋ", "fuck"),  # fullwidth
    ("f\u200bu\u200cck", "fuck"),  # zero-width characters
    ("fυck", "fuck"),  # Greek upsilon
    ("fuсk", "fuck"),  # Cyrillic es
    ("fuuuuuuck", "fuck"),
    ("f***", "fuck"),
    ("f***ing", "fuck"),
    ("sh1t", "shit"),
    ("sh*t", "shit"),
    ("$hit", "shit"),
    ("a$$hole", "asshole"),
    ("b!tch", "bitch"),
    ("p*nd*jo", "pendejo"),
    ("PENDEJOOOO", "pendejo"),
    ("c*ño", "coño"),
    ("m i e r d a", "mierda"),
    ("🖕", "emojimiddlefinger"),
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.from_files(RulePack.load().lexicon_files)


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_has_no_lexicon_hit(lexicon: Lexicon, text: str) -> None:
    hits = [h for h in lexicon.scan(lexicon.resolve_masks(normalize(text)))
            if h.category in ("profanity", "slur", "sexual", "insult", "threat")]  # fmt: skip
    assert hits == [], hits


@pytest.mark.parametrize(("text", "term"), DISGUISED)
def test_disguised_profanity_is_found(lexicon: Lexicon, text: str, term: str) -> None:
    hits = lexicon.scan(lexicon.resolve_masks(normalize(f"well {text} this")))
    assert any(h.term == term for h in hits), (text, hits)


def test_spans_point_at_the_original_text(lexicon: Lexicon) -> None:
    text = "ok so f.u.c.k this bus"
    hit = lexicon.scan(lexicon.resolve_masks(normalize(text)))[0]
    assert text[hit.span[0] : hit.span[1]] == "f.u.c.k"


def test_enye_is_kept_apart_from_n() -> None:
    assert normalize("año").tokens == ("año",)
    assert normalize("Canción").tokens == ("cancion",)


def test_single_letters_are_not_merged_below_three() -> None:
    assert normalize("I got an A in math").tokens == ("i", "got", "an", "a", "in", "math")


# Texts for the fast paths below: underscores, leet, masks, digits, repeats, spaced letters,
# confusables, emoji and a decomposed ñ.
TRICKY = [
    "foo_bar __init__ _x_", "sh1t a$$hole f***ing $ 100% $20", "fuuuuuck PENDEJOOOO zzz 0000",
    "f u c k y o u", "f.u.c.k", "a b", "I I I", "ѕhіt ｆｕｃｋ 🖕🖕", "an\u0303o n\u0303", "b!tch!!! |ol|",
    "x\u200by mañana l'école it’s", "9qZX•$+½ ﬁre ²", "@user_name #tag", "", "\ufeffhello wörld",
]


def test_token_pattern_is_the_spelled_out_one() -> None:
    """Tokens are matched with one ``\\w`` class over the text with "_" made a space; that must
    find exactly the spans of the spelled-out definition (word characters but "_", and symbols)."""
    import re

    from steward.moderation.engine.normalize import _TOKEN, _map_text

    spelled_out = re.compile(r"(?:[^\W_]|[@$!|*#+'’€¢£•·])+")
    for text in TRICKY:
        mapped = _map_text(text)[0]
        fast = [m.span() for m in _TOKEN.finditer(mapped.replace("_", " "))]
        assert fast == [m.span() for m in spelled_out.finditer(mapped)], text
    assert normalize("foo_bar").tokens == ("foo", "bar")


def test_word_cache_does_not_change_the_result() -> None:
    """A token's normalized form is cached per raw token: a cold and a warm run agree."""
    from steward.moderation.engine import normalize as module

    module._word_cache.clear()
    cold = [normalize(t) for t in TRICKY]
    warm = [normalize(t) for t in TRICKY]
    assert cold == warm
    assert module._word_cache  # the second run read the cache
    assert normalize("PENDEJOOOO a$$hole $").tokens == ("pendejoo", "asshole")


def test_fold_table_gives_what_folding_each_character_gives() -> None:
    """Non-ASCII text is folded with one shared translate table; it must equal folding every
    character (and give positions whenever a character folds to more or fewer than one)."""
    from steward.moderation.engine.normalize import _map_char, _map_text

    for text in TRICKY:
        mapped, origin = _map_text(text)
        folded = [_map_char(c) for c in text]
        if origin is None:
            assert mapped == "".join(folded) and all(len(f) == 1 for f in folded), text
        elif "\u0303" not in text:
            assert mapped == "".join(folded), text
            assert origin == [i for i, f in enumerate(folded) for _ in f], text
        else:
            assert len(origin) == len(mapped), text
    assert _map_text("Ｆｕｃｋ ѕhіt")[0] == "fuck shit"
    assert _map_text("a🖕b") == ("a emojimiddlefinger b", [0] + [1] * 19 + [2])


def test_hits_name_the_tokens_they_cover(lexicon: Lexicon) -> None:
    """The scan finds a hit's tokens by counting the spaces before it; check them on whole words,
    prefixes, infixes ("*fuck*") and phrases, first, middle and last in the comment."""
    texts = ["fuck you", "you motherfucking idiot", "well sh1t happens to a dumbass",
             "I will kill you", "no, the bus is late; kill yourself"]  # fmt: skip
    for text in texts:
        norm = lexicon.resolve_masks(normalize(text))
        hits = lexicon.scan(norm)
        assert hits, text
        for h in hits:
            covered = " ".join(norm.tokens[h.first_token : h.last_token + 1])
            assert h.term in covered, (text, h)
            assert h.span == (norm.spans[h.first_token][0], norm.spans[h.last_token][1])


def test_one_hit_per_category_and_tokens_and_allow_phrases_cancel(lexicon: Lexicon) -> None:
    """Hits are de-duplicated while they are found (several keys can cover the same tokens) and
    allow phrases are applied after: each (category, tokens) once, none inside an allow phrase."""
    # "motherfucker" is found by three profanity keys ("motherf*", "motherfuck*", "*fuck*").
    hits = lexicon.scan(lexicon.resolve_masks(normalize("motherfucker, shit and fuuuuck")))
    keys = [(h.category, h.first_token, h.last_token) for h in hits]
    assert len(keys) == len(set(keys)) and {k[1] for k in keys} == {0, 1, 3}
    assert not [h for h in lexicon.scan(normalize("Dick's Sporting Goods")) if h.category != "allow"]

"""Structural signals: the cheap pre-tests never hide a match of the full patterns."""

from __future__ import annotations

from steward.moderation.engine.normalize import light_normalize
from steward.moderation.engine.signals import _COMPILED, _DISTRICT_MAIL, structural

TEXTS = [
    "call me at 978-555-0123 or (978) 555 0123", "+1 978.555.0123", "write to ana.perez@gmail.com",
    "LPShelp@lawrence.k12.ma.us answered", "@lps_news @ab", "a@b", "x@y.z", "me@site.org.",
    "buy at www.shop.com today", "lps.shop/deals", "see https://x.io/a", "i.e. no link here.",
    "$20 a ticket", "20 dollars", "20dólares", "veinte usd", "12 Main St", "1234 Essex Street",
    "45 South Union ave", "calle Broadway #12", "avenida Central 5", "5 de la calle Lowell",
    "12\tmain st", "Class of 2026", "100% agree", "", "no digits, no at, no dot",
    "٣ main st", "call ٩٧٨٥٥٥٠١٢٣", "a cut-off link http://&#8230;", "https://", "ftp://host",
]  # fmt: skip


def _every_pattern(light: str) -> tuple[dict[str, float], list[tuple[str, int, int]]]:
    """What ``structural`` gives with every pattern run on every text (no pre-test)."""
    counts = {f"sig.{k}": 0.0 for k in _COMPILED}
    spans = []
    for kind, pat in _COMPILED.items():
        for m in pat.finditer(light):
            if kind == "email" and _DISTRICT_MAIL.search(m.group(0)):
                continue
            counts[f"sig.{kind}"] += 1.0
            spans.append((kind, m.start(), m.end()))
    return counts, spans


def test_pre_tests_do_not_change_the_signals() -> None:
    # A link cut off before its dot is still a link.
    assert structural("see http://&#8230;")[0]["sig.url"] == 1.0
    for text in TEXTS:
        light = light_normalize(text)
        assert structural(light) == _every_pattern(light), text
    counts, _ = structural(light_normalize("write to ana.perez@gmail.com, 12 Main St"))
    assert counts["sig.email"] == 1.0 and counts["sig.address"] == 1.0


def test_name_pre_test_does_not_change_the_answer() -> None:
    from steward.moderation.engine.signals import _NAME, _NOT_NAMES, looks_like_name

    def every_match(text: str) -> bool:
        return any(m.group(1).lower() not in _NOT_NAMES and m.group(2).lower() not in _NOT_NAMES
                   for m in _NAME.finditer(text))  # fmt: skip

    texts = ["Kevin Morales was late", "ask Yaritza  Peña", "Lawrence High School", "I Am",
             "KEVIN MORALES", "kevin morales", "Mr Smith", "Ana\tRuiz", "Go Lancers! Great Game",
             "É O"]  # fmt: skip
    for text in texts:
        assert looks_like_name(text) == every_match(text), text
    assert looks_like_name("Kevin Morales was late")


def test_short_comments_are_told_apart_by_their_verbs() -> None:
    from steward.moderation.engine.normalize import normalize
    from steward.moderation.engine.signals import detect_language

    def lang(text: str) -> str:
        return detect_language(normalize(text).tokens)

    assert [lang(t) for t in ("Quiero desaparecer", "Voy a matarme", "Ya no puedo más")] == ["es"] * 3
    assert [lang(t) for t in ("I want to disappear", "I want a car", "Nobody would miss me")] == ["en"] * 3
    assert lang("Voy a la escuela") == "es" and lang("Go Lancers") == "en"  # a tie stays English


def test_a_comment_is_a_question_only_when_it_ends_as_one() -> None:
    from steward.moderation.engine.signals import is_question

    asks = ["Is the booster club still selling the Lancers hoodies for the trip?",
            "¿Todavía venden las camisetas del equipo?", "Where can I buy tickets? 🙏",
            'She said "when?"', "what?!", "Will there be a bake sale? ) "]  # fmt: skip
    offers = ["Need braids done? DM me", "Want to earn $500 a week? Click the link",
              "¿Buscas trabajo? Llámame", "No question here", "Why? Because we sell the best tacos."]  # fmt: skip
    assert [t for t in asks if not is_question(t)] == []
    assert [t for t in offers if is_question(t)] == []


def test_rule_only_signals_are_no_feature_of_the_model() -> None:
    # The shipped model never learned "is a question"; the rules read it, the model must not.
    from steward.moderation.engine.signals import RULE_ONLY_SIGNALS, pseudo_tokens

    struct = {"sig.url": 1.0, "sig.question": 1.0}
    assert "sig.question" in RULE_ONLY_SIGNALS
    assert pseudo_tokens("Any hoodies left?", set(), struct, None, with_post=False) == ("__sig_url",)

"""Name-calling aimed at the district's officials and bodies is held for a person, never hidden by
the engine alone (records-and-law.md part B, MOD-4; rule ``lps.offensive.official``); the same
insult aimed at a private person is hidden, and profanity is removed whoever it names."""

from __future__ import annotations

import pytest

from steward.moderation.engine import Context, Engine

BUDGET = "The School Committee voted 5-2 last night to approve the FY27 budget, which closes the Leahy School."


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.mark.parametrize("text", [
    "The school committee is a clown show.",
    "El superintendente es un payaso, que renuncie.",
    "This board is a bunch of clowns and liars",
    "La alcaldesa y el comité son unos payasos",
])  # fmt: skip
def test_insults_at_officials_wait_for_a_person(engine: Engine, text: str) -> None:
    v = engine.judge(text, Context(post=BUDGET))
    assert (v.category, v.action, v.requires_confirmation) == ("offensive", "hold", True), v.evidence.rule_id


def test_the_same_insult_at_a_neighbour_is_hidden_and_profanity_at_an_official_too(engine: Engine) -> None:
    assert engine.judge("You are a clown", Context(post=BUDGET)).action == "hide"
    v = engine.judge("The superintendent is a f***ing clown", Context(post=BUDGET))
    assert (v.category, v.action) == ("profanity", "hide")

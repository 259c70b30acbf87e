"""Everyday words that a word list can mistake for abuse, in the two languages of the district's
families: each sentence below is kept. (Found by trying common Spanish and English words against
the lexicons; none of these sentences is in the labeled set.)"""

from __future__ import annotations

import pytest

from steward.moderation.engine import Context, Engine

UNIFORM = "Uniform reminder: students wear the school uniform every day starting Monday."
GRADUATION = "Congratulations to the Class of 2026! Graduation is Friday at Veterans Stadium."
LUNCH = "This week's lunch menu: arroz con pollo, tacos, pizza and fish sticks."
LOST = "Lost and found: coats and bags left in the gym will be donated Friday."
SCIENCE = "Science fair Thursday: the second graders show their class pet projects."


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.mark.parametrize(("text", "post"), [
    ("Pantalón negro y camisa blanca, ¿verdad?", UNIFORM),
    ("Mi hijo perdió su abrigo negro en el gimnasio, ¿alguien lo vio?", LOST),
    ("¿Se permiten medias negras?", UNIFORM),
    ("My daughter graduated summa cum laude, so proud!", GRADUATION),
    ("Magna cum laude y primera de su familia en graduarse", GRADUATION),
    ("¿Hay opción sin cerdo? Gracias", LUNCH),
    ("The second graders' guinea pig project won a ribbon", SCIENCE),
])  # fmt: skip
def test_everyday_sentences_are_kept(engine: Engine, text: str, post: str) -> None:
    v = engine.judge(text, Context(post=post))
    assert (v.category, v.action) == ("ok", "keep"), (v.category, v.evidence.rule_id, v.evidence.spans)


@pytest.mark.parametrize("text", ["negro de mierda", "you people are dirty negroes"])
def test_the_slur_uses_are_still_caught(engine: Engine, text: str) -> None:
    assert engine.judge(text).category == "offensive"

"""Viewpoint neutrality: criticism is never removed (PETA v. Tabak; CLAUSES.md)."""

from __future__ import annotations

import pytest

from steward.moderation.engine import REMOVING_ACTIONS, Engine
from steward.moderation.engine import datasets as ds
from steward.moderation.engine.public_eval import criticisms_removed


def test_the_labeled_set_is_big_enough_and_has_100_criticisms() -> None:
    rows = ds.school("all")
    assert len(rows) >= 400
    assert {e.label for e in rows} == {
        "ok", "profanity", "offensive", "inappropriate", "personal_issue", "off_topic",
        "commercial", "safety", "privacy",
    }  # fmt: skip
    crit = [e for e in rows if e.row.get("criticism")]
    assert len(crit) >= 100 and all(e.label == "ok" for e in crit)
    assert {e.row["lang"] for e in crit} == {"en", "es"}
    train_ids = {e.row["id"] for e in ds.school("train")}
    assert not train_ids & {e.row["id"] for e in ds.school("test")}


def test_no_criticism_in_the_whole_set_is_removed(engine: Engine) -> None:
    removed, n = criticisms_removed(engine)
    assert n >= 100
    assert [(e.text, v.category, v.evidence.rule_id) for e, v in removed] == []


@pytest.mark.parametrize(
    "text",
    [
        "Cutting art teachers again is shameful",
        "the school committee is out of touch with working parents",
        "whoever approved the new start times never rode a city bus",
        "The superintendent is incompetent and should resign.",
        "This administration lies to families about the budget. Vote them all out.",
        "El superintendente no sirve para el puesto. Que renuncie.",
    ],
)
def test_clauses_md_criticisms_are_kept(engine: Engine, text: str) -> None:
    v = engine.judge(text)
    assert v.action not in REMOVING_ACTIONS, v.explanation

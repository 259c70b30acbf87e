"""Rule packs load once, validate, and name file, rule and field in every error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from steward.moderation.engine import Engine, PackError, RulePack
from steward.moderation.engine.lexicon import Lexicon, LexiconError
from steward.moderation.engine.normalize import normalize
from steward.moderation.engine.rules import DEFAULT_PACK
from steward.moderation.engine.types import CATEGORIES


def _write(tmp_path: Path, rules: list[dict[str, object]]) -> Path:
    lex = tmp_path / "lex.yaml"
    lex.write_text("language: en\nprofanity: [heck]\n", encoding="utf-8")
    pack = tmp_path / "pack.yaml"
    pack.write_text(yaml.safe_dump({"pack": "t", "version": "1", "lexicons": ["lex.yaml"],
                                    "rules": rules}), encoding="utf-8")  # fmt: skip
    return pack


GOOD = {"id": "t.heck", "clause": "1.8.b", "category": "profanity", "priority": 1,
        "when": {"lexicon": ["profanity"]}, "action": "hide"}  # fmt: skip


def test_default_pack_cites_a_clause_on_every_rule_and_covers_the_categories() -> None:
    pack = RulePack.load(DEFAULT_PACK)
    assert all(r.clause for r in pack.rules)
    assert {r.category for r in pack.rules} == set(CATEGORIES) - {"ok"}
    personal = [r for r in pack.rules if r.category == "personal_issue"]
    assert all("LPShelp@lawrence.k12.ma.us" in r.reply["en"] and "LPShelp@lawrence.k12.ma.us"
               in r.reply["es"] for r in personal)  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"clause": "9.9"}, "clause"),
        ({"category": "rude"}, "category"),
        ({"action": "delete"}, "action"),
        ({"priority": "high"}, "priority"),
        ({"reply": {"es": "hola"}}, "reply"),
        ({"description": {"es": "hola"}}, "description"),
        ({"description": ["a", "b"]}, "description"),
        ({"when": {"scores": {"abuse": "high"}}}, "when.scores.abuse"),
        ({"when": {"patterns": ["(unclosed"]}}, "when.patterns"),
        ({"when": {"colour": "red"}}, "when.colour"),
        ({"frobnicate": True}, "frobnicate"),
    ],
)
def test_errors_name_file_rule_and_field(
    tmp_path: Path, change: dict[str, object], field: str
) -> None:
    path = _write(tmp_path, [{**GOOD, **change}])
    with pytest.raises(PackError) as err:
        RulePack.load(path)
    msg = str(err.value)
    assert str(path) in msg and "'t.heck'" in msg and f"'{field}'" in msg


def test_a_description_is_a_text_or_one_per_language(tmp_path: Path) -> None:
    one = {**GOOD, "description": "mild words"}
    two = {**GOOD, "id": "t.two", "description": {"en": "mild words", "es": "palabras leves"}}
    rules = {r.id: r for r in RulePack.load(_write(tmp_path, [one, two])).rules}
    assert rules["t.heck"].description == "mild words" and rules["t.heck"].descriptions == {"en": "mild words"}
    assert rules["t.two"].description == "mild words" and rules["t.two"].descriptions["es"] == "palabras leves"
    # Every rule of the default pack says what it does in English and in Spanish.
    assert all(set(r.descriptions) == {"en", "es"} for r in RulePack.load(DEFAULT_PACK).rules)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="duplicate"):
        RulePack.load(_write(tmp_path, [GOOD, GOOD]))


def test_unknown_score_names_are_refused_at_engine_load(tmp_path: Path) -> None:
    path = _write(tmp_path, [{**GOOD, "when": {"scores": {"school.rudeness": 0.5}}}])
    with pytest.raises(PackError, match="school.rudeness"):
        Engine.load(path)


def test_a_district_pack_works_without_code(tmp_path: Path) -> None:
    path = _write(tmp_path, [GOOD, {"id": "t.raffle", "clause": "1.8.e", "category": "commercial",
                                    "priority": 5, "when": {"phrases": ["raffle tickets"]},
                                    "action": "hold"}])  # fmt: skip
    eng = Engine.load(path)
    assert eng.judge("what the heck").category == "profanity"
    v = eng.judge("Raffle tickets for sale!")
    assert (v.category, v.action, v.evidence.rule_id) == ("commercial", "hold", "t.raffle")
    assert eng.judge("see you at the game").category == "ok"


def test_lexicon_errors_name_the_file_and_category(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("language: en\nswears: [heck]\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="bad.yaml.*swears"):
        Lexicon.from_files([bad])


def test_the_engine_has_no_django_import() -> None:
    engine_dir = Path(__file__).resolve().parents[2] / "steward" / "moderation" / "engine"
    offenders = [p.name for p in engine_dir.glob("*.py")
                 if "import django" in p.read_text() or "from django" in p.read_text()]  # fmt: skip
    assert offenders == []


def test_all_lexicons_share_one_automaton_with_the_rule_phrases(tmp_path: Path) -> None:
    path = _write(tmp_path, [{**GOOD, "when": {"phrases": ["lost dog"]}}])
    eng = Engine.load(path)
    hits = eng.lexicon.scan(eng.lexicon.resolve_masks(normalize("heck, lost dog near the school")))
    assert {h.category for h in hits} == {"profanity", "rule:t.heck#when"}
    assert Engine.load().lexicon.size > 1000

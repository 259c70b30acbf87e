"""The featurizer's fast paths count exactly the n-grams that ``doc_grams`` defines."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from steward.moderation.engine import Engine
from steward.moderation.engine.features import Featurizer, doc_grams
from steward.moderation.engine.prepare import prepare


@pytest.mark.parametrize(
    "text",
    [
        "The superintendent is incompetent and should resign.",
        "sh1t f u c k this zzzzzzqqqq wordneverseenbefore",
        "Esa parada es un peligro, algún niño va a salir herido",
        "a",
        "",
    ],
)
def test_feature_ids_match_the_definition(engine: Engine, text: str) -> None:
    feat = engine.model.featurizer if engine.model else None
    if feat is None:
        pytest.skip("no model artifact")
    toks = prepare(engine.lexicon, text, "Budget vote Thursday").model_tokens
    want = Counter(feat.vocab[g] for g in doc_grams(toks) if g in feat.vocab)
    assert Counter(feat.ids(toks)) == want
    # The batch matrix and the one-document vector agree.
    x = feat.transform([toks, toks])
    idx, val = feat.transform_one(toks)
    assert list(x[1].indices) == list(idx)
    assert np.allclose(x[1].data, val, atol=1e-6)


def test_the_vocabulary_does_not_depend_on_the_order_grams_were_seen() -> None:
    # Every gram below occurs once; the cut-off keeps the same ones whichever document comes first.
    docs = [("alpha", "beta"), ("gamma", "delta"), ("epsilon",)]
    one = Featurizer.fit(docs, max_features=7, min_df=1)
    two = Featurizer.fit(list(reversed(docs)), max_features=7, min_df=1)
    assert one.vocab == two.vocab and len(one.vocab) == 7

"""Word and character n-gram features over normalized tokens, with a fixed vocabulary.

Features: word unigrams, word bigrams and character 2–5-grams of each word padded with spaces
(scikit-learn's ``char_wb``), weighted by sublinear tf × idf and L2-normalized. The vocabulary is
learned once by the training command and shipped in the model artifact, so nothing is hashed with
Python's per-process salted ``hash`` and no collision blurs a slur with a clean word.

Speed comes from caching the character n-gram ids of each distinct word: comments reuse a small
set of words, so most words cost one dictionary look-up.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

__all__ = ["Featurizer", "doc_grams"]

_CHAR_MIN, _CHAR_MAX = 2, 5


def _word_grams(tok: str) -> list[str]:
    padded = f" {tok} "
    n = len(padded)
    out = []
    for k in range(_CHAR_MIN, _CHAR_MAX + 1):
        for i in range(n - k + 1):
            out.append("c:" + padded[i : i + k])
    return out


def doc_grams(tokens: Sequence[str]) -> list[str]:
    """Every n-gram string of one document (used to build the vocabulary).

    Tokens starting with ``__`` are pseudo-tokens (signals, see ``signals.pseudo_tokens``): they
    count as words only, without character n-grams or bigrams.
    """
    words = [t for t in tokens if not t.startswith("__")]
    out = ["w:" + t for t in tokens]
    out.extend("b:" + a + " " + b for a, b in zip(words, words[1:], strict=False))
    for t in words:
        out.extend(_word_grams(t))
    return out


class Featurizer:
    """Turns token sequences into L2-normalized tf-idf vectors over a fixed vocabulary."""

    def __init__(self, vocab: dict[str, int], idf: np.ndarray) -> None:
        self.vocab = vocab
        self.idf = idf.astype(np.float32)
        self.n_features = len(idf)
        self._word_cache: dict[str, tuple[int, ...]] = {}

    @classmethod
    def fit(cls, docs: Iterable[Sequence[str]], *, max_features: int, min_df: int = 2) -> Featurizer:
        """Learn the vocabulary (most frequent n-grams by document frequency) and idf."""
        df: Counter[str] = Counter()
        n_docs = 0
        for toks in docs:
            n_docs += 1
            df.update(set(doc_grams(toks)))
        kept = [g for g, c in df.most_common() if c >= min_df][:max_features]
        kept.sort()
        vocab = {g: i for i, g in enumerate(kept)}
        idf = np.array([math.log((1 + n_docs) / (1 + df[g])) + 1.0 for g in kept], np.float32)
        return cls(vocab, idf)

    def _word_ids(self, tok: str) -> tuple[int, ...]:
        got = self._word_cache.get(tok)
        if got is None:
            v = self.vocab
            ids = [] if tok.startswith("__") else [v[g] for g in _word_grams(tok) if g in v]
            wid = v.get("w:" + tok)
            if wid is not None:
                ids.append(wid)
            got = tuple(ids)
            if len(self._word_cache) > 200_000:
                self._word_cache.clear()
            self._word_cache[tok] = got
        return got

    def counts(self, tokens: Sequence[str]) -> dict[int, int]:
        """Raw n-gram counts of one document, by feature id."""
        c: dict[int, int] = {}
        for t in tokens:
            for i in self._word_ids(t):
                c[i] = c.get(i, 0) + 1
        v = self.vocab
        words = [t for t in tokens if not t.startswith("__")]
        for a, b in zip(words, words[1:], strict=False):
            bid = v.get("b:" + a + " " + b)
            if bid is not None:
                c[bid] = c.get(bid, 0) + 1
        return c

    def transform_one(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Sparse vector of one document as (indices, values)."""
        c = self.counts(tokens)
        if not c:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        idx = np.fromiter(c.keys(), np.int32, len(c))
        cnt = np.fromiter(c.values(), np.float32, len(c))
        val = (1.0 + np.log(cnt)) * self.idf[idx]
        norm = float(np.sqrt(np.dot(val, val)))
        if norm > 0:
            val /= norm
        return idx, val

    def transform(self, docs: Iterable[Sequence[str]]) -> sparse.csr_matrix:
        """Sparse matrix, one row per document."""
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for toks in docs:
            idx, val = self.transform_one(toks)
            indices.append(idx)
            data.append(val)
            indptr.append(indptr[-1] + len(idx))
        ind = np.concatenate(indices) if indices else np.zeros(0, np.int32)
        dat = np.concatenate(data) if data else np.zeros(0, np.float32)
        return sparse.csr_matrix(
            (dat, ind, np.array(indptr, np.int64)), shape=(len(indptr) - 1, self.n_features)
        )

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
_CHAR_KS = tuple(range(_CHAR_MIN, _CHAR_MAX + 1))


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
        # Separate tables without the "c:"/"w:"/"b:" prefixes: no string concatenation per gram.
        self._chars = {g[2:]: i for g, i in vocab.items() if g.startswith("c:")}
        self._words = {g[2:]: i for g, i in vocab.items() if g.startswith("w:")}
        self._bigrams = {g[2:]: i for g, i in vocab.items() if g.startswith("b:")}

    @classmethod
    def fit(
        cls, docs: Iterable[Sequence[str]], *, max_features: int, min_df: int = 2
    ) -> Featurizer:
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
            ids: list[int] = []
            if not tok.startswith("__"):
                # A word not seen before in this process: all its grams in one comprehension,
                # looked up with one map() (no Python call per gram).
                padded = f" {tok} "
                n = len(padded)
                grams = [padded[i : i + k] for k in _CHAR_KS for i in range(n - k + 1)]
                ids = [j for j in map(self._chars.get, grams) if j is not None]
            wid = self._words.get(tok)
            if wid is not None:
                ids.append(wid)
            got = tuple(ids)
            if len(self._word_cache) > 200_000:
                self._word_cache.clear()
            self._word_cache[tok] = got
        return got

    def ids(self, tokens: Sequence[str]) -> list[int]:
        """Feature ids of one document, one per occurrence."""
        out: list[int] = []
        for t in tokens:
            out.extend(self._word_ids(t))
        get = self._bigrams.get
        words = [t for t in tokens if not t.startswith("__")]
        for a, b in zip(words, words[1:], strict=False):
            bid = get(a + " " + b)
            if bid is not None:
                out.append(bid)
        return out

    def transform_one(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Sparse vector of one document as (indices, values)."""
        ids = self.ids(tokens)
        if not ids:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        idx, cnt = np.unique(np.array(ids, np.int32), return_counts=True)
        val = (1.0 + np.log(cnt.astype(np.float32))) * self.idf[idx]
        norm = float(np.sqrt(np.dot(val, val)))
        if norm > 0:
            val /= norm
        return idx.astype(np.int32), val.astype(np.float32)

    def transform(self, docs: Iterable[Sequence[str]]) -> sparse.csr_matrix:
        """Sparse matrix, one row per document (vectorized over the whole batch).

        One pass over the tokens per document with the per-word cache inlined; the CSR matrix is
        built directly from row pointers (no COO conversion), and tf-idf and the L2 norm are
        applied to its data array in place.
        """
        cache = self._word_cache
        word_ids = self._word_ids
        bget = self._bigrams.get
        all_ids: list[int] = []
        ext = all_ids.extend
        app = all_ids.append
        indptr = [0]
        for toks in docs:
            prev = None
            for t in toks:
                got = cache.get(t)
                if got is None:
                    got = word_ids(t)
                ext(got)
                if t[:2] == "__":
                    continue
                if prev is not None:
                    bid = bget(prev + " " + t)
                    if bid is not None:
                        app(bid)
                prev = t
            indptr.append(len(all_ids))
        n = len(indptr) - 1
        cols = np.fromiter(all_ids, np.int32, len(all_ids))
        x = sparse.csr_matrix(
            (np.ones(len(cols), np.float32), cols, np.asarray(indptr, np.int64)),
            shape=(n, self.n_features),
        )
        x.sum_duplicates()
        data = (1.0 + np.log(x.data)) * self.idf[x.indices]
        lens = np.diff(x.indptr)
        sq = np.zeros(n, np.float32)
        nz = lens > 0
        if data.size:
            sq[nz] = np.add.reduceat(data * data, x.indptr[:-1][nz])
        norms = np.sqrt(sq, dtype=np.float32)
        norms[norms == 0] = 1.0
        data /= np.repeat(norms, lens)
        x.data = data.astype(np.float32, copy=False)
        return x

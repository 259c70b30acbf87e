"""Word and character n-gram features over normalized tokens, with a fixed vocabulary.

Features: word unigrams, word bigrams and character 2–5-grams of each word padded with spaces
(scikit-learn's ``char_wb``), weighted by sublinear tf × idf and L2-normalized. The vocabulary is
learned once by the training command and shipped in the model artifact, so nothing is hashed with
Python's per-process salted ``hash`` and no collision blurs a slur with a clean word.

Speed comes from caching the feature ids of each distinct word as packed int32 bytes: comments
reuse a small set of words, so most words cost one dictionary look-up, and a batch's ids reach
numpy through one bytes join (no Python int per n-gram). A word seen for the first time gets its
character grams from one Aho-Corasick pass (pyahocorasick, as the lexicon) over ``" word "``.
"""

from __future__ import annotations

import math
import struct
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import cast

import ahocorasick
import numpy as np
from scipy import sparse

__all__ = ["Featurizer", "doc_grams"]

_CHAR_MIN, _CHAR_MAX = 2, 5
_ID = struct.Struct("=i")  # one feature id, packed like an np.int32


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
        # Feature ids of each distinct word, as packed int32 bytes: a document's ids are then one
        # ``b"".join`` and one ``np.frombuffer`` away (no Python int per feature occurrence).
        self._word_cache: dict[str, bytes] = {}
        self._words = {g[2:]: i for g, i in vocab.items() if g.startswith("w:")}
        self._bigrams = {g[2:]: _ID.pack(i) for g, i in vocab.items() if g.startswith("b:")}
        self._grams: ahocorasick.Automaton | None = None

    def _gram_automaton(self) -> ahocorasick.Automaton:
        """Every character gram of the vocabulary in one Aho-Corasick automaton (built on first
        use, ~30 ms): the grams of a new word are found in one pass in C over ``" word "``."""
        auto = self._grams
        if auto is None:
            auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for g, i in self.vocab.items():
                if g.startswith("c:"):
                    auto.add_word(g[2:], i)
            auto.make_automaton()
            self._grams = auto
        return auto

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
        # Most frequent first, ties by the gram itself: a Counter's order among equal counts is the
        # order grams were first seen, which follows set order (string hashes vary per process).
        ranked = sorted(df.items(), key=lambda gc: (-gc[1], gc[0]))
        kept = [g for g, c in ranked if c >= min_df][:max_features]
        kept.sort()
        vocab = {g: i for i, g in enumerate(kept)}
        idf = np.array([math.log((1 + n_docs) / (1 + df[g])) + 1.0 for g in kept], np.float32)
        return cls(vocab, idf)

    def _word_ids(self, tok: str) -> bytes:
        """Feature ids (packed int32) of one token: its character grams and the word itself."""
        got = self._word_cache.get(tok)
        if got is None:
            ids: list[int] = []
            if not tok.startswith("__"):
                # Character grams of " tok " that are in the vocabulary: every occurrence, found
                # by the automaton in one pass (the same as slicing every 2-5-gram and looking
                # each up, which a word seen for the first time used to cost).
                ids = [j for _, j in self._gram_automaton().iter(f" {tok} ")]
            wid = self._words.get(tok)
            if wid is not None:
                ids.append(wid)
            got = np.asarray(ids, np.int32).tobytes()
            if len(self._word_cache) > 200_000:
                self._word_cache.clear()
            self._word_cache[tok] = got
        return got

    def ids(self, tokens: Sequence[str]) -> list[int]:
        """Feature ids of one document, one per occurrence."""
        return np.frombuffer(self._doc_bytes(tokens), np.int32).tolist()

    def _doc_bytes(self, toks: Sequence[str]) -> bytes:
        """Feature ids of one document as packed int32: its tokens' cached blocks, then the ids
        of its word bigrams (order does not matter: counts are summed per feature)."""
        got = list(map(self._word_cache.get, toks))
        if None in got:
            word_ids = self._word_ids
            parts = [p if p is not None else word_ids(t) for p, t in zip(got, toks, strict=True)]
        else:
            parts = cast("list[bytes]", got)
        # Pseudo-tokens ("__…", signals) come last and have no bigrams.
        n = len(toks)
        while n and toks[n - 1][:2] == "__":
            n -= 1
        words = toks[:n]
        if "_" in "".join(words):  # a pseudo-token elsewhere (never from ``prepare``)
            words = [t for t in toks if t[:2] != "__"]
        pairs = map(" ".join, zip(words, words[1:], strict=False))
        parts.extend(filter(None, map(self._bigrams.get, pairs)))
        return b"".join(parts)

    def transform_one(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Sparse vector of one document as (indices, values)."""
        ids = np.frombuffer(self._doc_bytes(tokens), np.int32)
        if not ids.size:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        idx, cnt = np.unique(ids, return_counts=True)
        val = (1.0 + np.log(cnt.astype(np.float32))) * self.idf[idx]
        norm = float(np.sqrt(np.dot(val, val)))
        if norm > 0:
            val /= norm
        return idx.astype(np.int32), val.astype(np.float32)

    def transform(self, docs: Iterable[Sequence[str]]) -> sparse.csr_matrix:
        """Sparse matrix, one row per document (vectorized over the whole batch).

        Each document's ids are the concatenation of its words' cached id blocks (one bytes join);
        the CSR matrix is built directly from row pointers (no COO conversion), and tf-idf and the
        L2 norm are applied to its data array in place.
        """
        doc_bytes = self._doc_bytes
        blobs = [doc_bytes(toks) for toks in docs]
        n = len(blobs)
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.fromiter(map(len, blobs), np.int64, n), out=indptr[1:])
        indptr //= 4
        cols = np.frombuffer(bytearray(b"".join(blobs)), np.int32)  # writable: sorted in place
        x = sparse.csr_matrix(
            (np.ones(len(cols), np.float32), cols, indptr), shape=(n, self.n_features)
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

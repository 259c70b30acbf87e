"""The learned part of the engine: linear heads sharing one feature space, stored in one ``.npz``.

Heads are either ``binary`` (one column, sigmoid) or ``softmax`` (one column per label). All heads
are evaluated with one sparse × dense product, so adding a head costs almost nothing at run time.
The artifact holds the vocabulary, the idf weights, the weights (float16 on disk) and a JSON
description of the heads and of the data they were trained on; loading it never executes code
(no pickle).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from .features import Featurizer

__all__ = ["Head", "LinearModel", "DEFAULT_ARTIFACT"]

#: The artifact shipped with the project.
DEFAULT_ARTIFACT = (
    Path(__file__).resolve().parent.parent / "models_artifacts" / "steward-linear.npz"
)


@dataclass(frozen=True, slots=True)
class Head:
    """One output of the model: a binary score or a distribution over labels."""

    name: str
    kind: str  # "binary", "softmax" or "ovr" (one sigmoid per label)
    labels: tuple[str, ...]
    start: int  # first column in the weight matrix


class LinearModel:
    """Linear heads over a shared :class:`Featurizer`."""

    def __init__(
        self,
        featurizer: Featurizer,
        weights: np.ndarray,
        bias: np.ndarray,
        heads: Sequence[Head],
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.featurizer = featurizer
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.bias = bias.astype(np.float32)
        self.heads = tuple(heads)
        self.meta = meta or {}
        self._cols: tuple[list[str], list[int]] | None = None

    # -- scoring ---------------------------------------------------------------------------
    def _columns(self) -> tuple[list[str], list[int]]:
        """Score names and their weight columns, computed once per model."""
        got = self._cols
        if got is None:
            names: list[str] = []
            idx: list[int] = []
            for h in self.heads:
                if h.kind == "binary":
                    names.append(h.name)
                    idx.append(h.start)
                else:
                    for j, lab in enumerate(h.labels):
                        names.append(f"{h.name}.{lab}")
                        idx.append(h.start + j)
            got = (names, idx)
            self._cols = got
        return got

    def _to_scores(self, raw: np.ndarray) -> list[dict[str, float]]:
        names, idx = self._columns()
        out = 1.0 / (1.0 + np.exp(-raw.astype(np.float64)))
        for h in self.heads:
            if h.kind == "softmax":
                z = raw[:, h.start : h.start + len(h.labels)].astype(np.float64)
                e = np.exp(z - z.max(axis=1, keepdims=True))
                out[:, h.start : h.start + len(h.labels)] = e / e.sum(axis=1, keepdims=True)
        return [dict(zip(names, row, strict=True)) for row in out[:, idx].tolist()]

    def score_one(self, tokens: Sequence[str]) -> dict[str, float]:
        """Scores of one tokenized comment."""
        idx, val = self.featurizer.transform_one(tokens)
        raw = val @ self.weights[idx] + self.bias if len(idx) else self.bias.copy()
        return self._to_scores(raw[None, :])[0]

    def score_many(self, docs: Sequence[Sequence[str]]) -> list[dict[str, float]]:
        """Scores of many tokenized comments with one matrix product."""
        if not docs:
            return []
        x = self.featurizer.transform(docs)
        raw = np.asarray(x @ self.weights) + self.bias
        return self._to_scores(raw)

    def matrix(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Feature matrix (for training and diagnostics)."""
        return self.featurizer.transform(docs)

    # -- storage ---------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the artifact (compressed npz, float16 weights)."""
        inv = sorted(self.featurizer.vocab.items(), key=lambda kv: kv[1])
        vocab_blob = "\n".join(g for g, _ in inv)
        heads = [{"name": h.name, "kind": h.kind, "labels": list(h.labels), "start": h.start}
                 for h in self.heads]  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                vocab=np.frombuffer(vocab_blob.encode("utf-8"), dtype=np.uint8),
                idf=self.featurizer.idf.astype(np.float16),
                weights=self.weights.astype(np.float16),
                bias=self.bias.astype(np.float32),
                heads=np.frombuffer(json.dumps(heads).encode(), dtype=np.uint8),
                meta=np.frombuffer(json.dumps(self.meta).encode(), dtype=np.uint8),
            )

    @classmethod
    def load(cls, path: Path | None = None) -> LinearModel:
        """Read an artifact written by :meth:`save` (no pickle is involved)."""
        path = Path(path or DEFAULT_ARTIFACT)
        with np.load(path, allow_pickle=False) as z:
            grams = bytes(z["vocab"]).decode("utf-8").split("\n")
            vocab = {g: i for i, g in enumerate(grams)}
            feat = Featurizer(vocab, z["idf"].astype(np.float32))
            heads = [Head(h["name"], h["kind"], tuple(h["labels"]), int(h["start"]))
                     for h in json.loads(bytes(z["heads"]).decode())]  # fmt: skip
            meta = json.loads(bytes(z["meta"]).decode())
            return cls(feat, z["weights"].astype(np.float32), z["bias"], heads, meta)

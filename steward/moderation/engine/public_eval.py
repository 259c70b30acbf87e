"""Held-out figures for docs/moderation.md: the school test split and the public sets, with the peer
libraries alt-profanity-check and better-profanity measured in the same run (development-only
dependencies, imported lazily).

Binary task everywhere: removable (any category but ``ok``) vs ok; F1 of the removable class.
better-profanity runs at about 30 comments/s, so it is measured on a fixed random sample of at most
:data:`BETTER_PROFANITY_MAX` rows per set (the table says so).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import IO, Any

from . import datasets as ds
from .cli import context_of
from .engine import Engine
from .evaluate import BinaryReport, binary_report, report
from .types import Context

__all__ = ["run", "BETTER_PROFANITY_MAX", "criticisms_removed"]


def criticisms_removed(engine: Engine) -> tuple[list[tuple[ds.Example, Any]], int]:
    """The criticisms of the whole labeled school set (train and test) that ``engine`` would hide
    or escalate, each with its verdict, and how many criticisms there are. Criticism is not a
    category: the answer must be none (the viewpoint test, ``steward moderation_pack_check``)."""
    crit = [e for e in ds.school("all") if e.row.get("criticism")]
    verdicts = engine.judge_many([(e.text, context_of(e.row)) for e in crit])
    return [(e, v) for e, v in zip(crit, verdicts, strict=True) if v.removes], len(crit)

BETTER_PROFANITY_MAX = 300


def _peers() -> dict[str, Callable[[Sequence[str]], list[bool]]]:
    peers: dict[str, Callable[[Sequence[str]], list[bool]]] = {}
    try:
        from profanity_check import predict_prob

        peers["alt-profanity-check"] = lambda texts: [
            bool(p >= 0.5) for p in predict_prob(list(texts))
        ]
    except ImportError:  # pragma: no cover - dev dependency missing
        pass
    try:
        from better_profanity import profanity

        profanity.load_censor_words()
        peers["better-profanity"] = lambda texts: [
            bool(profanity.contains_profanity(t)) for t in texts
        ]
    except ImportError:  # pragma: no cover
        pass
    return peers


def _row(name: str, who: str, r: BinaryReport, note: str = "") -> dict[str, Any]:
    return {"set": name, "method": who, "n": r.n, "precision": round(r.precision, 3),
            "recall": round(r.recall, 3), "f1": round(r.f1, 3), "note": note}  # fmt: skip


def run(engine: Engine | None = None, out: IO[str] | None = None) -> dict[str, Any]:
    """Evaluate everything; print Markdown tables to ``out``; return the figures."""
    eng = engine or Engine.load()
    peers = _peers()
    rows: list[dict[str, Any]] = []

    def say(s: str) -> None:
        if out:
            out.write(s + "\n")
            out.flush()

    # school test split: nine-category report + binary figures
    sch = ds.school("test")
    ctxs: list[Context] = [context_of(e.row) for e in sch]
    vs = eng.judge_many(list(zip([e.text for e in sch], ctxs, strict=True)))
    rep = report([e.label for e in sch], [v.category for v in vs], [v.action for v in vs],
                 [bool(e.row.get("criticism")) for e in sch], [e.text for e in sch])  # fmt: skip
    say("## School set, held-out test split\n")
    say("```\n" + rep.format() + "\n```\n")
    truth = [e.removable for e in sch]
    rows.append(
        _row("school (test)", "steward", binary_report(truth, [v.category != "ok" for v in vs]))
    )
    for name, fn in peers.items():
        rows.append(_row("school (test)", name, binary_report(truth, fn([e.text for e in sch]))))

    for set_name, load in ds.PUBLIC_SETS.items():
        ex = load()
        texts = [e.text for e in ex]
        truth = [e.removable for e in ex]
        t0 = time.perf_counter()
        vs = eng.judge_many(texts)
        dt_s = time.perf_counter() - t0
        rows.append(_row(set_name, "steward", binary_report(truth, [v.category != "ok" for v in vs]),
                         f"{len(ex) / dt_s:,.0f}/s"))  # fmt: skip
        for name, fn in peers.items():
            idx = list(range(len(ex)))
            note = ""
            if name == "better-profanity" and len(idx) > BETTER_PROFANITY_MAX:
                idx = sorted(random.Random(ds.SEED).sample(idx, BETTER_PROFANITY_MAX))
                note = f"random sample of {BETTER_PROFANITY_MAX} (seed {ds.SEED})"
            pred = fn([texts[i] for i in idx])
            rows.append(_row(set_name, name, binary_report([truth[i] for i in idx], pred), note))
        say(f"done: {set_name}")

    say("\n## Removable vs ok, same run\n")
    say("| set | method | n | precision | recall | F1 (removable) | note |")
    say("|---|---|---|---|---|---|---|")
    for r in rows:
        say(f"| {r['set']} | {r['method']} | {r['n']} | {r['precision']:.3f} | {r['recall']:.3f} | "
            f"{r['f1']:.3f} | {r['note']} |")  # fmt: skip
    return {"school": {k: getattr(rep, k) for k in ("macro_f1", "accuracy", "per_category",
                                                     "criticism_n", "criticism_removed",
                                                     "ok_n", "ok_removed")},
            "binary": rows}  # fmt: skip

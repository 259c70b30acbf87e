"""Benchmark: the same real comments through Steward, alt-profanity-check and better-profanity.

    .venv/bin/python bench/moderation.py [--n 12000] [--single 3000] [--better 300]

Each system runs in its own process pinned to one core (``sched_setaffinity``; BLAS/OpenMP threads
set to 1), so peak memory (ru_maxrss) and start-up time are its own. Prints comments per second
batched and one call at a time, p50/p99 latency per call, peak memory, start-up time and the
ratios of Steward to each peer. better-profanity runs at about 30 comments/s, so it is measured on
a fixed subsample (``--better``), and says so.

``steward`` is the whole engine, with the sentence model (``neural.abuse``) read only where its
rule's other conditions hold (the figures say how many comments it read); ``steward-linear`` is the
same engine with the sentence model switched off (the word lists and the linear model alone);
``steward-2cores`` is the whole engine on two cores, for the latency of one call (see ``SYSTEMS``).

Comments come from ../shared/data (Davidson 20 % split, HateXplain validation and train, OLID test,
YouTube spam): real tweets, Gab posts and YouTube comments, read here only to be timed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261128
# steward-2cores is the whole engine again with two cores, as a district's server gives it by
# default (the BLAS uses every core): the sentence model's matrix products then split in two. It is
# there for the latency of one call: read its wall-clock columns (its one-call CPU times count only
# the calling thread, not the BLAS's second one).
SYSTEMS = ("steward", "steward-linear", "steward-2cores", "alt-profanity-check", "better-profanity")


def _cores(n: int) -> int:
    """Pin this process to its first ``n`` cores and give the BLAS as many threads; returns how
    many it got. Must run before numpy is imported (the BLAS reads its thread count once)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:n]))
        n = len(os.sched_getaffinity(0))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    return n


def load_comments(n: int, mix: str = "public") -> list[str]:
    """``n`` comments (fixed order and seed): real ones from the public sets, or with ``mix
    == "school"`` the 780 labeled school-page comments (what a district's pages look like: mostly
    plain, ~2 % unsure enough for the sentence model), repeated up to ``n``."""
    sys.path.insert(0, str(ROOT))
    from steward.moderation.engine import datasets as ds

    if mix == "school":
        school = [e.text for e in ds.school("all")]
        random.Random(SEED).shuffle(school)
        return (school * (n // len(school) + 1))[:n]

    texts = [e.text for e in ds.davidson("test")] + [e.text for e in ds.hatexplain("val")]
    texts += [e.text for e in ds.olid("test")] + [e.text for e in ds.youtube_spam("train")]
    texts += [e.text for e in ds.youtube_spam("test")]
    if len(texts) < n:
        extra = [e.text for e in ds.hatexplain("train")]
        texts += extra[: n - len(texts)]
    random.Random(SEED).shuffle(texts)
    return texts[:n]


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def worker(system: str, texts: list[str], single_n: int) -> dict[str, float | int | str]:
    """Run one system in this process and return its figures."""
    import resource

    cores = _cores(2 if system == "steward-2cores" else 1)
    t0 = time.perf_counter()
    reads = [0]
    if system.startswith("steward"):
        sys.path.insert(0, str(ROOT))
        from steward.moderation.engine import Engine

        eng = Engine.load()
        if system == "steward-linear":
            eng = Engine(eng.pack, eng.lexicon, eng.model, None)
        elif eng.neural is not None:
            read_many = eng.neural.score_many

            def counted(texts: list[str], batch_size: int = 32) -> list[float]:
                reads[0] += len(texts)
                return read_many(texts, batch_size)

            eng.neural.score_many = counted  # type: ignore[method-assign]
        eng.judge("warm up")

        def batch(ts: list[str]) -> object:
            return eng.judge_many(ts)

        def single(t: str) -> object:
            return eng.judge(t)

    elif system == "alt-profanity-check":
        from profanity_check import predict_prob

        predict_prob(["warm up"])

        def batch(ts: list[str]) -> object:
            return predict_prob(ts)

        def single(t: str) -> object:
            return predict_prob([t])

    else:
        from better_profanity import profanity

        profanity.load_censor_words()

        def batch(ts: list[str]) -> object:
            return [profanity.contains_profanity(t) for t in ts]

        def single(t: str) -> object:
            return profanity.contains_profanity(t)

    startup = time.perf_counter() - t0
    out: dict[str, float | int | str] = {"system": system, "startup_s": startup, "cores": cores}
    out["startup_cpu_s"] = time.process_time()
    if system != "better-profanity":
        t, c = time.perf_counter(), time.process_time()
        batch(texts)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        out["batched_per_s"] = len(texts) / dt
        out["batched_cpu_per_s"] = len(texts) / dc
        out["batched_n"] = len(texts)
        out["neural_reads"] = reads[0]
    lat, cpu = [], []
    for tx in texts[:single_n]:
        t, c = time.perf_counter(), time.thread_time()
        single(tx)
        cpu.append(time.thread_time() - c)
        lat.append(time.perf_counter() - t)
    out["single_n"] = len(lat)
    out["single_per_s"] = len(lat) / sum(lat)
    out["single_cpu_per_s"] = len(cpu) / sum(cpu)
    out["p50_ms"] = _pct(lat, 0.50) * 1000
    out["p99_ms"] = _pct(lat, 0.99) * 1000
    out["p50_cpu_ms"] = _pct(cpu, 0.50) * 1000
    out["p99_cpu_ms"] = _pct(cpu, 0.99) * 1000
    if system == "better-profanity":
        out["batched_per_s"] = out["single_per_s"]
        out["batched_cpu_per_s"] = out["single_cpu_per_s"]
        out["batched_n"] = len(lat)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12_000, help="comments for the batched run")
    ap.add_argument("--single", type=int, default=3_000, help="comments for one-at-a-time calls")
    ap.add_argument("--better", type=int, default=300, help="subsample for better-profanity")
    ap.add_argument("--mix", choices=("public", "school"), default="public",
                    help="public: real tweets and posts; school: the labeled school comments")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="print JSON as well")
    a = ap.parse_args()
    if a.worker:
        texts = json.loads(sys.stdin.read())
        single_n = a.better if a.worker == "better-profanity" else a.single
        if a.worker == "better-profanity":
            texts = texts[: a.better]
        print(json.dumps(worker(a.worker, texts, single_n)))
        return
    texts = load_comments(a.n, a.mix)
    payload = json.dumps(texts)
    results = []
    for system in SYSTEMS:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", system, "--single", str(a.single),
             "--better", str(a.better)],
            input=payload, capture_output=True, text=True, check=True,
        )  # fmt: skip
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    where = ("the labeled school comments, repeated" if a.mix == "school"
             else "real comments from ../shared/data")  # fmt: skip
    print(f"{len(texts)} {where}; one core per system (steward-2cores: two); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    print(
        "Wall-clock figures suffer from other load on the machine; CPU-time figures (process or "
        "thread CPU time of the worker) much less."
    )
    print()
    print(
        "| system | batched /s (wall) | batched /s (CPU) | one call /s (CPU) | p50 ms (CPU) | "
        "p99 ms (CPU) | p99 ms (wall) | peak MB | start-up s (wall / CPU) | comments |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        note = (f"{r['single_n']} (subsample)" if r["system"] == "better-profanity"
                else f"{r['batched_n']} batched, {r['single_n']} single")  # fmt: skip
        if r.get("neural_reads"):
            note += f"; the sentence model read {r['neural_reads']} of the batch"
        print(f"| {r['system']} | {r['batched_per_s']:,.0f} | {r['batched_cpu_per_s']:,.0f} | "
              f"{r['single_cpu_per_s']:,.0f} | {r['p50_cpu_ms']:.2f} | {r['p99_cpu_ms']:.2f} | "
              f"{r['p99_ms']:.2f} | {r['peak_mb']:.0f} | {r['startup_s']:.2f} / "
              f"{r['startup_cpu_s']:.2f} | {note} |")  # fmt: skip
    s = results[0]
    print()
    for r in results[1:]:
        if r["system"].startswith("steward"):
            continue
        print(
            f"Steward / {r['system']} (CPU time): batched x{s['batched_cpu_per_s'] / r['batched_cpu_per_s']:.2f}, "
            f"one call x{s['single_cpu_per_s'] / r['single_cpu_per_s']:.2f}, "
            f"p99 x{s['p99_cpu_ms'] / r['p99_cpu_ms']:.2f}, memory x{s['peak_mb'] / r['peak_mb']:.2f}, "
            f"start-up x{s['startup_cpu_s'] / r['startup_cpu_s']:.2f}"
        )
    if a.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

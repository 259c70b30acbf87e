"""Archive benchmarks: import rate (with hashing and indexing), search latency, verify speed.

    .venv/bin/python bench/archive.py --import-records 100000 --search-records 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/steward_archive_bench .venv/bin/python bench/archive.py ...

Uses a throw-away database: a fresh SQLite file under /tmp by default, or the PostgreSQL database
named by DATABASE_URL (created if missing, dropped and re-created when --fresh). Records are
generated from a Zipf-distributed vocabulary of English and Spanish words so that common terms
match hundreds of thousands of records and rare ones a handful, as in a real district archive.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMPTY = tempfile.mkdtemp(prefix="steward-bench-")  # no media files: the export "folder" is empty
sys.path.insert(0, str(ROOT))

BASE_WORDS = [
    "bus",
    "school",
    "teacher",
    "student",
    "parent",
    "game",
    "team",
    "field",
    "trip",
    "lunch",
    "snow",
    "day",
    "closed",
    "delayed",
    "principal",
    "committee",
    "meeting",
    "budget",
    "art",
    "music",
    "graduation",
    "concert",
    "robotics",
    "basketball",
    "soccer",
    "lancers",
    "oliver",
    "escuela",
    "maestra",
    "estudiante",
    "padres",
    "gracias",
    "autobús",
    "cerrado",
    "reunión",
    "fiesta",
    "graduación",
    "familia",
    "schedule",
    "homework",
    "safety",
    "drill",
    "nurse",
    "library",
    "calendar",
    "vacation",
    "registration",
    "kindergarten",
]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyzñé"
    words = list(BASE_WORDS)
    while len(words) < size:
        words.append("".join(rng.choice(letters) for _ in range(rng.randint(4, 10))))
    return words


def setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()


def ensure_pg_database(url: str, fresh: bool) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def make_items(
    n: int, start: int, rng: random.Random, vocab: list[str], weights: list[float]
) -> list:
    from steward.archive.exports import ExportItem

    base = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    items = []
    for i in range(start, start + n):
        words = rng.choices(vocab, cum_weights=weights, k=rng.randint(6, 40))
        kind = "post" if i % 20 == 0 else ("reply" if i % 3 == 0 else "comment")
        items.append(
            ExportItem(
                platform="facebook",
                kind=kind,  # type: ignore[arg-type]
                platform_id=f"bench-{i}",
                created_at=base + dt.timedelta(minutes=i),
                text=" ".join(words).capitalize() + ".",
                author_id=f"user{rng.randint(1, 20000)}",
                author_name=f"Parent {rng.randint(1, 20000)}",
                parent_id=f"bench-{i - i % 20}" if kind != "post" else "",
                thread_id=f"bench-{i - i % 20}",
                raw={"id": f"bench-{i}", "message": " ".join(words), "created_time": i},
                source_file="bench",
                index=i,
            )
        )
    return items


def accounts_create(args: argparse.Namespace) -> list:
    from steward.people.models import OrgUnit
    from steward.registry.models import Account

    unit = OrgUnit.objects.create(name="Lawrence Public Schools", kind="district")
    return [
        Account.objects.create(
            platform="facebook",
            handle=f"bench{i}",
            display_name=f"Bench {i}",
            owning_unit=unit,
            kind="school",
            status="registered",
        )
        for i in range(args.accounts)
    ]


def fill(
    args: argparse.Namespace,
    accounts: list,
    rng: random.Random,
    vocab: list[str],
    weights: list[float],
) -> int:
    from steward.archive import services

    # 1. import rate, including parsing-free build, hashing, insert and full-text indexing
    items = make_items(args.import_records, 0, rng, vocab, weights)
    started, cpu = time.perf_counter(), time.process_time()
    result = services.export_import(
        actor="bench", platform="facebook", path=EMPTY, account=accounts[0], items=items
    )
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"import: {result.added} records in {took:.1f} s = {result.added / took:,.0f} records/s wall, "
        f"{result.added / cpu:,.0f} records/s of this process's CPU time (hash chain + insert + FTS index); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    started = time.perf_counter()
    again = services.export_import(
        actor="bench", platform="facebook", path=EMPTY, account=accounts[0], items=items
    )
    print(
        f"re-import (idempotent): {again.added} added, {again.skipped} skipped in "
        f"{time.perf_counter() - started:.1f} s"
    )

    # 2. fill up to --search-records across accounts
    total = result.added
    chunk = 50_000
    started = time.perf_counter()
    while total < args.search_records:
        n = min(chunk, args.search_records - total)
        account = accounts[(total // chunk) % len(accounts)]
        batch = make_items(n, total, rng, vocab, weights)
        services.export_import(
            actor="bench", platform="facebook", path=EMPTY, account=account, items=batch
        )
        total += n
        print(
            f"  filled {total:,} records ({total / (time.perf_counter() - started + 1e-9):,.0f}/s overall)",
            flush=True,
        )
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--import-records", type=int, default=100_000)
    parser.add_argument("--search-records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--fresh", action="store_true", default=True)
    parser.add_argument("--full-count", action="store_true", help="also time exact counts")
    parser.add_argument(
        "--reuse", action="store_true", help="search and verify the last bench database"
    )
    parser.add_argument("--no-search", action="store_true", help="skip the search latencies")
    parser.add_argument("--no-verify", action="store_true", help="skip archive_verify")
    parser.add_argument(
        "--verify-workers", type=int, help="processes for archive_verify (default: one per CPU)"
    )
    parser.add_argument(
        "--by-shape", action="store_true", help="also print the latencies of each query shape"
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres"):
        ensure_pg_database(url, args.fresh and not args.reuse)
        engine = "postgresql"
    else:
        path = Path(
            os.environ.get(
                "STEWARD_BENCH_SQLITE",
                Path(tempfile.gettempdir()) / "steward-archive-bench.sqlite3",
            )
        )
        for suffix in ("", "-wal", "-shm") if not args.reuse else ():
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        engine = "sqlite"
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from steward.registry.models import Account

    rng = random.Random(20261128)
    vocab = vocabulary(20_000, rng)
    weights = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(vocab))))
    print(f"engine: {engine}  ({connection.vendor})")
    if args.reuse:
        from steward.archive.models import Record

        accounts = list(Account.objects.filter(handle__startswith="bench"))
        total = Record.objects.count()
        print(f"reusing the bench database: {total:,} records")
    else:
        total = fill(args, accounts_create(args), rng, vocab, weights)
        accounts = list(Account.objects.filter(handle__startswith="bench"))
    if engine == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
            cur.execute("INSERT INTO archive_record_fts(archive_record_fts) VALUES ('optimize')")
    else:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE archive_record")
            cur.execute("VACUUM ANALYZE archive_record_fts")

    if not args.no_search:
        # Its own generator: the same 200 queries whether the database was just filled or reused.
        search_latency(args, accounts, random.Random(20261129), vocab, total)
    if not args.no_verify:
        verify_speed(args)


def search_latency(
    args: argparse.Namespace, accounts: list, rng: random.Random, vocab: list[str], total: int
) -> None:
    # 3. search latency: first page (50) + total count, as the search page does
    common, mid, rare = vocab[:15], vocab[100:2000], vocab[5000:]
    shapes = []
    kinds: list[int] = []
    for _ in range(args.queries):
        kind = rng.randrange(7)
        kinds.append(kind)
        if kind == 0:
            shapes.append((rng.choice(common), {}))
        elif kind == 1:
            shapes.append((rng.choice(mid), {}))
        elif kind == 2:
            shapes.append((rng.choice(rare), {}))
        elif kind == 3:
            shapes.append((f"{rng.choice(common)} {rng.choice(mid)}", {}))
        elif kind == 4:
            shapes.append((f'"{rng.choice(common)} {rng.choice(common)}"', {}))
        elif kind == 5:
            shapes.append((rng.choice(mid)[:3] + "*", {"account": rng.choice(accounts).pk}))
        else:
            month = rng.randint(1, 12)
            shapes.append(
                (
                    rng.choice(common),
                    {
                        "date_from": f"2023-{month:02d}-01",
                        "date_to": f"2023-{month:02d}-28",
                        "kind": "comment",
                    },
                )
            )
    from steward.archive import search
    from steward.archive.models import Record
    from steward.archive.selectors import apply_filters, record_search_unscoped

    by_shape: dict[int, list[float]] = {}

    def measure(fn) -> list[float]:
        out = []
        for kind, (query, filters) in zip(kinds, shapes, strict=True):
            started = time.perf_counter()
            fn(query, filters)
            out.append((time.perf_counter() - started) * 1000)
            by_shape.setdefault(kind, []).append(out[-1])
        return sorted(out)

    def pct(times: list[float]) -> str:
        return (
            f"p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, "
            f"max {times[-1]:.1f} ms"
        )

    cpu_times: list[float] = []

    def search_page(query: str, filters: dict) -> None:
        cpu = time.process_time()
        qs = apply_filters(Record.objects.all(), filters)
        search.page_and_count(qs, query, limit=50, cap=1000)
        cpu_times.append((time.process_time() - cpu) * 1000)

    times = measure(search_page)
    cpu_times.sort()
    print(
        f"  the same, CPU time of this process (all of SQLite's work; PostgreSQL's server side is not "
        f"included): {pct(cpu_times)}"
    )
    print(
        f"search page over {total:,} records, {len(times)} queries (50 newest + count capped at 1,000, "
        f"as the page and API do): {pct(times)}; load average {os.getloadavg()[0]:.1f}"
    )
    if args.by_shape:
        names = [
            "common word",
            "mid word",
            "rare word",
            "two words",
            "phrase",
            "prefix + account",
            "common word + month + kind",
        ]
        for kind in sorted(by_shape):
            print(
                f"  {names[kind]:<28} {pct(sorted(by_shape[kind]))} ({len(by_shape[kind])} queries)"
            )
    if args.full_count:
        full = measure(
            lambda q, f: (
                list(record_search_unscoped(query=q, filters=f)[:50]),
                record_search_unscoped(query=q, filters=f).count(),
            )
        )
        print(f"full queryset (50 + exact count), for comparison: {pct(full)}")


def verify_speed(args: argparse.Namespace) -> None:
    # 4. verify, as `steward archive_verify` runs it (forked workers for a large archive)
    from steward.archive import services

    started, cpu = time.perf_counter(), time.process_time()
    children = os.times()
    workers = {"workers": args.verify_workers} if args.verify_workers else {}
    verified = services.archive_verify(**workers)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = os.times()
    workers_cpu = (after.children_user - children.children_user) + (
        after.children_system - children.children_system
    )
    print(
        f"verify: {verified.checked:,} records in {verified.chains} chains in {took:.1f} s wall "
        f"({cpu:.1f} s CPU in this process + {workers_cpu:.1f} s in worker processes) = "
        f"{verified.checked / took:,.0f} records/s, ok={verified.ok}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()

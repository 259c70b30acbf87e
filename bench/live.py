"""Benchmark of the live path on one machine, loopback only.

    .venv/bin/python bench/live.py [--rates 100,150,200,250] [--seconds 10] [--workers 1]
                                   [--concurrency CPUs] [--pages 8] [--hide-share 0.5]

Starts the whole stack — PostgreSQL database ``steward_bench`` (recreated), Redis db 14, gunicorn,
Celery worker(s), the fake platforms — then, for each rate, sends signed Facebook comment webhooks
at that rate for ``--seconds`` and waits for the pipeline to drain. Reported per step:

* offered and sustained events/s (events done ÷ time from the first delivery to the last
  completion, actions included),
* the webhook's acknowledgement time (p50/p95/p99),
* delivery → platform action (the fake platform receiving the hide) p50/p95/p99, for the comments
  the engine hides,
* delivery → decision for every comment,
* loss: acknowledged deliveries whose comment never reached the archive, and events not done.

Bounded: at most ``rate × seconds`` events per step, at most 90 s of draining per step; it stops
escalating when a step loses events or cannot drain.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live import stack  # noqa: E402

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/steward_bench")
DB_NAME = DB_URL.rsplit("/", 1)[1]
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
HIDE = ["this is fucking bullshit", "what a bunch of shit", "shut the fuck up", "you are a fucking idiot"]
KEEP = ["Great game last night, proud of the Lancers!", "Thanks to the teachers for the science fair",
        "When is the next school committee meeting?", "Cutting art teachers again is shameful"]  # fmt: skip


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q / 100 * (len(values) - 1)))))
    return values[k]


def processes_cpu(keep: Any) -> float:
    """CPU seconds (user + system) of the processes alive now for which ``keep(stat fields,
    command line)`` is true."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if keep(fields, cmdline):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def session_cpu(sid: int) -> float:
    """CPU seconds of every process in session ``sid`` (field 6 of stat)."""
    return processes_cpu(lambda fields, _cmd: int(fields[3]) == sid)


def database_cpu(name: str) -> float:
    """CPU seconds of the PostgreSQL backends serving database ``name``."""
    return processes_cpu(lambda _f, cmd: cmd.startswith(b"postgres: ") and f" {name} ".encode() in cmd + b" ")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def recreate_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="100,150,200,250")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1, help="Celery worker processes")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2,
                        help="prefork children per worker (default: the CPUs, as celery worker does)")
    parser.add_argument("--gunicorn-workers", type=int, default=max(1, (os.cpu_count() or 2) // 2),
                        help="gunicorn processes of 4 threads (default: one per two CPUs; the workers share them)")
    parser.add_argument("--pages", type=int, default=8, help="Facebook Pages (archive chains) to spread over")
    parser.add_argument("--hide-share", type=float, default=0.5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    if not stack.redis_ok(BROKER):
        sys.exit("Redis is not answering on " + BROKER)
    from cryptography.fernet import Fernet

    from steward.platforms.fake import FakePlatforms

    fake = FakePlatforms(port=0)
    fake.start()
    token_key = Fernet.generate_key().decode()
    env = stack.stack_env({
        "DATABASE_URL": DB_URL, "CELERY_BROKER_URL": BROKER, "STEWARD_TOKEN_KEY": token_key,
        "META_APP_SECRET": fake.app_secret, "SECRET_KEY": "bench-only", "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_CONN_MAX_AGE": "60", "SECURE_COOKIES": "0", "STEWARD_REQUIRE_MFA_FOR_ADMINS": "0",
    })  # fmt: skip
    recreate_database()
    stack.redis_flush(BROKER)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    accounts = setup_accounts(fake, args.pages)

    logdir = Path(tempfile.mkdtemp(prefix="steward-bench-"))
    port = free_port()
    procs = [stack.start_gunicorn(env, port=port, workers=args.gunicorn_workers, log=logdir / "gunicorn.log")]
    for i in range(args.workers):
        procs.append(stack.start_worker(env, concurrency=args.concurrency, log=logdir / f"worker{i}.log", name=f"b{i}"))
    url = f"http://127.0.0.1:{port}/platforms/webhooks/facebook/"
    try:
        stack.wait_until(lambda: _up(url), timeout=30, what="gunicorn")
        run_step(fake, accounts, url, rate=10, seconds=2, hide_share=args.hide_share, warmup=True)
        results = []
        for rate in [float(r) for r in args.rates.split(",")]:
            cpu_web, cpu_workers = session_cpu(procs[0].pid), sum(session_cpu(p.pid) for p in procs[1:])
            cpu_db, cpu_bench = database_cpu(DB_NAME), time.process_time()
            load = os.getloadavg()[0]
            result = run_step(fake, accounts, url, rate=rate, seconds=args.seconds, hide_share=args.hide_share)
            result["cpu_ms_per_event_web"] = round((session_cpu(procs[0].pid) - cpu_web) * 1000 / result["events"], 1)
            result["cpu_ms_per_event_workers"] = round(
                (sum(session_cpu(p.pid) for p in procs[1:]) - cpu_workers) * 1000 / result["events"], 1)
            # PostgreSQL's backends (the connections persist across steps: CONN_MAX_AGE) and this
            # process (the load generator and the fake platforms), for where the cores went.
            result["cpu_ms_per_event_db"] = round((database_cpu(DB_NAME) - cpu_db) * 1000 / result["events"], 1)
            result["cpu_ms_per_event_bench"] = round((time.process_time() - cpu_bench) * 1000 / result["events"], 1)
            result["load_avg_before"] = round(load, 1)
            results.append(result)
            print(format_row(result) if not args.json else json.dumps(result), flush=True)
            if result["lost"] or not result["drained"]:
                break
        if not args.json:
            print(f"\nmachine: {os.cpu_count()} CPUs; workers {args.workers}×{args.concurrency}, gunicorn "
                  f"{args.gunicorn_workers}×4 threads, {args.pages} pages; logs in {logdir}")  # fmt: skip
    finally:
        for proc in procs:
            stack.kill(proc)
        fake.stop()


def _up(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url.replace("/platforms/webhooks/facebook/", "/healthz"), timeout=1).status_code < 500
    except httpx.HTTPError:
        return False


def setup_accounts(fake: Any, pages: int) -> list[tuple[str, str]]:
    """``pages`` Facebook Pages on the fake, each registered and connected; returns (page id, post id)."""
    from steward.people.models import OrgUnit
    from steward.platforms.services import connection_save
    from steward.registry.models import Account

    unit = OrgUnit.objects.create(name="Lawrence Public Schools", kind="district", sourced_id="bench-district")
    out = []
    base = fake.accounts["facebook"]
    for i in range(pages):
        page_id = str(int(base) + i)
        fake.accounts["facebook"] = page_id
        post_id = fake.add_post("facebook", f"News from page {i}: report cards go home Friday")
        account = Account.objects.create(platform="facebook", handle=f"lps-bench-{i}", display_name=f"Bench page {i}",
                                         owning_unit=unit, kind="school", status="registered",
                                         platform_account_id=page_id)  # fmt: skip
        connection_save(actor=None, account=account, platform_account_id=page_id,
                        access_token=fake.tokens["facebook"], base_url=fake.base_url("facebook"))  # fmt: skip
        out.append((page_id, post_id))
    fake.accounts["facebook"] = base
    return out


def run_step(fake: Any, accounts: list[tuple[str, str]], url: str, *, rate: float, seconds: float,
             hide_share: float, warmup: bool = False) -> dict[str, Any]:  # fmt: skip

    from steward.archive.models import Record
    from steward.moderation.models import Decision, PlatformAction
    from steward.platforms.models import WebhookEvent

    n = max(1, int(rate * seconds))
    items = []
    for i in range(n):
        page_id, post_id = accounts[i % len(accounts)]
        hide = (i % 20) < hide_share * 20
        text = f"{(HIDE if hide else KEEP)[i % 4]} #{time.time_ns() % 10**9}-{i}"
        # Many people comment, a few of them often (forty people write a tenth of the comments).
        author = str(7_000_000 + (i % 40 if i % 10 == 0 else i % 4000))
        cid = fake.add_comment("facebook", post_id, text, send_webhook=False, author_id=author,
                               author_name=f"Parent {author}")
        body = json.dumps(fake.webhook_payload(fake._get("facebook", cid), "add"), ensure_ascii=True).encode()
        items.append((cid, hide, body, fake.sign("facebook", body)))
    sent: dict[str, float] = {}
    acked: dict[str, float] = {}
    status: dict[str, int] = {}
    lock = threading.Lock()
    local = threading.local()

    target = urlsplit(url)

    def send(item: tuple[str, bool, bytes, dict[str, str]]) -> None:
        # http.client with a kept-alive connection per thread: the load generator shares the two
        # CPUs with what it measures, and httpx cost twice as much CPU per request.
        cid, _hide, body, headers = item
        t0 = time.time()
        try:
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            conn.request("POST", target.path, body=body, headers={"Content-Type": "application/json", **headers})
            response = conn.getresponse()
            response.read()
            code = response.status
        except (OSError, http.client.HTTPException):
            local.conn = None
            code = 0
        with lock:
            sent[cid], acked[cid], status[cid] = t0, time.time(), code

    event_floor = WebhookEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    start = time.time()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i, item in enumerate(items):
            delay = start + i / rate - time.time()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, item)
    send_end = time.time()

    def drained() -> bool:
        open_events = WebhookEvent.objects.filter(pk__gt=event_floor, state__in=["received", "processing"]).exists()
        open_actions = PlatformAction.objects.filter(state__in=["pending", "running"]).exists()
        expected = sum(1 for code in status.values() if code == 200)
        return WebhookEvent.objects.filter(pk__gt=event_floor).count() >= expected and not open_events and not open_actions

    try:
        stack.wait_until(drained, timeout=90, what="drain", every=0.25)
        ok = True
    except TimeoutError:
        ok = False
    if warmup:
        return {}
    cids = [c for c, *_ in items]
    hides = {cid for cid, hide, *_ in items if hide}
    acked_ok = {c for c in cids if status.get(c) == 200}
    archived = set(Record.objects.filter(platform_id__in=cids, version="created").values_list("platform_id", flat=True))
    decided = dict(Decision.objects.filter(comment__comment_id__in=cids).values_list("comment__comment_id", "created_at"))
    action_at: dict[str, float] = {}
    for call in list(fake.calls):
        if call.at >= start and call.method == "POST" and call.status == 200 and str(call.params.get("is_hidden")).lower() == "true":
            cid = call.path.rsplit("/", 1)[-1]
            action_at.setdefault(cid, call.at)
    done_times = list(WebhookEvent.objects.filter(pk__gt=event_floor).exclude(processed_at=None)
                      .values_list("processed_at", flat=True))  # fmt: skip
    last = max([t.timestamp() for t in done_times] + list(action_at.values()) + [send_end])
    to_action = [action_at[c] - sent[c] for c in hides if c in action_at and c in sent]
    to_decision = [decided[c].timestamp() - sent[c] for c in cids if c in decided and c in sent]
    ack = [acked[c] - sent[c] for c in cids if c in acked]
    return {
        "offered_eps": rate,
        "events": n,
        "acked": len(acked_ok),
        "sustained_eps": round(len(done_times) / max(1e-6, last - start), 1),
        "ack_ms": [round(pct(ack, q) * 1000, 1) for q in (50, 95, 99)],
        "to_action_ms": [round(pct(to_action, q) * 1000, 1) for q in (50, 95, 99)],
        "to_decision_ms": [round(pct(to_decision, q) * 1000, 1) for q in (50, 95, 99)],
        "hides_expected": Decision.objects.filter(comment__comment_id__in=hides, outcome="hide").count(),
        "hides_done": len(to_action),
        "lost": len(acked_ok - archived),
        "not_acked": n - len(acked_ok),
        "not_done": len(acked_ok) - len(done_times),
        "drained": ok,
    }


def format_row(r: dict[str, Any]) -> str:
    return (f"offered {r['offered_eps']:>6.0f}/s  sustained {r['sustained_eps']:>6.1f}/s  "
            f"ack p50/95/99 {r['ack_ms']} ms  delivery→hide p50/95/99 {r['to_action_ms']} ms  "
            f"→decision {r['to_decision_ms']} ms  hides {r['hides_done']}/{r['hides_expected']}  lost {r['lost']}  "
            f"not acked {r['not_acked']}  not done {r['not_done']}  drained {r['drained']}  CPU/event web {r['cpu_ms_per_event_web']} ms "
            f"workers {r['cpu_ms_per_event_workers']} ms  db {r['cpu_ms_per_event_db']} ms  "
            f"load generator + fake platforms {r['cpu_ms_per_event_bench']} ms  load {r['load_avg_before']}")  # fmt: skip


if __name__ == "__main__":
    main()

"""The live path on real processes: PostgreSQL, Redis, Celery workers (subprocesses) and the fake
platforms, with faults: a worker killed mid-batch, Redis restarted, 429 and 5xx storms, duplicate,
badly signed and malformed deliveries. Each test ends with every event archived once and every
action done once on the platform.

Skipped unless the suite runs on PostgreSQL (workers must share the test database; SQLite's test
database lives in memory) and Redis answers.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from steward.archive.models import Record
from steward.moderation.models import Decision, PlatformAction
from steward.platforms import pipeline
from steward.platforms.models import Comment, WebhookEvent
from tests.live import stack
from tests.live.conftest import TOKEN_KEY, comment_webhook, connect

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TEXTS = [
    "this is fucking bullshit",                                          # hide
    "Great game last night, proud of the Lancers!",                      # keep
    "My daughter still has not received her IEP meeting date, who do I call?",  # hide + reply
    "what a bunch of shit",                                              # hide
    "Thanks to the teachers for the science fair",                       # keep
]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def workers(fake: Any) -> Iterator[Any]:
    if connection.vendor != "postgresql":
        pytest.skip("real workers need a shared database: run the suite with DATABASE_URL=postgres://...")
    if not stack.redis_ok():
        pytest.skip("Redis is not answering on " + stack.REDIS_URL)
    from steward.celery import app

    stack.redis_flush()
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = stack.REDIS_URL
    app._pool = None
    app.amqp._producer_pool = None
    logdir = Path(tempfile.mkdtemp(prefix="steward-live-"))
    env = stack.stack_env({
        "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": stack.REDIS_URL, "STEWARD_TOKEN_KEY": TOKEN_KEY,
        "META_APP_SECRET": fake.app_secret, "X_CONSUMER_SECRET": fake.x_consumer_secret,
        "STEWARD_LEASE_SECONDS": "6", "SECRET_KEY": "live-test",
    })  # fmt: skip

    class Workers:
        procs: list[Any] = []

        def start(self, name: str = "w1") -> Any:
            proc = stack.start_worker(env, concurrency=2, log=logdir / f"{name}.log", name=name)
            self.procs.append(proc)
            return proc

        def kill(self, proc: Any) -> None:
            stack.kill(proc)

        def log(self) -> str:
            return "\n".join(p.read_text(errors="replace")[-3000:] for p in logdir.glob("*.log"))

    w = Workers()
    yield w
    for proc in w.procs:
        stack.kill(proc)
    app.conf.task_always_eager, app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None


def post(fake: Any, payload: Any, *, signature: str | None = None, platform: str = "facebook") -> int:
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=True).encode()
    headers = fake.sign(platform, body)
    if signature:
        headers = {next(iter(headers)): signature}
    r = Client().post(f"/platforms/webhooks/{platform}/", data=body, content_type="application/json", headers=headers)
    return r.status_code


def hide_calls(fake: Any, platform: str, cid: str) -> list[Any]:
    if platform == "x":
        # (the JSON body is not kept in the call log; nothing here unhides)
        return [c for c in fake.calls if c.method == "PUT" and c.path.endswith(f"/tweets/{cid}/hidden")
                and c.status == 200]  # fmt: skip
    return [c for c in fake.calls if c.method == "POST" and c.path.endswith(cid) and c.status == 200
            and str(c.params.get("is_hidden")).lower() == "true"]  # fmt: skip


def settled() -> bool:
    events_open = WebhookEvent.objects.filter(state__in=["received", "processing"]).exists()
    actions_open = PlatformAction.objects.exclude(state__in=["done", "failed", "unsupported"]).exists()
    return not events_open and not actions_open


def drive_until_settled(workers: Any, timeout: float) -> None:
    """What beat would do: sweep every second until nothing is left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if settled():
            return
        pipeline.sweep()
        time.sleep(1.0)
    raise AssertionError(f"not settled: {pipeline.due_counts()}\n{workers.log()}")


def assert_exactly_once(fake: Any, cids: list[str]) -> None:
    for cid in cids:
        comment = Comment.objects.get(comment_id=cid)
        platform = comment.platform
        assert Record.objects.filter(platform_id=cid, version="created").count() == 1, cid
        decisions = list(Decision.objects.filter(comment=comment))
        assert len(decisions) == 1, cid
        hides = hide_calls(fake, platform, cid)
        expect_hide = decisions[0].outcome in ("hide", "escalate")
        assert len(hides) == (1 if expect_hide else 0), (cid, decisions[0].outcome, len(hides))
        assert fake.comment(platform, cid).hidden == expect_hide
        expect_reply = PlatformAction.objects.filter(decision=decisions[0], kind="reply").exists()
        assert len(fake.replies(platform, cid)) == (1 if expect_reply else 0), cid
        if expect_hide:
            assert Record.objects.filter(platform_id=cid, version="hidden").count() == 1, cid
    assert set(PlatformAction.objects.values_list("state", flat=True)) <= {"done"}


def test_worker_killed_mid_batch(lps, fake, workers):
    connect(lps, fake, "facebook")
    post_id = fake.add_post("facebook", "Report cards go home Friday")
    fake.inject_fault("latency", count=10_000, platform="facebook", latency=0.1)
    first = workers.start("w1")
    payloads, cids = [], []
    for i in range(20):
        cid, payload = comment_webhook(fake, "facebook", post_id, f"{TEXTS[i % len(TEXTS)]} ({i})")
        cids.append(cid)
        payloads.append(payload)
    for payload in payloads:
        assert post(fake, payload) == 200
        assert post(fake, payload) == 200  # duplicate delivery
    assert post(fake, payloads[0], signature="sha256=" + "0" * 64) == 403
    assert post(fake, b'{"object":"page","entry":"nope"}') == 200  # malformed: stored, failed
    # Let the worker get going, then kill it (and its children) in the middle of the batch: some
    # hides have reached the platform, none is recorded yet (a batch records its answers at once).
    stack.wait_until(lambda: sum(1 for c in list(fake.calls) if c.method == "POST" and c.status == 200
                                 and str(c.params.get("is_hidden")).lower() == "true") >= 3,
                     timeout=60, what="first hides on the platform", every=0.02)  # fmt: skip
    workers.kill(first)
    assert not settled()
    workers.start("w2")
    drive_until_settled(workers, timeout=90)
    assert WebhookEvent.objects.filter(state="done").count() == 20
    assert WebhookEvent.objects.filter(state="failed").count() == 1
    assert_exactly_once(fake, cids)


def test_redis_restart_and_platform_storms(lps, fake, workers):
    """Facebook answers 500 for a while and X throttles (429 with x-rate-limit-reset); Redis is
    restarted without persistence in the middle, losing its queue, while deliveries keep coming."""
    connect(lps, fake, "facebook")
    connect(lps, fake, "x", handle="lps-x")
    posts = {"facebook": fake.add_post("facebook", "Snow day tomorrow"), "x": fake.add_post("x", "Game tonight")}
    fake.inject_fault("error", count=6, platform="facebook", status=500)
    fake.inject_fault("rate_limit", count=4, platform="x", retry_after=1)
    workers.start("w1")
    cids: list[str] = []

    def batch(n: int, offset: int) -> None:
        for i in range(n):
            platform = "x" if i % 2 else "facebook"
            text = f"{TEXTS[(i + offset) % len(TEXTS)]} [{offset + i}]"
            cid, payload = comment_webhook(fake, platform, posts[platform], text)
            cids.append(cid)
            started = time.monotonic()
            assert post(fake, payload, platform=platform) == 200
            assert time.monotonic() - started < 5  # acknowledged quickly even with the broker down

    batch(8, 0)
    stack.redis_restart(during=lambda: batch(6, 8))
    batch(6, 14)
    drive_until_settled(workers, timeout=120)
    assert WebhookEvent.objects.filter(state="done").count() == 20
    assert_exactly_once(fake, cids)

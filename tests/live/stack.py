"""Start and stop the pieces of the live stack as real processes: Celery workers, gunicorn, Redis.

Shared by the worker tests and ``bench/live.py``. Every process is started in its own session so
that it (and its prefork children) can be killed as a group, by its own id, and nothing else.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_ok(url: str = REDIS_URL) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def redis_flush(url: str = REDIS_URL) -> None:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()


def redis_restart(*, down_for: float = 1.0, during: Callable[[], None] | None = None) -> None:
    """Shut the server down without saving (the queue is lost, as in a crash) and start it again."""
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], check=False,
                   capture_output=True, timeout=10)  # fmt: skip
    deadline = time.monotonic() + 10
    while redis_ok() and time.monotonic() < deadline:
        time.sleep(0.1)
    if during is not None:
        during()
    time.sleep(down_for)
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
                    "--save", "", "--appendonly", "no"], check=True, capture_output=True, timeout=10)  # fmt: skip
    wait_until(redis_ok, timeout=10, what="redis back")


def stack_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"DJANGO_SETTINGS_MODULE": "steward.settings", "PYTHONPATH": str(ROOT), "DEBUG": "0",
                "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING"})  # fmt: skip
    env.update(extra)
    return env


def start_worker(env: Mapping[str, str], *, concurrency: int = 2, log: Path, name: str = "w1") -> subprocess.Popen[bytes]:
    cmd = [str(BIN / "celery"), "-A", "steward", "worker", "-l", os.environ.get("STEWARD_WORKER_LOGLEVEL", "warning"), "-c", str(concurrency),
           "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=dict(env), stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def start_gunicorn(env: Mapping[str, str], *, port: int, workers: int = 4, log: Path) -> subprocess.Popen[bytes]:
    cmd = [str(BIN / "gunicorn"), "steward.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers),
           "--threads", "4", "-k", "gthread", "--access-logfile", "-"]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=dict(env), stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def kill(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Kill the process group this helper started (the worker and its prefork children)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_until(predicate: Callable[[], bool], *, timeout: float, what: str = "", every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise TimeoutError(f"timed out waiting for {what or predicate}")

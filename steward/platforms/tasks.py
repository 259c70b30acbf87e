"""Celery tasks of the live path. Each is a thin shell around :mod:`steward.platforms.pipeline`.

With no broker configured the tasks run in-process (``task_always_eager``). With Redis they run on
workers with ``acks_late`` and ``reject_on_worker_lost`` (settings), so a task whose worker dies is
redelivered; and because the database, not the broker, is the source of truth, the sweeper
re-drives anything a lost message left behind (a Redis restart without persistence loses the
queue, never the events).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

log = logging.getLogger("steward.live")


def _eager() -> bool:
    from steward.celery import app

    return bool(app.conf.task_always_eager)


def send_task(task: Any, *args: Any, countdown: float | None = None) -> bool:
    """Enqueue ``task`` without ever raising: the caller has already stored what the task will do.

    In-process mode runs the task now, except a delayed retry, which is left to the sweeper
    (running it now would turn a 429 storm into a busy loop).
    """
    if _eager():
        if countdown:
            return False
        try:
            task.apply(args=args)
        except Exception:  # the row records the failure; never fail the caller
            log.exception("in-process task %s%r failed", task.name, args)
        return True
    try:
        task.apply_async(args=args, countdown=countdown, retry=False)
        return True
    except Exception as exc:  # broker down: the sweeper will find the stored row
        log.warning("could not enqueue %s%r: %s", task.name, args, exc)
        return False


#: Set while a processing task waits in the broker's queue: deliveries arriving meanwhile need no
#: task of their own, the waiting one will take them (it clears the flag when it starts).
WAITING_KEY = "steward:events:task-waiting"
_REDIS: list[Any] = []


def _redis() -> Any:
    """A client of the broker when it is Redis (else None): one flag, no queue of our own."""
    if not _REDIS:
        from django.conf import settings

        url = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
        client = None
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        _REDIS.append(client)
    return _REDIS[0]


def _waiting_flag_store() -> Any:
    """Where the waiting flag lives: the broker's Redis when tasks go through it, else None."""
    return None if _eager() else _redis()


def _clear_waiting(client: Any) -> None:
    try:
        client.delete(WAITING_KEY)
    except Exception as exc:  # the flag expires by itself
        log.warning("could not clear the waiting flag: %s", exc)


def enqueue_event(event_id: int) -> None:
    """Hand a stored event to the workers. Under load most deliveries find a processing task
    already waiting in the queue and publish nothing (the waiting task drains everything due);
    whatever a lost message leaves behind, the sweeper re-drives."""
    client = _waiting_flag_store()
    if client is not None:
        try:
            if not client.set(WAITING_KEY, event_id, nx=True, ex=10):
                return
        except Exception as exc:  # Redis down: publishing fails too, and says so
            log.warning("could not check for a waiting task: %s", exc)
    if not send_task(process_event_task, event_id) and client is not None:
        _clear_waiting(client)


@shared_task(name="steward.platforms.process_event", acks_late=True, reject_on_worker_lost=True)
def process_event_task(event_id: int) -> str:
    """Process the event and everything else due, in batches (with a broker; in-process, the
    event and one batch)."""
    from steward.platforms.pipeline import event_process, events_drain

    client = _waiting_flag_store()
    if client is not None:
        _clear_waiting(client)  # from now on a new delivery publishes a new task
    outcome = event_process(event_id)
    if client is not None:
        events_drain()
    return outcome


@shared_task(name="steward.moderation.run_action", acks_late=True, reject_on_worker_lost=True)
def run_action_task(action_id: int) -> str:
    from steward.platforms.pipeline import action_run

    return action_run(action_id)


@shared_task(name="steward.platforms.sweep")
def sweep_task() -> dict[str, int]:
    from steward.platforms.pipeline import sweep

    return sweep()


@shared_task(name="steward.platforms.poll", acks_late=True)
def poll_task(cursor_id: int) -> str:
    from steward.platforms.pollers import poll_cursor

    return poll_cursor(cursor_id)


@shared_task(name="steward.platforms.poll_due")
def poll_due_task() -> int:
    from steward.platforms.pollers import polls_due

    count = 0
    for cursor_id in polls_due():
        send_task(poll_task, cursor_id)
        count += 1
    return count


def _schedule(sender: Any, **kwargs: Any) -> None:
    # Beat (``celery -A steward beat``) sweeps every 30 s and polls every minute.
    sender.add_periodic_task(30.0, sweep_task.s(), name="steward sweep")
    sender.add_periodic_task(60.0, poll_due_task.s(), name="steward polls")


try:
    from steward.celery import app as _app

    _app.on_after_finalize.connect(_schedule)
    if not _app.conf.broker_transport_options:
        # A publisher must give up on a dead broker in about a second instead of retrying for
        # minutes: the webhook that triggered the publish is waiting, and the row is already
        # stored for the sweeper. (Workers reconnect with their own broker_connection_* retries.)
        _app.conf.broker_transport_options = {
            "max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5,
            "socket_connect_timeout": 2, "socket_timeout": 10,
        }  # fmt: skip
except ImportError:  # pragma: no cover
    pass

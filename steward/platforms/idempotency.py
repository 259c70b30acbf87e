"""Doing a moderation action exactly once, keyed by Steward's own decision id.

Hide, unhide and YouTube's moderation status are idempotent on the platform (setting a flag twice
leaves it set), so retrying them is safe. A *reply* is not: posting twice shows the public two
notices. :func:`reply_once` makes it safe to retry a reply task any number of times:

1. the ledger already has a reply id for this decision → return it, no call;
2. else the platform already shows a reply by this account with exactly this text under the
   comment (a previous attempt posted it, then the worker died before recording it) → record it;
3. else post, and record the new id.

The ledger is a two-method protocol; the Django side implements it on its decision model with a
unique constraint on the key.
"""

from __future__ import annotations

import threading
from typing import Protocol

from steward.platforms.base import Action, ActionResult, BaseClient


class ReplyLedger(Protocol):
    def get(self, key: str) -> str | None: ...

    def put(self, key: str, reply_id: str) -> None: ...


class MemoryReplyLedger:
    """An in-memory ledger for tests and the fake platform demo."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._data.get(key)

    def put(self, key: str, reply_id: str) -> None:
        with self._lock:
            self._data[key] = reply_id


def reply_once(
    client: BaseClient,
    *,
    decision_id: str,
    comment_id: str,
    text: str,
    ledger: ReplyLedger,
    post_id: str | None = None,
) -> ActionResult:
    """Post ``text`` under ``comment_id`` at most once for ``decision_id``.

    ``ActionResult.status_code`` is 200 with ``response["reused"]`` true when no new reply was
    posted. Platform errors propagate (retry the whole call; steps 1–2 make that safe).
    """
    key = f"{client.platform}:{client.account_id}:{decision_id}"
    known = ledger.get(key)
    if known:
        return ActionResult(
            client.platform,
            Action.REPLY,
            comment_id,
            200,
            {"reused": True, "id": known},
            created_id=known,
        )
    existing = client.find_own_reply(comment_id, text, post_id=post_id)
    if existing is not None:
        ledger.put(key, existing.id)
        return ActionResult(
            client.platform,
            Action.REPLY,
            comment_id,
            200,
            {"reused": True, "id": existing.id},
            created_id=existing.id,
        )
    result = client.reply(comment_id, text, post_id=post_id)
    if result.created_id:
        ledger.put(key, result.created_id)
    return result

"""A reply keyed by Steward's decision id is posted once, whatever retries happen."""

from __future__ import annotations

import pytest

from steward.platforms.errors import TransientError
from steward.platforms.facebook.client import FacebookClient
from steward.platforms.fake import FakePlatforms
from steward.platforms.idempotency import MemoryReplyLedger, reply_once
from steward.platforms.youtube.client import YouTubeClient

NOTICE = "This comment was hidden under clause 4.2. Appeal: https://steward.example/appeal/abc"


def test_reply_once_posts_once(fake: FakePlatforms) -> None:
    post = fake.add_post("facebook")
    comment = fake.add_comment("facebook", post, "rude")
    ledger = MemoryReplyLedger()
    with FacebookClient(**fake.client_kwargs("facebook")) as client:
        first = reply_once(
            client, decision_id="d-1", comment_id=comment, text=NOTICE, ledger=ledger
        )
        again = reply_once(
            client, decision_id="d-1", comment_id=comment, text=NOTICE, ledger=ledger
        )
    assert first.created_id and again.created_id == first.created_id
    assert again.response["reused"] is True
    assert [r.text for r in fake.replies("facebook", comment)] == [NOTICE]


def test_worker_died_after_posting(fake: FakePlatforms) -> None:
    """The reply was posted but its id never recorded: the retry finds it instead of reposting."""
    post = fake.add_post("facebook")
    comment = fake.add_comment("facebook", post, "rude")
    with FacebookClient(**fake.client_kwargs("facebook")) as client:
        client.reply(comment, NOTICE)  # ... and the worker dies here
        result = reply_once(
            client, decision_id="d-2", comment_id=comment, text=NOTICE, ledger=MemoryReplyLedger()
        )
    assert result.response["reused"] is True
    assert len(fake.replies("facebook", comment)) == 1


def test_retry_after_transient_failure_posts_once(fake: FakePlatforms) -> None:
    video = fake.add_post("youtube")
    comment = fake.add_comment("youtube", video, "question")
    ledger = MemoryReplyLedger()
    fake.inject_fault("error", count=1, platform="youtube", path_contains="/comments")
    with YouTubeClient(**fake.client_kwargs("youtube")) as client:
        with pytest.raises(TransientError):
            reply_once(client, decision_id="d-3", comment_id=comment, text=NOTICE, ledger=ledger)
        reply_once(client, decision_id="d-3", comment_id=comment, text=NOTICE, ledger=ledger)
        reply_once(client, decision_id="d-3", comment_id=comment, text=NOTICE, ledger=ledger)
    assert [r.text for r in fake.replies("youtube", comment)] == [NOTICE]


def test_different_decisions_may_reply_differently(fake: FakePlatforms) -> None:
    post = fake.add_post("facebook")
    comment = fake.add_comment("facebook", post, "rude")
    ledger = MemoryReplyLedger()
    with FacebookClient(**fake.client_kwargs("facebook")) as client:
        reply_once(
            client, decision_id="d-4", comment_id=comment, text="first notice", ledger=ledger
        )
        reply_once(
            client, decision_id="d-5", comment_id=comment, text="second notice", ledger=ledger
        )
    assert len(fake.replies("facebook", comment)) == 2

"""Pollers: YouTube comments (no push at all) and Instagram edits and deletions (no webhook)."""

from __future__ import annotations

import pytest

from steward.archive.models import Record
from steward.platforms.models import Comment, PollCursor
from steward.platforms.pollers import cursors_ensure, poll_cursor, polls_due
from tests.live.conftest import comment_webhook, connect, deliver, on_commit

pytestmark = pytest.mark.django_db


def poll_all() -> list[str]:
    with on_commit():
        return [poll_cursor(pk) for pk in polls_due(force=True)]


def test_youtube_comments_are_polled_judged_and_rejected(lps, fake, settings):
    connect(lps, fake, "youtube")
    video = fake.add_post("youtube", "Lancers highlights")
    good = fake.add_comment("youtube", video, "Great game, proud of this team!")
    bad = fake.add_comment("youtube", video, "what a bunch of fucking losers")
    assert cursors_ensure() == 1
    poll_all()
    assert Comment.objects.get(comment_id=good).state == "visible"
    assert Comment.objects.get(comment_id=bad).state == "hidden"
    assert fake.comment("youtube", bad).status in ("heldForReview", "rejected")
    # a second poll changes nothing and archives nothing twice
    before = Record.objects.count()
    poll_all()
    assert Record.objects.count() == before
    cursor = PollCursor.objects.get()
    assert cursor.units_spent >= 2 and cursor.high_water is not None


def test_youtube_budget_is_respected(lps, fake, settings):
    settings.YOUTUBE_POLL_UNITS_PER_ACCOUNT = 1
    connect(lps, fake, "youtube")
    fake.add_post("youtube", "Lancers highlights")
    cursors_ensure()
    assert poll_all() == ["0 changes"]
    assert poll_all() == ["throttled"]
    assert PollCursor.objects.get().next_poll_at is not None


def test_instagram_edits_and_deletions_are_reconciled(lps, fake):
    connect(lps, fake, "instagram")
    media = fake.add_post("instagram", "Science fair winners")
    cid, payload = comment_webhook(fake, "instagram", media, "Congratulations to all the students!")
    deliver(fake, "instagram", payload)
    other, payload2 = comment_webhook(fake, "instagram", media, "So proud")
    deliver(fake, "instagram", payload2)
    fake.edit_comment("instagram", cid, "Congratulations! (edited)", send_webhook=False)
    fake.remove_comment("instagram", other, send_webhook=False)
    cursors_ensure()
    poll_all()
    assert Comment.objects.get(comment_id=cid).text == "Congratulations! (edited)"
    assert Comment.objects.get(comment_id=other).state == "deleted"
    assert list(Record.objects.filter(platform_id=cid).order_by("seq").values_list("version", flat=True)) == ["created", "edited"]
    assert list(Record.objects.filter(platform_id=other).order_by("seq").values_list("version", flat=True)) == ["created", "deleted_by_author"]
    before = Record.objects.count()
    poll_all()
    assert Record.objects.count() == before

"""The Facebook Page comments backfill: what webhooks missed is found by polling
``GET /{post-id}/comments`` on the fake Graph API, page by page, from a per-account high-water mark,
and goes through the same pipeline (archived once, with source ``poll``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from steward.archive.models import Record
from steward.platforms.fake import FakePlatforms
from steward.platforms.models import Comment, PollCursor
from steward.platforms.pollers import cursors_ensure, poll_cursor, polls_due
from tests.live.conftest import comment_webhook, connect, deliver, on_commit
from tests.live.conftest import fake as fake  # noqa: F401 - fixtures
from tests.live.conftest import live_settings as live_settings  # noqa: F401

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def page(lps: Any, fake: FakePlatforms, settings: Any) -> Any:  # noqa: F811
    settings.FACEBOOK_BACKFILL_PAGE_SIZE = 2  # small pages: every listing below needs paging
    return connect(lps, fake, "facebook")


def backfill() -> str:
    with on_commit():
        (cursor_id,) = [pk for pk in polls_due(force=True)
                        if PollCursor.objects.get(pk=pk).kind == "facebook_backfill"]  # fmt: skip
        return poll_cursor(cursor_id)


def comment_calls(fake: FakePlatforms) -> list[dict[str, Any]]:
    return [c.params for c in fake.calls if c.path.endswith("/comments") and c.method == "GET"]


def test_comments_the_webhooks_missed_are_backfilled_once(page, fake):
    with time_machine.travel(START, tick=False):
        post = fake.add_post("facebook", "Bus routes change on Monday")
        seen, payload = comment_webhook(fake, "facebook", post, "Thanks for the heads-up")
        deliver(fake, "facebook", payload)
    missed = []
    for minute in range(1, 5):
        with time_machine.travel(START + dt.timedelta(minutes=minute), tick=False):
            missed.append(fake.add_comment("facebook", post, f"Will the {minute} o'clock bus still stop at Oak Street?", send_webhook=False))
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        reply = fake.add_comment("facebook", post, "A reply nobody was told about", parent_id=missed[0],
                                 send_webhook=False)  # fmt: skip
    assert Comment.objects.count() == 1

    assert cursors_ensure() == 1
    with time_machine.travel(START + dt.timedelta(minutes=10), tick=False):
        assert backfill() == "5 changes"
    assert set(Comment.objects.values_list("comment_id", flat=True)) == {seen, *missed, reply}
    assert Comment.objects.get(comment_id=reply).parent_id == missed[0]
    for cid in missed:
        (record,) = Record.objects.filter(platform_id=cid, version="created")
        assert record.source == "poll"
    # the webhook-delivered comment is not archived a second time
    assert Record.objects.filter(platform_id=seen).count() == 1
    # 6 comments in pages of 2: the listing was followed through its paging cursors to the end
    calls = comment_calls(fake)
    assert [bool(c.get("after")) for c in calls] == [False, True, True]
    assert {c["filter"] for c in calls} == {"stream"}

    cursor = PollCursor.objects.get(kind="facebook_backfill")
    assert cursor.high_water == START + dt.timedelta(minutes=5)
    assert cursor.last_error == "" and cursor.next_poll_at == START + dt.timedelta(minutes=10, seconds=900)

    # A second poll asks only from the high-water mark (less the overlap) and stores nothing.
    before = Record.objects.count()
    with time_machine.travel(START + dt.timedelta(minutes=30), tick=False):
        assert backfill() == "0 changes"
    assert Record.objects.count() == before
    since = {c["since"] for c in comment_calls(fake)[3:]}
    assert since == {str(int((START + dt.timedelta(minutes=5) - dt.timedelta(seconds=600)).timestamp()))}


def test_changes_on_the_platform_are_archived_as_versions(page, fake):
    post = fake.add_post("facebook", "Science fair")
    cid, payload = comment_webhook(fake, "facebook", post, "Great work everyone")
    deliver(fake, "facebook", payload)
    cursors_ensure()
    backfill()
    with fake._lock:  # a Page admin hides it in Facebook itself (no webhook for that here)
        fake._get("facebook", cid).hidden = True
    fake.edit_comment("facebook", cid, "Great work everyone (edited)", send_webhook=False)
    assert backfill() == "2 changes"
    comment = Comment.objects.get(comment_id=cid)
    assert comment.state == "hidden" and comment.hidden_by == "platform"
    assert comment.text == "Great work everyone (edited)"
    versions = list(Record.objects.filter(platform_id=cid).order_by("seq").values_list("version", "source"))
    assert versions[0] == ("created", "webhook")
    assert {v for v, _ in versions[1:]} == {"edited", "hidden"} and {s for _, s in versions[1:]} == {"poll"}


def test_the_first_backfill_looks_back_a_week(page, fake, settings):
    post = fake.add_post("facebook", "Welcome back")
    with time_machine.travel(START - dt.timedelta(days=10), tick=False):
        old = fake.add_comment("facebook", post, "Ten days ago", send_webhook=False)
    with time_machine.travel(START - dt.timedelta(days=2), tick=False):
        recent = fake.add_comment("facebook", post, "Two days ago", send_webhook=False)
    cursors_ensure()
    with time_machine.travel(START, tick=False):
        backfill()
    assert list(Comment.objects.values_list("comment_id", flat=True)) == [recent]
    assert old not in set(Comment.objects.values_list("comment_id", flat=True))


def test_throttled_backfill_waits_and_keeps_its_mark(page, fake):
    post = fake.add_post("facebook", "Lunch menu")
    with time_machine.travel(START, tick=False):
        missed = fake.add_comment("facebook", post, "Pizza Friday please", send_webhook=False)
    cursors_ensure()
    fake.inject_fault("rate_limit", count=1, platform="facebook", path_contains="/comments", retry_after=300)
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        assert backfill() == "throttled"
    cursor = PollCursor.objects.get(kind="facebook_backfill")
    assert cursor.high_water is None and "80001" in cursor.last_error
    assert cursor.next_poll_at >= START + dt.timedelta(minutes=1, seconds=300)
    assert not Comment.objects.filter(comment_id=missed).exists()
    # not due before then
    with time_machine.travel(START + dt.timedelta(minutes=2), tick=False):
        assert cursor.pk not in polls_due()
    from steward.platforms.services import clients_reset

    clients_reset()  # a new worker process: the client's in-memory throttle is gone too
    with time_machine.travel(START + dt.timedelta(minutes=7), tick=False):
        assert cursor.pk in polls_due()
        assert backfill() == "1 changes"
    assert Comment.objects.filter(comment_id=missed).exists()


def test_poll_platforms_command_runs_the_backfill(page, fake):
    post = fake.add_post("facebook", "Graduation")
    fake.add_comment("facebook", post, "Congratulations!", send_webhook=False)
    with on_commit():
        call_command("poll_platforms", "--all")
    assert Comment.objects.filter(text="Congratulations!").exists()
    assert PollCursor.objects.filter(kind="facebook_backfill").count() == 1


"""Blocks are lifted by the system at their review-by date (BLK-2), through the connector where the
platform can unblock, and the lift is audited and archived with actor, clause and time."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from steward.archive.models import Record
from steward.core.models import AuditEvent
from steward.moderation import services
from steward.moderation.models import BlockProposal, PlatformAction, QueueItem
from steward.platforms.fake import FakePlatforms
from steward.platforms.models import Comment
from tests.live.conftest import comment_webhook, connect, deliver, on_commit
from tests.live.conftest import fake as fake  # noqa: F401 - fixtures
from tests.live.conftest import live_settings as live_settings  # noqa: F401

pytestmark = pytest.mark.django_db

BOSTON = ZoneInfo("America/New_York")
APPROVED_AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BOSTON)
REVIEW_BY = dt.date(2026, 4, 1)


def blocked_author(lps: Any, fake: FakePlatforms, platform: str = "facebook") -> BlockProposal:  # noqa: F811
    """A comment removed by a person, its author proposed for a block by a principal and approved
    by the communications lead with a review-by date of 1 April."""
    connect(lps, fake, platform)
    with time_machine.travel(APPROVED_AT, tick=False):
        post = fake.add_post(platform, "Board meeting tonight")
        cid, payload = comment_webhook(fake, platform, post, "Everyone on the board is a liar and a thief")
        deliver(fake, platform, payload)
        comment = Comment.objects.get(comment_id=cid)
        with on_commit():
            decision = services.comment_decide(actor=lps.user("media_officer"), comment=comment, outcome="remove",
                                               category="offensive", viewpoint_attested=True)  # fmt: skip
        proposal = services.block_propose(actor=lps.user("principal_a"), violation=decision,
                                          reason="Third abusive comment this month")  # fmt: skip
        with on_commit():
            return services.block_decide(actor=lps.user("media_officer"), proposal=proposal, approve=True,
                                         review_by=REVIEW_BY)  # fmt: skip


def lift(on: dt.datetime) -> list[BlockProposal]:
    with time_machine.travel(on, tick=False), on_commit():
        return services.blocks_lift_due()


def test_a_block_is_lifted_on_its_review_date_and_unblocked_on_the_platform(lps, fake):
    block = blocked_author(lps, fake)
    assert block.author_id in fake.blocked["facebook"]

    assert lift(dt.datetime(2026, 3, 31, 23, 59, tzinfo=BOSTON)) == []  # the day before, in Boston
    assert BlockProposal.objects.get().state == "approved" and block.author_id in fake.blocked["facebook"]

    at = dt.datetime(2026, 4, 1, 0, 30, tzinfo=BOSTON)  # 04:30 UTC
    assert [b.pk for b in lift(at)] == [block.pk]
    block.refresh_from_db()
    assert block.state == "lifted" and block.lifted_by is None and block.lifted_at == at
    assert "2026-04-01" in block.lift_note and "BLK-2" in block.lift_note
    assert block.author_id not in fake.blocked["facebook"]  # unblocked through the connector
    unblock = PlatformAction.objects.get(block=block, kind="unblock")
    assert unblock.state == "done" and unblock.key == f"block:{block.pk}:unblock"
    assert any(c.method == "DELETE" and c.path.endswith("/blocked") for c in fake.calls)

    event = AuditEvent.objects.get(action="moderation.block_lifted_at_review")
    assert event.actor is None and event.actor_label == "system" and event.clause == block.clause
    assert dt.datetime.fromisoformat(event.after["lifted_at"]) == at and event.after["review_by"] == "2026-04-01"
    record = Record.objects.get(platform_id=f"block:{block.pk}:lifted")
    assert record.actor == "system" and record.clause == block.clause and record.state == "block_lifted"
    assert dt.datetime.fromisoformat(record.extra["lifted_at"]) == at and record.extra["note"] == block.lift_note
    # the platform's answer to the unblock is archived too
    assert Record.objects.filter(platform_id=f"action:{unblock.pk}", state="unblock_done").count() == 1

    # Running again (another beat tick, another machine) changes nothing.
    assert lift(at + dt.timedelta(hours=1)) == []
    assert PlatformAction.objects.filter(block=block, kind="unblock").count() == 1
    assert AuditEvent.objects.filter(action__startswith="moderation.block_lifted").count() == 1


def test_a_block_lifted_early_by_a_person_stays_theirs(lps, fake):
    block = blocked_author(lps, fake)
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=BOSTON), tick=False), on_commit():
        services.block_lift(actor=lps.user("media_officer"), proposal=block, note="apologised in writing")
    assert lift(dt.datetime(2026, 4, 2, 9, 0, tzinfo=BOSTON)) == []
    block.refresh_from_db()
    assert block.lifted_by == lps.user("media_officer") and block.lift_note == "apologised in writing"
    assert PlatformAction.objects.filter(block=block, kind="unblock").count() == 1


def test_where_the_platform_cannot_unblock_the_lift_is_still_recorded(lps, fake):
    # X blocks are Enterprise-only (platforms.md §3.3): neither block nor unblock reaches X.
    block = blocked_author(lps, fake, "x")
    assert PlatformAction.objects.get(block=block, kind="block").state == "unsupported"
    (lifted,) = lift(dt.datetime(2026, 4, 1, 8, 0, tzinfo=BOSTON))
    assert lifted.state == "lifted"
    unblock = PlatformAction.objects.get(block=block, kind="unblock")
    assert unblock.state == "unsupported" and "Enterprise" in unblock.last_error
    assert Record.objects.filter(platform_id=f"block:{block.pk}:lifted", actor="system").exists()
    # ... and a person is asked to do on X what Steward could not.
    (item,) = QueueItem.objects.filter(reason="unsupported", state="open")
    assert item.comment == block.violation.comment and "could not be done" in item.note


def test_the_command_and_the_sweeper_lift_due_blocks(lps, fake):
    block = blocked_author(lps, fake)
    with time_machine.travel(dt.datetime(2026, 4, 1, 7, 0, tzinfo=BOSTON), tick=False):
        call_command("lift_due_blocks", "--dry-run", stdout=(out := _Out()))
        assert f"due: block {block.pk}" in out.text and "blocks due: 1" in out.text
        call_command("sweep_events", "--dry-run", stdout=(out := _Out()))
        assert "blocks=1" in out.text
        assert BlockProposal.objects.get().state == "approved"
        with on_commit():
            call_command("sweep_events", stdout=(out := _Out()))
        assert "blocks=1" in out.text
    assert BlockProposal.objects.get().state == "lifted"
    assert block.author_id not in fake.blocked["facebook"]


def test_the_command_refuses_bad_dates(lps, fake):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("lift_due_blocks", "--date", "1 April")
    with pytest.raises(CommandError, match="future"):
        call_command("lift_due_blocks", "--date", "2999-01-01")


def test_the_command_can_lift_as_of_an_earlier_date(lps, fake):
    block = blocked_author(lps, fake)
    with time_machine.travel(dt.datetime(2026, 4, 10, 9, 0, tzinfo=BOSTON), tick=False):
        call_command("lift_due_blocks", "--date", "2026-03-31", stdout=(out := _Out()))
        assert "blocks lifted: 0" in out.text
        with on_commit():
            call_command("lift_due_blocks", stdout=(out := _Out()))
        assert f"lifted: block {block.pk}" in out.text


def test_beat_runs_the_lifting_task_hourly(lps, fake):
    from steward.celery import app
    from steward.platforms.periodic import SCHEDULE_NAME, lift_due_blocks_task

    app.finalize()
    entry = app.conf.beat_schedule[SCHEDULE_NAME]
    assert entry["task"] == "steward.moderation.lift_due_blocks" and float(entry["schedule"]) == 3600.0
    assert "steward.moderation.lift_due_blocks" in app.tasks
    block = blocked_author(lps, fake)
    with time_machine.travel(dt.datetime(2026, 4, 1, 6, 0, tzinfo=BOSTON), tick=False), on_commit():
        assert lift_due_blocks_task.apply().get() == [block.pk]
    assert BlockProposal.objects.get().state == "lifted"


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass

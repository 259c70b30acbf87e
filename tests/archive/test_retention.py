"""Retention, holds and purge (RET-1, RET-2, HOLD-1, HOLD-2)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from steward.archive import services
from steward.archive.models import DispositionLog, Record
from steward.registry.models import Account
from tests.archive.conftest import make_account
from tests.personas import District


def old_records(account: Account, n: int, text: str = "old news") -> list[Record]:
    with time_machine.travel(dt.datetime(2020, 1, 1, tzinfo=dt.UTC)):
        return [
            services.record_append(
                kind="comment",
                platform=account.platform,
                source="poll",
                account=account,
                platform_id=f"{account.pk}-{i}",
                text=f"{text} {i}",
                raw_payload={"i": i},
            )
            for i in range(n)
        ]


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("archive_purge", *args, stdout=out)
    return out.getvalue()


def test_no_rule_no_disposal(fb_account: Account) -> None:
    old_records(fb_account, 2)
    assert "0 eligible" in purge("--dry-run")


def test_longest_rule_wins_and_dry_run_changes_nothing(lps: District, fb_account: Account) -> None:
    officer = lps.user("records_officer")
    old_records(fb_account, 3)
    services.retention_rule_create(
        actor=officer, retain_days=365, series="GS1-short", kind="comment"
    )
    rule_long = services.retention_rule_create(
        actor=officer, retain_days=365 * 10, series="GS1-long", account=fb_account
    )
    assert "0 eligible" in purge("--dry-run")
    services.retention_rule_deactivate(actor=officer, rule=rule_long)
    out = purge("--dry-run")
    assert "3 eligible" in out and "WOULD DISPOSE" in out
    assert Record.objects.filter(tombstoned_at__isnull=False).count() == 0


def test_purge_needs_approval_and_keeps_chain_verifiable(
    lps: District, fb_account: Account
) -> None:
    officer = lps.user("records_officer")
    recs = old_records(fb_account, 3)
    services.record_append(
        kind="comment",
        platform="facebook",
        source="poll",
        account=fb_account,
        platform_id="new",
        text="recent",
    )
    services.retention_rule_create(actor=officer, retain_days=365, series="GS1-short")
    with pytest.raises(CommandError):
        purge()
    out = purge("--approval", "SOR-2026-17")
    assert "3 records disposed" in out
    gone = Record.objects.get(pk=recs[0].pk)
    assert gone.is_tombstone and gone.text == "" and gone.raw_payload == ""
    cert = DispositionLog.objects.get(record=gone)
    assert cert.content_hash == recs[0].content_hash and cert.approval_reference == "SOR-2026-17"
    assert services.archive_verify().ok
    assert Record.objects.get(platform_id="new").text == "recent"
    from steward.archive.selectors import record_search

    assert not record_search(user=officer, query="old").exists()


def test_holds_and_open_requests_protect(lps: District, fb_account: Account) -> None:
    officer = lps.user("records_officer")
    other = make_account(lps, "x", "LPSx")
    old_records(fb_account, 2)
    old_records(other, 2, text="bus story")
    services.retention_rule_create(actor=officer, retain_days=30, series="GS1")
    hold = services.hold_place(
        actor=officer, matter="Doe v. LPS", custodian="Counsel", account=fb_account
    )
    req = services.request_create(
        actor=officer,
        requester="R",
        received_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        description="bus",
    )
    ss = services.saved_search_create(actor=officer, name="bus", query="bus")
    services.request_attach_search(actor=officer, request=req, saved_search=ss)
    out = purge("--dry-run")
    assert "0 eligible, 4 held" in out
    with pytest.raises(Exception):  # noqa: B017
        services.hold_release(actor=officer, hold=hold, directive="")
    services.hold_release(actor=officer, hold=hold, directive="Counsel memo 2026-02")
    assert "2 eligible, 2 held" in purge("--dry-run")


def test_purge_deletes_media_files_only_disposed_records_used(
    lps: District,
    fb_account: Account,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """RET-2: a disposed record's photo file goes; the Media row stays (hash, size, disposed);
    a file a live record still uses stays."""
    from steward.archive.models import Media

    officer = lps.user("records_officer")
    only_old = services.media_store(data=b"old photo", name="old.jpg")
    shared = services.media_store(data=b"shared photo", name="shared.jpg")
    with time_machine.travel(dt.datetime(2020, 1, 1, tzinfo=dt.UTC)):
        old = services.record_append(
            kind="post",
            platform="facebook",
            source="poll",
            account=fb_account,
            platform_id="p-old",
            media=[only_old.sha256, shared.sha256],
        )
    services.record_append(
        kind="post",
        platform="facebook",
        source="poll",
        account=fb_account,
        platform_id="p-new",
        media=[shared.sha256],
    )
    storage = only_old.file.storage
    services.retention_rule_create(actor=officer, retain_days=365, series="GS1-short")
    with django_capture_on_commit_callbacks(execute=True):
        purge("--approval", "SOR-2026-18")
    assert Record.objects.get(pk=old.pk).is_tombstone
    gone, kept = Media.objects.get(pk=only_old.pk), Media.objects.get(pk=shared.pk)
    assert gone.disposed_at is not None and not storage.exists(gone.file.name)
    assert gone.sha256 == only_old.sha256 and gone.size == len(b"old photo")
    assert kept.disposed_at is None and storage.exists(kept.file.name)
    assert services.archive_verify().ok

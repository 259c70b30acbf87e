"""Records, the chain in the database, append-only guard, verify command (INT-3, INT-4, REC-2)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from steward.archive import services
from steward.archive.models import ChainHead, Record
from steward.registry.models import Account
from tests.archive.conftest import guard_disabled, make_account
from tests.personas import District


def add(account: Account, n: int, **kw: object) -> list[Record]:
    return [
        services.record_append(
            kind="comment",
            platform=account.platform,
            source="webhook",
            account=account,
            platform_id=f"c{i}",
            text=f"comment number {i} about the bus schedule",
            author_id=f"u{i}",
            author_name=f"Parent {i}",
            created_at=dt.datetime(2026, 3, 1, 12, i, tzinfo=dt.UTC),
            raw_payload={"id": f"c{i}", "message": f"comment number {i}", "score": 0.5},
            **kw,  # type: ignore[arg-type]
        )
        for i in range(n)
    ]


def verify_output() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("archive_verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue() + err.getvalue()


def test_append_builds_a_dense_chain(fb_account: Account) -> None:
    records = add(fb_account, 5)
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[1].prev_hash == records[0].hash
    head = ChainHead.objects.get(chain=f"account:{fb_account.pk}")
    assert (head.seq, head.hash) == (5, records[-1].hash)
    assert services.archive_verify().ok
    # the float in the raw payload did not break hashing: raw is hashed as bytes
    assert Record.objects.get(pk=records[0].pk).raw_payload.endswith('"score":0.5}')


def test_accounts_have_separate_chains(lps: District, fb_account: Account) -> None:
    other = make_account(lps, "x", "LawrencePS")
    a = add(fb_account, 2)
    b = add(other, 2)
    assert a[0].chain != b[0].chain and b[0].seq == 1
    assert services.archive_verify().chains == 2


def test_new_version_keeps_the_old(fb_account: Account) -> None:
    (first,) = add(fb_account, 1)
    hidden = services.record_version_append(
        previous=first,
        version="hidden",
        state="hidden",
        actor="media_officer",
        moderation_category="profanity",
        clause="1.8.b",
    )
    assert Record.objects.filter(platform_id="c0").count() == 2
    assert Record.objects.get(pk=first.pk).state == "published"
    assert hidden.seq == 2 and hidden.extra["previous_record"] == first.pk


def test_altered_row_is_found_by_archive_verify(fb_account: Account) -> None:
    records = add(fb_account, 6)
    with guard_disabled(), connection.cursor() as cur:
        cur.execute(
            "UPDATE archive_record SET text = %s WHERE id = %s", ["rewritten", records[3].pk]
        )
    code, output = verify_output()
    assert code == 1
    assert f"record {records[3].pk}" in output and "content" in output


def test_deleted_row_is_found_by_archive_verify(fb_account: Account) -> None:
    records = add(fb_account, 6)
    with guard_disabled(), connection.cursor() as cur:
        cur.execute("DELETE FROM archive_record WHERE id = %s", [records[2].pk])
    code, output = verify_output()
    assert code == 1 and f"record {records[3].pk}" in output and "missing" in output


def test_truncated_tail_is_found(fb_account: Account) -> None:
    records = add(fb_account, 4)
    with guard_disabled(), connection.cursor() as cur:
        cur.execute("DELETE FROM archive_record WHERE id = %s", [records[-1].pk])
    code, output = verify_output()
    assert code == 1 and "missing from the end" in output


def test_intact_archive_verifies(fb_account: Account) -> None:
    add(fb_account, 3)
    code, output = verify_output()
    assert code == 0 and "OK" in output


@pytest.mark.parametrize(
    "sql", ["UPDATE archive_record SET text = 'x'", "DELETE FROM archive_record"]
)
def test_database_refuses_update_and_delete(fb_account: Account, sql: str) -> None:
    add(fb_account, 2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert Record.objects.filter(text="x").count() == 0 and Record.objects.count() == 2


def test_orm_update_is_refused_too(fb_account: Account) -> None:
    add(fb_account, 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Record.objects.update(state="hidden")


def test_signed_checkpoint_detects_a_rewritten_tail(fb_account: Account) -> None:
    from steward.archive.chain import keypair_generate
    from steward.archive.tasks import archive_checkpoint_task, archive_verify_task

    private, _ = keypair_generate()
    records = add(fb_account, 3)
    import os

    os.environ["STEWARD_ARCHIVE_SIGNING_KEY"] = private
    try:
        assert archive_checkpoint_task() == 1
    finally:
        del os.environ["STEWARD_ARCHIVE_SIGNING_KEY"]
    assert archive_verify_task()["ok"]
    # Someone with DBA rights deletes the last record and winds the head back: the chain itself
    # is consistent again, but the signed checkpoint is not.
    with guard_disabled(), connection.cursor() as cur:
        cur.execute("DELETE FROM archive_record WHERE id = %s", [records[-1].pk])
        cur.execute("UPDATE archive_chainhead SET seq = 2, hash = %s", [records[1].hash])
    result = archive_verify_task()
    assert not result["ok"] and "checkpoint" in " ".join(result["problems"])  # type: ignore[arg-type]


@pytest.mark.parametrize("deleted", [None, 1, 2, 3, 5])
def test_segmented_verify_names_what_one_walk_names(
    fb_account: Account, monkeypatch: pytest.MonkeyPatch, deleted: int | None
) -> None:
    """Chains cut into segments of two records (as the parallel verifier cuts them) name the same
    record as a single walk: a segment starts from the stored hash of the record before it."""
    from steward.archive import verify

    records = add(fb_account, 7)
    with guard_disabled(), connection.cursor() as cur:
        cur.execute("UPDATE archive_record SET text = %s WHERE id = %s", ["x", records[4].pk])
        if deleted is not None:
            cur.execute("DELETE FROM archive_record WHERE id = %s", [records[deleted].pk])
    whole = services.archive_verify()
    monkeypatch.setattr(verify, "SEGMENT", 2)
    cut = services.archive_verify()
    assert len(verify.segments()[0]) > 1
    assert whole.broken == cut.broken and whole.checked == cut.checked
    expected = records[deleted + 1] if deleted is not None and deleted < 4 else records[4]
    assert cut.broken is not None and cut.broken.record_id == expected.pk


def test_segmented_verify_of_an_intact_archive(
    lps: District, fb_account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steward.archive import verify

    add(fb_account, 5)
    add(make_account(lps, "x", "LawrencePS"), 3)
    monkeypatch.setattr(verify, "SEGMENT", 2)
    result = services.archive_verify()
    assert result.ok and result.checked == 8 and result.chains == 2


@pytest.mark.django_db(transaction=True)
def test_verify_in_parallel_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers (committed data only, so not on the in-memory SQLite test database)."""
    if connection.vendor != "postgresql":
        pytest.skip("forked processes cannot see an in-memory SQLite database")
    from steward.archive import verify
    from tests.personas import build_district

    account = make_account(build_district(), "facebook", "LawrencePublicSchools")
    records = add(account, 9)
    monkeypatch.setattr(verify, "SEGMENT", 2)
    assert verify.workers_for(9, 2) == 2
    assert services.archive_verify(workers=2).ok
    with guard_disabled(), connection.cursor() as cur:
        cur.execute("UPDATE archive_record SET text = %s WHERE id = %s", ["x", records[6].pk])
        cur.execute("DELETE FROM archive_record WHERE id = %s", [records[7].pk])
    result = services.archive_verify(workers=2)
    assert result.broken is not None and result.broken.record_id == records[6].pk
    assert "content" in result.broken.reason and result.checked == 7

"""Concurrent appends to one account never fork the chain (INT-3). PostgreSQL only: SQLite
serialises every writer anyway (IMMEDIATE transactions), and flushing a SQLite test database
would trip the append-only trigger."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from steward.archive import services
from steward.archive.models import Record
from steward.people.models import OrgUnit
from steward.registry.models import Account

pytestmark = pytest.mark.postgres_only


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    unit = OrgUnit.objects.create(name="LPS", kind="district")
    account = Account.objects.create(
        platform="facebook",
        handle="race",
        display_name="race",
        owning_unit=unit,
        kind="district",
        status="registered",
    )
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(15):
                services.record_append(
                    kind="comment",
                    platform="facebook",
                    source="webhook",
                    account=account,
                    platform_id=f"t{n}-{i}",
                    text=f"thread {n} item {i}",
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        seqs = sorted(Record.objects.filter(account=account).values_list("seq", flat=True))
        assert seqs == list(range(1, 61))
        assert services.archive_verify().ok
    finally:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM archive_record_fts")

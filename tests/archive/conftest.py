"""Archive test helpers: accounts on the persona district, and raw SQL that bypasses the app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from steward.registry.models import Account
from tests.personas import District


def make_account(lps: District, platform: str, handle: str, unit: str = "district") -> Account:
    return Account.objects.create(
        platform=platform,
        handle=handle,
        display_name=handle,
        owning_unit=getattr(lps, unit),
        kind="district" if unit == "district" else "school",
        status="registered",
    )


@pytest.fixture
def fb_account(lps: District) -> Account:
    return make_account(lps, "facebook", "LawrencePublicSchools")


@contextmanager
def guard_disabled() -> Iterator[None]:
    """Simulate someone with DBA rights going around the append-only guard."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks first
            cur.execute("ALTER TABLE archive_record DISABLE TRIGGER archive_record_append_only")
            try:
                yield
            finally:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute("ALTER TABLE archive_record ENABLE TRIGGER archive_record_append_only")
        else:
            cur.execute(
                "SELECT sql FROM sqlite_master WHERE type='trigger' AND tbl_name='archive_record'"
            )
            triggers = [r[0] for r in cur.fetchall()]
            cur.execute("DROP TRIGGER archive_record_no_update")
            cur.execute("DROP TRIGGER archive_record_no_delete")
            try:
                yield
            finally:
                for sql in triggers:
                    cur.execute(sql)

"""Massachusetts business-day deadlines (PRR-1)."""

from __future__ import annotations

import datetime as dt

from steward.archive.business_days import (
    EASTERN,
    business_days_left,
    due_date,
    is_business_day,
    receipt_date,
)


def test_patriots_day_is_a_holiday() -> None:
    assert not is_business_day(dt.date(2026, 4, 20))
    assert is_business_day(dt.date(2026, 4, 21))


def test_friday_before_monday_holiday() -> None:
    # PRR-1 acceptance: received Friday 2026-01-16, Monday 01-19 is MLK Day.
    # Tue 20 (1) ... Fri 23 (4), Mon 26 (5) ... Fri 30 (9), Mon Feb 2 (10).
    assert due_date(dt.date(2026, 1, 16)) == dt.date(2026, 2, 2)


def test_patriots_day_week() -> None:
    # Received Friday 2026-04-17; Patriots' Day Monday 04-20 is skipped.
    assert due_date(dt.date(2026, 4, 17)) == dt.date(2026, 5, 4)


def test_weekend_and_after_hours_receipt() -> None:
    saturday = dt.datetime(2026, 3, 7, 10, 0, tzinfo=EASTERN)
    assert receipt_date(saturday) == dt.date(2026, 3, 9)
    late = dt.datetime(2026, 3, 9, 18, 30, tzinfo=EASTERN)
    assert receipt_date(late) == dt.date(2026, 3, 10)
    # 22:30 UTC on Monday is 17:30 in Lawrence: after close of business.
    assert receipt_date(dt.datetime(2026, 3, 9, 22, 30, tzinfo=dt.UTC)) == dt.date(2026, 3, 10)


def test_thanksgiving_and_christmas() -> None:
    # Received Wed 2026-11-25; Thanksgiving Thu 26 skipped, Christmas Fri Dec 25 not reached.
    assert due_date(dt.date(2026, 11, 25)) == dt.date(2026, 12, 10)
    assert due_date(dt.date(2026, 12, 18)) == dt.date(2027, 1, 5)  # Dec 25, Jan 1 skipped


def test_days_left() -> None:
    due = dt.date(2026, 2, 2)
    assert business_days_left(due, dt.date(2026, 1, 30)) == 1
    assert business_days_left(due, due) == 0
    assert business_days_left(due, dt.date(2026, 2, 4)) == -2
    assert business_days_left(due, dt.date(2026, 1, 16)) == 10

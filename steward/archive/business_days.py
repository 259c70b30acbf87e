"""Massachusetts business days for public records deadlines (PRR-1, 950 CMR 32.06(2)(b)).

A business day is a weekday that is not a Massachusetts legal holiday (``holidays.US(subdiv="MA")``:
it includes Patriots' Day; Suffolk County's Evacuation Day and Bunker Hill Day are not holidays in
Lawrence, Essex County; a Sunday holiday moves to Monday, a Saturday one does not move, as in
M.G.L. c.4 §7 cl.18). The day of receipt is not counted; a request received on a weekend, a holiday or
after the close of business is treated as received on the next business day.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

EASTERN = ZoneInfo("America/New_York")
FIRST_RESPONSE_DAYS = 10
CLOSE_OF_BUSINESS = dt.time(17, 0)


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.US(subdiv="MA", years=year)


def is_holiday(day: dt.date) -> bool:
    return day in _holidays(day.year)


def holiday_name(day: dt.date) -> str | None:
    return _holidays(day.year).get(day)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_business_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def add_business_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` business days after ``start`` (``start`` itself is not counted)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    for _ in range(days):
        day = next_business_day(day)
    return day


def receipt_date(received: dt.datetime | dt.date) -> dt.date:
    """The business day a request counts as received (local Eastern time).

    A request that arrives on a weekend, a holiday, or after 5 pm is treated as received the
    following business day; the count of ten then starts the day after that.
    """
    if isinstance(received, dt.datetime):
        local = received.astimezone(EASTERN) if received.tzinfo else received
        day = local.date()
        if local.time() >= CLOSE_OF_BUSINESS and is_business_day(day):
            return next_business_day(day)
    else:
        day = received
    return day if is_business_day(day) else next_business_day(day)


def due_date(received: dt.datetime | dt.date, days: int = FIRST_RESPONSE_DAYS) -> dt.date:
    """Deadline for the initial written response: ``days`` business days after receipt."""
    return add_business_days(receipt_date(received), days)


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after ``start`` up to and including ``end``; negative if ``end`` is earlier."""
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            count += 1
    return sign * count


def business_days_left(due: dt.date, today: dt.date) -> int:
    """Business days from ``today`` until ``due``: 0 on the due date, negative when overdue."""
    return business_days_between(today, due)

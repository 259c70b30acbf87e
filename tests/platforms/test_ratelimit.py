"""Reading rate-limit headers, remembering them, YouTube's daily units."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from steward.platforms.errors import RateLimited
from steward.platforms.ratelimit import (
    QuotaLedger,
    Throttle,
    parse_meta_usage,
    parse_x_rate_limit,
    seconds_until_pacific_midnight,
    youtube_poll_interval,
)

PT = ZoneInfo("America/Los_Angeles")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_meta_usage_headers() -> None:
    headers = {
        "X-App-Usage": json.dumps({"call_count": 16, "total_cputime": 15, "total_time": 12}),
        "X-Business-Use-Case-Usage": json.dumps(
            {
                "112130216863063": [
                    {
                        "type": "pages",
                        "call_count": 1,
                        "total_cputime": 1,
                        "total_time": 1,
                        "estimated_time_to_regain_access": 0,
                    }
                ]
            }
        ),
    }
    usage = parse_meta_usage(headers)
    assert usage is not None and usage.percent == 16 and usage.regain_seconds == 0


def test_meta_buc_regain_is_minutes() -> None:
    buc = {
        "1": [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 3,
                "total_time": 4,
                "estimated_time_to_regain_access": 7,
            }
        ]
    }
    usage = parse_meta_usage({"x-business-use-case-usage": json.dumps(buc)})
    assert usage is not None and usage.percent == 100 and usage.regain_seconds == 420


def test_meta_usage_absent_or_garbled() -> None:
    assert parse_meta_usage({}) is None
    assert parse_meta_usage({"X-App-Usage": "not json"}) is None


def test_x_headers() -> None:
    info = parse_x_rate_limit(
        {
            "x-rate-limit-limit": "50",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": "1773750000",
        }
    )
    assert info is not None and (info.limit, info.remaining, info.reset) == (50, 0, 1773750000.0)
    assert parse_x_rate_limit({"content-type": "application/json"}) is None


def test_throttle_refuses_until_reset() -> None:
    clock = Clock(1000.0)
    throttle = Throttle(clock=clock)
    throttle.check()
    throttle.block_for(30)
    throttle.block_for(5)  # a shorter wait never shortens a longer one
    with pytest.raises(RateLimited) as info:
        throttle.check("x")
    assert info.value.retry_after == 30 and not info.value.permanent
    clock.now += 30
    throttle.check()


def test_pacific_midnight_handles_dst() -> None:
    # 2026-03-08 is the spring-forward day: 23 hours long in Pacific time.
    start = datetime(2026, 3, 8, 0, 0, tzinfo=PT).timestamp()
    assert seconds_until_pacific_midnight(start) == 23 * 3600
    assert (
        seconds_until_pacific_midnight(datetime(2026, 6, 1, 23, 0, tzinfo=PT).timestamp()) == 3600
    )


def test_quota_ledger_refuses_overspend_and_resets_at_pacific_midnight() -> None:
    clock = Clock(datetime(2026, 6, 1, 22, 0, tzinfo=PT).timestamp())
    ledger = QuotaLedger(daily_units=100, clock=clock)
    ledger.spend(50)
    ledger.spend(49)
    ledger.spend(1)
    with pytest.raises(RateLimited) as info:
        ledger.spend(1)
    assert info.value.retry_after == 2 * 3600
    assert ledger.spent == 100
    clock.now += 2 * 3600  # midnight Pacific
    assert ledger.spent == 0
    ledger.spend(50)


def test_quota_exhaust_trusts_the_platform() -> None:
    ledger = QuotaLedger(
        daily_units=10_000, clock=Clock(datetime(2026, 6, 1, 12, 0, tzinfo=PT).timestamp())
    )
    ledger.exhaust()
    with pytest.raises(RateLimited):
        ledger.spend(1)


def test_youtube_poll_interval_budget() -> None:
    # 8,000 usable units, 40 actions = 2,000 units, leaves 6,000 one-page polls: every 14.4 s.
    assert youtube_poll_interval(pages_per_poll=1, moderation_actions_per_day=40) == pytest.approx(
        14.4
    )
    assert youtube_poll_interval(pages_per_poll=3, moderation_actions_per_day=40) == pytest.approx(
        43.2
    )
    with pytest.raises(ValueError, match="quota"):
        youtube_poll_interval(pages_per_poll=1, moderation_actions_per_day=200)

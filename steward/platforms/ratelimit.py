"""Reading the platforms' rate-limit signals, and remembering them between calls.

Each platform says "slow down" differently (platforms.md §1.7, §3.6, §4.3):

* Meta sends JSON in ``X-App-Usage`` / ``X-Page-Usage`` (percentages of the budget) and
  ``X-Business-Use-Case-Usage`` (per business id, a list of usages with
  ``estimated_time_to_regain_access`` in **minutes**). Throttling starts at 100 % of any of
  ``call_count``, ``total_cputime``, ``total_time``. The throttling answer itself is usually an
  HTTP 400/403 with error code 4, 17, 32, 613, 80001, 80002 or 80006 rather than a 429.
* X sends ``x-rate-limit-limit``, ``x-rate-limit-remaining`` and ``x-rate-limit-reset`` (epoch
  seconds) and answers 429.
* YouTube counts *units* per day (10,000 by default; a list costs 1, a moderation call 50),
  reset at midnight Pacific time; it answers 403 ``quotaExceeded``.

A :class:`Throttle` belongs to one (platform, token). It is in memory; a multi-worker deployment
can share the ``blocked_until`` value through its cache, the logic stays here.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from steward.platforms.errors import RateLimited

META_THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80006})
PACIFIC = ZoneInfo("America/Los_Angeles")


class Throttle:
    """Remembers "do not call before T" for one token, and refuses calls until then."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._until = 0.0
        self.last_usage_percent: float | None = None
        self.last_remaining: int | None = None

    @property
    def blocked_until(self) -> float:
        return self._until

    def block_for(self, seconds: float) -> None:
        self.block_until(self.clock() + max(0.0, seconds))

    def block_until(self, epoch: float) -> None:
        with self._lock:
            self._until = max(self._until, epoch)

    def check(self, platform: str = "") -> None:
        wait = self._until - self.clock()
        if wait > 0:
            raise RateLimited(
                "rate limit budget spent; not calling", retry_after=wait, platform=platform
            )


# -- Meta ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetaUsage:
    """The highest usage percentage across Meta's usage headers, and the longest regain wait."""

    percent: float
    regain_seconds: float


def _max_usage(entry: Mapping[str, object]) -> float:
    values = [entry.get(k) for k in ("call_count", "total_cputime", "total_time")]
    return max((float(v) for v in values if isinstance(v, int | float)), default=0.0)


def parse_meta_usage(headers: Mapping[str, str]) -> MetaUsage | None:
    """Parse ``X-App-Usage``, ``X-Page-Usage`` and ``X-Business-Use-Case-Usage``.

    Returns None when none of them is present. Malformed header JSON is ignored (a missing
    signal must not break a moderation call).
    """
    percent = 0.0
    regain = 0.0
    seen = False
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("x-app-usage", "x-page-usage", "x-ad-account-usage"):
        raw = lowered.get(name)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        if isinstance(data, dict):
            seen = True
            percent = max(percent, _max_usage(data))
    raw = lowered.get("x-business-use-case-usage")
    if raw:
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for usages in data.values():
                for usage in usages if isinstance(usages, list) else []:
                    if isinstance(usage, dict):
                        seen = True
                        percent = max(percent, _max_usage(usage))
                        minutes = usage.get("estimated_time_to_regain_access")
                        if isinstance(minutes, int | float):
                            regain = max(regain, float(minutes) * 60)
    return MetaUsage(percent, regain) if seen else None


# -- X ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XRateLimit:
    limit: int | None
    remaining: int | None
    reset: float | None  # epoch seconds


def parse_x_rate_limit(headers: Mapping[str, str]) -> XRateLimit | None:
    lowered = {k.lower(): v for k, v in headers.items()}

    def number(name: str) -> int | None:
        value = lowered.get(name, "").strip()
        return int(value) if value.isdigit() else None

    limit, remaining, reset = (
        number("x-rate-limit-limit"),
        number("x-rate-limit-remaining"),
        number("x-rate-limit-reset"),
    )
    if limit is None and remaining is None and reset is None:
        return None
    return XRateLimit(limit, remaining, float(reset) if reset is not None else None)


# -- YouTube ------------------------------------------------------------------------------------


def seconds_until_pacific_midnight(now: float) -> float:
    """YouTube quotas reset at midnight Pacific time (DST-aware)."""
    local = datetime.fromtimestamp(now, tz=PACIFIC)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.timestamp() - now


class QuotaLedger:
    """YouTube daily units for one Google Cloud project, refusing a call that would overspend.

    In memory; the day is the Pacific-time date, so the ledger empties itself at the reset.
    """

    def __init__(
        self, *, daily_units: int = 10_000, clock: Callable[[], float] = time.time
    ) -> None:
        self.daily_units = daily_units
        self.clock = clock
        self._lock = threading.Lock()
        self._day = ""
        self._spent = 0

    def _today(self) -> str:
        return datetime.fromtimestamp(self.clock(), tz=PACIFIC).date().isoformat()

    @property
    def spent(self) -> int:
        with self._lock:
            return self._spent if self._day == self._today() else 0

    def spend(self, units: int, platform: str = "youtube") -> None:
        with self._lock:
            today = self._today()
            if today != self._day:
                self._day, self._spent = today, 0
            if self._spent + units > self.daily_units:
                raise RateLimited(
                    f"daily quota would be exceeded ({self._spent}+{units}>{self.daily_units} units)",
                    retry_after=seconds_until_pacific_midnight(self.clock()),
                    platform=platform,
                )
            self._spent += units

    def exhaust(self) -> None:
        """The platform said ``quotaExceeded``: trust it over our own count until the reset."""
        with self._lock:
            self._day, self._spent = self._today(), self.daily_units


def youtube_poll_interval(
    *,
    pages_per_poll: int,
    moderation_actions_per_day: int,
    daily_units: int = 10_000,
    reserve: float = 0.2,
) -> float:
    """Seconds between polls that keep a channel within its daily units (platforms.md §4.3).

    ``polls/day × pages × 1 unit + actions × 50 ≤ daily_units × (1 − reserve)``; ``pages_per_poll``
    counts every ``commentThreads.list`` page a poll reads (one per video with new comments, or the
    channel-wide listing). The reserve keeps room for retries and replies on a busy day.
    """
    budget = daily_units * (1 - reserve) - moderation_actions_per_day * 50
    if pages_per_poll <= 0:
        raise ValueError("pages_per_poll must be positive")
    if budget <= 0:
        raise ValueError("moderation alone would spend the daily units; ask Google for more quota")
    polls_per_day = budget / pages_per_poll
    return 86_400 / polls_per_day

"""Limits: requests per token and per anonymous client per minute, requests in flight per client,
submissions per submitter per benchmark per day, queued submissions per submitter. Set by
environment variables; defaults in parentheses:

- ``PODIUM_RATE_LIMIT_PER_MINUTE`` (120): requests with one token in any 60 s;
- ``PODIUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE`` (300): REST requests and page uploads without a token
  from one client address in any 60 s;
- ``PODIUM_PAGE_RATE_LIMIT_PER_MINUTE`` (600): the page's own calls with a body (events, uploads)
  from one client address in any 60 s (an open page ticks every 2 s; several tabs fit);
- ``PODIUM_MAX_CONCURRENT_PER_CLIENT`` (8): REST requests of one client (token, else address) being
  answered at once; more are refused with 429 at once rather than queued, so one client cannot
  starve the rest;
- ``PODIUM_UPLOAD_MB_PER_HOUR`` (1024): bytes one client address may upload through the page in
  any hour (the page keeps uploads at most 30 minutes, so this bounds the disk one client can fill);
- ``PODIUM_DAILY_SUBMISSIONS`` (20): submissions of one submitter to one benchmark in 24 h;
- ``PODIUM_MAX_QUEUED`` (10): one submitter's submissions waiting or running at once.

The submission quotas are checked and reserved in the same critical section as the request's
write (``RequestQueue.add``'s ``admit``), so concurrent submissions never exceed them. Request
rates are counted in memory, per process.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta

from podium.errors import QuotaExceeded, UsageError
from podium.queue import RequestQueue
from podium.schema import utcnow


@dataclass(frozen=True)
class Limits:
    requests_per_minute: int = 120
    anonymous_requests_per_minute: int = 300
    page_requests_per_minute: int = 600
    max_concurrent_per_client: int = 8
    upload_bytes_per_hour: int = 1024 * 1024 * 1024
    daily_submissions: int = 20
    max_queued: int = 10

    @classmethod
    def from_env(cls) -> Limits:
        def number(name: str, default: int) -> int:
            value = os.environ.get(name)
            try:
                return int(value) if value else default
            except ValueError:
                raise UsageError(f"{name}={value!r} must be a whole number") from None

        return cls(
            requests_per_minute=number("PODIUM_RATE_LIMIT_PER_MINUTE", 120),
            anonymous_requests_per_minute=number("PODIUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE", 300),
            page_requests_per_minute=number("PODIUM_PAGE_RATE_LIMIT_PER_MINUTE", 600),
            max_concurrent_per_client=number("PODIUM_MAX_CONCURRENT_PER_CLIENT", 8),
            upload_bytes_per_hour=number("PODIUM_UPLOAD_MB_PER_HOUR", 1024) * 1024 * 1024,
            daily_submissions=number("PODIUM_DAILY_SUBMISSIONS", 20),
            max_queued=number("PODIUM_MAX_QUEUED", 10),
        )


class RateLimiter:
    """A sliding 60 s window per key, in memory (per process)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count a request; the seconds to wait when over the limit, else None."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1.0, math.ceil(60 - (now - hits[0])))
            hits.append(now)
            return None


class ByteBudget:
    """Bytes per key in a sliding window, in memory (per process)."""

    def __init__(self, per_window: int, window_seconds: float = 3600.0):
        self.per_window = per_window
        self.window = window_seconds
        self._spent: dict[str, deque] = {}
        self._lock = threading.Lock()

    def take(self, key: str, size: int) -> float | None:
        """Spend ``size`` bytes; the seconds to wait when that would exceed the budget, else None."""
        now = time.monotonic()
        with self._lock:
            spent = self._spent.setdefault(key, deque())
            while spent and now - spent[0][0] >= self.window:
                spent.popleft()
            if sum(n for _, n in spent) + size > self.per_window:
                return max(1.0, math.ceil(self.window - (now - spent[0][0]))) if spent else self.window
            spent.append((now, size))
            return None


class InFlight:
    """Requests being answered per key; ``enter`` refuses past ``limit`` instead of queueing."""

    def __init__(self, limit: int):
        self.limit = limit
        self._count: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, key: str) -> bool:
        with self._lock:
            if self._count.get(key, 0) >= self.limit:
                return False
            self._count[key] = self._count.get(key, 0) + 1
            return True

    def leave(self, key: str) -> None:
        with self._lock:
            left = self._count.get(key, 1) - 1
            if left > 0:
                self._count[key] = left
            else:
                self._count.pop(key, None)


def submission_quota(limits: Limits, submitter: str, benchmark: str):
    """The check ``RequestQueue.add`` runs under its lock: raises ``QuotaExceeded`` when ``submitter``
    has used its daily submissions to ``benchmark`` or has too many waiting."""

    def admit(queue: RequestQueue) -> None:
        since = utcnow() - timedelta(days=1)
        today = queue.find(submitter=submitter, benchmark=benchmark, since=since)
        if len(today) >= limits.daily_submissions:
            oldest = min(r.created_at for r in today)
            retry = max(1, math.ceil((oldest + timedelta(days=1) - utcnow()).total_seconds()))
            raise QuotaExceeded(
                f"{submitter} has made {len(today)} submissions to {benchmark} in the last 24 hours; "
                f"the limit is {limits.daily_submissions}",
                retry_after=retry,
            )
        waiting = queue.waiting(submitter)
        if len(waiting) >= limits.max_queued:
            raise QuotaExceeded(
                f"{submitter} has {len(waiting)} submissions waiting to be scored; the limit is {limits.max_queued}",
                retry_after=60,
            )

    return admit

"""Limits of the API: requests per token per minute, submissions per submitter per benchmark per day,
queued submissions per submitter. Set by environment variables; defaults in parentheses:

- ``PODIUM_RATE_LIMIT_PER_MINUTE`` (120): requests with one token in any 60 s;
- ``PODIUM_DAILY_SUBMISSIONS`` (20): submissions of one submitter to one benchmark in 24 h;
- ``PODIUM_MAX_QUEUED`` (10): one submitter's submissions waiting or running at once.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta

from podium.queue import RequestQueue
from podium.schema import RequestStatus, utcnow


@dataclass(frozen=True)
class Limits:
    requests_per_minute: int = 120
    daily_submissions: int = 20
    max_queued: int = 10

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            requests_per_minute=int(os.environ.get("PODIUM_RATE_LIMIT_PER_MINUTE", 120)),
            daily_submissions=int(os.environ.get("PODIUM_DAILY_SUBMISSIONS", 20)),
            max_queued=int(os.environ.get("PODIUM_MAX_QUEUED", 10)),
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


def submission_quota_problem(queue: RequestQueue, limits: Limits, submitter: str, benchmark: str) -> str | None:
    """Why ``submitter`` may not submit to ``benchmark`` now, or None."""
    since = utcnow() - timedelta(days=1)
    requests, _ = queue.all()
    mine = [r for r in requests if r.submitter == submitter]
    today = [r for r in mine if r.benchmark == benchmark and r.created_at >= since]
    if len(today) >= limits.daily_submissions:
        return (
            f"{submitter} has made {len(today)} submissions to {benchmark} in the last 24 hours; "
            f"the limit is {limits.daily_submissions}"
        )
    waiting = [r for r in mine if r.status in (RequestStatus.PENDING, RequestStatus.RUNNING)]
    if len(waiting) >= limits.max_queued:
        return f"{submitter} has {len(waiting)} submissions waiting to be scored; the limit is {limits.max_queued}"
    return None

"""A model's history: its submissions, newest first, each with the result it was scored to.

One reading for the REST API (``GET /api/history``) and the page (the Models tab's table and its
chart of scores across submissions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from podium.config import Home
from podium.queue import RequestQueue
from podium.schema import FormatError, Result, SubmissionRequest


@dataclass(frozen=True)
class Attempt:
    """One submission of the model and, once scored, its result (``None`` before, or when the
    result file is gone or unreadable)."""

    request: SubmissionRequest
    result: Result | None


def model_history(
    home: Home, model: str, *, since: datetime | None = None, limit: int | None = None, exact: bool = False
) -> list[Attempt]:
    """The submissions of ``model`` (``org/name``; a bare name matches any org unless ``exact``),
    newest first, created at or after ``since``, at most ``limit`` of them."""
    found = RequestQueue(home).find(model=model, since=since, limit=None if exact else limit)
    if exact:
        found = [r for r in found if r.model.full_name == model][:limit]
    found.sort(key=lambda r: r.created_at, reverse=True)  # (ids order by the second; this by the microsecond)
    return [Attempt(request, _result(home, request)) for request in found]


def _result(home: Home, request: SubmissionRequest) -> Result | None:
    if not request.result_file:
        return None
    try:
        return Result.read(home.results_dir / request.result_file)
    except (FormatError, OSError, ValueError):
        return None

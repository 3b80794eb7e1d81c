"""A model's history: its submissions, newest first, each with the result it was scored to.

One reading for the REST API (``GET /api/history``) and the page (the Models tab's chart of scores
across submissions). Result files are read only for the submissions a caller looks at.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

from podium.queue import RequestQueue
from podium.schema import FormatError, Result, SubmissionRequest


class Attempt:
    """One submission of the model and, once scored, its result (``None`` before, or when the
    result file is gone or unreadable), read when first asked for."""

    def __init__(self, request: SubmissionRequest, results_dir: Path):
        self.request = request
        self._results_dir = results_dir

    @functools.cached_property
    def result(self) -> Result | None:
        if not self.request.result_file:
            return None
        try:
            return Result.read(self._results_dir / self.request.result_file)
        except (FormatError, OSError, ValueError):
            return None


def model_history(
    queue: RequestQueue,
    results_dir: Path,
    model: str,
    *,
    since: datetime | None = None,
    limit: int | None = None,
    exact: bool = False,
) -> list[Attempt]:
    """The submissions of ``model`` (``org/name``; a bare name matches any org unless ``exact``)
    in ``queue`` (the caller's: its cache of request files is kept), whose results are in
    ``results_dir``, newest first, created at or
    after ``since``, at most ``limit`` of them."""
    found = queue.find(model=model, since=since, limit=None if exact else limit)
    if exact:
        found = [r for r in found if r.model.full_name == model][:limit]
    found.sort(key=lambda r: r.created_at, reverse=True)  # (ids order by the second, then at random)
    return [Attempt(request, results_dir) for request in found]

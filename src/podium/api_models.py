"""The shapes of the REST API's answers, for its OpenAPI description (``/docs``, ``/openapi.json``).

The file formats themselves (benchmark card, submission request, result) live in
``podium.schema``; these models reuse them and add what only the API returns. Routes return plain
JSON and declare these models as their documented responses; the schemathesis test
(``tests/test_api_fuzz.py``) checks every answer against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from podium.schema import Result, SubmissionRequest


class SeedAnswer(BaseModel):
    """The seeds' answer to ``add_dataset`` and ``add_model``."""

    status: Literal["success", "error"]
    message: str
    dataset_id: str | None = Field(default=None, description="add_dataset: the new benchmark's id")


class Submission(SubmissionRequest):
    """A submission request as the API shows it (never its lease)."""

    created: bool | None = Field(default=None, description="POST only: false when the same file was already queued")
    result: Result | None = Field(default=None, description="once FINISHED: the result, without per-item outcomes")


class HistoryEntry(SubmissionRequest):
    """A submission of the model, newest first, with its score once scored."""

    score: float | None = None
    ci: str | None = Field(default=None, description='the 95% interval as "0.93 - 0.97"')


class QueueSummary(BaseModel):
    """How many submissions are in each state."""

    counts: dict[Literal["PENDING", "RUNNING", "FINISHED", "FAILED", "CANCELLED"], int]
    unreadable: int = Field(description="request files that could not be read (reported in the server's log)")


class LeaderboardRow(BaseModel):
    """One model on one benchmark, plus one field per secondary metric (e.g. ``macro_f1``)."""

    model_config = ConfigDict(extra="allow")

    rank: int = Field(description="1 + the number of models with a higher score (ties share a rank)")
    rank_ub: int = Field(description="1 + the number of models whose 95% interval lies entirely above this one's")
    model: str
    score: float
    ci: str = Field(description='"0.93 - 0.97", or empty without an interval')
    n: int | None = Field(default=None, description="items scored (empty for reported rows)")
    updated: str = Field(description="YYYY-MM-DD")
    source: Literal["verified", "reported"]
    submission: str | None = None
    link: str | None = None
    revision: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None


class LeaderboardTable(BaseModel):
    benchmark: str
    name: str
    metric: str = Field(description="the metric the rows are ranked by")
    rows: list[LeaderboardRow]


class OverallRow(BaseModel):
    rank: int = Field(description="by mean score (ties share a rank)")
    model: str
    mean_score: float
    mean_rank: float
    benchmarks: int = Field(description="how many of the task type's benchmarks the model has results on")


class OverallTable(BaseModel):
    task_type: str
    rows: list[OverallRow]


class Pair(BaseModel):
    model_a: str
    model_b: str
    metric: str
    score_a: float
    score_b: float
    difference: float = Field(description="score_a - score_b")
    ci_low: float = Field(description="95% interval of the difference (paired bootstrap)")
    ci_high: float
    p_value: float = Field(
        description="two-sided p-value of the disguised test (docs/metrics.md, 'Comparing models'): exact McNemar "
        "(accuracy) or paired bootstrap (F1-type metrics) with phantom discordant items fixed per pair by a server "
        "secret; two significant digits"
    )
    test: str
    p_holm: float = Field(description="Holm-adjusted over all pairs")


class Comparison(BaseModel):
    benchmark: str
    metric: str
    best: str = Field(description="the model with the highest score")
    tied_with_best: list[str] = Field(description="models not significantly worse than the best (Holm p >= 0.05)")
    pairs: list[Pair]


def documented(model: Any, description: str, status: int = 200) -> dict:
    """``responses=`` entry for a route that returns plain JSON of this shape."""
    return {status: {"model": model, "description": description}}

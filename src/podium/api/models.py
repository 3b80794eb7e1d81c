"""The shapes of the REST API's bodies and answers, for its OpenAPI description (``/docs``,
``/openapi.json``).

The file formats themselves (benchmark card, submission request, result) live in
``podium.schema``; these models reuse them and add what only the API takes or returns. Routes
return plain JSON and declare these models as their documented responses; the schemathesis test
(``tests/test_api_fuzz.py``) checks every answer against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from podium.schema import RequestStatus, Result, SubmissionRequest

# --------------------------------------------------------------------------- request bodies


class SeedModelRow(BaseModel):
    """A model's row in the seeds' JSON (extra fields are accepted and ignored)."""

    model_config = ConfigDict(extra="allow")
    rank: int | None = None
    model: str = Field(min_length=1, max_length=200)
    score: float
    ci: str | None = None
    updated: str | None = None


class AddDataset(BaseModel):
    """The seeds' ``add_dataset`` body."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1, max_length=200)
    url: str | None = None
    task_type: str
    description: str = ""
    models: list[SeedModelRow] = Field(default_factory=list)


class AddModel(SeedModelRow):
    """The seeds' ``add_model`` body: a row and the benchmark's name (or id)."""

    dataset_name: str = Field(min_length=1)


class CompareRequest(BaseModel):
    benchmark: str
    models: list[str] = Field(min_length=2, max_length=20)
    metric: str | None = None


# --------------------------------------------------------------------------- answers


class ErrorDetail(BaseModel):
    """Every error: ``detail`` is a message, or FastAPI's list of field errors for a malformed request."""

    detail: str | list[dict[str, Any]]


ERRORS = {code: {"model": ErrorDetail} for code in (400, 401, 403, 404, 409, 413, 422, 429)}


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

    counts: dict[RequestStatus, int]
    unreadable: int = Field(description="request files that could not be read (reported in the server's log)")


class LeaderboardRow(BaseModel):
    """One model on one benchmark (``podium.leaderboard.LeaderboardRow``), plus one field per other
    metric of the benchmark (e.g. ``macro_f1``)."""

    model_config = ConfigDict(extra="allow")

    rank: int = Field(description="1 + the number of models with a higher score (ties share a rank)")
    rank_ub: int = Field(description="1 + the number of models whose 95% interval lies entirely above this one's")
    model: str = Field(description="org/name")
    org: str | None = None
    score: float = Field(description="the value of the metric the table is ranked by")
    ci: str | None = Field(description='its 95% interval in the seeds\' form, "0.93 - 0.97"; null without one')
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = Field(default=None, description="items scored (null for reported rows)")
    source: Literal["verified", "reported"]
    version: str | None = Field(default=None, description="the benchmark version a verified result was scored on")
    submission: str | None = None
    updated: str = Field(description="YYYY-MM-DD")
    link: str | None = None
    revision: str | None = None
    model_type: Literal["open-weights", "api", "fine-tuned"] | None = Field(
        default=None, description="as the submitter declared it"
    )
    params_b: float | None = Field(default=None, description="parameters, in billions, as the submitter declared")
    license: str | None = Field(default=None, description="the model's licence, as the submitter declared")


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
    of: int = Field(description="how many benchmarks the task type has")
    model_type: Literal["open-weights", "api", "fine-tuned"] | None = Field(
        default=None, description="as its submitter declared it (its newest result that says anything)"
    )
    params_b: float | None = Field(default=None, description="parameters, in billions, as its submitter declared")
    license: str | None = Field(default=None, description="the model's licence, as its submitter declared")


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

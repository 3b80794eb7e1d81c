"""Scoring a predictions file against a benchmark: parse, validate, metrics, intervals.

This path imports no web stack (gradio, fastapi), so ``podium score`` starts fast.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from podium import bootstrap
from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import BenchmarkError, InvalidPredictions
from podium.predictions import RawPredictions, match_ids, read_predictions
from podium.schema import Interval, ModelInfo, Result
from podium.tasks import GoldSet, Scoring, get_task


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def validate(gold: GoldSet, raw: RawPredictions):
    """Check ``raw`` against the benchmark; the predictions in benchmark order, ready to score.

    Id problems and prediction problems are reported together, so one round fixes a file.
    """
    match = match_ids(raw, gold.ids, gold.card.id)
    if match.disjoint:
        raise InvalidPredictions(match.problems)
    problems, total = list(match.problems), match.total
    try:
        values = get_task(gold.card.task_type).check(raw, match.position, gold)
    except InvalidPredictions as exc:
        missing = [p for p in problems if p.where == "file"]
        problems = [p for p in problems if p.where != "file"] + exc.problems + missing
        total += exc.total
    if problems:
        raise InvalidPredictions(problems, total=total)
    if isinstance(values, np.ndarray):
        return values[match.rows]
    return [values[r] for r in match.rows]


def score_raw(
    gold: GoldSet,
    raw: RawPredictions,
    *,
    seed_material: str,
    model: ModelInfo | None = None,
    submission_id: str | None = None,
    resamples: int = bootstrap.DEFAULT_RESAMPLES,
    level: float = bootstrap.DEFAULT_LEVEL,
    keep_outcomes: bool = True,
) -> Result:
    """Validate ``raw`` against ``gold`` and score it. Raises ``InvalidPredictions``."""
    card = gold.card
    task = get_task(card.task_type)
    predictions = validate(gold, raw)
    scoring = with_extra_metrics(task.score(gold, predictions, keep_outcomes=keep_outcomes), gold, predictions)
    seed = bootstrap.seed_for(card.id, card.version, seed_material)
    intervals = {}
    for name, (low, high) in bootstrap.intervals(scoring.statistics, seed, resamples, level).items():
        value = scoring.metrics.get(name)
        if value is not None:  # a percentile interval can miss a skewed estimate (macro-F1, a tiny class): widen
            low, high = min(low, value), max(high, value)
        intervals[name] = Interval(low=low, high=high, level=level, resamples=resamples)
    return Result(
        benchmark=card.id,
        benchmark_version=card.version,
        task_type=card.task_type,
        model=model or ModelInfo(name="local"),
        source="verified",
        submission_id=submission_id,
        primary_metric=card.primary_metric,
        metrics=scoring.metrics,
        ci=intervals,
        details=scoring.details,
        n=len(gold),
        metric_version=scoring.metric_version,
        seed=seed,
        outcomes=scoring.outcomes,
    )


def with_extra_metrics(scoring: Scoring, gold: GoldSet, predictions) -> Scoring:
    """``scoring`` with the benchmark's extra metrics (``podium.metrics.extra``) added: their
    columns, an interval for each per-item score, their versions in ``metric_version``."""
    if not gold.extra_metrics:
        return scoring
    from podium.metrics import extra

    inputs = get_task(gold.card.task_type).evaluate_inputs(gold, predictions)
    versions = [scoring.metric_version]
    for name, folder in gold.extra_metrics.items():
        if not folder.is_dir():
            raise BenchmarkError(
                f"extra metric {name!r} of benchmark {gold.card.id!r} is not installed ({folder} is missing); "
                f"add it again: podium benchmark add --replace --id {gold.card.id} --extra-metric PATH ..."
            )
        for score in extra.extra_scores(folder, *inputs, taken=scoring.metrics):
            scoring.metrics[score.name] = score.value
            if score.per_item is not None:
                scoring.statistics.append(bootstrap.mean_statistic(score.name, score.per_item))
        versions.append(extra.version(folder))
    scoring.metric_version = " + ".join(versions)
    return scoring


def score_options(
    path: Path,
    *,
    model: ModelInfo | None = None,
    submission_id: str | None = None,
    resamples: int = bootstrap.DEFAULT_RESAMPLES,
    keep_outcomes: bool = True,
) -> dict:
    """``score_raw``'s options for a stored file: the bootstrap is seeded from the benchmark and the
    submission id (or, without one, the file's content hash), so scoring the same file again gives
    the same interval."""
    return {"seed_material": submission_id or file_sha256(Path(path)), "model": model,
            "submission_id": submission_id, "resamples": resamples, "keep_outcomes": keep_outcomes}  # fmt: skip


def read_submission(home: Home, benchmark_id: str, path: Path) -> tuple[GoldSet, RawPredictions]:
    """The benchmark's gold answers and the predictions file, read (bounded by the size limit)."""
    return BenchmarkStore(home).gold(benchmark_id), read_predictions(Path(path), home.max_predictions_bytes)


def score_file(home: Home, benchmark_id: str, path: Path, **options) -> Result:
    """Score the predictions file ``path`` on every item of ``benchmark_id`` (``score_options``)."""
    gold, raw = read_submission(home, benchmark_id, path)
    return score_raw(gold, raw, **score_options(path, **options))

"""Rescoring stored submissions after a metric changed or a benchmark's gold answers were corrected.

Every request keeps its predictions, so a result can always be computed again with the scoring
the backend uses (for a benchmark with a private part, both parts: ``podium.private_part``). Only
FINISHED submissions are rescored: a result is stale when it was scored on
another version of the benchmark than the current card's, or by another version of the task's
metric module or of the benchmark's extra metrics. The new result replaces the old file
atomically (same path, same submission id, so the same bootstrap seed material); the leaderboard
picks it up like any changed file. A submission whose predictions no longer fit the benchmark (its
items changed) is reported and left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import BenchmarkError, PodiumError
from podium.queue import RequestQueue
from podium.schema import BenchmarkCard, FormatError, RequestStatus, Result


@dataclass
class Rescored:
    """One submission looked at by ``rescore``."""

    submission_id: str
    benchmark: str
    model: str
    reason: str  # why it was (or would be) rescored
    before: float | None  # the primary score of the old result, if it was readable
    after: float | None = None  # the new primary score; None on a dry run or an error
    error: str | None = None  # why it could not be rescored


def current_metric_version(home: Home, card: BenchmarkCard) -> str:
    """What scoring a submission of ``card`` writes as ``metric_version`` today: the task type's
    metric, then each extra metric's name and fingerprint (``scoring.with_extra_metrics``)."""
    from podium.metrics import extra, load_metric, metric_version
    from podium.tasks import get_task

    versions = [metric_version(load_metric(get_task(card.task_type).metric_module))]
    for name in card.extra_metrics or []:
        folder = home.extra_metrics_dir / name
        versions.append(extra.version(folder) if folder.is_dir() else f"{name} (missing)")
    return " + ".join(versions)


def stale_reason(result: Result, card: BenchmarkCard, metric_version: str) -> str | None:
    """Why ``result`` no longer reflects scoring on ``card`` today; None when it still does."""
    if result.benchmark_version != card.version:
        return f"benchmark version {result.benchmark_version} -> {card.version}"
    if result.metric_version != metric_version:
        return f"metric {result.metric_version} -> {metric_version}"
    return None


def rescore(
    home: Home, benchmarks: list[str] | None = None, *, everything: bool = False, dry_run: bool = False
) -> list[Rescored]:
    """Rescore the stale (or, with ``everything``, all) FINISHED submissions of ``benchmarks`` (all
    by default). With ``dry_run`` nothing is written: the list says what would be rescored."""
    from podium.private_part import score_submission, write_scores

    store, queue = BenchmarkStore(home), RequestQueue(home)
    cards = {card.id: card for card in store.list()}
    unknown = [b for b in benchmarks or [] if b not in cards]
    if unknown:
        raise BenchmarkError(f"no benchmark {', '.join(map(repr, unknown))} (podium benchmark list shows them)")
    metric_versions: dict[str, str] = {}

    def reason_for(card: BenchmarkCard, old: Result | None) -> str | None:
        if old is None:
            return "its result file is missing or unreadable"
        if everything:
            return "asked for all"
        if card.id not in metric_versions:
            metric_versions[card.id] = current_metric_version(home, card)
        return stale_reason(old, card, metric_versions[card.id])

    done = []
    for request in queue.find(status=RequestStatus.FINISHED):
        card = cards.get(request.benchmark)
        if not request.result_file or card is None or (benchmarks and request.benchmark not in benchmarks):
            continue
        old = _read(home.results_dir / request.result_file)
        reason = reason_for(card, old)
        if reason is None:
            continue
        entry = Rescored(request.id, request.benchmark, request.model.full_name, reason, old.score if old else None)
        done.append(entry)
        if not dry_run:
            _rescore_one(home, queue, request, entry, score_submission, write_scores)
    return done[::-1]  # oldest first, as the queue lists them


def _rescore_one(home: Home, queue: RequestQueue, request, entry: Rescored, score_submission, write_scores) -> None:
    try:
        scores = score_submission(
            home, request.benchmark, queue.predictions_path(request), model=request.model, submission_id=request.id
        )
    except PodiumError as exc:
        text = str(exc).replace("\n  ", " ").replace("\n", " ")
        entry.error = text if len(text) <= 300 else text[:299] + "…"
        return
    # Same path as the backend's: the public part into the result file, a private part's result
    # under the private folder (and into the revealed table once the benchmark is revealed).
    write_scores(home, request.result_file, scores)
    entry.after = scores.public.score


def _read(path: Path) -> Result | None:
    try:
        return Result.read(path)
    except (FormatError, OSError, ValueError):
        return None

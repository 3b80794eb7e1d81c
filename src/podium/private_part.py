"""A benchmark's private part: Kaggle's public/private split, revealed when the benchmark closes.

``podium benchmark add ... --private-fraction 0.5`` holds back that share of the items. Which items
is itself secret: each item's side is decided by an HMAC of its id under the server secret
(``podium.secrets_store``), so an item keeps its side when the benchmark is replaced by a new
version, and the list is stored only under the private folder::

    private/<id>/private-items.parquet               the private items' ids
    private/<id>/private-scores/<submission>.json    each scored submission's private-part result

Submitters predict every item (the public inputs include the private items'). The backend scores
the public items into the result file in eval-results, so the leaderboard, details, compare and the
model pages all show the public part, and keeps the private-part result under the private folder.

``podium benchmark reveal <id>`` closes the benchmark and publishes the private standings through
the ordinary machinery: a companion benchmark ``<id>-private`` (its own card, ``private_part_of``
set, no inputs) whose verified results are the stored private-part results, so the private
leaderboard is one more table, with intervals, ranks and compare. After the reveal, the gold
answers of the private items are effectively public, so the benchmark takes no new submissions
(``check_open``); submissions already queued are still scored, and their private results go straight
to the companion table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from podium import bootstrap, outcomes
from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import BenchmarkError, PodiumError
from podium.predictions import RawPredictions, match_ids
from podium.schema import BenchmarkCard, ModelInfo, RequestStatus, Result, utcnow
from podium.slugs import check_slug
from podium.tasks import GoldSet

COMPANION_SUFFIX = "-private"
SCORES_DIR = "private-scores"


class BenchmarkClosed(PodiumError):
    """A submission to a benchmark whose private part was revealed (or to the revealed table itself)."""

    exit_code = 2


def companion_id(benchmark_id: str) -> str:
    """The id of the table ``reveal`` adds for the private standings of ``benchmark_id``."""
    try:
        return check_slug(benchmark_id + COMPANION_SUFFIX, what="benchmark id")
    except PodiumError:
        raise BenchmarkError(
            f"benchmark id {benchmark_id!r} is too long for a private part: its revealed table "
            f"{benchmark_id + COMPANION_SUFFIX!r} would not be a valid id (100 characters at most)"
        ) from None


def choose_private(home: Home, benchmark_id: str, ids: list[str], fraction: float) -> np.ndarray:
    """Which items are private (a boolean mask over ``ids``): the round(fraction * n) items whose
    keyed hash is smallest. Secret without the server secret; stable for an id across versions."""
    from podium.secrets_store import keyed_int, server_secret

    n = len(ids)
    k = int(round(fraction * n))
    if not 0 < k < n:
        raise BenchmarkError(
            f"--private-fraction {fraction:g} of {n} items leaves {k} private and {n - k} public items; "
            "both parts need at least one"
        )
    secret = server_secret(home)
    keys = np.fromiter((keyed_int(secret, "private-part", benchmark_id, i) for i in ids), dtype=np.int64, count=n)
    mask = np.zeros(n, dtype=bool)
    mask[np.argsort(keys, kind="stable")[:k]] = True
    return mask


def check_open(card: BenchmarkCard) -> None:
    """Refuse submissions to a closed benchmark (``BenchmarkClosed`` says why and what to do)."""
    if card.private_part_of:
        raise BenchmarkClosed(
            f"{card.id!r} holds the revealed private standings of {card.private_part_of!r} and takes no submissions"
        )
    if card.revealed_at is not None:
        raise BenchmarkClosed(
            f"benchmark {card.id!r} closed on {card.revealed_at:%Y-%m-%d}: its private part was revealed, so its "
            "gold answers can no longer be kept from new submissions; ask the maintainers for its successor"
        )


def companion_card(card: BenchmarkCard, n_private: int, revealed_at) -> BenchmarkCard:
    """The card of the private standings' table (same task, metrics and version as ``card``)."""
    return card.model_copy(
        update={
            "id": companion_id(card.id),
            "name": f"{card.name} (private part)",
            "description": (
                f"The private part of {card.name}: {n_private} items held back while the benchmark was open, "
                f"revealed on {revealed_at:%Y-%m-%d}. Final standings."
            ),
            "n_items": n_private,
            "private_fraction": None,
            "revealed_at": revealed_at,
            "private_part_of": card.id,
            "created_at": revealed_at,
            "updated_at": revealed_at,
        }
    )


# --------------------------------------------------------------------------- scoring


@dataclass
class Scores:
    """What scoring one submission produces: the public result, and the private part's (if any)."""

    public: Result
    private: Result | None = None
    revealed: bool = False  # the benchmark's private part is public already: write both tables


def _part_gold(gold: GoldSet, mask: np.ndarray, card: BenchmarkCard) -> GoldSet:
    rows = pa.array(np.flatnonzero(mask))
    return GoldSet(card=card, ids=gold.ids.take(rows), gold=gold.gold.take(rows), extra_metrics=gold.extra_metrics)


def _part_raw(raw: RawPredictions, position: np.ndarray, mask: np.ndarray) -> RawPredictions:
    rows = np.flatnonzero(mask[position])
    values = raw.values.take(pa.array(rows)) if isinstance(raw.values, pa.Array) else [raw.values[r] for r in rows]
    lines = raw.line_numbers[rows] if raw.line_numbers is not None else None
    return RawPredictions(ids=raw.ids.take(pa.array(rows)), values=values, format=raw.format, line_numbers=lines)


def score_submission(
    home: Home,
    benchmark_id: str,
    path: Path,
    *,
    model: ModelInfo | None = None,
    submission_id: str | None = None,
    resamples: int = bootstrap.DEFAULT_RESAMPLES,
    keep_outcomes: bool = True,
) -> Scores:
    """Score a stored predictions file as the backend does: the whole benchmark, or, with a private
    part, the public items and the private items separately. Raises ``InvalidPredictions``.

    The file is validated against every item first, so its messages name the file's own rows and
    a file missing a private item's prediction is refused as it would be without a split.
    """
    from podium.scoring import read_submission, score_options, score_raw, validate

    gold, raw = read_submission(home, benchmark_id, path)
    card = gold.card
    options = score_options(path, model=model, submission_id=submission_id, resamples=resamples,
                            keep_outcomes=keep_outcomes)  # fmt: skip
    if not card.private_fraction:
        return Scores(score_raw(gold, raw, **options))
    private_ids = BenchmarkStore(home).private_items(benchmark_id)
    validate(gold, raw)
    position = match_ids(raw, gold.ids, card.id).position
    private = pc.is_in(gold.ids, value_set=private_ids).to_numpy(zero_copy_only=False).astype(bool)
    public_part = score_raw(_part_gold(gold, ~private, card), _part_raw(raw, position, ~private), **options)
    hidden = companion_card(card, int(private.sum()), card.revealed_at or utcnow())
    private_part = score_raw(_part_gold(gold, private, hidden), _part_raw(raw, position, private), **options)
    return Scores(public_part, private_part, revealed=card.revealed_at is not None)


def private_score_path(home: Home, benchmark_id: str, name: str) -> Path:
    return home.private_dir / check_slug(benchmark_id, what="benchmark id") / SCORES_DIR / name


def write_scores(home: Home, relative: str, scores: Scores) -> None:
    """Write a scored submission: the public result at ``eval-results/<relative>``, the private
    part's under the private folder (first, so no public result exists without it) and, once the
    benchmark is revealed, in the companion table too. Each with its outcomes file (``podium.outcomes``)."""
    name = Path(relative).name
    if scores.private is not None:
        outcomes.write_result(private_score_path(home, scores.public.benchmark, name), scores.private)
        if scores.revealed:
            outcomes.write_result(home.results_dir / scores.private.benchmark / name, scores.private)
    outcomes.write_result(home.results_dir / relative, scores.public)


# --------------------------------------------------------------------------- reveal


@dataclass
class Revealed:
    card: BenchmarkCard  # the companion table's card
    results: int  # private-part results published
    rescored: int  # of which computed now from the stored predictions (no stored private score)


def reveal(home: Home, benchmark_id: str) -> Revealed:
    """Close ``benchmark_id`` and publish its private standings as the table ``<id>-private``.

    Running it again republishes (e.g. after ``podium rescore``) and keeps the first reveal time.
    """
    from podium.queue import RequestQueue

    store = BenchmarkStore(home)
    card = store.card(benchmark_id)
    if card.private_part_of:
        raise BenchmarkError(f"{benchmark_id!r} is the revealed private part of {card.private_part_of!r}")
    if not card.private_fraction:
        raise BenchmarkError(f"benchmark {benchmark_id!r} has no private part (see --private-fraction)")
    target = companion_id(benchmark_id)
    if (home.benchmarks_dir / target / "card.json").is_file() and store.card(target).private_part_of != benchmark_id:
        raise BenchmarkError(f"a benchmark {target!r} exists and is not the private part of {benchmark_id!r}")
    private_ids = BenchmarkStore(home).private_items(benchmark_id)
    revealed_at = card.revealed_at or utcnow()
    queue = RequestQueue(home)
    requests, _ = queue.all()
    published = rescored = 0
    for request in requests:
        if request.benchmark != benchmark_id or request.status != RequestStatus.FINISHED or not request.result_file:
            continue
        name = Path(request.result_file).name
        stored = _read(private_score_path(home, benchmark_id, name))
        if stored is None or stored.benchmark_version != card.version:
            try:
                scores = score_submission(
                    home, benchmark_id, queue.predictions_path(request), model=request.model, submission_id=request.id
                )
            except PodiumError:  # no longer fits this version of the items: it has no current result either
                continue
            if scores.private is None:
                continue
            stored = scores.private
            outcomes.write_result(private_score_path(home, benchmark_id, name), stored)
            rescored += 1
        outcomes.write_result(home.results_dir / target / name, stored)
        published += 1
    companion = companion_card(card, len(private_ids or []), revealed_at)
    (home.benchmarks_dir / target).mkdir(parents=True, exist_ok=True)
    store.write_card(companion)
    if card.revealed_at is None:  # closed last: a crash before this leaves the benchmark open, and reveal reruns
        store.write_card(card.model_copy(update={"revealed_at": revealed_at, "updated_at": utcnow()}))
    return Revealed(companion, published, rescored)


def _read(path: Path) -> Result | None:
    """The stored private-part result with its outcomes; None if it (or its outcomes file) is unusable."""
    try:
        return outcomes.read_result(path)
    except (OSError, ValueError):  # OutcomesError and FormatError are ValueErrors: score it again
        return None

"""Comparing models: paired tests between their verified results on one benchmark."""

from fastapi import APIRouter

from podium.api.deps import Board, HomeDir
from podium.api.models import CompareRequest, Comparison, documented
from podium.errors import NotFound, UsageError

router = APIRouter(tags=["leaderboard"])


@router.post("/compare", response_model=None, responses=documented(Comparison, "every pair's paired test"))
def compare_models(body: CompareRequest, home: HomeDir, board: Board) -> dict:
    """Paired tests between models' verified results on one benchmark, from per-item outcomes:
    exact McNemar for accuracy, paired bootstrap for F1-type metrics; Holm-adjusted p-values."""
    from podium import compare

    tables = board()
    tables.card(body.benchmark)  # UnknownBenchmark (404) unless it is on the board
    try:
        return compare.compare_models(home, tables, body.benchmark, body.models, body.metric)
    except compare.NotComparable as exc:
        raise NotFound(str(exc)) from None
    except ValueError as exc:  # a metric the results cannot be compared on
        raise UsageError(str(exc)) from None

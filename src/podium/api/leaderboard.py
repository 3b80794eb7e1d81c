"""Leaderboards: a benchmark's rows, and a task type's overall table.

Both answer from bytes serialised once per results version (``cached_json``), with an ``ETag``: a
client that sends it back in ``If-None-Match`` gets ``304 Not Modified`` until the table changes.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from podium.api.cache import cached_json
from podium.api.deps import Board
from podium.api.models import LeaderboardTable, OverallTable, documented
from podium.tasks import task_type_from

router = APIRouter(tags=["leaderboard"])

# the model filters, as every leaderboard answer takes them (``podium.model_metadata.filters``)
ModelTypes = Annotated[
    list[str] | None,
    Query(description="only these types: open-weights, api, fine-tuned, unknown (repeat the parameter for several)"),
]
Sizes = Annotated[
    list[str] | None, Query(description="only these sizes: up-to-3b, 3b-10b, 10b-40b, 40b-100b, over-100b, unknown")
]
Licences = Annotated[list[str] | None, Query(description="only these licences (any case); unknown: none given")]


@router.get("/leaderboard/{benchmark}", response_class=Response,
            responses=documented(LeaderboardTable, "the benchmark's rows, best first"))  # fmt: skip
def leaderboard(
    benchmark: str,
    request: Request,
    board: Board,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    metric: Annotated[str | None, Query(description="rank by this metric instead of the primary one")] = None,
    model_type: ModelTypes = None,
    size: Sizes = None,
    license: Licences = None,
) -> Response:
    """A benchmark's leaderboard: rank, rank UB, model, score, 95% CI, other metrics, n, source, ...

    With `metric`, everything follows that metric: `score` and `ci_low`/`ci_high` are its value and
    interval, `rank` and `rank_ub` rank by it, and the primary metric is one of the other columns.

    `model_type`, `size` and `license` keep the rows of the models the submitters described so;
    ranks stay those of the whole table."""
    from podium.leaderboard import rows_of
    from podium.model_metadata import filter_rows, filters

    tables = board()
    wanted = filters(model_type, size, license)  # checked and in one form before it keys the cache

    def answer() -> dict:
        card = tables.card(benchmark)
        if any(wanted):
            rows = rows_of(filter_rows(tables.table(card.id, metric), *map(list, wanted)).head(limit))
        else:
            rows = tables.rows(card.id, metric, limit)
        return {"benchmark": card.id, "name": card.name, "metric": metric or card.primary_metric,
                "rows": [row.as_json() for row in rows]}  # fmt: skip

    key = ("leaderboard", benchmark, metric, limit, *wanted)
    return cached_json(request, key, tables.view_version(benchmark), answer)


@router.get("/leaderboard", response_class=Response,
            responses=documented(OverallTable, "the task type's overall table"))  # fmt: skip
def overall(
    task_type: Annotated[str, Query(description="a task type's name, title or other spelling")],
    request: Request,
    board: Board,
    model_type: ModelTypes = None,
    size: Sizes = None,
    license: Licences = None,
) -> Response:
    """Mean score and mean rank of each model over the benchmarks of a task type it has results on,
    with how many of the task type's benchmarks that is (`benchmarks` of `of`), and what its
    submitter said of it (its newest result that says anything); `model_type`, `size` and `license`
    filter as on a benchmark's table."""
    from podium.leaderboard import standings_of
    from podium.model_metadata import filter_rows, filters, with_facts

    kind = task_type_from(task_type)
    tables = board()
    wanted = filters(model_type, size, license)

    def answer() -> dict:
        table = with_facts(tables.overall(kind), tables.model_facts())
        if any(wanted):
            table = filter_rows(table, *map(list, wanted))
        return {"task_type": kind, "rows": [s.as_json() for s in standings_of(table)]}

    return cached_json(request, ("overall", kind, *wanted), tables.version, answer)

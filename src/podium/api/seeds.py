"""The seeds' endpoints: ``add_dataset`` and ``add_model``, their payloads and answers verbatim."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from podium.api.deps import Admin, Board, HomeDir, Store
from podium.api.models import AddDataset, AddModel, SeedAnswer, documented
from podium.benchmarks import build_card
from podium.reported import add_reported

router = APIRouter(tags=["seeds"])

DATASET_NOT_FOUND = "Dataset not found."


@router.post("/leaderboard/add_dataset", response_model=None,
             responses=documented(SeedAnswer, "the benchmark was created with the given rows"))  # fmt: skip
def add_dataset(body: AddDataset, who: Admin, store: Store, board: Board) -> dict:
    """Create a benchmark from the seeds' JSON, with its models as `reported` rows (admin).

    The benchmark's id is the slug of `name`; the given ranks are stored, the shown ranks are
    computed from the scores."""
    given = {"name": body.name, "task_type": body.task_type, "url": body.url, "description": body.description}
    card = store.add_reported(build_card(given), [row.model_dump() for row in body.models])
    board(force=True)  # readers see it at once
    return {"status": "success", "message": "Dataset added to leaderboard.", "dataset_id": card.id}


@router.post("/leaderboard/add_model", response_model=None,
             responses=documented(SeedAnswer, "the row was added"))  # fmt: skip
def add_model(body: AddModel, who: Admin, home: HomeDir, store: Store, board: Board):
    """Add a `reported` row to a benchmark named by its name or id (admin); 404 with the seeds'
    `{"status": "error", "message": "Dataset not found."}` for an unknown one."""
    card = store.find(body.dataset_name)
    if card is None:  # the seeds' own error shape, beside the API's `detail`
        answer = {"status": "error", "message": DATASET_NOT_FOUND, "detail": DATASET_NOT_FOUND}
        return JSONResponse(answer, status_code=404)
    add_reported(home, card, body.model, body.score, body.ci, body.updated, body.rank)
    board(force=True)
    return {"status": "success", "message": "Model added to dataset on leaderboard."}

"""Benchmarks: their cards, the public inputs, and creating one from an eval set (admin)."""

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse

from podium.api.deps import Admin, Board, HomeDir, Store
from podium.api.models import documented
from podium.api.uploads import save_upload, suffix_of, upload_folder
from podium.benchmarks import SOURCE_FORMATS, build_card
from podium.schema import BenchmarkCard

router = APIRouter(tags=["benchmarks"])

DOCUMENT_SUFFIXES = (".csv", ".jsonl", ".parquet")


def card_json(card: BenchmarkCard) -> dict:
    return card.model_dump(mode="json", exclude_none=True)


@router.get("/benchmarks", response_model=None,
            responses=documented(list[BenchmarkCard], "every benchmark's card"))  # fmt: skip
def list_benchmarks(store: Store) -> list[dict]:
    """Every benchmark's card: task type, metrics, label set or entity types, items, version."""
    return [card_json(card) for card in store.list()]


@router.post("/benchmarks", status_code=201, response_model=None,
             responses=documented(BenchmarkCard, "the new benchmark's card", 201))  # fmt: skip
def create_benchmark(
    who: Admin,
    home: HomeDir,
    store: Store,
    board: Board,
    id: Annotated[str, Form(description="safe slug")],
    task_type: Annotated[str, Form(description="a task type's name, title or other spelling")],
    data: Annotated[UploadFile, File(description="CSV, JSONL or Parquet with inputs and gold answers")],
    name: Annotated[str | None, Form(description="default: the id")] = None,
    description: Annotated[str | None, Form()] = None,
    url: Annotated[str | None, Form()] = None,
    languages: Annotated[str | None, Form(description="comma-separated (default: en)")] = None,
    primary_metric: Annotated[str | None, Form(description="default: the task type's first")] = None,
    labels: Annotated[str | None, Form(description="comma-separated label set")] = None,
    documents: Annotated[UploadFile | None, File()] = None,
    replace: Annotated[bool, Form(description="swap in a new eval set for an existing benchmark")] = False,
) -> dict:
    """Create a benchmark from an eval set with inputs and gold answers (admin). The gold answers
    are stored apart from the public inputs and are never served.

    With `replace`, an existing benchmark gets the new eval set, and every card field not given
    keeps its value; when the items or gold answers differ, its version goes up by one and results
    of the old version leave the leaderboard."""
    given = {"id": id, "name": name, "task_type": task_type, "description": description, "url": url,
             "languages": languages, "primary_metric": primary_metric, "labels": labels}  # fmt: skip
    card = build_card(given, existing=store.existing(id) if replace else None)
    data_suffix = suffix_of(data, SOURCE_FORMATS, what="the eval set")
    with upload_folder("podium-benchmark-") as folder:
        data_path = save_upload(data, folder / f"data{data_suffix}", home.max_benchmark_bytes)
        docs_path = None
        if documents is not None:
            docs_suffix = suffix_of(documents, DOCUMENT_SUFFIXES, default=".jsonl")
            docs_path = save_upload(documents, folder / f"documents{docs_suffix}", home.max_benchmark_bytes)
        card = store.add(card, data_path, documents=docs_path, replace=replace)
    board(force=True)
    return card_json(card)


@router.get("/benchmarks/{benchmark}", response_model=None,
            responses=documented(BenchmarkCard, "the benchmark's card"))  # fmt: skip
def get_benchmark(benchmark: str, store: Store) -> dict:
    """One benchmark's card."""
    return card_json(store.card(benchmark))


@router.get("/benchmarks/{benchmark}/inputs", response_class=FileResponse)
def download_inputs(benchmark: str, store: Store):
    """The public inputs a submitter's model must answer, as JSONL (one item per line; never gold).
    Served from the stored file: no temporary copy per download."""
    path = store.inputs_jsonl(benchmark)
    return FileResponse(path, media_type="application/x-ndjson", filename=f"{benchmark}-inputs.jsonl")

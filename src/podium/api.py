"""The REST API (FastAPI), mounted beside the Gradio page by ``podium serve``.

Thin handlers over the same services the CLI and the web page use. Errors are JSON
``{"detail": ...}`` with the matching status code. Reading is public; submitting needs a
``submitter`` or ``admin`` token (``Authorization: Bearer <token>``); creating benchmarks and
the seeds' ``add_dataset`` / ``add_model`` need ``admin``.

(No ``from __future__ import annotations`` here: FastAPI reads the dependency annotations, which
refer to closures, at definition time.)
"""

import re
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from podium import atomic
from podium.api_models import (
    Comparison,
    HistoryEntry,
    LeaderboardTable,
    OverallTable,
    QueueSummary,
    SeedAnswer,
    Submission,
    documented,
)
from podium.config import Home
from podium.errors import (
    BenchmarkError,
    Conflict,
    Forbidden,
    InvalidField,
    InvalidPredictions,
    PodiumError,
    QuotaExceeded,
    quote,
)
from podium.leaderboard import table_records
from podium.names import check_name
from podium.private_part import BenchmarkClosed
from podium.queue import InvalidTransition, RequestNotFound
from podium.reported import add_reported, reported_rows, store_reported
from podium.schema import BenchmarkCard, RequestStatus, Result, utcnow
from podium.slugs import UnsafeNameError, slugify
from podium.tasks import get_task
from podium.tokens import TokenRecord, TokenStore

TASK_SPELLINGS = {
    "textclassification": "text_classification",
    "classification": "text_classification",
    "ner": "ner",
    "namedentityrecognition": "ner",
    "chatbot": "chatbot",
    "documentlevelqachatbot": "chatbot",
    "documentlevelqa": "chatbot",
    "prompting": "prompting",
    "linelevelqaprompting": "prompting",
    "linelevelqa": "prompting",
}


def task_type_from(text: str) -> str:
    key = re.sub(r"[^a-z]", "", text.lower())
    if key not in TASK_SPELLINGS:
        raise HTTPException(422, f"unknown task_type {text!r}; use text_classification, ner, chatbot or prompting")
    return TASK_SPELLINGS[key]


class SeedModelRow(BaseModel):
    model_config = ConfigDict(extra="allow")
    rank: int | None = None
    model: str = Field(min_length=1, max_length=200)
    score: float
    ci: str | None = None
    updated: str | None = None


class AddDataset(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1, max_length=200)
    url: str | None = None
    task_type: str
    description: str = ""
    models: list[SeedModelRow] = Field(default_factory=list)


class AddModel(SeedModelRow):
    dataset_name: str = Field(min_length=1)


class ErrorDetail(BaseModel):
    """Every error: ``detail`` is a message, or FastAPI's list of field errors for a malformed request."""

    detail: str | list[dict[str, Any]]


ERRORS = {code: {"model": ErrorDetail} for code in (400, 401, 403, 404, 409, 413, 422, 429)}


class CompareRequest(BaseModel):
    benchmark: str
    models: list[str] = Field(min_length=2, max_length=20)
    metric: str | None = None


def build_router(home: Home, board_provider) -> APIRouter:
    """The ``/api`` routes; ``board_provider(force=False)`` returns the shared, refreshed tables."""
    from podium.benchmarks import BenchmarkStore, announce_benchmark
    from podium.limits import Limits
    from podium.queue import RequestQueue

    store = BenchmarkStore(home)
    queue = RequestQueue(home)
    tokens = TokenStore(home)
    limits = Limits.from_env()
    bearer = HTTPBearer(auto_error=False, description="a token from `podium token create`")
    router = APIRouter(prefix="/api", responses=ERRORS)

    def identity(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None
    ) -> TokenRecord | None:
        """The caller's token record. ``podium.guards.RequestGuard`` has checked it (and counted the
        request) before the body was read; without the guard (an app that mounts only this router)
        the token is checked here."""
        known = getattr(request.state, "identity", None)
        if known is not None or credentials is None:
            return known
        record = tokens.lookup_usable(credentials.credentials)
        if record is None:
            raise HTTPException(401, "invalid, expired or revoked token", headers={"WWW-Authenticate": "Bearer"})
        return record

    def needs(role: str):
        def check(who: Annotated[TokenRecord | None, Depends(identity)]) -> TokenRecord:
            if who is None:
                raise HTTPException(401, "this operation needs a token", headers={"WWW-Authenticate": "Bearer"})
            if role == "admin" and who.role != "admin":
                raise HTTPException(403, "this operation needs an admin token")
            return who

        return check

    def find_benchmark(name_or_id: str) -> BenchmarkCard | None:
        for card in store.list():
            if name_or_id in (card.id, card.name):
                return card
        return None

    # ------------------------------------------------------------------ the seeds' endpoints

    @router.post("/leaderboard/add_dataset", tags=["seeds"], response_model=None,
                 responses=documented(SeedAnswer, "the benchmark was created with the given rows"))  # fmt: skip
    def add_dataset(body: AddDataset, who: Annotated[TokenRecord, Depends(needs("admin"))]) -> dict:
        """Create a benchmark from the seeds' JSON, with its models as `reported` rows (admin).

        The benchmark's id is the slug of `name`; the given ranks are stored, the shown ranks are
        computed from the scores."""
        task_type = task_type_from(body.task_type)
        try:
            name = check_name(body.name, "name", required=True)
        except InvalidField as exc:
            raise HTTPException(422, str(exc)) from None
        benchmark_id = slugify(name)
        existing = find_benchmark(name)
        if existing is None and (home.benchmarks_dir / benchmark_id / "card.json").exists():
            existing = store.card(benchmark_id)
        if existing is not None:
            existing_name = quote(existing.name)
            raise HTTPException(409, f"benchmark {quote(name)} would get the id {benchmark_id!r} of {existing_name}")
        card = BenchmarkCard(
            id=benchmark_id, name=name, url=body.url, task_type=task_type, description=body.description,
            primary_metric=get_task(task_type).metrics[0],
            secondary_metrics=list(get_task(task_type).metrics[1:]),
        )  # fmt: skip
        try:  # every row is checked before anything is written
            results = reported_rows(card, [row.model_dump() for row in body.models])
        except InvalidField as exc:
            raise HTTPException(422, str(exc)) from None
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        atomic.write_text(home.benchmarks_dir / card.id / "card.json", card.to_json())
        for result in results:
            store_reported(home, card, result)
        announce_benchmark(card)
        board_provider(force=True)  # readers see it at once
        return {"status": "success", "message": "Dataset added to leaderboard.", "dataset_id": card.id}

    @router.post("/leaderboard/add_model", tags=["seeds"], response_model=None,
                 responses=documented(SeedAnswer, "the row was added"))  # fmt: skip
    def add_model(body: AddModel, who: Annotated[TokenRecord, Depends(needs("admin"))]):
        """Add a `reported` row to a benchmark named by its name or id (admin); 404 with the seeds'
        `{"status": "error", "message": "Dataset not found."}` for an unknown one."""
        card = find_benchmark(body.dataset_name)
        if card is None:
            message = "Dataset not found."
            return JSONResponse({"status": "error", "message": message, "detail": message}, status_code=404)
        try:
            add_reported(home, card, body.model, body.score, body.ci, body.updated, body.rank)
        except InvalidField as exc:
            raise HTTPException(422, str(exc)) from None
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        board_provider(force=True)
        return {"status": "success", "message": "Model added to dataset on leaderboard."}

    # ------------------------------------------------------------------ benchmarks

    @router.get("/benchmarks", tags=["benchmarks"], response_model=None,
                responses=documented(list[BenchmarkCard], "every benchmark's card"))  # fmt: skip
    def list_benchmarks() -> list[dict]:
        """Every benchmark's card: task type, metrics, label set or entity types, items, version."""
        return [card.model_dump(mode="json", exclude_none=True) for card in store.list()]

    @router.post("/benchmarks", status_code=201, tags=["benchmarks"], response_model=None,
                 responses=documented(BenchmarkCard, "the new benchmark's card", 201))  # fmt: skip
    def create_benchmark(
        who: Annotated[TokenRecord, Depends(needs("admin"))],
        id: Annotated[str, Form(description="safe slug")],
        task_type: Annotated[str, Form()],
        data: Annotated[UploadFile, File(description="CSV, JSONL or Parquet with inputs and gold answers")],
        name: Annotated[str | None, Form()] = None,
        description: Annotated[str, Form()] = "",
        url: Annotated[str | None, Form()] = None,
        languages: Annotated[str, Form(description="comma-separated")] = "en",
        primary_metric: Annotated[str | None, Form()] = None,
        labels: Annotated[str | None, Form(description="comma-separated label set")] = None,
        documents: Annotated[UploadFile | None, File()] = None,
        replace: Annotated[bool, Form(description="swap in a new eval set for an existing benchmark")] = False,
    ) -> dict:
        """Create a benchmark from an eval set with inputs and gold answers (admin). The gold answers
        are stored apart from the public inputs and are never served.

        With `replace`, an existing benchmark gets the new eval set; when its items or gold answers
        differ, its version goes up by one and results of the old version leave the leaderboard."""
        kind = task_type_from(task_type)
        suffix = Path(data.filename or "data.csv").suffix.lower()
        if suffix not in (".csv", ".jsonl", ".json", ".parquet"):
            raise HTTPException(400, "the eval set must be a .csv, .jsonl or .parquet file")
        try:
            card = BenchmarkCard(
                id=id, name=name or id, task_type=kind, description=description, url=url,
                languages=[x.strip() for x in languages.split(",") if x.strip()] or ["en"],
                primary_metric=primary_metric or get_task(kind).metrics[0],
                labels=[x.strip() for x in labels.split(",") if x.strip()] if labels else None,
            )  # fmt: skip
        except ValueError as exc:
            raise HTTPException(400, str(exc).splitlines()[0] if str(exc) else "invalid benchmark card") from None
        with tempfile.TemporaryDirectory(prefix="podium-benchmark-") as tmp:
            data_path = Path(tmp) / f"data{suffix}"
            copy_upload(data, data_path, home.max_benchmark_bytes)
            docs_path = None
            if documents is not None:
                docs_suffix = Path(documents.filename or "d.jsonl").suffix.lower()
                if docs_suffix not in (".csv", ".jsonl", ".parquet"):
                    docs_suffix = ".jsonl"
                docs_path = Path(tmp) / f"documents{docs_suffix}"
                copy_upload(documents, docs_path, home.max_benchmark_bytes)
            try:
                card = store.add(card, data_path, documents=docs_path, replace=replace)
            except InvalidField as exc:
                raise HTTPException(422, str(exc)) from None
            except BenchmarkError as exc:
                raise HTTPException(409 if "already exists" in str(exc) else 400, str(exc)) from None
        board_provider(force=True)
        return card.model_dump(mode="json", exclude_none=True)

    @router.get("/benchmarks/{benchmark}", tags=["benchmarks"], response_model=None,
                responses=documented(BenchmarkCard, "the benchmark's card"))  # fmt: skip
    def get_benchmark(benchmark: str) -> dict:
        """One benchmark's card."""
        try:
            return store.card(benchmark).model_dump(mode="json", exclude_none=True)
        except PodiumError as exc:
            raise HTTPException(404, str(exc)) from None

    @router.get("/benchmarks/{benchmark}/inputs", tags=["benchmarks"], response_class=FileResponse)
    def download_inputs(benchmark: str):
        """The public inputs a submitter's model must answer, as JSONL (one item per line; never gold).
        Served from the stored file: no temporary copy per download."""
        try:
            store.card(benchmark)
        except PodiumError as exc:
            raise HTTPException(404, str(exc)) from None
        if not (home.benchmarks_dir / benchmark / "inputs.parquet").is_file():
            raise HTTPException(404, f"benchmark {benchmark!r} has no public inputs (reported results only)")
        try:
            path = store.inputs_jsonl(benchmark)
        except PodiumError as exc:
            raise HTTPException(404, str(exc)) from None
        return FileResponse(path, media_type="application/x-ndjson", filename=f"{benchmark}-inputs.jsonl")

    # ------------------------------------------------------------------ submissions

    @router.post(
        "/submissions", status_code=201, tags=["submissions"], response_model=None,
        responses={**documented(Submission, "queued: a new PENDING request", 201),
                   **documented(Submission, "the same file for this model and revision was already queued or scored")},
    )  # fmt: skip
    def create_submission(
        who: Annotated[TokenRecord, Depends(needs("submitter"))],
        benchmark: Annotated[str, Form()],
        model_name: Annotated[str, Form()],
        predictions: Annotated[UploadFile, File()],
        org: Annotated[str | None, Form()] = None,
        revision: Annotated[str | None, Form()] = None,
        link: Annotated[str | None, Form()] = None,
    ):
        """Submit a predictions file (CSV `id,prediction` or JSONL) for scoring (submitter token).

        Validated at once: a bad file is a 422 naming the rows. The submitter is the token's name;
        the model's org (`org/name`, or `org`; default the token's name) must be one the token holds
        (403 otherwise). Quotas: 429 with `Retry-After`."""
        from podium.submissions import model_info, submit

        suffix = Path(predictions.filename or "predictions.csv").suffix.lower() or ".csv"
        if suffix not in (".csv", ".jsonl", ".json", ".ndjson"):
            suffix = ".csv"  # the name is the client's: only its known suffix is used
        with tempfile.TemporaryDirectory(prefix="podium-upload-") as tmp:
            path = Path(tmp) / f"upload{suffix}"
            copy_upload(predictions, path, home.max_predictions_bytes)
            try:
                model = model_info(model_name, org=org, revision=revision, link=link)
                outcome = submit(home, benchmark, path, model, identity=who, limits=limits)
            except InvalidPredictions as exc:
                raise HTTPException(422, exc.render()) from None
            except Forbidden as exc:
                raise HTTPException(403, str(exc)) from None
            except QuotaExceeded as exc:
                raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
            except (InvalidField, UnsafeNameError) as exc:
                if isinstance(exc, UnsafeNameError) and "benchmark" in str(exc):
                    raise HTTPException(404, f"no benchmark {quote(benchmark)}") from None
                raise HTTPException(422, str(exc)) from None
            except BenchmarkClosed as exc:
                raise HTTPException(409, str(exc)) from None
            except BenchmarkError as exc:
                raise HTTPException(404 if "no benchmark" in str(exc) else 400, str(exc)) from None
            except PodiumError as exc:
                raise HTTPException(400, str(exc)) from None
        body = {"created": outcome.created, **outcome.request.model_dump(mode="json", exclude_none=True)}
        return JSONResponse(body, status_code=201 if outcome.created else 200)

    @router.get("/submissions", tags=["submissions"], response_model=None,
                responses=documented(list[Submission], "submissions, newest first"))  # fmt: skip
    def list_submissions(
        model_name: str | None = None,
        benchmark: str | None = None,
        status: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[dict]:
        """Submissions, newest first, filtered by exact model name, benchmark and status."""
        requests, _ = queue.all()
        selected = [
            r
            for r in requests[::-1]
            if (not model_name or r.model.full_name == model_name)
            and (not benchmark or r.benchmark == benchmark)
            and (not status or r.status.value == status.upper())
        ]
        return [_public_request(r) for r in selected[:limit]]

    @router.get("/queue", tags=["submissions"], response_model=None,
                responses=documented(QueueSummary, "counts per state"))  # fmt: skip
    def queue_summary() -> dict:
        """How many submissions are pending, running, finished, failed and cancelled."""
        requests, problems = queue.all()
        counts = Counter(r.status.value for r in requests)
        return {"counts": {s.value: counts.get(s.value, 0) for s in RequestStatus}, "unreadable": len(problems)}

    @router.get("/submissions/{submission_id}", tags=["submissions"], response_model=None,
                responses=documented(Submission, "the submission, with its result once FINISHED"))  # fmt: skip
    def get_submission(submission_id: str) -> dict:
        """A submission's state, timestamps, attempts and error, and its result once scored."""
        try:
            request = queue.get(submission_id)
        except RequestNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        body = _public_request(request)
        if request.result_file:
            result = Result.read(home.results_dir / request.result_file)
            body["result"] = result.summary()
        return body

    @router.post("/submissions/{submission_id}/cancel", tags=["submissions"], response_model=None,
                 responses=documented(Submission, "the submission, now CANCELLED"))  # fmt: skip
    def cancel_submission(submission_id: str, who: Annotated[TokenRecord, Depends(needs("submitter"))]) -> dict:
        """Cancel a PENDING or RUNNING submission (its submitter or an admin); 409 once it has ended."""
        try:
            request = queue.get(submission_id)
            if who.role != "admin" and request.submitter != who.name:
                raise HTTPException(403, "only the submitter or an admin can cancel a submission")
            return _public_request(queue.cancel(submission_id))
        except RequestNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except InvalidTransition as exc:
            raise HTTPException(409, str(exc)) from None

    @router.get("/history", tags=["submissions"], response_model=None,
                responses=documented(list[HistoryEntry], "the model's submissions, newest first"))  # fmt: skip
    def history(model_name: str, days: Annotated[int, Query(ge=1, le=3650)] = 30) -> list[dict]:
        """A model's submissions of the last `days` days across benchmarks, with their scores."""
        since = utcnow() - timedelta(days=days)
        requests, _ = queue.all()
        rows = []
        for r in requests[::-1]:
            if r.model.full_name != model_name or r.created_at < since:
                continue
            row = _public_request(r)
            if r.result_file:
                result = Result.read(home.results_dir / r.result_file)
                row["score"], row["ci"] = result.score, result.ci_display
            rows.append(row)
        return rows

    # ------------------------------------------------------------------ leaderboards and compare

    @router.get("/leaderboard/{benchmark}", tags=["leaderboard"], response_model=None,
                responses=documented(LeaderboardTable, "the benchmark's rows, best first"))  # fmt: skip
    def leaderboard(
        benchmark: str, limit: Annotated[int, Query(ge=1, le=10000)] = 1000, metric: str | None = None
    ) -> dict:
        """A benchmark's leaderboard: rank, Rank (UB), model, score, 95% CI, secondary metrics, n, ...

        `metric` ranks by a secondary metric instead of the primary one."""
        board = board_provider()
        card = board.cards.get(benchmark) or board_provider(force=True).cards.get(benchmark)
        if card is None:
            raise HTTPException(404, f"no benchmark {benchmark!r}")
        table = board.table(benchmark)
        if metric and metric != card.primary_metric:
            if metric not in card.secondary_metrics or metric not in table:
                choices = ", ".join([card.primary_metric, *card.secondary_metrics])
                raise HTTPException(400, f"metric {metric!r} is not one of {choices}")
            table = table.sort_values(metric, ascending=False, kind="stable", na_position="last")
            values = table[metric].to_numpy(dtype=float)
            table = table.assign(Rank=1 + np.searchsorted(np.sort(-values), -values, side="left"))
        table = table.head(limit)
        return {"benchmark": card.id, "name": card.name, "metric": metric or card.primary_metric,
                "rows": table_records(table)}  # fmt: skip

    @router.get("/leaderboard", tags=["leaderboard"], response_model=None,
                responses=documented(OverallTable, "the task type's overall table"))  # fmt: skip
    def overall(task_type: str) -> dict:
        """Mean score and mean rank of each model over the benchmarks of a task type it has results on."""
        kind = task_type_from(task_type)
        return {"task_type": kind, "rows": table_records(board_provider().overall(kind))}

    @router.post("/compare", tags=["leaderboard"], response_model=None,
                 responses=documented(Comparison, "every pair's paired test"))  # fmt: skip
    def compare_models(body: CompareRequest) -> dict:
        """Paired tests between models' verified results on one benchmark, from per-item outcomes:
        exact McNemar for accuracy, paired bootstrap for F1-type metrics; Holm-adjusted p-values."""
        from podium.compare import NotComparable, compare_models

        board = board_provider()
        if body.benchmark not in board.cards:
            board = board_provider(force=True)
        try:
            return compare_models(home, board, body.benchmark, body.models, body.metric)
        except NotComparable as exc:
            raise HTTPException(404, str(exc)) from None
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None

    return router


def copy_upload(upload: UploadFile, target: Path, max_bytes: int) -> int:
    """Copy an uploaded file in 1 MB chunks, refusing (413) past ``max_bytes``; the bytes copied."""
    size = 0
    with open(target, "wb") as fh:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > max_bytes:
                raise HTTPException(413, f"the file is over the {max_bytes} byte limit")
            fh.write(chunk)
    return size


def _public_request(request) -> dict:
    data = request.model_dump(mode="json", exclude_none=True)
    data.pop("lease", None)
    return data

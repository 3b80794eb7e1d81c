"""Submissions: submitting predictions (submitter), their states, the queue's counts, a model's history."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse

from podium.api.deps import HomeDir, Queue, Quotas, Submitter
from podium.api.models import HistoryEntry, QueueSummary, Submission, documented
from podium.api.uploads import save_upload, suffix_of, upload_folder
from podium.config import Home
from podium.errors import Forbidden
from podium.schema import Result, SubmissionRequest, utcnow

router = APIRouter(tags=["submissions"])

PREDICTION_SUFFIXES = (".csv", ".jsonl", ".json", ".ndjson")


def public(request: SubmissionRequest) -> dict:
    """A request as the API shows it: never its lease."""
    data = request.model_dump(mode="json", exclude_none=True)
    data.pop("lease", None)
    return data


def result_of(home: Home, request: SubmissionRequest) -> Result | None:
    return Result.read(home.results_dir / request.result_file) if request.result_file else None


@router.post(
    "/submissions", status_code=201, response_model=None,
    responses={**documented(Submission, "queued: a new PENDING request", 201),
               **documented(Submission, "the same file for this model and revision was already queued or scored")},
)  # fmt: skip
def create_submission(
    who: Submitter,
    home: HomeDir,
    limits: Quotas,
    benchmark: Annotated[str, Form()],
    model_name: Annotated[str, Form()],
    predictions: Annotated[UploadFile, File()],
    org: Annotated[str | None, Form()] = None,
    revision: Annotated[str | None, Form()] = None,
    link: Annotated[str | None, Form()] = None,
    model_type: Annotated[str | None, Form(description="open-weights, api or fine-tuned")] = None,
    params: Annotated[str | None, Form(description="parameters: 7, 7B, 350M or 1.8T")] = None,
    license: Annotated[str | None, Form(description="the model's licence, e.g. apache-2.0")] = None,
):
    """Submit a predictions file (CSV `id,prediction` or JSONL) for scoring (submitter token).

    Validated at once: a bad file is a 422 naming the rows. The submitter is the token's name;
    the model's org (`org/name`, or `org`; default the token's name) must be one the token holds
    (403 otherwise). Quotas: 429 with `Retry-After`."""
    from podium.submissions import model_info, submit

    suffix = suffix_of(predictions, PREDICTION_SUFFIXES, default=".csv")
    with upload_folder("podium-upload-") as folder:
        path = save_upload(predictions, folder / f"upload{suffix}", home.max_predictions_bytes)
        model = model_info(model_name, org=org, revision=revision, link=link, model_type=model_type, params=params,
                           license=license)  # fmt: skip
        outcome = submit(home, benchmark, path, model, identity=who, limits=limits)
    body = {"created": outcome.created, **public(outcome.request)}
    return JSONResponse(body, status_code=201 if outcome.created else 200)


@router.get("/submissions", response_model=None,
            responses=documented(list[Submission], "submissions, newest first"))  # fmt: skip
def list_submissions(
    queue: Queue,
    model_name: Annotated[str | None, Query(description="`org/name`, or a name (any org)")] = None,
    benchmark: str | None = None,
    status: Annotated[str | None, Query(description="PENDING, RUNNING, FINISHED, FAILED or CANCELLED")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict]:
    """Submissions, newest first, filtered by model (case-insensitive), benchmark and state."""
    return [public(r) for r in queue.find(model=model_name, benchmark=benchmark, status=status, limit=limit)]


@router.get("/queue", response_model=None, responses=documented(QueueSummary, "counts per state"))
def queue_summary(queue: Queue) -> dict:
    """How many submissions are pending, running, finished, failed and cancelled."""
    return queue.counts()


@router.get("/submissions/{submission_id}", response_model=None,
            responses=documented(Submission, "the submission, with its result once FINISHED"))  # fmt: skip
def get_submission(submission_id: str, queue: Queue, home: HomeDir) -> dict:
    """A submission's state, timestamps, attempts and error, and its result once scored."""
    request = queue.get(submission_id)
    result = result_of(home, request)
    return public(request) | ({"result": result.summary()} if result else {})


@router.post("/submissions/{submission_id}/cancel", response_model=None,
             responses=documented(Submission, "the submission, now CANCELLED"))  # fmt: skip
def cancel_submission(submission_id: str, who: Submitter, queue: Queue) -> dict:
    """Cancel a PENDING or RUNNING submission (its submitter or an admin); 409 once it has ended."""
    if not who.is_admin and queue.get(submission_id).submitter != who.name:
        raise Forbidden("only the submitter or an admin can cancel a submission")
    return public(queue.cancel(submission_id))


@router.get("/history", response_model=None,
            responses=documented(list[HistoryEntry], "the model's submissions, newest first"))  # fmt: skip
def history(
    queue: Queue,
    home: HomeDir,
    model_name: Annotated[str, Query(description="`org/name`, or a name (any org)")],
    days: Annotated[int, Query(ge=1, le=3650)] = 30,
) -> list[dict]:
    """A model's submissions of the last `days` days across benchmarks, with their scores."""
    from podium.history import model_history

    rows = []
    for attempt in model_history(queue, home.results_dir, model_name, since=utcnow() - timedelta(days=days)):
        result = attempt.result
        rows.append(public(attempt.request) | ({"score": result.score, "ci": result.ci_display} if result else {}))
    return rows

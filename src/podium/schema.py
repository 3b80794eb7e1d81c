"""Every file format Podium reads or writes, defined once.

Three documents cross process boundaries: the benchmark card, the submission request and the
result file. Each carries ``format_version``; readers are tolerant: unknown fields are kept (and
written back unchanged), so a newer writer never crashes an older reader. ``docs/formats.md``
documents these models with an example of each.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from podium.errors import quote
from podium.slugs import check_module_name, check_slug

FORMAT_VERSION = 1


# The task type names come from the task registry (``podium.tasks``), looked up when a document is
# validated or a JSON schema is made, not when this module is imported: the task modules import
# pandas, which reading a card or a result file must not wait for.
def _registered_task_type(value: str) -> str:
    from podium.tasks import task_type_names

    names = task_type_names()
    if value not in names:
        raise ValueError(f"unknown task type {quote(value)}; use one of {', '.join(names)}")
    return value


class _TaskTypeNamesSchema:
    """JSON schema of a task type name: an enum of the registered names."""

    def __get_pydantic_json_schema__(self, core_schema, handler) -> dict:
        from podium.tasks import task_type_names

        return {**handler(core_schema), "enum": list(task_type_names())}


TaskTypeName = Annotated[str, AfterValidator(_registered_task_type), _TaskTypeNamesSchema()]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class _Document(BaseModel):
    """A JSON document on disk: tolerant of unknown fields, versioned."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_none=True) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "document"):
        """Parse ``text``; a problem is raised as ``FormatError`` naming the source and field."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise FormatError(f"{source}: not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise FormatError(f"{source}: expected a JSON object, got {type(data).__name__}")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise FormatError(f"{source}: {describe_validation_error(exc)}") from None

    @classmethod
    def read(cls, path: Path):
        return cls.from_json(Path(path).read_bytes(), source=str(path))


class FormatError(ValueError):
    """A file that does not follow its format; the message names the file and field."""


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"field '{where}': {err['msg']}")
    return "; ".join(parts)


# --------------------------------------------------------------------------- benchmark card


class BenchmarkCard(_Document):
    """What a benchmark is. Public: served to anyone; the gold answers are stored elsewhere."""

    kind: Literal["benchmark"] = "benchmark"
    id: str = Field(description="safe slug: lowercase letters, digits, '-', '_', '.'")
    name: str
    task_type: TaskTypeName
    description: str = ""
    url: str | None = None
    languages: list[str] = Field(default_factory=lambda: ["en"])
    primary_metric: str
    secondary_metrics: list[str] = Field(default_factory=list)
    labels: list[str] | None = Field(default=None, description="text_classification: the label set, in display order")
    entity_types: list[str] | None = Field(default=None, description="ner: the entity types")
    version: str = "1"
    n_items: int = 0
    license: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    private_fraction: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="share of the items held back as a secret private part (which ones is secret); the "
        "leaderboard, details and compare use the other, public part",
    )
    revealed_at: datetime | None = Field(
        default=None, description="when the private standings were revealed; the benchmark is closed since"
    )
    private_part_of: str | None = Field(
        default=None, description="on the table `podium benchmark reveal` adds: whose private part it holds"
    )
    featured: bool | None = Field(
        default=None,
        description="the benchmark every tab of the page opens on (the maintainer's pick; without one, the "
        "benchmark with the most results)",
    )
    extra_metrics: list[str] | None = Field(
        default=None,
        description="local `evaluate` modules scored beside the task's metrics (`benchmark add --extra-metric`): "
        "their names, installed under the private folder's metrics/; their columns are in secondary_metrics",
    )

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        return check_slug(value, what="benchmark id")

    @field_validator("extra_metrics")
    @classmethod
    def _metric_names_are_slugs(cls, value: list[str] | None) -> list[str] | None:
        return [check_module_name(name, what="extra metric name") for name in value] if value else None


# --------------------------------------------------------------------------- submission request


class RequestStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


MODEL_TYPES = ("open-weights", "api", "fine-tuned")  # the kinds of model a submission declares
ModelType = Literal["open-weights", "api", "fine-tuned"]
MAX_PARAMS_B = 100_000.0  # 100 trillion parameters: far above any model; refuses typos in units
MAX_LICENSE_LENGTH = 100
NO_LICENSE = frozenset({"unknown", "none", "n/a", "na", "not given", "-"})  # words for "not given": stored as null


def _license_text(value: str | None) -> str | None:
    """A licence name as text (``apache-2.0``, ``Llama 3 Community``): normalised, one line, short."""
    from podium.errors import InvalidField
    from podium.names import check_name  # (names imports nothing of this module)

    try:
        text = check_name(value, "model.license", max_length=MAX_LICENSE_LENGTH)
    except InvalidField as exc:
        raise ValueError(exc.message) from None
    return None if text is None or text.casefold() in NO_LICENSE else text


class ModelInfo(BaseModel):
    """Who made the predictions, and what the model is (optional metadata, shown as columns and
    filters). ``name`` is shown as text, never as HTML."""

    model_config = ConfigDict(extra="allow")

    name: str
    org: str | None = None
    link: str | None = None
    revision: str = "main"
    model_type: ModelType | None = Field(
        default=None, description="open-weights (weights published), api (served only) or fine-tuned (of another model)"
    )
    params_b: float | None = Field(
        default=None, gt=0, le=MAX_PARAMS_B, allow_inf_nan=False, strict=False,
        description="parameters, in billions (7 for a 7B model, 0.35 for 350M)",
    )  # fmt: skip
    license: Annotated[str | None, AfterValidator(_license_text)] = Field(
        default=None, description="the model's licence, e.g. apache-2.0, mit, proprietary"
    )

    @field_validator("params_b", mode="before")
    @classmethod
    def _params_are_a_number(cls, value: object) -> object:
        if isinstance(value, bool):  # (pydantic would read true as 1 billion parameters)
            raise ValueError("must be a number of billions, not true/false")
        return value

    @property
    def full_name(self) -> str:
        return f"{self.org}/{self.name}" if self.org else self.name


class Lease(BaseModel):
    model_config = ConfigDict(extra="allow")

    owner: str
    expires_at: datetime


class SubmissionRequest(_Document):
    """One submission waiting for, undergoing or done with scoring (a file in eval-queue/)."""

    kind: Literal["request"] = "request"
    id: str
    benchmark: str
    benchmark_version: str = "1"
    model: ModelInfo
    submitter: str | None = None
    predictions_file: str = Field(description="path of the stored predictions, relative to the queue")
    predictions_sha256: str
    status: RequestStatus = RequestStatus.PENDING
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    lease: Lease | None = None
    error: str | None = None
    result_file: str | None = None


# --------------------------------------------------------------------------- result file


class Interval(BaseModel):
    """A confidence interval; ``display`` is the seeds' string form, e.g. ``"0.93 - 0.97"``."""

    model_config = ConfigDict(extra="allow")

    low: float
    high: float
    level: float = 0.95
    method: str = "percentile bootstrap over sufficient statistics"
    resamples: int | None = None

    @property
    def display(self) -> str:
        return format_interval(self.low, self.high)


def format_interval(low: float, high: float) -> str:
    return f"{low:.2f} - {high:.2f}"


class Outcomes(BaseModel):
    """Per-item outcomes in benchmark item order, so two results can be compared item by item.

    ``fields`` names the columns; ``values`` holds one row per item (one value or a short tuple).
    Written beside the result file, in a file of their own (``podium.outcomes``); results written
    before that carry them inline, in the result's ``outcomes`` field.
    """

    model_config = ConfigDict(extra="allow")

    ids: list[str] | None = Field(default=None, description="item ids, when not the benchmark order")
    fields: list[str]
    values: list[Any]


class Result(_Document):
    """A scored (``verified``) or hand-entered (``reported``) result of one model on one benchmark."""

    kind: Literal["result"] = "result"
    benchmark: str
    benchmark_version: str = "1"
    task_type: TaskTypeName | None = None
    model: ModelInfo
    source: Literal["verified", "reported"] = "verified"
    submission_id: str | None = None
    primary_metric: str
    metrics: dict[str, float]
    ci: dict[str, Interval] = Field(default_factory=dict)
    details: dict[str, dict[str, dict[str, float]]] = Field(
        default_factory=dict, description="per-class / per-type metrics, e.g. details.per_class.x.f1"
    )
    n: int | None = None
    metric_version: str | None = None
    seed: int | None = None
    evaluated_at: datetime = Field(default_factory=utcnow)
    outcomes: Outcomes | None = None  # inline: how results were written before outcomes_file (still read)
    outcomes_file: str | None = Field(
        default=None, description="the file holding the per-item outcomes, beside this one (podium.outcomes)"
    )
    outcomes_sha256: str | None = Field(
        default=None, pattern="^[0-9a-f]{64}$", description="SHA-256 of outcomes_file: another file is refused"
    )

    @field_validator("outcomes_file")
    @classmethod
    def _outcomes_file_is_beside(cls, value: str | None) -> str | None:
        # A name in the result's own folder, never a path: a result file cannot point a reader elsewhere.
        if value is not None and (not value or value.startswith(".") or any(c in value for c in "/\\\0")):
            raise ValueError(f"must be a file name beside the result file, got {quote(value)}")
        return value

    def to_json(self) -> str:
        """Indented JSON, with the per-item outcomes on one compact line (they can be long)."""
        data = self.model_dump(mode="json", exclude_none=True)
        outcomes = data.pop("outcomes", None)
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if outcomes is not None:
            text = text[:-2] + ',\n  "outcomes": ' + json.dumps(outcomes, separators=(",", ":")) + "\n}"
        return text + "\n"

    @property
    def score(self) -> float:
        return self.metrics[self.primary_metric]

    @property
    def ci_display(self) -> str | None:
        interval = self.ci.get(self.primary_metric)
        return interval.display if interval else None

    def summary(self) -> dict[str, Any]:
        """The result without per-item outcomes (nor where they are stored), as plain JSON-ready data."""
        data = self.model_dump(mode="json", exclude={"outcomes", "outcomes_file", "outcomes_sha256"}, exclude_none=True)
        for name, interval in self.ci.items():
            data["ci"][name]["display"] = interval.display
        return data

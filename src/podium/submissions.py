"""Submitting predictions: the one service every entry point (CLI, web form, API) calls.

The file is validated exactly as ``podium score`` validates it, then stored with a PENDING request
in the requests dataset. Nothing is stored for an invalid file.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import UsageError
from podium.predictions import read_predictions
from podium.queue import RequestQueue
from podium.schema import ModelInfo, SubmissionRequest
from podium.scoring import validate
from podium.slugs import slugify

MAX_NAME_LENGTH = 200


def check_text(value: str | None, field: str, *, required: bool = False) -> str | None:
    """Names are free text (shown as text, never HTML, never used as paths), without control characters."""
    if value is None or not value.strip():
        if required:
            raise UsageError(f"{field} is required")
        return None
    value = value.strip()
    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf") and c not in "\u200d"]
    if bad:
        raise UsageError(f"{field} {value!r} contains control characters ({', '.join(map(repr, bad[:3]))})")
    if len(value) > MAX_NAME_LENGTH:
        raise UsageError(f"{field} is {len(value)} characters long; the limit is {MAX_NAME_LENGTH}")
    return value


def model_info(
    name: str,
    org: str | None = None,
    revision: str | None = None,
    link: str | None = None,
    **extra,
) -> ModelInfo:
    """A checked ``ModelInfo``; ``org/name`` given as the name is split at the first '/'."""
    name = check_text(name, "model name", required=True)
    org = check_text(org, "organisation")
    if org is None and "/" in name:
        org, name = (part.strip() for part in name.split("/", 1))
        if not org or not name:
            raise UsageError(f"model name {org + '/' + name!r} needs text on both sides of '/'")
    revision = check_text(revision, "revision") or "main"
    link = check_text(link, "link")
    if link is not None and not link.startswith(("https://", "http://")):
        raise UsageError(f"link {link!r} must start with https:// or http://")
    return ModelInfo(name=name, org=org, revision=revision, link=link, **extra)


@dataclass
class Submitted:
    request: SubmissionRequest
    created: bool  # False: the same submission was already queued or scored

    @property
    def path_name(self) -> str:
        """How the model's name appears in file names (a slug), for telling the user."""
        return slugify(self.request.model.full_name)


def submit(
    home: Home,
    benchmark_id: str,
    predictions: Path,
    model: ModelInfo,
    submitter: str | None = None,
) -> Submitted:
    """Validate ``predictions`` for ``benchmark_id`` and queue them. Raises on invalid input."""
    submitter = check_text(submitter, "submitter")
    gold = BenchmarkStore(home).gold(benchmark_id)
    raw = read_predictions(Path(predictions), home.max_predictions_bytes)
    validate(gold, raw)
    suffix = ".csv" if raw.format == "csv" else ".jsonl"
    request, created = RequestQueue(home).add(
        benchmark=gold.card.id,
        benchmark_version=gold.card.version,
        model=model,
        predictions=Path(predictions).read_bytes(),
        suffix=suffix,
        submitter=submitter,
    )
    return Submitted(request, created)

"""Submitting predictions: the one service every entry point (CLI, web form, API) calls.

The file is validated exactly as ``podium score`` validates it, then stored with a PENDING request
in the requests dataset. Nothing is stored for an invalid file.

Who may submit what is decided here, once: an ``identity`` (a token's record) submits only for the
orgs it holds (a model named without an org is submitted for the identity's own name), within its
quotas, which are checked and reserved atomically with the request's write. Admins submit for any
org without quotas. Without an identity the caller is the maintainer working on the data folder
itself (the local CLI, the samples): it already holds every file, so nothing is checked.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import Forbidden, InvalidField, PodiumError, UsageError, quote
from podium.limits import Limits, submission_quota
from podium.names import check_name, split_model_name
from podium.predictions import read_predictions
from podium.private_part import check_open
from podium.queue import RequestQueue
from podium.schema import MAX_LICENSE_LENGTH, ModelInfo, SubmissionRequest, describe_validation_error
from podium.scoring import validate
from podium.slugs import slugify
from podium.tokens import TokenRecord, org_key

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
    *,
    model_type: str | None = None,
    params: str | float | None = None,
    license: str | None = None,
) -> ModelInfo:
    """A checked ``ModelInfo``; ``org/name`` given as the name is split by ``split_model_name`` (at the
    first '/'; '/' at either end or doubled is refused with ``InvalidField("model name", ...)``).

    The optional metadata is read as people write it (``podium.model_metadata``): ``model_type``
    ``Open weights``/``API``/``Fine-tuned``, ``params`` ``7``, ``7B`` or ``350M``, ``license`` text.
    Raises the first field's error (``model_problems`` gives every field's)."""
    values, problems = _model_fields(name, org, revision, link, model_type, params, license)
    if problems:
        raise next(iter(problems.values()))
    try:
        return ModelInfo(**values)
    except ValidationError as exc:  # (each field was checked above: this is a last line, never a 500)
        raise InvalidField("model", describe_validation_error(exc)) from None


def model_problems(
    name: str | None,
    org: str | None = None,
    revision: str | None = None,
    link: str | None = None,
    *,
    model_type: str | None = None,
    params: str | float | None = None,
    license: str | None = None,
) -> dict[str, str]:
    """What is wrong with each field ``model_info`` would refuse, so a form can say it beside the
    field (keys: "model name", "organisation", "revision", "link", "model type", "parameters",
    "licence"); empty when ``model_info`` takes them all."""
    _, problems = _model_fields(name, org, revision, link, model_type, params, license)
    return {field: str(exc) for field, exc in problems.items()}


def _model_fields(name, org, revision, link, model_type, params, license) -> tuple[dict, dict[str, PodiumError]]:
    """(``ModelInfo``'s fields, the error of each field that is wrong), every field checked."""
    from podium.model_metadata import model_type as read_type
    from podium.model_metadata import parameters

    values: dict = {}
    problems: dict[str, PodiumError] = {}

    def check(field: str, key: str, read) -> None:
        try:
            values[key] = read()
        except PodiumError as exc:
            problems[field] = exc

    check("model name", "name", lambda: check_name(name, "model name", required=True))
    check("organisation", "org", lambda: check_name(org, "organisation"))
    if "name" in values and "org" in values:
        if values["org"] is not None and "/" in values["name"]:
            problems["organisation"] = UsageError(
                f"model name {quote(values['name'])} has an organisation already ('/'); leave the organisation "
                "field empty or give the name without it"
            )
        elif values["org"] is None:
            check("model name", "split", lambda: split_model_name(values["name"], "model name"))
            if "split" in values:
                values["org"], values["name"] = values.pop("split")
    check("revision", "revision", lambda: check_text(revision, "revision") or "main")
    check("link", "link", lambda: _link(link))
    check("model type", "model_type", lambda: read_type(model_type))
    check("parameters", "params_b", lambda: parameters(params))
    check("licence", "license", lambda: check_name(license, "licence", max_length=MAX_LICENSE_LENGTH))
    return values, problems


def _link(link: str | None) -> str | None:
    link = check_text(link, "link")
    if link is not None and not link.startswith(("https://", "http://")):
        raise UsageError(f"link {link!r} must start with https:// or http://")
    return link


def check_owner(identity: TokenRecord, model: ModelInfo) -> ModelInfo:
    """``model`` with its org filled in (the identity's own name when it has none); ``Forbidden`` when
    ``identity`` does not hold that org."""
    if model.org is None:
        model = model.model_copy(update={"org": identity.default_org})
    if not identity.holds(model.org):
        held = ", ".join([identity.name, *identity.orgs])
        raise Forbidden(
            f"{identity.name} may submit for {held}, not for {model.org!r}; to submit {model.full_name!r}, ask a "
            f"maintainer to run: podium token grant {identity.name} --org {org_key(model.org)}"
        )
    return model


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
    *,
    identity: TokenRecord | None = None,
    limits: Limits | None = None,
) -> Submitted:
    """Validate ``predictions`` for ``benchmark_id`` and queue them. Raises on invalid input,
    ``Forbidden`` for a model of an org ``identity`` does not hold, ``QuotaExceeded`` over a limit.

    ``submitter`` labels the request when there is no ``identity`` (the local CLI's ``--submitter``);
    with one, the submitter is the identity's name and its quotas apply: ``limits``, else the
    environment's (``Limits.from_env()``), so an edge that passes none still enforces them. Edges
    never check quotas themselves."""
    if identity is not None:
        model = check_owner(identity, model)
        submitter = identity.name
    submitter = check_text(submitter, "submitter")
    gold = BenchmarkStore(home).gold(benchmark_id)
    check_open(gold.card)  # a revealed benchmark's gold answers are public: no more submissions
    admit = None
    if identity is not None and not identity.is_admin:  # counted by the benchmark's id, however it was named
        admit = submission_quota(limits or Limits.from_env(), identity.name, gold.card.id)
    raw = read_predictions(Path(predictions), home.max_predictions_bytes)
    validate(gold, raw)
    suffix = ".csv" if raw.format == "csv" else ".jsonl"
    del raw  # the parsed file is not needed once validated: don't hold it beside the bytes below
    request, created = RequestQueue(home).add(
        benchmark=gold.card.id,
        benchmark_version=gold.card.version,
        model=model,
        predictions=Path(predictions).read_bytes(),
        suffix=suffix,
        submitter=submitter,
        admit=admit,
    )
    return Submitted(request, created)

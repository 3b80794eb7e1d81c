"""Reported results: numbers a maintainer enters (the seeds' ``add_model`` and ``add_dataset``).

One service for every entry point: each value is checked as a result file is when read
(``podium.results.score_problem`` / ``interval_problem``, names by ``podium.names``), so a row
the API accepts is a row the leaderboard shows. A reported row is stored as
``eval-results/reported/<benchmark>/<slug of the model name>.json``; re-adding the same model
replaces its row, and a different name that shares the file name is a conflict (two names that
slug alike, e.g. "Acme/X" and "acme/x", would otherwise silently become one row).

Bad input raises ``InvalidField(field, message)`` (the API answers 422) and a clash ``Conflict``
(409); nothing is written then.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from filelock import FileLock
from pydantic import ValidationError

from podium import atomic
from podium.config import Home
from podium.errors import Conflict, InvalidField, quote
from podium.names import check_name, split_model_name
from podium.results import ResultFileError, interval_problem, read_regular_file, score_problem
from podium.schema import BenchmarkCard, Interval, ModelInfo, Result, utcnow
from podium.slugs import slugify

REPORTED_FOLDER = "reported"
MAX_TEXT_CHARS = 100  # a CI or a date is a few characters; longer input is refused, never parsed
_NUMBER = r"(\d{1,10}(?:\.\d{0,20})?|\.\d{1,20})"
_CI = re.compile(rf"\s*{_NUMBER}\s*(?:-|–|—|to)\s*{_NUMBER}\s*")
CI_EXAMPLE = "'0.93 - 0.97' (low - high, fractions like the score)"
DATE_FORMATS = ("%b %Y", "%B %Y", "%Y-%m-%d", "%Y-%m")
FUTURE_SLACK = timedelta(days=1)  # time zones; a later date would make the row outrank newer results


def parse_ci(text: str | None, metric: str | None = None) -> Interval | None:
    """The seeds' ``"0.93 - 0.97"`` as an interval (``None`` when absent).

    Raises ``InvalidField("ci", ...)`` when it is malformed, low > high, or (given ``metric``) a
    bound is outside the metric's range.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    match = _CI.fullmatch(text) if isinstance(text, str) and len(text) <= MAX_TEXT_CHARS else None
    if not match:
        raise InvalidField("ci", f"{quote(text)} must look like {CI_EXAMPLE}")
    low, high = float(match.group(1)), float(match.group(2))
    problem = interval_problem(metric or "", None, low, high)
    if problem:
        raise InvalidField("ci", f"{quote(text)}: {problem}")
    return Interval(low=low, high=high, method="reported")


def parse_updated(text: str | None) -> datetime:
    """The seeds' ``"Sep 2024"`` (or an ISO date or time), in UTC; now when absent.

    Raises ``InvalidField("updated", ...)`` for anything else or a date in the future (the most
    recent result of a model is the one shown, so a future date would pin a row).
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return utcnow()
    when = _parse_date(text.strip()) if isinstance(text, str) and len(text) <= MAX_TEXT_CHARS else None
    if when is None:
        raise InvalidField("updated", f"{quote(text)} must look like 'Sep 2024' or '2024-09-01'")
    if when > utcnow() + FUTURE_SLACK:
        raise InvalidField("updated", f"{quote(text)} is in the future")
    return when


def _parse_date(text: str) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def reported_result(
    card: BenchmarkCard,
    model: str,
    score: float,
    ci: str | None = None,
    updated: str | None = None,
    rank: int | None = None,
) -> Result:
    """A checked ``reported`` result of ``model`` on ``card``'s primary metric; nothing is written."""
    name = check_name(model, "model", required=True)
    org, short = split_model_name(name, "model")
    metric = card.primary_metric
    problem = score_problem(metric, score)
    if problem:
        raise InvalidField("score", problem)
    interval = parse_ci(ci, metric)
    if interval is not None:
        problem = interval_problem(metric, score, interval.low, interval.high)
        if problem:
            raise InvalidField("ci", problem)
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
        raise InvalidField("rank", f"{quote(rank)} must be a whole number from 1")
    return Result(
        benchmark=card.id,
        task_type=card.task_type,
        model=ModelInfo(name=short, org=org),
        source="reported",
        primary_metric=metric,
        metrics={metric: float(score)},
        ci={metric: interval} if interval else {},
        evaluated_at=parse_updated(updated),
        reported_rank=rank,  # the seeds' given rank, kept; the shown rank comes from the scores
        updated=updated.strip() if isinstance(updated, str) and updated.strip() else None,
    )


def reported_path(home: Home, card: BenchmarkCard, model_name: str) -> Path:
    return home.results_dir / REPORTED_FOLDER / card.id / f"{slugify(model_name)}.json"


def store_reported(home: Home, card: BenchmarkCard, result: Result) -> Path:
    """Write ``result`` (from ``reported_result``) as its model's reported row; replaces that model's
    earlier row. Raises ``Conflict`` when a different model already owns the file name."""
    name = result.model.full_name
    path = reported_path(home, card, name)
    with _locked(home):  # the owner check and the write are one step for concurrent requests
        owner = _owner(path)
        if owner is not None and owner != name:
            raise Conflict(
                f"model {quote(name)} would share the file {path.name!r} on benchmark {card.id!r} with "
                f"{quote(owner)}: names that differ only in case, accents or punctuation get the same file name. "
                f"Use {quote(owner)} to replace its row, or a more distinct name"
            )
        atomic.write_text(path, result.to_json())
    return path


def add_reported(home: Home, card: BenchmarkCard, model: str, score: float, *args, **fields) -> Path:
    """Check and store one reported row (the seeds' ``add_model``; ``reported_result``'s arguments);
    the file written."""
    return store_reported(home, card, reported_result(card, model, score, *args, **fields))


def reported_rows(card: BenchmarkCard, rows: Iterable[Mapping]) -> list[Result]:
    """Check every row of a batch (the seeds' ``add_dataset`` ``models``) before anything is written.

    ``rows`` are mappings with ``model``, ``score`` and optional ``ci``, ``updated``, ``rank``.
    Errors name the row: ``InvalidField("models[2].score", ...)``; two rows whose names share a
    file name are a ``Conflict``.
    """
    results: list[Result] = []
    seen: dict[str, str] = {}  # slug -> model name
    for i, row in enumerate(rows):
        try:
            result = reported_result(
                card, row.get("model"), row.get("score"), row.get("ci"), row.get("updated"), row.get("rank")
            )
        except InvalidField as exc:
            raise InvalidField(f"models[{i}].{exc.field}", str(exc)[len(exc.field) + 2 :]) from None
        name = result.model.full_name
        slug = slugify(name)
        if seen.get(slug, name) != name:
            raise Conflict(
                f"models[{i}]: {quote(name)} and {quote(seen[slug])} would share one file name; "
                "names that differ only in case, accents or punctuation cannot both be rows"
            )
        seen[slug] = name
        results.append(result)
    return results


def _owner(path: Path) -> str | None:
    """The model name of the reported row stored at ``path``; ``None`` when there is none."""
    try:
        data = read_regular_file(path)
    except FileNotFoundError:
        return None
    except (ResultFileError, OSError) as exc:
        raise Conflict(f"{path.name!r} exists but cannot be read ({exc}); move it away first") from None
    try:
        existing = Result.from_json(data, source=path.name)
    except (ValueError, ValidationError) as exc:
        problem = quote(str(exc), 120)
        raise Conflict(f"{path.name!r} exists but is not a result file ({problem}); move it away first") from None
    try:
        return check_name(existing.model.full_name, "model") or existing.model.full_name
    except InvalidField:  # written before names were checked: compare it as it is
        return existing.model.full_name


def _locked(home: Home) -> FileLock:
    """Reported rows' lock: an ``flock`` (released by the kernel if its holder dies) on a hidden file,
    which the results index skips."""
    return FileLock(home.results_dir / REPORTED_FOLDER / ".lock")

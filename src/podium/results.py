"""Reading the results dataset (``eval-results/``) into rows, and keeping them up to date.

Files read (any depth below ``eval-results/``, hidden files and folders skipped):

- Podium result files (``podium.schema.Result``): ``verified`` ones written by the backend,
  ``reported`` ones dropped in by maintainers;
- demo-leaderboard template files, ``{"config": {"model_name", "model_sha"}, "results":
  {"<task>": {"<metric>": x}}}``, mapped to benchmarks by ``eval-results/template-mapping.json``
  (see docs/formats.md). They count as ``reported``.

A file that is neither, or is malformed, is listed in ``problems`` (which file, what is wrong) and
skipped; it never breaks the table. Only regular files are read: a symbolic link (wherever it
points) or a directory named ``*.json`` is a problem too. Numbers are checked wherever they come
from (``check_result``): a metric outside its range, a non-finite number or an interval that does
not contain its score makes the file a problem, so it is never ranked. A valid file is validated
by ``Result`` straight from its bytes (``_quick_row``); anything else takes the full path, which
says what is wrong. Per-item outcomes are never read here (compare reads them).

``ResultIndex`` keeps each benchmark's rows as one Arrow table and each folder's files as arrays
(name, inode, time, size, the benchmarks it has rows in): no Python object per file. A refresh is
bounded work: it stats the known folders, lists again only those whose time changed (names and
inodes: only new or replaced files are read), then continues the sweep that stats every file, to
notice files edited in place, for about ``sweep_files`` files a second. Thousands of files to read (a
first build) are read by worker processes, one per core.

Everything is cached under ``.cache/``: a parquet manifest (``results.parquet``: which Arrow file
holds each folder's files and each benchmark's rows, and the problems) and the Arrow files in
``.cache/index/``, memory-mapped when first needed, so a new process starts in milliseconds
whatever the size and re-reads only what changed since. A save writes only what changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import re
import secrets
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from podium import atomic
from podium.config import Home
from podium.errors import InvalidField, quote
from podium.names import check_name, split_model_name
from podium.schema import ModelInfo, Result, describe_validation_error

try:
    import orjson

    _loads = orjson.loads
except ImportError:  # pragma: no cover
    _loads = json.loads

log = logging.getLogger("podium.results")

CACHE_VERSION = "10"  # 10: model metadata (type, size, licence); 9: Arrow files per folder and per benchmark
MAPPING_FILE = "template-mapping.json"
SKIP_NAMES = {MAPPING_FILE}

BASE_COLUMNS = [
    "path", "benchmark", "benchmark_version", "model", "model_name", "org", "link", "revision", "source",
    "submission_id", "primary_metric", "score", "ci_low", "ci_high", "n", "evaluated_at", "model_type", "params_b",
    "license",
]  # fmt: skip
METRIC_PREFIX = "m:"  # metric values are columns "m:<metric>"
LOW_PREFIX = "lo:"  # the bounds of a metric's 95% interval: "lo:<metric>", "hi:<metric>"
HIGH_PREFIX = "hi:"
FLOAT_PREFIXES = (METRIC_PREFIX, LOW_PREFIX, HIGH_PREFIX)
ROW_TYPES = {name: pa.string() for name in BASE_COLUMNS} | {
    "score": pa.float64(), "ci_low": pa.float64(), "ci_high": pa.float64(), "n": pa.int64(), "params_b": pa.float64(),
}  # fmt: skip

SWEEP_FILES = 20_000  # files a second the sweep that notices files edited in place stats (a full pass: size/this)
SWEEP_AT_LEAST = 500  # files one refresh's sweep stats however soon it follows the last
PARALLEL_FROM = 100_000  # files to read in one refresh from which worker processes read them (they take ~1 s to start)
CHUNK_FILES = 2_000  # files per task given to a worker process
HOT_NANOSECONDS = 2_000_000_000  # a folder changed this recently is listed again (coarse folder times)
GARBAGE_SECONDS = 600  # cache files no manifest names are deleted once this old

# A score equal to its interval's bound may differ from it in the last bits (the point estimate
# and the bootstrap replicates are computed by different code), and so may 1.0 from a sum of parts.
TOLERANCE = 1e-9
MAX_READ_BYTES = 256 << 20  # a result file, per-item outcomes included, is a few megabytes; refuse absurd ones


class ResultFileError(ValueError):
    pass


@functools.cache
def _bounded_metrics() -> frozenset[str]:
    from podium.tasks import task_types  # imported when a file is first read, not on a cache start

    return frozenset(name for task in task_types().values() for name in task.metrics)


def metric_range(metric: str) -> tuple[float, float] | None:
    """The values ``metric`` can take: [0, 1] for every metric a task type computes (they are
    fractions, docs/formats.md); ``None`` for a name no task type computes (only finiteness holds)."""
    return (0.0, 1.0) if metric in _bounded_metrics() else None


def score_problem(metric: str, value: object) -> str | None:
    """What is wrong with ``value`` as a value of ``metric``, or ``None``."""
    if type(value) is float and 0.0 <= value <= 1.0 and metric in _bounded_metrics():
        return None  # the common case, decided without the checks below (NaN fails the comparison)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{quote(value)} is not a number"
    if not math.isfinite(value):
        return f"{value!r} is not a finite number"
    bounds = metric_range(metric)
    if bounds is not None and not bounds[0] - TOLERANCE <= value <= bounds[1] + TOLERANCE:
        return f"{value!r} is outside the range of {quote(metric)}, [{bounds[0]:g}, {bounds[1]:g}]"
    return None


def interval_problem(metric: str, score: float | None, low: object, high: object) -> str | None:
    """What is wrong with the interval ``[low, high]`` of ``metric`` whose point estimate is
    ``score`` (``None``: no score to contain), or ``None``."""
    for side, bound in (("low", low), ("high", high)):
        problem = score_problem(metric, bound)
        if problem:
            return f"{side} bound {problem}"
    if low > high:
        return f"low bound {low!r} is above high bound {high!r}"
    if score is not None and not low - TOLERANCE <= score <= high + TOLERANCE:
        return f"{low!r} - {high!r} does not contain the score {score!r}"
    return None


def check_result(result: Result) -> Result:
    """``result`` with its model's names normalised (``podium.names``); raises ``ResultFileError``
    naming the field when a number is out of range, not finite, or an interval misses its score."""
    intervals = {name: (interval.low, interval.high) for name, interval in result.ci.items()}
    _check_values(result.metrics, intervals, result.n, result.model.link)
    result.model = checked_model(result.model)
    return result


def _check_values(metrics: dict, intervals: dict[str, tuple], n: int | None, link: str | None) -> None:
    """The checks of ``check_result`` on the numbers and the link, in its order."""
    if (
        _plainly_fine(metrics, intervals)
        and (n is None or 0 <= n <= MAX_ITEMS)
        and (link is None or SAFE_LINK.match(link))
    ):
        return  # the common case, decided in one pass
    for name, value in metrics.items():
        problem = score_problem(name, value)
        if problem:
            raise ResultFileError(f"metrics[{quote(name)}]: {problem}")
    for name, (low, high) in intervals.items():
        problem = interval_problem(name, metrics.get(name), low, high)
        if problem:
            raise ResultFileError(f"ci[{quote(name)}]: {problem}")
    if n is not None and not 0 <= n <= MAX_ITEMS:
        raise ResultFileError(f"n: {quote(n)} items is not between 0 and {MAX_ITEMS:,}")
    if link is not None and not SAFE_LINK.match(link):
        raise ResultFileError(f"model.link: {quote(link)} must be an http(s) address")


def _plainly_fine(metrics: dict[str, float], intervals: dict[str, tuple[float, float]]) -> bool:
    """Whether every number is plainly within what ``_check_values`` allows (fractions of bounded
    metrics, intervals holding their scores)."""
    bounded = _bounded_metrics()
    for name, value in metrics.items():
        if not (type(value) is float and 0.0 <= value <= 1.0 and name in bounded):
            return False
    for name, (low, high) in intervals.items():
        if not (type(low) is float and type(high) is float and 0.0 <= low <= high <= 1.0 and name in bounded):
            return False
        score = metrics.get(name)
        if score is not None and not low <= score <= high:
            return False
    return True


MAX_ITEMS = 10**12  # far above any benchmark; keeps counts exact in every column type that holds them
SAFE_LINK = re.compile(r"^https?://[^\s()<>\[\]\\\"']+\Z")  # (\Z: "$" would let a final line break in)


def checked_model(model: ModelInfo) -> ModelInfo:
    """The model with its name and organisation checked like a submitted one's."""
    name, org, revision = _checked_names(model.name, model.org, model.revision)
    if (name, org, revision) == (model.name, model.org, model.revision):
        return model
    return model.model_copy(update={"name": name, "org": org, "revision": revision})


@functools.lru_cache(maxsize=16384)  # a model has results on many benchmarks: check its names once
def _checked_names(name: str, org: str | None, revision: str) -> tuple[str, str | None, str]:
    try:
        return (
            check_name(name, "model.name", required=True),
            check_name(org, "model.org"),
            check_name(revision, "model.revision") or "main",
        )
    except InvalidField as exc:
        raise ResultFileError(str(exc)) from None


# --------------------------------------------------------------------------- one file's rows


def _row_of(path: str, benchmark: str, version: str, source: str, model: tuple, submission: str | None,
            primary: str, metrics: dict[str, float], intervals: dict[str, tuple], n: int | None,
            evaluated_at: str) -> dict:  # fmt: skip
    """One row: ``model`` is (name, org, link, revision), checked, and ``ModelInfo`` (for its metadata);
    ``intervals`` (low, high) by metric."""
    name, org, link, revision, info = model
    interval = intervals.get(primary)
    row = {
        "path": path, "benchmark": benchmark, "benchmark_version": version if source == "verified" else None,
        "model": f"{org}/{name}" if org else name, "model_name": name, "org": org, "link": link, "revision": revision,
        "source": source, "submission_id": submission, "primary_metric": primary, "score": float(metrics[primary]),
        "ci_low": float(interval[0]) if interval else None, "ci_high": float(interval[1]) if interval else None,
        "n": n, "evaluated_at": evaluated_at, "model_type": info.model_type, "params_b": info.params_b,
        "license": info.license,
    }  # fmt: skip
    for metric, value in metrics.items():
        row["m:" + metric] = float(value)
        bounds = intervals.get(metric)
        if bounds is not None:
            row["lo:" + metric] = float(bounds[0])
            row["hi:" + metric] = float(bounds[1])
    return row


def _row(path: str, result: Result, metrics: dict[str, float]) -> dict:
    model = (result.model.name, result.model.org, result.model.link, result.model.revision, result.model)
    intervals = {name: (ci.low, ci.high) for name, ci in result.ci.items()}
    return _row_of(path, result.benchmark, result.benchmark_version, result.source, model, result.submission_id,
                   result.primary_metric, metrics, intervals, result.n, result.evaluated_at.isoformat())  # fmt: skip


def parse_result_file(path: str, data: bytes, mapping: dict, mtime: float) -> list[dict]:
    """Rows for one file; raises ``ResultFileError`` saying what is wrong."""
    if b'"outcomes"' not in data:  # no outcomes inline (which tables never read): validated from the bytes
        row = _quick_row(path, data)
        if row is not None:
            return [row]
    try:
        document = _loads(data)
    except ValueError as exc:
        raise ResultFileError(f"not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise ResultFileError("expected a JSON object")
    if "config" in document and "results" in document and "metrics" not in document:
        return _template_rows(path, document, mapping, mtime)
    document.pop("outcomes", None)  # not needed for tables; the largest part of a result
    try:
        result = Result.model_validate(document)
    except ValidationError as exc:
        raise ResultFileError(describe_validation_error(exc)) from None
    if result.primary_metric not in result.metrics:
        raise ResultFileError(f"primary metric {quote(result.primary_metric)} has no value in 'metrics'")
    return [_row(path, check_result(result), result.metrics)]


_VALIDATOR = Result.__pydantic_validator__


def _quick_row(path: str, data: bytes) -> dict | None:
    """The row of a valid result file, validated by ``Result`` straight from its bytes (pydantic
    parses and checks in one pass, twice as fast as parsing first); ``None`` for anything else: the
    full path then decides, and words what is wrong."""
    try:
        result = _VALIDATOR.validate_json(data)
    except ValidationError:
        return None
    metrics = result.metrics
    if result.primary_metric not in metrics:
        return None
    model = result.model
    intervals = {name: (interval.low, interval.high) for name, interval in result.ci.items()}
    try:  # check_result's checks, on values already at hand
        _check_values(metrics, intervals, result.n, model.link)
        name, org, revision = _checked_names(model.name, model.org, model.revision)
    except ResultFileError:
        return None
    return _row_of(path, result.benchmark, result.benchmark_version, result.source,
                   (name, org, model.link, revision, model),
                   result.submission_id, result.primary_metric, metrics, intervals, result.n,
                   result.evaluated_at.isoformat())  # fmt: skip


def _template_rows(path: str, document: dict, mapping: dict, mtime: float) -> list[dict]:
    """The demo-leaderboard template's format, mapped with ``template-mapping.json``."""
    from datetime import UTC, datetime

    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise ResultFileError("template result: 'config' must be an object")
    name = config.get("model_name")
    if not isinstance(name, str) or not name.strip():
        raise ResultFileError("template result without config.model_name")
    results = document.get("results")
    if not isinstance(results, dict):
        raise ResultFileError("template result: 'results' must be an object")
    try:
        org, short = split_model_name(name, "config.model_name")
    except InvalidField as exc:
        raise ResultFileError(f"template result: {exc}") from None
    revision = config.get("model_sha")
    model = checked_model(ModelInfo(name=short, org=org or None, revision=str(revision or "main")))
    evaluated_at = datetime.fromtimestamp(mtime, UTC).replace(microsecond=0)
    rows = []
    unmapped = []
    for task, values in results.items():
        target = mapping.get(task)
        if target is None:
            unmapped.append(quote(task))
            continue
        where = f"template result: results[{quote(task)}]"
        benchmark, names, scale, primary = _mapping_entry(task, target)
        metrics = _template_metrics(where, values, names, scale)
        if primary not in metrics:
            raise ResultFileError(f"{where} has no value for {quote(primary)}")
        try:
            result = Result(
                benchmark=benchmark, model=model, source="reported", primary_metric=primary, metrics=metrics,
                evaluated_at=evaluated_at,
            )  # fmt: skip
        except ValidationError as exc:
            raise ResultFileError(f"{where}: {describe_validation_error(exc)}") from None
        rows.append(_row(path, result, metrics))
    if not rows:
        raise ResultFileError(
            f"template result: no task is mapped to a benchmark ({', '.join(unmapped[:5]) or 'no tasks'}); "
            f"add it to eval-results/{MAPPING_FILE}"
        )
    return rows


def _template_metrics(where: str, values: object, names: dict[str, str], scale: float) -> dict[str, float]:
    """One task's numbers of a template result under Podium's metric names, scaled and checked."""
    if not isinstance(values, dict):
        raise ResultFileError(f"{where} must be an object")
    metrics = {}
    for source_name, podium_name in names.items():
        if source_name not in values:
            continue
        raw = values[source_name]
        value = _as_float(raw)
        problem = score_problem(podium_name, raw if value is None else value * scale)
        if problem:
            raise ResultFileError(f"{where}[{quote(source_name)}]: {problem}")
        metrics[podium_name] = value * scale
    return metrics


def _as_float(value: object) -> float | None:
    """A JSON number as a float (``inf`` for an integer too large for one); ``None`` for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _mapping_entry(task: str, target: object) -> tuple[str, dict[str, str], float, str]:
    """(benchmark, source metric -> Podium metric, scale, primary metric) of one mapping entry."""
    where = f"{MAPPING_FILE}: entry {quote(task)}"
    if not isinstance(target, dict) or not isinstance(target.get("benchmark"), str):
        raise ResultFileError(f"{where} needs a 'benchmark' (a benchmark id)")
    names = target.get("metrics", {})
    if not isinstance(names, dict) or not names or not all(isinstance(v, str) for v in names.values()):
        raise ResultFileError(f"{where}: 'metrics' must map template metric names to Podium metric names")
    scale = _as_float(target.get("scale", 1.0))
    if scale is None or not math.isfinite(scale) or scale <= 0:
        raise ResultFileError(f"{where}: 'scale' must be a positive number")
    primary = target.get("primary", next(iter(names.values())))
    if not isinstance(primary, str):
        raise ResultFileError(f"{where}: 'primary' must be a Podium metric name")
    return target["benchmark"], names, scale, primary


# --------------------------------------------------------------------------- rows as Arrow tables


def rows_table(rows: list[dict]) -> pa.Table:
    """Rows (``parse_result_file``'s dicts) as one Arrow table: ``BASE_COLUMNS``, then the metric
    columns in name order."""
    shapes: dict[tuple, list[dict]] = {}
    for row in rows:  # rows of one shape (the same keys in the same order) are turned into columns at once
        shapes.setdefault(tuple(row), []).append(row)
    tables = []
    for keys, group in shapes.items():
        columns = zip(*map(dict.values, group), strict=True)
        tables.append(pa.table({key: pa.array(values, type=ROW_TYPES.get(key, pa.float64()))
                                for key, values in zip(keys, columns, strict=True)}))  # fmt: skip
    if not tables:
        return _empty_rows()
    table = tables[0] if len(tables) == 1 else pa.concat_tables(tables, promote_options="permissive")
    metrics = sorted(name for name in table.column_names if name.startswith(FLOAT_PREFIXES))
    return table.select(BASE_COLUMNS + metrics)


def _empty_rows() -> pa.Table:
    return pa.table({name: pa.array([], type=ROW_TYPES[name]) for name in BASE_COLUMNS})


def _canonical(table: pa.Table) -> pa.Table:
    """``BASE_COLUMNS``, then the metric columns that have a value, in name order."""
    metrics = sorted(name for name in table.column_names
                     if name.startswith(FLOAT_PREFIXES) and table.column(name).null_count < table.num_rows)  # fmt: skip
    table = table.select(BASE_COLUMNS + metrics)
    return table.combine_chunks() if table.num_rows and table.column(0).num_chunks > 8 else table


def numpy_columns(table: pa.Table) -> dict[str, np.ndarray]:
    """Each column as one numpy array: text as ``object`` with ``None`` for missing values, numbers
    as they are (NaN for a missing float; an integer column with gaps comes as floats)."""
    arrays = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        values = column.to_numpy(zero_copy_only=False)
        if (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) and values.dtype != object:
            values = values.astype(object)
        arrays[name] = values
    return arrays


# --------------------------------------------------------------------------- reading files


def _not_regular(mode: int) -> str:
    kind = "a symbolic link" if stat.S_ISLNK(mode) else "a directory" if stat.S_ISDIR(mode) else "not a regular file"
    return f"{kind}: only regular files inside eval-results are read"


_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_READ_FLAGS = os.O_RDONLY | _NO_FOLLOW | getattr(os, "O_CLOEXEC", 0)


def _open_no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | _NO_FOLLOW)


def read_regular_file(path: str | Path, limit: int = MAX_READ_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file, without following a symbolic link.

    The caller checked ``lstat`` already; opening with ``O_NOFOLLOW`` and checking the opened file
    again closes the window in which the name could be swapped for a link, a FIFO (``O_NONBLOCK``:
    opening one never blocks) or a device.
    """
    try:
        fh = open(path, "rb", opener=_open_no_follow)  # closed by the with below
    except OSError:
        if os.path.islink(path):
            raise ResultFileError(_not_regular(stat.S_IFLNK)) from None
        raise
    with fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ResultFileError(_not_regular(st.st_mode))
        if st.st_size > limit:
            raise ResultFileError(f"{st.st_size} bytes; a result file may have at most {limit}")
        # read(n) allocates n bytes up front: ask for the size just checked (one more byte shows a
        # file that grew meanwhile; it comes out as invalid JSON and is read again once it settles)
        return fh.read(st.st_size + 1)


def _read_result(path: str) -> tuple[int, int, bytes | str]:
    """(time in ns, size, the file's bytes or what is wrong with it) of the file at ``path``, as
    ``read_regular_file`` reads it: never through a link, never from a FIFO or a device. Four system
    calls for a regular file; ``FileNotFoundError`` when it is gone."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:  # a link (O_NOFOLLOW), a socket, no permission
        st = os.lstat(path)
        problem = _not_regular(st.st_mode) if not stat.S_ISREG(st.st_mode) else f"cannot be read ({exc.strerror})"
        return st.st_mtime_ns, st.st_size, problem
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return st.st_mtime_ns, st.st_size, _not_regular(st.st_mode)
        if st.st_size > MAX_READ_BYTES:
            return st.st_mtime_ns, st.st_size, f"{st.st_size} bytes; a result file may have at most {MAX_READ_BYTES}"
        try:
            data = os.read(fd, st.st_size + 1)  # one more byte shows a file that grew meanwhile (invalid JSON)
        except OSError as exc:
            return st.st_mtime_ns, st.st_size, f"cannot be read ({exc.strerror or exc})"
        return st.st_mtime_ns, st.st_size, data
    finally:
        os.close(fd)


@dataclass
class _Batch:
    """What reading some files gave: per file, its time and size (-1: gone) and the benchmarks it
    has rows in (``group``: an index into ``groups``), or its problem; and all their rows."""

    mtime: np.ndarray
    size: np.ndarray
    group: np.ndarray
    groups: list[tuple[str, ...]] = field(default_factory=lambda: [()])
    problems: dict[int, str] = field(default_factory=dict)
    rows: list[pa.Table] = field(default_factory=list)


def _read_all(prefix: str, paths: list[str]) -> list[tuple]:
    """(time, size, bytes or what is wrong) of each file, (-1, -1, None) for one that is gone."""
    stamps: list[tuple] = [(-1, -1, None)] * len(paths)
    for i, relative in enumerate(paths):
        try:
            stamps[i] = _read_result(prefix + relative)
        except FileNotFoundError:  # removed meanwhile: it leaves the listing
            continue
        except OSError as exc:
            stamps[i] = (0, 0, f"cannot be read ({exc.strerror or exc})")
    return stamps


def _read_batch(root: str, mapping: dict, paths: list[str]) -> _Batch:
    """Read the files ``paths`` (relative to ``root``): the same in this process or in a worker.

    All files are read first, then parsed: a loop that alternates system calls and parsing runs
    about a quarter slower (each system call leaves the processor's caches colder)."""
    count = len(paths)
    if not count:
        return _Batch(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32))
    stamps = _read_all(root + os.sep, paths)
    problems: dict[int, str] = {}
    group = [0] * count
    codes: dict[tuple[str, ...], int] = {(): 0}
    rows: list[dict] = []
    for i, (relative, (mtime, _, data)) in enumerate(zip(paths, stamps, strict=True)):
        if data is None:
            continue
        if data.__class__ is str:
            problems[i] = data
            continue
        try:
            found = parse_result_file(relative, data, mapping, mtime / 1e9)
        except ResultFileError as exc:
            problems[i] = str(exc)
            continue
        benchmarks = (
            (found[0]["benchmark"],) if len(found) == 1 else tuple(dict.fromkeys(r["benchmark"] for r in found))
        )
        code = codes.get(benchmarks)
        if code is None:
            code = codes[benchmarks] = len(codes)
        group[i] = code
        rows.extend(found)
    mtime, size = (np.array(values, dtype=np.int64) for values in zip(*((m, s) for m, s, _ in stamps), strict=True))
    return _Batch(mtime, size, np.array(group, dtype=np.int32), list(codes), problems,
                  [rows_table(rows)] if rows else [])  # fmt: skip


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _read_in_processes(root: str, mapping: dict, paths: list[str], workers: int) -> _Batch:
    """``_read_batch`` spread over ``workers`` fresh processes (never forked: a server's threads and
    locks stay where they are), in chunks handed to whichever is free; the batches joined in order.
    Raises ``RuntimeError`` if a worker fails (the caller then reads in this process)."""
    import threading

    jobs = [(root, mapping, paths[i : i + CHUNK_FILES]) for i in range(0, len(paths), CHUNK_FILES)]
    batches: list[_Batch | None] = [None] * len(jobs)
    pending = iter(range(len(jobs)))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def drive() -> None:
        try:
            with _Worker() as worker:
                while True:
                    with lock:
                        at = next(pending, None)
                    if at is None:
                        return
                    batches[at] = worker.run(jobs[at])
        except Exception as exc:  # noqa: BLE001 - reported below; the caller reads in its own process
            failures.append(exc)

    threads = [threading.Thread(target=drive, name="podium-read", daemon=True) for _ in range(min(workers, len(jobs)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures or any(batch is None for batch in batches):
        raise RuntimeError(f"a worker process failed: {failures[0] if failures else 'no answer'}")
    offsets = np.cumsum([0] + [len(job[2]) for job in jobs])
    groups = list(dict.fromkeys(names for batch in batches for names in batch.groups))
    code = {names: i for i, names in enumerate(groups)}
    return _Batch(
        np.concatenate([b.mtime for b in batches]), np.concatenate([b.size for b in batches]),
        np.concatenate([np.array([code[g] for g in b.groups], np.int32)[b.group] for b in batches]), groups,
        {offset + i: text for b, offset in zip(batches, offsets, strict=False) for i, text in b.problems.items()},
        [table for b in batches for table in b.rows],
    )  # fmt: skip


class _Worker:
    """One worker process (``serve_reads``), spoken to through two pipes of its own."""

    def __enter__(self) -> _Worker:
        import subprocess
        import sys

        job_end, self._jobs_fd = os.pipe()
        self._results_fd, result_end = os.pipe()
        command = f"from podium.results import serve_reads; serve_reads({job_end}, {result_end})"
        self.process = subprocess.Popen([sys.executable, "-c", command], pass_fds=(job_end, result_end),
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)  # fmt: skip
        os.close(job_end)
        os.close(result_end)
        self.jobs, self.results = os.fdopen(self._jobs_fd, "wb"), os.fdopen(self._results_fd, "rb")
        return self

    def run(self, job: tuple) -> _Batch:
        _send(self.jobs, job)
        batch = _receive(self.results)
        if batch is None:
            raise RuntimeError(f"worker process {self.process.pid} stopped")
        return batch

    def __exit__(self, *exc_info) -> None:
        self.jobs.close()  # the worker's end of input: it exits
        self.results.close()
        try:
            self.process.wait(timeout=60)
        except Exception:  # noqa: BLE001 - a stuck worker is ended, whatever went wrong
            self.process.kill()
            self.process.wait()


def serve_reads(jobs_fd: int, results_fd: int) -> None:
    """A worker process of ``_read_in_processes``: reads each batch named on one pipe and answers it
    on the other (both pickled, length first), until the first pipe closes."""
    with os.fdopen(jobs_fd, "rb") as jobs, os.fdopen(results_fd, "wb") as results:
        while (job := _receive(jobs)) is not None:
            _send(results, _read_batch(*job))


def _send(stream, value: object) -> None:
    import pickle

    data = pickle.dumps(value, protocol=5)
    stream.write(len(data).to_bytes(8, "little"))
    stream.write(data)
    stream.flush()


def _receive(stream) -> object | None:
    import pickle

    header = stream.read(8)
    if len(header) < 8:
        return None
    return pickle.loads(stream.read(int.from_bytes(header, "little")))  # our own worker's answer


# --------------------------------------------------------------------------- the index


@dataclass(slots=True)
class _Folder:
    """The result files of one folder as arrays, in listing order; only ``mtime_ns`` and ``file``
    until it is first needed (``ResultIndex._state`` reads the rest from the cache file)."""

    mtime_ns: int  # the folder's time when it was last listed; -1: list it again
    names: pa.Array | None = None  # file names
    dino: np.ndarray | None = None  # uint64: inode numbers, as the listing gives them (a replaced file has a new one)
    mtime: np.ndarray | None = None  # int64: each file's time (ns) and size when last stat-ed
    size: np.ndarray | None = None
    group: np.ndarray | None = None  # int32: the benchmarks each file has rows in (ResultIndex._groups)
    file: str | None = None  # the cache file holding the arrays, while they are not in memory


@dataclass
class _Plan:
    """One folder listed again: its new arrays (``read``: the files to read; the others carried over)
    and the files whose rows leave (removed, replaced or edited)."""

    relative: str
    folder: _Folder
    names: list[str]
    read: np.ndarray
    leaving: list[tuple[str, int]]  # (path, group)
    subfolders: list[str]


class ResultIndex:
    """All result rows of a results folder, kept per benchmark and refreshed in bounded steps.

    Only the thread that refreshes may call ``load``, ``refresh`` and ``save_cache``; the tables
    ``rows_for`` returns are never changed afterwards (a change makes a new one), so another thread
    may keep reading them.
    """

    def __init__(self, home: Home, cache_path: Path | None = None, sweep_files: int = SWEEP_FILES,
                 parallel_from: int = PARALLEL_FROM):  # fmt: skip
        self.root = home.results_dir
        self.cache_path = cache_path if cache_path is not None else home.root / ".cache" / "results.parquet"
        self.sweep_files = sweep_files
        self._last_sweep = time.monotonic()
        self.parallel_from = parallel_from
        self.generation: str | None = None  # of the cache last loaded or saved
        self._folders: dict[str, _Folder] = {}
        self._groups: list[tuple[str, ...]] = [()]
        self._group_codes: dict[tuple[str, ...], int] = {(): 0}
        self._problems: dict[str, str] = {}
        self._rows: dict[str, pa.Table | str] = {}  # benchmark -> its rows, or the cache file holding them
        self._row_counts: dict[str, int] = {}
        self._sweep_at = 0
        self._unsaved: set[tuple[str, str]] = set()  # ("folder", relative) or ("rows", benchmark)
        self._saved: dict[tuple[str, str], str] = {}  # -> the cache file holding it
        self._mapping: dict = {}
        self._mapping_stamp: tuple | None = None
        self._mapping_problem: str | None = None
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ public

    @property
    def problems(self) -> dict[str, str]:
        found = dict(self._problems)
        if self._mapping_problem:
            found[MAPPING_FILE] = self._mapping_problem
        return found

    @property
    def benchmarks(self) -> set[str]:
        return {benchmark for benchmark, count in self._row_counts.items() if count}

    def rows_for(self, benchmark: str) -> pa.Table:
        """The rows of one benchmark (``BASE_COLUMNS`` plus ``m:<metric>``, ``lo:``, ``hi:``)."""
        rows = self._rows.get(benchmark)
        if isinstance(rows, str):  # in the cache: memory-mapped, read when used
            rows = self._rows[benchmark] = _read_cached(self._items_dir / rows)
        return rows if rows is not None else _empty_rows()

    def arrays_for(self, benchmark: str) -> dict[str, np.ndarray]:
        """The rows of one benchmark as numpy columns."""
        return numpy_columns(self.rows_for(benchmark))

    def frame_for(self, benchmark: str):
        """The rows of one benchmark as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.arrays_for(benchmark))

    def frame(self):
        """Every row of every benchmark (for tests and small data: it is every result in memory)."""
        import pandas as pd

        tables = [self.rows_for(b) for b in sorted(self.benchmarks)]
        if not tables:
            return pd.DataFrame(columns=BASE_COLUMNS)
        return pd.DataFrame(numpy_columns(_canonical(pa.concat_tables(tables, promote_options="permissive"))))

    def load(self) -> set[str]:
        """Cold start: the cache if there is one, then the folders whose time changed since; without
        a cache every file is read now. Files edited in place are noticed by the sweep of later
        refreshes."""
        started = time.perf_counter()
        cached = self._load_cache()
        self.timings["cache"] = time.perf_counter() - started
        changed = self.refresh(full=not cached, sweep=False)
        self.timings["load"] = time.perf_counter() - started
        return changed

    def refresh(self, full: bool = False, sweep: bool = True) -> set[str]:
        """Re-read new, replaced, edited and removed files; the benchmarks whose rows changed.

        Bounded work: one ``stat`` per known folder, a listing of each folder whose time changed
        (only new or replaced files are read), then the sweep for edits in place goes on for
        about ``sweep_files`` files a second since the last refresh (at least ``SWEEP_AT_LEAST``, at
        most two seconds' worth). ``full``: list every folder and stat every file now.
        """
        try:
            return self._refresh(full, sweep)
        except _CacheLost as exc:  # a cache file went missing or bad: everything is read again
            log.warning("the results cache is unreadable (%s): reading every file again", exc)
            before = self.benchmarks
            self._folders, self._rows, self._row_counts, self._problems, self._saved = {}, {}, {}, {}, {}
            return before | self._refresh(True, False)

    def _refresh(self, full: bool, sweep: bool) -> set[str]:
        changed: set[str] = set()
        if self._refresh_mapping():
            full = True
            changed |= self._forget_dir("")  # template files are read again with the new mapping
        if not self.root.is_dir():
            return changed | self._forget_dir("")
        changed |= self._list_changed(full)
        if sweep and not full and self.sweep_files > 0:
            now = time.monotonic()
            rate, elapsed = self.sweep_files, now - self._last_sweep
            self._last_sweep = now
            changed |= self._sweep(int(min(2 * rate, max(min(SWEEP_AT_LEAST, rate), rate * elapsed))))
        return changed

    def save_cache(self) -> str:
        """Write what changed since the last save, then the manifest that names every cache file;
        the cache's generation (a token the tables cache is matched with)."""
        folder = self._items_dir
        folder.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(6)
        for key in sorted(self._unsaved):
            kind, name = key
            if kind == "folder" and name in self._folders:
                table = self._folder_table(name)
            elif kind == "rows" and self._row_counts.get(name):
                table = self.rows_for(name)
            else:
                self._saved.pop(key, None)
                continue
            file = f"{kind[0]}-{_digest(name)}-{token}.arrow"
            write_arrow(folder / file, table)
            self._saved[key] = file
            mapped = read_arrow(folder / file)  # from now on served from the file: no copy kept in memory
            if kind == "folder":
                self._folders[name] = self._folder_of(self._folders[name].mtime_ns, mapped)
            else:
                self._rows[name] = mapped
        self._unsaved.clear()
        entries = sorted(self._saved.items())
        manifest = pa.table({
            "kind": [kind for (kind, _), _ in entries] + ["problem"] * len(self._problems),
            "key": [key for (_, key), _ in entries] + list(self._problems),
            "file": [file for _, file in entries] + list(self._problems.values()),
            "number": [self._folders[key].mtime_ns if kind == "folder" else self._row_counts[key]
                       for (kind, key), _ in entries] + [0] * len(self._problems),
        })  # fmt: skip
        meta = {"podium_cache_version": CACHE_VERSION, "root": str(self.root), "generation": token,
                "mapping": json.dumps(self._mapping, sort_keys=True)}  # fmt: skip
        write_parquet(self.cache_path, manifest, meta)
        self.generation = token
        remove_garbage(folder, ("f-", "r-"), set(self._saved.values()))
        self.cache_path.with_name(self.cache_path.stem + "-files.parquet").unlink(missing_ok=True)  # version 7's
        return token

    # ------------------------------------------------------------------ listing and reading

    def _path(self, relative: str) -> str:
        return os.path.join(self.root, relative) if relative else str(self.root)

    def _list_changed(self, full: bool) -> set[str]:
        """List again the folders whose time changed (all when ``full``) and new folders below them."""
        changed: set[str] = set()
        plans = []
        pending = sorted(self._folders, reverse=True)  # folder times only: no folder's files are read
        if "" not in self._folders:
            pending.append("")
        seen = set()
        while pending:
            relative = pending.pop()
            if relative in seen:
                continue
            seen.add(relative)
            try:
                st = os.stat(self._path(relative)) if not relative else os.lstat(self._path(relative))
            except (FileNotFoundError, NotADirectoryError):
                changed |= self._forget_dir(relative)
                continue
            if not stat.S_ISDIR(st.st_mode):  # replaced by a file or a link: never followed
                changed |= self._forget_dir(relative)
                continue
            known = self._folders.get(relative)
            if not full and known is not None and known.mtime_ns == st.st_mtime_ns:
                continue
            plan = self._plan(relative, st.st_mtime_ns, stat_all=full)
            if plan is None:
                continue
            plans.append(plan)
            pending.extend(sorted((s for s in plan.subfolders if s not in seen), reverse=True))
        return changed | self._carry_out(plans)

    def _sweep(self, budget: int) -> set[str]:
        """Stat the files of the next folders in turn, about ``budget`` files: an edit in place
        (same name and inode, new time or size) is read again."""
        order = sorted(self._folders)
        plans, statted = [], 0
        for _ in range(len(order)):
            if statted >= budget:
                break
            relative = order[self._sweep_at % len(order)]
            self._sweep_at += 1
            plan = self._plan(relative, self._folders[relative].mtime_ns, stat_all=True)
            if plan is not None:
                plans.append(plan)
                statted += len(plan.names)
        return self._carry_out(plans)

    def _list(self, relative: str) -> tuple[list[str], list[int], list[str]] | None:
        """(result file names, their inode numbers, subfolders) of one folder; ``None`` if it is gone
        or cannot be listed."""
        directory = self._path(relative)
        names: list[str] = []
        inodes: list[int] = []
        subfolders: list[str] = []
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    name = entry.name
                    if name.startswith(".") or (not relative and name in SKIP_NAMES):
                        continue
                    if name.endswith(".json"):  # whatever it is: a link or a folder named so is a problem
                        names.append(name)
                        inodes.append(entry.inode())
                    elif entry.is_dir(follow_symlinks=False):  # never a link: only what is inside is read
                        subfolders.append(f"{relative}/{name}" if relative else name)
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("cannot list %s: %s", directory, exc)
            return None
        return names, inodes, subfolders

    def _plan(self, relative: str, mtime_ns: int, stat_all: bool) -> _Plan | None:
        """List one folder and compare it with what is known of it: which files to read (new, replaced,
        or edited in place when ``stat_all``), which leave."""
        listed = self._list(relative)
        if listed is None:
            return None
        names, inodes, subfolders = listed
        directory = self._path(relative)
        count = len(names)
        dino = np.array(inodes, dtype=np.uint64)
        mtime, size, group = np.zeros(count, np.int64), np.zeros(count, np.int64), np.zeros(count, np.int32)
        known = self._state(relative)
        if known is not None and len(known.names) and count:
            where = pc.index_in(pa.array(names, pa.string()), value_set=known.names).fill_null(-1).to_numpy()
        else:
            where = np.full(count, -1, dtype=np.int32)
        same = where >= 0
        if same.any():
            same[same] = known.dino[where[same]] == dino[same]
            carried = where[same]
            mtime[same], size[same], group[same] = known.mtime[carried], known.size[carried], known.group[carried]
        if stat_all:
            _mark_edited(directory, names, same, mtime, size)
        leaving: list[tuple[str, int]] = []
        if known is not None and len(known.names):
            stays = np.zeros(len(known.names), dtype=bool)
            stays[where[same]] = True  # every other known file leaves: gone, or read again below
            gone = np.flatnonzero(~stays)
            if len(gone):
                gone_names = known.names.take(pa.array(gone)).to_pylist()
                leaving = [(f"{relative}/{name}" if relative else name, int(code))
                           for name, code in zip(gone_names, known.group[gone], strict=True)]  # fmt: skip
        if time.time_ns() - mtime_ns < HOT_NANOSECONDS:
            mtime_ns = -1  # changed a moment ago: a later change may keep the same time; list it again
        folder = _Folder(mtime_ns, pa.array(names, pa.string()), dino, mtime, size, group)
        return _Plan(relative, folder, names, np.flatnonzero(~same), leaving, subfolders)

    def _carry_out(self, plans: list[_Plan]) -> set[str]:
        """Read the files the plans name (in worker processes when there are many), then swap in the
        new folder states and rows."""
        removed: dict[str, set[str]] = {}
        for plan in plans:
            for path, code in plan.leaving:
                self._problems.pop(path, None)
                for benchmark in self._groups[code]:
                    removed.setdefault(benchmark, set()).add(path)
        paths = [f"{plan.relative}/{plan.names[i]}" if plan.relative else plan.names[i]
                 for plan in plans for i in plan.read]  # fmt: skip
        batch = None
        workers = _workers()
        if len(paths) >= self.parallel_from and workers > 1:
            try:
                batch = _read_in_processes(str(self.root), self._mapping, paths, workers)
            except (OSError, RuntimeError) as exc:
                log.warning("reading in worker processes failed (%s): reading in this one", exc)
        if batch is None:
            batch = _read_batch(str(self.root), self._mapping, paths)
        self._take_in(plans, paths, batch)
        added: dict[str, list[pa.Table]] = {}
        for table in batch.rows:
            column = table.column("benchmark")
            benchmarks = pc.unique(column).to_pylist()
            for benchmark in benchmarks:
                part = table if len(benchmarks) == 1 else table.filter(pc.equal(column, benchmark))
                added.setdefault(benchmark, []).append(part)
        return self._apply(removed, added)

    def _take_in(self, plans: list[_Plan], paths: list[str], batch: _Batch) -> None:
        """The new folder states: what was read (times, sizes, benchmarks, problems) in the plans' arrays."""
        codes = np.array([self._group(names) for names in batch.groups], dtype=np.int32)
        for at, problem in batch.problems.items():
            self._problems[paths[at]] = problem
            log.warning("skipping %s: %s", paths[at], problem)
        at = 0
        for plan in plans:
            folder, read = plan.folder, plan.read
            part = slice(at, at + len(read))
            at += len(read)
            folder.mtime[read], folder.size[read] = batch.mtime[part], batch.size[part]
            folder.group[read] = codes[batch.group[part]]
            gone = read[batch.mtime[part] < 0]  # gone between the listing and the read
            if len(gone):
                keep = np.ones(len(plan.names), dtype=bool)
                keep[gone] = False
                folder = _Folder(folder.mtime_ns, folder.names.filter(pa.array(keep)), folder.dino[keep],
                                 folder.mtime[keep], folder.size[keep], folder.group[keep])  # fmt: skip
            self._folders[plan.relative] = folder
            self._unsaved.add(("folder", plan.relative))

    def _apply(self, removed: dict[str, set[str]], added: dict[str, list[pa.Table]]) -> set[str]:
        """New row tables for the benchmarks whose files left or came."""
        for benchmark in set(removed) | set(added):
            parts = []
            rows = self.rows_for(benchmark) if self._row_counts.get(benchmark) else None
            if rows is not None:
                leaving = removed.get(benchmark)
                if leaving:
                    rows = rows.filter(pc.invert(pc.is_in(rows.column("path"), pa.array(sorted(leaving), pa.string()))))
                parts.append(rows)
            parts.extend(added.get(benchmark, ()))
            table = pa.concat_tables(parts, promote_options="permissive") if parts else _empty_rows()
            self._rows[benchmark] = _canonical(table)
            self._row_counts[benchmark] = table.num_rows
            self._unsaved.add(("rows", benchmark))
        return set(removed) | set(added)

    def _state(self, relative: str) -> _Folder | None:
        """What is known of a folder's files, read from the cache the first time it is needed."""
        folder = self._folders.get(relative)
        if folder is not None and folder.names is None:
            table = _read_cached(self._items_dir / folder.file)
            folder = self._folders[relative] = self._folder_of(folder.mtime_ns, table)
        return folder

    def _group(self, benchmarks: tuple[str, ...]) -> int:
        code = self._group_codes.get(benchmarks)
        if code is None:
            code = self._group_codes[benchmarks] = len(self._groups)
            self._groups.append(benchmarks)
        return code

    def _forget_dir(self, relative: str) -> set[str]:
        """A folder disappeared (or everything is read again): drop everything at and below it."""
        prefix = f"{relative}/" if relative else ""
        removed: dict[str, set[str]] = {}
        for known in [f for f in self._folders if f == relative or f.startswith(prefix)]:
            folder = self._state(known)
            del self._folders[known]
            self._unsaved.add(("folder", known))
            with_rows = np.flatnonzero(folder.group != 0)
            if len(with_rows):
                for name, code in zip(folder.names.take(pa.array(with_rows)).to_pylist(), folder.group[with_rows],
                                      strict=True):  # fmt: skip
                    for benchmark in self._groups[code]:
                        removed.setdefault(benchmark, set()).add(f"{known}/{name}" if known else name)
        for path in [p for p in self._problems if p.startswith(prefix) or p == relative]:
            self._problems.pop(path)
        return self._apply(removed, {})

    def _refresh_mapping(self) -> bool:
        path = self.root / MAPPING_FILE
        try:
            st = path.lstat()
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self._mapping_stamp:
            return False
        self._mapping_stamp = stamp
        mapping = {}
        self._mapping_problem = None
        if stamp is not None:
            try:
                mapping = json.loads(read_regular_file(path, 1 << 20))
                if not isinstance(mapping, dict):
                    raise ValueError("expected an object")
            except (ValueError, OSError) as exc:  # ResultFileError too: a link or a folder counts as no mapping
                log.warning("ignoring %s: %s", path, exc)
                self._mapping_problem = f"ignored: {exc}"
                mapping = {}
        changed = mapping != self._mapping
        self._mapping = mapping
        return changed

    # ------------------------------------------------------------------ the cache

    @property
    def _items_dir(self) -> Path:
        return self.cache_path.parent / "index"

    def _folder_table(self, relative: str) -> pa.Table:
        folder = self._state(relative)
        groups = pa.array(["\x1f".join(g) for g in self._groups], pa.string())
        return pa.table({
            "name": folder.names, "dino": folder.dino, "mtime": folder.mtime, "size": folder.size,
            "benchmarks": groups.take(pa.array(folder.group)),
        })  # fmt: skip

    def _folder_of(self, mtime_ns: int, table: pa.Table) -> _Folder:
        encoded = pc.dictionary_encode(table.column("benchmarks")).combine_chunks()
        codes = np.array([self._group(tuple(b for b in text.split("\x1f") if b))
                          for text in encoded.dictionary.to_pylist()], dtype=np.int32)  # fmt: skip
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        group = codes[indices] if len(codes) else np.zeros(0, np.int32)
        return _Folder(mtime_ns, table.column("name").combine_chunks(), _column_numpy(table, "dino"),
                       _column_numpy(table, "mtime"), _column_numpy(table, "size"), group.astype(np.int32))  # fmt: skip

    def _load_cache(self) -> bool:
        try:
            manifest = read_parquet(self.cache_path)
        except (OSError, pa.ArrowInvalid) as exc:
            if self.cache_path.exists():
                log.warning("ignoring unreadable results cache %s: %s", self.cache_path, exc)
            return False
        meta = manifest.schema.metadata or {}
        if meta.get(b"podium_cache_version") != CACHE_VERSION.encode() or meta.get(b"root") != str(self.root).encode():
            return False
        entries = manifest.to_pydict()
        try:
            for kind, key, file, number in zip(entries["kind"], entries["key"], entries["file"], entries["number"],
                                               strict=True):  # fmt: skip
                if kind == "problem":
                    self._problems[key] = file  # the problem itself
                    continue
                if not (self._items_dir / file).is_file():
                    raise FileNotFoundError(file)
                if kind == "folder":
                    self._folders[key] = _Folder(number, file=file)  # its files are read when needed
                else:
                    self._rows[key], self._row_counts[key] = file, number
                self._saved[(kind, key)] = file
        except (OSError, KeyError) as exc:
            log.warning("ignoring the results cache %s: %s", self.cache_path, exc)
            self._folders, self._rows, self._row_counts, self._problems, self._saved = {}, {}, {}, {}, {}
            return False
        self.generation = meta.get(b"generation", b"").decode()
        try:  # the template mapping the cached rows were read with: unchanged, nothing is read again
            self._mapping = json.loads(meta.get(b"mapping", b"{}"))
        except ValueError:
            self._mapping = {}
        return True


def _mark_edited(directory: str, names: list[str], same: np.ndarray, mtime: np.ndarray, size: np.ndarray) -> None:
    """Clear ``same`` for each file whose time or size is no longer the one known (edited in place,
    or gone: it is read, found gone, and leaves the listing)."""
    for i in np.flatnonzero(same):
        try:
            st = os.lstat(os.path.join(directory, names[i]))
        except FileNotFoundError:
            same[i] = False
            continue
        if st.st_mtime_ns != mtime[i] or st.st_size != size[i]:
            same[i] = False


class _CacheLost(Exception):
    """A cache file the manifest names cannot be read."""


def _read_cached(path: Path) -> pa.Table:
    try:
        return read_arrow(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise _CacheLost(f"{path.name}: {exc}") from None


def _column_numpy(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).combine_chunks().to_numpy(zero_copy_only=False)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_arrow(path: Path, table: pa.Table) -> None:
    """An Arrow file written under a new name (then renamed: a reader never sees half of it)."""
    temporary = path.with_name(f".{path.name}.tmp")
    with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    os.replace(temporary, path)


def read_arrow(path: Path) -> pa.Table:
    """An Arrow file, memory-mapped: no copy, only the pages used are read."""
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()


def read_parquet(path: Path) -> pa.Table:
    import pyarrow.parquet as pq

    return pq.read_table(path)


def write_parquet(path: Path, table: pa.Table, meta: dict[str, str]) -> None:
    sink = pa.BufferOutputStream()
    import pyarrow.parquet as pq  # not imported by the worker processes, which never need it

    pq.write_table(table.replace_schema_metadata(meta), sink)
    atomic.write_bytes(path, sink.getvalue().to_pybytes())


def remove_garbage(folder: Path, prefixes: tuple[str, ...], keep: set[str]) -> None:
    """Delete the cache files of ``folder`` starting with ``prefixes`` that are not in ``keep`` and are
    old enough that no other process can be about to name them."""
    cutoff = time.time() - GARBAGE_SECONDS
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.name.startswith(prefixes) and entry.name not in keep:
            atomic.remove_if_older(Path(entry.path), cutoff)

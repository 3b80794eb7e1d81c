"""Reading the results dataset (``eval-results/``) into one table, and keeping it up to date.

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
not contain its score makes the file a problem, so it is never ranked.

``ResultIndex`` keeps one row per (file, benchmark) and refreshes incrementally: each refresh
stats the known folders and re-reads only folders whose modification time changed, and in them
only new or changed files (by inode, size and mtime). A full sweep of every file's stat runs at
most every ``full_sweep_seconds`` to notice files edited in place. The rows are cached in a
parquet file, so a new process starts from the cache and re-reads only what changed since.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
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

CACHE_VERSION = "7"  # 7: per-metric interval columns; no display string
MAPPING_FILE = "template-mapping.json"
SKIP_NAMES = {MAPPING_FILE}

BASE_COLUMNS = [
    "path", "benchmark", "benchmark_version", "model", "model_name", "org", "link", "revision", "source",
    "submission_id", "primary_metric", "score", "ci_low", "ci_high", "n", "evaluated_at",
]  # fmt: skip
METRIC_PREFIX = "m:"  # metric values are columns "m:<metric>"
LOW_PREFIX = "lo:"  # the bounds of a metric's 95% interval: "lo:<metric>", "hi:<metric>"
HIGH_PREFIX = "hi:"
FLOAT_PREFIXES = (METRIC_PREFIX, LOW_PREFIX, HIGH_PREFIX)


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
    for name, value in result.metrics.items():
        problem = score_problem(name, value)
        if problem:
            raise ResultFileError(f"metrics[{quote(name)}]: {problem}")
    for name, interval in result.ci.items():
        problem = interval_problem(name, result.metrics.get(name), interval.low, interval.high)
        if problem:
            raise ResultFileError(f"ci[{quote(name)}]: {problem}")
    if result.n is not None and not 0 <= result.n <= MAX_ITEMS:
        raise ResultFileError(f"n: {quote(result.n)} items is not between 0 and {MAX_ITEMS:,}")
    if result.model.link is not None and not SAFE_LINK.match(result.model.link):
        raise ResultFileError(f"model.link: {quote(result.model.link)} must be an http(s) address")
    result.model = checked_model(result.model)
    return result


MAX_ITEMS = 10**12  # far above any benchmark; keeps counts exact in every column type that holds them
SAFE_LINK = re.compile(r"^https?://[^\s()<>\[\]\\\"']+$")


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


def _row(path: str, result: Result, metrics: dict[str, float]) -> dict:
    interval = result.ci.get(result.primary_metric)
    return {
        "path": path,
        "benchmark": result.benchmark,
        "benchmark_version": result.benchmark_version if result.source == "verified" else None,
        "model": result.model.full_name,
        "model_name": result.model.name,
        "org": result.model.org,
        "link": result.model.link,
        "revision": result.model.revision,
        "source": result.source,
        "submission_id": result.submission_id,
        "primary_metric": result.primary_metric,
        "score": float(result.metrics[result.primary_metric]),
        "ci_low": float(interval.low) if interval else None,
        "ci_high": float(interval.high) if interval else None,
        "n": result.n,
        "evaluated_at": result.evaluated_at.isoformat(),
        **{METRIC_PREFIX + name: float(value) for name, value in metrics.items()},
        **{LOW_PREFIX + name: float(ci.low) for name, ci in result.ci.items() if name in metrics},
        **{HIGH_PREFIX + name: float(ci.high) for name, ci in result.ci.items() if name in metrics},
    }


def parse_result_file(path: str, data: bytes, mapping: dict, mtime: float) -> list[dict]:
    """Rows for one file; raises ``ResultFileError`` saying what is wrong."""
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


@dataclass
class _FileState:
    stamp: tuple[int, int, int]
    benchmarks: tuple[str, ...] = ()
    problem: str | None = None


class ResultIndex:
    """All result rows of a results folder, kept per benchmark and refreshed incrementally.

    A benchmark's rows are the rows loaded from the cache (an Arrow table, minus the files that
    changed since) plus row dicts of the files read in this process. File identities from the
    cache are unpacked per folder only when that folder has to be scanned, so a cold start costs
    one parquet read and one ``stat`` per folder.
    """

    def __init__(self, home: Home, cache_path: Path | None = None, full_sweep_seconds: float = 60.0):
        self.root = home.results_dir
        self.cache_path = cache_path if cache_path is not None else home.root / ".cache" / "results.parquet"
        self.full_sweep_seconds = full_sweep_seconds
        self._files: dict[str, _FileState] = {}
        self._by_dir: dict[str, set[str]] = {}  # relative folder -> its files' relative paths
        self._dirs: dict[str, int] = {}  # relative folder -> mtime_ns when last scanned
        self._cached_files: dict[str, None] = {}  # folders whose cached file states are not unpacked yet
        self._cached_files_table: pa.Table | None = None
        self._cached_problems: dict[str, str] = {}
        self._base: dict[str, pa.Table] = {}  # benchmark -> rows from the cache
        self._superseded: dict[str, set[str]] = {}  # benchmark -> files whose cached rows no longer count
        self._rows: dict[str, dict[str, list[dict]]] = {}  # benchmark -> file -> rows read here
        self._arrays: dict[str, dict[str, np.ndarray]] = {}
        self._mapping: dict = {}
        self._mapping_stamp: tuple | None = None
        self._mapping_problem: str | None = None
        self._last_full_sweep = 0.0
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ public

    @property
    def problems(self) -> dict[str, str]:
        found = {path: state.problem for path, state in self._files.items() if state.problem}
        if self._mapping_problem:
            found[MAPPING_FILE] = self._mapping_problem
        return {**{p: m for p, m in self._cached_problems.items() if p not in self._files}, **found}

    @property
    def benchmarks(self) -> set[str]:
        return set(self._base) | {b for b, files in self._rows.items() if files}

    def arrays_for(self, benchmark: str) -> dict[str, np.ndarray]:
        """The rows of one benchmark as numpy columns (``BASE_COLUMNS`` plus ``m:<metric>``)."""
        arrays = self._arrays.get(benchmark)
        if arrays is not None:
            return arrays
        parts: list[dict[str, np.ndarray]] = []
        base = self._base.get(benchmark)
        if base is not None:
            superseded = self._superseded.get(benchmark)
            if superseded:
                base = base.filter(pc.invert(pc.is_in(base.column("path"), pa.array(sorted(superseded)))))
            if base.num_rows:
                parts.append({name: base.column(name).to_numpy() for name in base.column_names})
        rows = [row for rows in self._rows.get(benchmark, {}).values() for row in rows]
        if rows:
            parts.append({name: _column(rows, name) for name in _columns(rows)})
        names = list(dict.fromkeys(name for part in parts for name in part)) or list(BASE_COLUMNS)
        arrays = {}
        for name in names:
            pieces = [part[name] if name in part else np.full(len(next(iter(part.values()))), np.nan) for part in parts]
            arrays[name] = np.concatenate(pieces) if pieces else np.array([], dtype=object)
        self._arrays[benchmark] = arrays
        return arrays

    def frame_for(self, benchmark: str) -> pd.DataFrame:
        """The rows of one benchmark as a DataFrame."""
        return pd.DataFrame(self.arrays_for(benchmark))

    def frame(self) -> pd.DataFrame:
        """Every row of every benchmark."""
        frames = [self.frame_for(b) for b in sorted(self.benchmarks)]
        frames = [f for f in frames if not f.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=BASE_COLUMNS)

    def load(self) -> set[str]:
        """Cold start: the cache if there is one, then a refresh of the folders that changed since.

        Files edited in place (same folder, no rename) are noticed by the first full sweep, at
        most ``full_sweep_seconds`` later; without a cache everything is read now.
        """
        started = time.perf_counter()
        cached = self._load_cache()
        self.timings["cache"] = time.perf_counter() - started
        if cached:
            self._last_full_sweep = time.monotonic()
        changed = self.refresh(full=not cached)
        self.timings["load"] = time.perf_counter() - started
        return changed

    def refresh(self, full: bool = False) -> set[str]:
        """Re-read new, changed and removed files; the benchmarks whose rows changed."""
        if not full and time.monotonic() - self._last_full_sweep > self.full_sweep_seconds:
            full = True
        if full:
            self._last_full_sweep = time.monotonic()
        changed: set[str] = set()
        if self._refresh_mapping():
            full = True
            changed |= self._reparse_templates()
        if not self.root.is_dir():
            for folder in list(self._dirs):
                changed |= self._forget_dir(folder)
            return changed
        changed |= self._sweep(full)
        for benchmark in changed:
            self._arrays.pop(benchmark, None)
        return changed

    def _sweep(self, full: bool) -> set[str]:
        """Scan the folders whose times changed (every folder when ``full``)."""
        changed: set[str] = set()
        pending = ["", *self._dirs]
        seen_dirs = set()
        while pending:
            relative = pending.pop()
            if relative in seen_dirs:
                continue
            seen_dirs.add(relative)
            directory = self.root / relative if relative else self.root
            try:
                mtime = directory.stat().st_mtime_ns
            except FileNotFoundError:
                changed |= self._forget_dir(relative)
                continue
            if not full and self._dirs.get(relative) == mtime:
                continue
            self._dirs[relative] = mtime
            changed |= self._scan_dir(relative, directory, pending)
        return changed

    def save_cache(self) -> None:
        """Write the rows, the files' identities and the folders' times, for the next cold start."""
        for folder in list(self._cached_files):
            self._hydrate(folder)
        paths, inos, mtimes, sizes, benchmarks, problems = [], [], [], [], [], []
        for path, state in self._files.items():
            paths.append(path)
            inos.append(state.stamp[0])
            mtimes.append(state.stamp[1])
            sizes.append(state.stamp[2])
            benchmarks.append("\x1f".join(state.benchmarks))
            problems.append(state.problem)
        for folder, mtime in self._dirs.items():  # folders: ino -1
            paths.append(folder + "/")
            inos.append(-1)
            mtimes.append(mtime)
            sizes.append(0)
            benchmarks.append("")
            problems.append(None)
        files = pa.table(
            {"path": paths, "folder": [p.rpartition("/")[0] for p in paths], "ino": inos, "mtime_ns": mtimes,
             "size": sizes, "benchmarks": benchmarks, "problem": pa.array(problems, type=pa.string())}
        )  # fmt: skip
        rows = pa.Table.from_pandas(self.frame(), preserve_index=False)  # benchmark by benchmark, in order
        meta = {"podium_cache_version": CACHE_VERSION, "root": str(self.root)}
        for table, path in ((rows, self.cache_path), (files, self._files_cache_path)):
            sink = pa.BufferOutputStream()
            pq.write_table(table.replace_schema_metadata(meta), sink)
            atomic.write_bytes(path, sink.getvalue().to_pybytes())

    # ------------------------------------------------------------------ internals

    @property
    def _files_cache_path(self) -> Path:
        return self.cache_path.with_name(self.cache_path.stem + "-files.parquet")

    def _load_cache(self) -> bool:
        if not (self.cache_path.is_file() and self._files_cache_path.is_file()):
            return False
        try:
            rows, files = pq.read_table(self.cache_path), pq.read_table(self._files_cache_path)
        except (OSError, pa.ArrowInvalid) as exc:
            log.warning("ignoring unreadable results cache %s: %s", self.cache_path, exc)
            return False
        expected = {b"podium_cache_version": CACHE_VERSION.encode(), b"root": str(self.root).encode()}
        if any({k: (t.schema.metadata or {}).get(k) for k in expected} != expected for t in (rows, files)):
            return False
        rows = rows.replace_schema_metadata(None)
        is_dir = pc.equal(files.column("ino"), -1)
        dirs = files.filter(is_dir).to_pydict()
        self._dirs = {path[:-1]: mtime for path, mtime in zip(dirs["path"], dirs["mtime_ns"], strict=True)}
        problems = files.filter(pc.is_valid(files.column("problem"))).to_pydict()
        self._cached_problems = dict(zip(problems["path"], problems["problem"], strict=True))
        self._cached_files_table = files.filter(pc.invert(is_dir))
        self._cached_files = {
            folder: None for folder in pc.unique(self._cached_files_table.column("folder")).to_pylist()
        }
        if rows.num_rows:  # saved benchmark by benchmark: each is one contiguous slice
            runs = pc.run_end_encode(rows.column("benchmark").combine_chunks())
            ends = runs.run_ends.to_pylist()
            for benchmark, start, end in zip(runs.values.to_pylist(), [0, *ends[:-1]], ends, strict=True):
                self._base[benchmark] = rows.slice(start, end - start)
        return True

    def _hydrate(self, folder: str) -> None:
        """Unpack the cached file states of one folder (before it is scanned or saved)."""
        if folder not in self._cached_files:
            return
        del self._cached_files[folder]
        table = self._cached_files_table.filter(pc.equal(self._cached_files_table.column("folder"), folder))
        columns = table.to_pydict()
        for path, ino, mtime_ns, size, benchmarks, problem in zip(
            columns["path"], columns["ino"], columns["mtime_ns"], columns["size"], columns["benchmarks"],
            columns["problem"], strict=True,
        ):  # fmt: skip
            state = _FileState((ino, mtime_ns, size), tuple(b for b in benchmarks.split("\x1f") if b), problem)
            self._remember(path, state)
            self._cached_problems.pop(path, None)

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

    def _reparse_templates(self) -> set[str]:
        """The mapping changed: forget every file so template files are read again."""
        changed = set()
        for path in list(self._files):
            changed |= self._drop(path)
        return changed

    def _scan_dir(self, relative: str, directory: Path, pending: list[str]) -> set[str]:
        self._hydrate(relative)
        changed: set[str] = set()
        present = set()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if not relative and entry.name in SKIP_NAMES:
                    continue
                child = f"{relative}/{entry.name}" if relative else entry.name
                is_json = entry.name.endswith(".json")
                if not is_json:
                    if entry.is_dir(follow_symlinks=False):  # never a link: only what is inside is read
                        pending.append(child)
                    continue
                present.add(child)
                try:
                    st = entry.stat(follow_symlinks=False)
                except FileNotFoundError:  # removed meanwhile
                    present.discard(child)
                    continue
                stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
                state = self._files.get(child)
                if state is not None and state.stamp == stamp:
                    continue
                if not stat.S_ISREG(st.st_mode):
                    changed |= self._refuse(child, stamp, _not_regular(st.st_mode))
                    continue
                changed |= self._read(child, entry.path, stamp, st.st_mtime)  # a str: no Path per file
        for path in self._by_dir.get(relative, set()) - present:
            changed |= self._drop(path)
        return changed

    def _read(self, relative: str, path: str | Path, stamp: tuple, mtime: float) -> set[str]:
        changed = self._drop(relative)
        try:
            rows = parse_result_file(relative, read_regular_file(path), self._mapping, mtime)
        except FileNotFoundError:
            return changed
        except ResultFileError as exc:
            return changed | self._refuse(relative, stamp, str(exc))
        except OSError as exc:  # unreadable (permissions, replaced by a folder meanwhile): a problem, not a 500
            return changed | self._refuse(relative, stamp, f"cannot be read ({exc.strerror or exc})")
        benchmarks = tuple(dict.fromkeys(r["benchmark"] for r in rows))
        for row in rows:
            self._rows.setdefault(row["benchmark"], {}).setdefault(relative, []).append(row)
        self._remember(relative, _FileState(stamp, benchmarks))
        return changed | set(benchmarks)

    def _refuse(self, relative: str, stamp: tuple, problem: str) -> set[str]:
        """Record ``relative`` as a problem (listed, never ranked); the benchmarks it leaves."""
        changed = self._drop(relative)
        self._remember(relative, _FileState(stamp, (), problem))
        log.warning("skipping %s: %s", relative, problem)
        return changed

    def _remember(self, relative: str, state: _FileState) -> None:
        self._files[relative] = state
        self._by_dir.setdefault(relative.rpartition("/")[0], set()).add(relative)

    def _drop(self, relative: str) -> set[str]:
        state = self._files.pop(relative, None)
        self._by_dir.get(relative.rpartition("/")[0], set()).discard(relative)
        if state is None:
            return set()
        for benchmark in state.benchmarks:
            self._rows.get(benchmark, {}).pop(relative, None)
            if benchmark in self._base:
                self._superseded.setdefault(benchmark, set()).add(relative)
        return set(state.benchmarks)

    def _forget_dir(self, relative: str) -> set[str]:
        """A folder disappeared: drop everything below it."""
        prefix = f"{relative}/" if relative else ""
        for folder in [f for f in self._cached_files if f == relative or f.startswith(prefix)]:
            self._hydrate(folder)
        changed: set[str] = set()
        for path in [p for p in self._files if p.startswith(prefix)]:
            changed |= self._drop(path)
        for known in [d for d in self._dirs if d == relative or d.startswith(prefix)]:
            self._dirs.pop(known, None)
        return changed


def _not_regular(mode: int) -> str:
    kind = "a symbolic link" if stat.S_ISLNK(mode) else "a directory" if stat.S_ISDIR(mode) else "not a regular file"
    return f"{kind}: only regular files inside eval-results are read"


_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


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


def _column(rows: list[dict], name: str) -> np.ndarray:
    values = [row.get(name) for row in rows]
    if name.startswith(FLOAT_PREFIXES) or name in ("score", "ci_low", "ci_high"):
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _columns(rows: list[dict]) -> list[str]:
    metrics = sorted({k for row in rows for k in row if k.startswith(FLOAT_PREFIXES)})
    return BASE_COLUMNS + metrics

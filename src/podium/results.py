"""Reading the results dataset (``eval-results/``) into one table, and keeping it up to date.

Files read (any depth below ``eval-results/``, hidden files and folders skipped):

- Podium result files (``podium.schema.Result``): ``verified`` ones written by the backend,
  ``reported`` ones dropped in by maintainers;
- demo-leaderboard template files, ``{"config": {"model_name", "model_sha"}, "results":
  {"<task>": {"<metric>": x}}}``, mapped to benchmarks by ``eval-results/template-mapping.json``
  (see docs/formats.md). They count as ``reported``.

A file that is neither, or is malformed, is listed in ``problems`` (which file, what is wrong) and
skipped; it never breaks the table.

``ResultIndex`` keeps one row per (file, benchmark) and refreshes incrementally: each refresh
stats the known folders and re-reads only folders whose modification time changed, and in them
only new or changed files (by inode, size and mtime). A full sweep of every file's stat runs at
most every ``full_sweep_seconds`` to notice files edited in place. The rows are cached in a
parquet file, so a new process starts from the cache and re-reads only what changed since.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from podium import atomic
from podium.config import Home
from podium.schema import FormatError, Result

try:
    import orjson

    _loads = orjson.loads
except ImportError:  # pragma: no cover
    _loads = json.loads

log = logging.getLogger("podium.results")

CACHE_VERSION = "1"
MAPPING_FILE = "template-mapping.json"
SKIP_NAMES = {MAPPING_FILE}

COLUMNS = [
    "path", "benchmark", "model", "model_name", "org", "link", "revision", "source", "submission_id",
    "primary_metric", "score", "ci_low", "ci_high", "n", "evaluated_at", "metrics",
]  # fmt: skip


class ResultFileError(ValueError):
    pass


def _row(path: str, result: Result, metrics: dict[str, float]) -> dict:
    interval = result.ci.get(result.primary_metric)
    return {
        "path": path,
        "benchmark": result.benchmark,
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
        "metrics": json.dumps(metrics, sort_keys=True),
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
        result = Result.from_json(json.dumps(document), source=path)
    except FormatError as exc:
        raise ResultFileError(str(exc).removeprefix(f"{path}: ")) from None
    if result.primary_metric not in result.metrics:
        raise ResultFileError(f"primary metric {result.primary_metric!r} has no value in 'metrics'")
    return [_row(path, result, result.metrics)]


def _template_rows(path: str, document: dict, mapping: dict, mtime: float) -> list[dict]:
    """The demo-leaderboard template's format, mapped with ``template-mapping.json``."""
    from datetime import UTC, datetime

    from podium.schema import ModelInfo

    config = document.get("config") or {}
    name = config.get("model_name")
    if not isinstance(name, str) or not name.strip():
        raise ResultFileError("template result without config.model_name")
    results = document.get("results")
    if not isinstance(results, dict):
        raise ResultFileError("template result: 'results' must be an object")
    org, _, short = name.rpartition("/")
    model = ModelInfo(name=short, org=org or None, revision=str(config.get("model_sha") or "main"))
    rows = []
    unmapped = []
    for task, values in results.items():
        target = mapping.get(task)
        if target is None:
            unmapped.append(task)
            continue
        if not isinstance(values, dict):
            raise ResultFileError(f"template result: results.{task} must be an object")
        metrics = {}
        for source_name, podium_name in target.get("metrics", {}).items():
            if source_name in values and isinstance(values[source_name], (int, float)):
                metrics[podium_name] = float(values[source_name]) * float(target.get("scale", 1.0))
        primary = target.get("primary", next(iter(target.get("metrics", {}).values()), None))
        if primary not in metrics:
            raise ResultFileError(f"template result: results.{task} has no value for {primary!r}")
        result = Result(
            benchmark=target["benchmark"],
            model=model,
            source="reported",
            primary_metric=primary,
            metrics=metrics,
            evaluated_at=datetime.fromtimestamp(mtime, UTC).replace(microsecond=0),
        )
        rows.append(_row(path, result, metrics))
    if not rows:
        raise ResultFileError(
            f"template result: no task is mapped to a benchmark ({', '.join(unmapped) or 'no tasks'}); "
            f"add it to eval-results/{MAPPING_FILE}"
        )
    return rows


@dataclass
class _FileState:
    stamp: tuple[int, int, int]
    rows: list[dict] = field(default_factory=list)
    problem: str | None = None


class ResultIndex:
    """All result rows of a results folder, refreshed incrementally."""

    def __init__(self, home: Home, cache_path: Path | None = None, full_sweep_seconds: float = 60.0):
        self.root = home.results_dir
        self.cache_path = cache_path if cache_path is not None else home.root / ".cache" / "results.parquet"
        self.full_sweep_seconds = full_sweep_seconds
        self._files: dict[str, _FileState] = {}
        self._by_dir: dict[str, set[str]] = {}  # relative folder -> its files' relative paths
        self._dirs: dict[str, int] = {}  # relative folder -> mtime_ns when last scanned
        self._mapping: dict = {}
        self._mapping_stamp: tuple | None = None
        self._last_full_sweep = 0.0
        self._frame: pd.DataFrame | None = None
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ public

    @property
    def problems(self) -> dict[str, str]:
        return {path: state.problem for path, state in self._files.items() if state.problem}

    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            rows = [row for state in self._files.values() for row in state.rows]
            self._frame = pd.DataFrame(rows, columns=COLUMNS)
        return self._frame

    def load(self) -> set[str]:
        """Cold start: the parquet cache if there is one, then a full refresh against the files."""
        started = time.perf_counter()
        self._load_cache()
        self.timings["cache"] = time.perf_counter() - started
        changed = self.refresh(full=True)
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
            for path in list(self._files):
                changed |= self._drop(path)
            self._dirs.clear()
            return changed
        pending = [""]
        seen_dirs = set()
        for known in list(self._dirs):
            pending.append(known)
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
        if changed:
            self._frame = None
        return changed

    def save_cache(self) -> None:
        rows = []
        for path, state in self._files.items():
            ino, mtime_ns, size = state.stamp
            base = {"_file": path, "_ino": ino, "_mtime_ns": mtime_ns, "_size": size, "_problem": state.problem}
            if state.rows:
                rows += [{**base, **row} for row in state.rows]
            else:
                rows.append(base)
        frame = pd.DataFrame(rows, columns=["_file", "_ino", "_mtime_ns", "_size", "_problem", *COLUMNS])
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({"podium_cache_version": CACHE_VERSION, "root": str(self.root)})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        atomic.write_bytes(self.cache_path, sink.getvalue().to_pybytes())

    # ------------------------------------------------------------------ internals

    def _load_cache(self) -> None:
        if not self.cache_path.is_file():
            return
        try:
            table = pq.read_table(self.cache_path)
            meta = table.schema.metadata or {}
            if (
                meta.get(b"podium_cache_version") != CACHE_VERSION.encode()
                or meta.get(b"root") != str(self.root).encode()
            ):
                return
            frame = table.to_pandas()
        except (OSError, pa.ArrowInvalid) as exc:
            log.warning("ignoring unreadable results cache %s: %s", self.cache_path, exc)
            return
        files: dict[str, _FileState] = {}
        records = frame.to_dict(orient="records")
        for record in records:
            path = record["_file"]
            state = files.get(path)
            if state is None:
                stamp = (int(record["_ino"]), int(record["_mtime_ns"]), int(record["_size"]))
                problem = record["_problem"] if isinstance(record["_problem"], str) else None
                state = files[path] = _FileState(stamp, [], problem)
            if isinstance(record.get("benchmark"), str):
                state.rows.append({c: _clean(record[c]) for c in COLUMNS})
        self._files = {}
        self._by_dir = {}
        for path, state in files.items():
            self._remember(path, state)
        self._frame = None

    def _refresh_mapping(self) -> bool:
        path = self.root / MAPPING_FILE
        try:
            st = path.stat()
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self._mapping_stamp:
            return False
        self._mapping_stamp = stamp
        mapping = {}
        if stamp is not None:
            try:
                mapping = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(mapping, dict):
                    raise ValueError("expected an object")
            except (ValueError, OSError) as exc:
                log.warning("ignoring %s: %s", path, exc)
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
        changed: set[str] = set()
        present = set()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                child = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(child)
                    continue
                if not entry.name.endswith(".json") or (not relative and entry.name in SKIP_NAMES):
                    continue
                present.add(child)
                st = entry.stat(follow_symlinks=False)
                stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
                state = self._files.get(child)
                if state is not None and state.stamp == stamp:
                    continue
                changed |= self._read(child, Path(entry.path), stamp, st.st_mtime)
        for path in self._by_dir.get(relative, set()) - present:
            changed |= self._drop(path)
        return changed

    def _read(self, relative: str, path: Path, stamp: tuple, mtime: float) -> set[str]:
        old = self._files.get(relative)
        changed = {r["benchmark"] for r in old.rows} if old else set()
        try:
            rows = parse_result_file(relative, path.read_bytes(), self._mapping, mtime)
            self._remember(relative, _FileState(stamp, rows))
            changed |= {r["benchmark"] for r in rows}
        except FileNotFoundError:
            changed |= self._drop(relative)
        except ResultFileError as exc:
            self._remember(relative, _FileState(stamp, [], str(exc)))
            log.warning("skipping %s: %s", relative, exc)
        return changed

    def _remember(self, relative: str, state: _FileState) -> None:
        self._files[relative] = state
        self._by_dir.setdefault(relative.rpartition("/")[0], set()).add(relative)

    def _drop(self, relative: str) -> set[str]:
        state = self._files.pop(relative, None)
        self._by_dir.get(relative.rpartition("/")[0], set()).discard(relative)
        return {r["benchmark"] for r in state.rows} if state else set()

    def _forget_dir(self, relative: str) -> set[str]:
        changed: set[str] = set()
        prefix = f"{relative}/"
        for path in [p for p in self._files if p.startswith(prefix)]:
            changed |= self._drop(path)
        for known in [d for d in self._dirs if d == relative or d.startswith(prefix)]:
            self._dirs.pop(known, None)
        return changed


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from parquet nulls
        return None
    if hasattr(value, "item"):
        return value.item()
    return value

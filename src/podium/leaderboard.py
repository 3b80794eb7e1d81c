"""Leaderboards as typed rows, built from the results index and kept current incrementally.

The one place for the leaderboard's policies; the REST API, the client, the CLI and the page
format the rows this module returns, each at its own edge.

- **Which result counts** (``current_results``): per benchmark, one row per model (``org/name``):
  its latest result on the benchmark's current version (a newer revision replaces an older one on
  the board; every result stays in the results dataset); at equal times a verified result wins over
  a reported one. Verified results scored on an earlier version of the items do not count.
- **Rank** (``competition_rank``): by score, ties share the rank (1, 1, 3).
- **Rank (UB)** (``rank_by_upper_bound``): 1 + the number of models whose 95% interval lies
  wholly above this model's (a lower bound above its upper bound); a model without an interval
  (e.g. a reported score) counts its score as both bounds.
- **Ranking by another metric** (``metric=``): score, interval, rank and rank UB all follow that
  metric; the primary metric becomes one of the other metric columns.
- **Overall** (``overall_table``), per task type: each model's mean score and mean rank over the
  benchmarks it has results on, with that count beside the number of benchmarks of the task type.

A benchmark's table is kept as a ``RankedTable`` (Arrow columns, best first: compact, and shared
by every reader); ``RankedTable.frame`` gives it as a DataFrame whose columns are the fields of
``LeaderboardRow`` (typed: ints, floats with NaN for missing, text as objects with ``None``), plus
``path`` (the result file, for the page's breakdown), ``RankedTable.rows`` as ``LeaderboardRow``
objects.

``Leaderboard.refresh`` picks up changes (bounded work, ``podium.results``); ``Leaderboard.publish``
then builds what changed (tables, the overall tables of their task types) and swaps in a new
``Snapshot``: a server's readers only ever read the last snapshot, so a request never waits for
a refresh, and the overall table is computed once per results version, not per request.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import InvalidField, UnknownBenchmark, quote
from podium.results import (
    HIGH_PREFIX,
    LOW_PREFIX,
    METRIC_PREFIX,
    ROW_TYPES,
    ResultIndex,
    numpy_columns,
    read_arrow,
    read_parquet,
    remove_garbage,
    write_arrow,
    write_parquet,
)
from podium.schema import BenchmarkCard, FormatError, format_interval

HEAD = ["rank", "rank_ub", "model", "org", "score", "ci_low", "ci_high"]
TAIL = ["n", "source", "model_type", "params_b", "license", "version", "submission", "updated", "link", "revision",
        "path"]  # fmt: skip
OVERALL_COLUMNS = ["rank", "model", "mean_score", "mean_rank", "benchmarks", "of"]
TABLES_FORMAT = "ranked-4"  # the stored tables' layout; a cache of another layout is ignored
TEXT = {"model", "org", "source", "model_type", "license", "version", "submission", "updated", "link", "revision",
        "path"}  # fmt: skip
FRAMES_KEPT = 16  # tables kept as DataFrames (the page's and the CLI's form), most recently used

log = logging.getLogger("podium.leaderboard")


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    """One model's standing on one benchmark."""

    rank: int
    rank_ub: int
    model: str  # org/name
    org: str | None
    score: float  # the value of the metric the table is ranked by
    ci_low: float | None  # its 95% interval, when the result has one
    ci_high: float | None
    metrics: dict[str, float | None]  # the benchmark's other metrics, by metric id
    n: int | None  # items scored; None for a reported result
    source: str  # "verified" (scored here) or "reported"
    version: str | None  # the benchmark version a verified result was scored on
    submission: str | None
    updated: str  # ISO date of the result
    link: str | None
    revision: str | None
    model_type: str | None = None  # open-weights, api or fine-tuned, as the submitter said
    params_b: float | None = None  # parameters, in billions
    license: str | None = None

    def as_json(self) -> dict:
        """The REST API's row: the fields, the other metrics flat by id, and ``ci`` in the seeds'
        ``"0.93 - 0.97"`` form."""
        has_ci = self.ci_low is not None and self.ci_high is not None
        return {
            "rank": self.rank, "rank_ub": self.rank_ub, "model": self.model, "org": self.org,
            "score": self.score, "ci": format_interval(self.ci_low, self.ci_high) if has_ci else None,
            "ci_low": self.ci_low, "ci_high": self.ci_high, **self.metrics, "n": self.n, "source": self.source,
            "version": self.version, "submission": self.submission, "updated": self.updated, "link": self.link,
            "revision": self.revision, "model_type": self.model_type, "params_b": self.params_b,
            "license": self.license,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Standing:
    """One model's standing over the benchmarks of a task type."""

    rank: int
    model: str
    mean_score: float
    mean_rank: float
    benchmarks: int  # how many of the task type's benchmarks it has a result on
    of: int  # how many benchmarks the task type has
    model_type: str | None = None  # what its submitter said (``Snapshot.model_facts``)
    params_b: float | None = None
    license: str | None = None

    def as_json(self) -> dict:
        return {
            "rank": self.rank, "model": self.model, "mean_score": self.mean_score, "mean_rank": self.mean_rank,
            "benchmarks": self.benchmarks, "of": self.of, "model_type": self.model_type, "params_b": self.params_b,
            "license": self.license,
        }  # fmt: skip


ALL_TASKS = "all"  # the overall view across every benchmark


def verified_ranked(table: pd.DataFrame) -> pd.DataFrame:
    """A benchmark's table without its reported results, ranked again among the verified ones."""
    kept = table[table["source"] == "verified"].reset_index(drop=True)
    return kept.assign(rank=competition_rank(kept["score"].to_numpy(float)))


def competition_rank(scores: np.ndarray) -> np.ndarray:
    """1 + how many scores are strictly higher: ties share a rank (1, 1, 3)."""
    from scipy.stats import rankdata

    scores = np.asarray(scores, dtype=float)
    if not len(scores):
        return np.zeros(0, dtype=np.int64)
    return rankdata(-scores, method="min").astype(np.int64)


def rank_by_upper_bound(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """1 + how many lower bounds exceed each upper bound."""
    ordered = np.sort(low)
    return 1 + len(low) - np.searchsorted(ordered, high, side="right")


def table_metrics(card: BenchmarkCard, metric: str | None = None) -> tuple[str, list[str]]:
    """(the metric a table is ranked by, the other metrics shown beside it). ``InvalidField`` for a
    metric the benchmark does not have."""
    names = [card.primary_metric, *card.secondary_metrics]
    metric = metric or card.primary_metric
    if metric not in names:
        raise InvalidField("metric", f"{quote(metric)} is not one of {', '.join(names)}")
    return metric, [name for name in names if name != metric]


def current_results(rows: pa.Table, card: BenchmarkCard) -> pa.Table:
    """The results that count (see the module's docstring), of a benchmark's rows
    (``ResultIndex.rows_for``)."""
    if "benchmark_version" in rows.column_names and rows.num_rows:
        version = rows.column("benchmark_version")
        current = pc.or_kleene(pc.is_null(version), pc.equal(version, card.version))
        if not pc.all(current).as_py():
            rows = rows.filter(current)
    if rows.num_rows and pc.count_distinct(rows.column("model")).as_py() < rows.num_rows:
        latest = pd.DataFrame({
            "model": rows.column("model").to_numpy(zero_copy_only=False),
            "at": rows.column("evaluated_at").to_numpy(zero_copy_only=False),
            "reported": pc.equal(rows.column("source"), "reported").to_numpy(zero_copy_only=False),
        })  # fmt: skip
        # stable sort: of two results at the same time, the verified one (reported=False) comes first
        order = latest.sort_values(["at", "reported"], ascending=[True, False], kind="stable")
        rows = rows.take(np.sort(order.drop_duplicates("model", keep="last").index.to_numpy()))
    return rows


def _ranked(rows: pa.Table, card: BenchmarkCard, metric: str | None) -> tuple[pa.Table, int]:
    """(table, how many rows are ranked) of a benchmark by ``metric``: ``HEAD``, the other metrics,
    ``TAIL``, and the other metrics' interval bounds (``lo:<m>``, ``hi:<m>``), best first; after the
    ranked rows, the results that count but have no value for ``metric`` (rank 0)."""
    metric, others = table_metrics(card, metric)
    rows = current_results(rows, card)
    count = rows.num_rows

    def floats(name: str) -> np.ndarray:
        if name not in rows.column_names:
            return np.full(count, np.nan)
        return rows.column(name).to_numpy(zero_copy_only=False).astype(float)  # missing: NaN

    score, low, high = floats(METRIC_PREFIX + metric), floats(LOW_PREFIX + metric), floats(HIGH_PREFIX + metric)
    missing = np.isnan(score)
    keep = np.flatnonzero(~missing)
    rank = competition_rank(score[keep])
    by = pa.table({"rank": rank, "model": rows.column("model").take(keep)})  # ties: by model name
    ordered = keep[pc.sort_indices(by, sort_keys=[("rank", "ascending"), ("model", "ascending")]).to_numpy()]
    order = np.concatenate([ordered, np.flatnonzero(missing)]).astype(np.int64)
    ranked = len(keep)
    rows = rows.take(order)
    score, low, high = score[order], low[order], high[order]
    has_ci = ~(np.isnan(low) | np.isnan(high))
    bound_low, bound_high = np.where(has_ci, low, score)[:ranked], np.where(has_ci, high, score)[:ranked]
    unranked = np.zeros(count - ranked, dtype=np.int64)

    def text(name: str) -> pa.ChunkedArray | pa.Array:
        return rows.column(name) if name in rows.column_names else pa.nulls(count, pa.string())

    def number(values: np.ndarray) -> pa.Array:
        return pa.array(values, type=pa.float64(), from_pandas=True)  # NaN: missing

    columns = {
        "rank": pa.array(np.concatenate([np.sort(rank), unranked])),
        "rank_ub": pa.array(np.concatenate([rank_by_upper_bound(bound_low, bound_high), unranked])),
        "model": text("model"),
        "org": text("org"),
        "score": number(score),
        "ci_low": number(np.where(has_ci, low, np.nan)),
        "ci_high": number(np.where(has_ci, high, np.nan)),
    }
    for name in others:
        columns[name] = number(floats(METRIC_PREFIX + name))  # rows are in table order by now
    columns |= {
        "n": rows.column("n") if "n" in rows.column_names else pa.nulls(count, pa.int64()),
        "source": text("source"),
        "model_type": text("model_type"),
        "params_b": number(floats("params_b")),
        "license": text("license"),
        "version": text("benchmark_version"),
        "submission": text("submission_id"),
        "updated": pc.utf8_slice_codeunits(text("evaluated_at"), 0, 10),
        "link": text("link"),
        "revision": text("revision"),
        "path": text("path"),
    }
    for name in others:
        columns[LOW_PREFIX + name] = number(floats(LOW_PREFIX + name))
        columns[HIGH_PREFIX + name] = number(floats(HIGH_PREFIX + name))
    return pa.table(columns), ranked


def _rows_arrow(rows: dict[str, np.ndarray] | pd.DataFrame | pa.Table) -> pa.Table:
    """Result rows as an Arrow table of ``ResultIndex``'s column types."""
    if isinstance(rows, pa.Table):
        return rows
    if isinstance(rows, pd.DataFrame):
        rows = {name: rows[name].to_numpy() for name in rows.columns}
    arrays = {}
    for name, values in rows.items():
        kind = ROW_TYPES.get(name, pa.float64())
        if kind == pa.int64():
            values = np.asarray(values, dtype=float)
            arrays[name] = pa.array(values, type=pa.float64(), from_pandas=True).cast(pa.int64())
        else:
            arrays[name] = pa.array(values, type=kind, from_pandas=True)
    return pa.table(arrays)


def benchmark_table(
    rows: dict[str, np.ndarray] | pd.DataFrame | pa.Table, card: BenchmarkCard, metric: str | None = None
) -> pd.DataFrame:
    """The leaderboard of one benchmark, best first, from its result rows (``ResultIndex.rows_for``)."""
    rows = _rows_arrow(rows)
    if not rows.num_rows:
        return empty_table(card, metric)
    table, ranked = _ranked(rows, card, metric)
    if not ranked:
        return empty_table(card, metric)
    names = HEAD + table_metrics(card, metric)[1] + TAIL
    return _typed_frame(numpy_columns(table.slice(0, ranked).select(names)), names)


def _typed_frame(columns: dict[str, np.ndarray], names: list[str]) -> pd.DataFrame:
    """A table's DataFrame: ranks as int64, ``n`` as nullable Int64, text as objects with ``None``."""
    # Series on one shared index with explicit dtypes: the DataFrame is assembled without aligning
    # indexes or inferring types (pandas 3 would turn object text into its ``str`` dtype).
    index = pd.RangeIndex(len(columns[names[0]]))
    series = {}
    for name in names:
        values = columns[name]
        if name == "n":
            series[name] = pd.Series(pd.array(values.astype("float64"), dtype="Int64"), index=index)
        elif name in ("rank", "rank_ub"):
            series[name] = pd.Series(values.astype(np.int64), index=index, dtype=np.int64)
        else:
            dtype = object if name in TEXT else np.float64
            series[name] = pd.Series(values, index=index, dtype=dtype, copy=False)
    return pd.DataFrame(series, index=index, copy=False)


def empty_table(card: BenchmarkCard, metric: str | None = None) -> pd.DataFrame:
    metric, others = table_metrics(card, metric)
    types = {"rank": "int64", "rank_ub": "int64", "score": "float64", "ci_low": "float64", "ci_high": "float64",
             "n": "Int64", "params_b": "float64", **dict.fromkeys(others, "float64")}  # fmt: skip
    return pd.DataFrame({c: pd.Series([], dtype=types.get(c, object)) for c in HEAD + others + TAIL})


def rows_of(table: pd.DataFrame) -> list[LeaderboardRow]:
    """A benchmark's table as typed rows."""
    metrics = [c for c in table.columns if c not in HEAD and c not in TAIL]

    def floats(name: str) -> list[float | None]:
        return [None if v != v else float(v) for v in table[name].to_numpy(dtype=float)]

    def texts(name: str) -> list:
        return [None if v is None or v != v else v for v in table[name].tolist()]

    counts = [None if v is pd.NA else int(v) for v in table["n"].astype("Int64")]
    other = {name: floats(name) for name in metrics}
    types, params, licenses = texts("model_type"), floats("params_b"), texts("license")
    return [
        LeaderboardRow(
            rank=int(rank), rank_ub=int(rank_ub), model=model, org=org, score=float(score), ci_low=low,
            ci_high=high, metrics={name: other[name][i] for name in metrics}, n=counts[i], source=source,
            version=version, submission=submission, updated=updated, link=link, revision=revision,
            model_type=types[i], params_b=params[i], license=licenses[i],
        )  # fmt: skip
        for i, (rank, rank_ub, model, org, score, low, high, source, version, submission, updated, link, revision)
        in enumerate(zip(table["rank"].tolist(), table["rank_ub"].tolist(), texts("model"), texts("org"),
                         table["score"].tolist(), floats("ci_low"), floats("ci_high"), texts("source"),
                         texts("version"), texts("submission"), texts("updated"), texts("link"), texts("revision"),
                         strict=True))
    ]  # fmt: skip


def standings_of(table: pd.DataFrame) -> list[Standing]:
    """An overall table as typed rows (with the models' facts when the table has them: ``with_facts``)."""
    count = len(table)
    types = table["model_type"].tolist() if "model_type" in table else [None] * count
    params = [None if v != v else float(v) for v in table["params_b"]] if "params_b" in table else [None] * count
    licenses = table["license"].tolist() if "license" in table else [None] * count
    return [
        Standing(rank=int(r), model=m, mean_score=float(s), mean_rank=float(mr), benchmarks=int(b), of=int(o),
                 model_type=t, params_b=p, license=lic)
        for r, m, s, mr, b, o, t, p, lic in zip(table["rank"], table["model"], table["mean_score"],
                                                table["mean_rank"], table["benchmarks"], table["of"], types, params,
                                                licenses, strict=True)
    ]  # fmt: skip


class RankedTable:
    """One benchmark's leaderboard, best first, as Arrow columns (``_ranked``): the first
    ``length`` rows are ranked; the rest count but have no value for the primary metric (another
    metric may rank them). Never changed once made, so readers in any thread share it."""

    __slots__ = ("card", "length", "_data", "_file")

    def __init__(self, card: BenchmarkCard, data: pa.Table | None, length: int, file: Path | None = None):
        self.card, self.length, self._data, self._file = card, length, data, file

    @property
    def data(self) -> pa.Table:
        """The columns; a table restored from the cache is memory-mapped the first time it is used
        (two readers doing so at once get the same columns)."""
        if self._data is None:
            self._data = read_arrow(self._file)
        return self._data

    @classmethod
    def build(cls, rows: pa.Table, card: BenchmarkCard) -> RankedTable:
        """The table of a benchmark's result rows (``ResultIndex.rows_for``)."""
        table, ranked = _ranked(rows, card, None)
        return cls(card, table, ranked)

    @property
    def names(self) -> list[str]:
        """The table's columns as readers see them (``HEAD``, the other metrics, ``TAIL``)."""
        return HEAD + table_metrics(self.card)[1] + TAIL

    def __len__(self) -> int:
        return self.length

    def frame(self) -> pd.DataFrame:
        """The ranked rows as a DataFrame (columns: ``names``)."""
        if not self.length:
            return empty_table(self.card)
        names = self.names
        return _typed_frame(numpy_columns(self.data.slice(0, self.length).select(names)), names)

    def table(self, metric: str | None = None) -> pd.DataFrame:
        """The table ranked by ``metric`` (the primary metric when ``None``)."""
        if not metric or metric == self.card.primary_metric:
            return self.frame()
        return benchmark_table(self._as_rows(), self.card, metric)

    def rows(self, metric: str | None = None, limit: int | None = None) -> list[LeaderboardRow]:
        if metric and metric != self.card.primary_metric:
            table = self.table(metric)
            return rows_of(table if limit is None else table.head(limit))
        count = self.length if limit is None else min(limit, self.length)
        return self._rows(0, count)

    def row_of(self, model: str) -> LeaderboardRow | None:
        """The row of ``model`` (``org/name``), if it has a result that counts."""
        at = self._index_of(model)
        return self._rows(at, 1)[0] if at is not None else None

    def path_of(self, model: str) -> str | None:
        """The results-dataset path of the result that counts for ``model``."""
        at = self._index_of(model)
        return self.data.column("path")[at].as_py() if at is not None else None

    def standings_columns(self) -> tuple[pa.ChunkedArray, np.ndarray, np.ndarray]:
        """(model, score, rank) of the ranked rows: what the overall table is made of."""
        ranked = self.data.slice(0, self.length)
        return (ranked.column("model"), ranked.column("score").to_numpy(), ranked.column("rank").to_numpy())

    def _index_of(self, model: str) -> int | None:
        if not self.length:
            return None
        at = pc.index(self.data.column("model").slice(0, self.length), model).as_py()
        return at if at >= 0 else None

    def _rows(self, start: int, count: int) -> list[LeaderboardRow]:
        others = table_metrics(self.card)[1]
        part = self.data.slice(start, count).select(self.names).to_pydict()
        metrics = [part[name] for name in others]
        types, params, licenses = part["model_type"], part["params_b"], part["license"]
        return [
            LeaderboardRow(
                rank=rank, rank_ub=rank_ub, model=model, org=org, score=score, ci_low=low, ci_high=high,
                metrics={name: values[i] for name, values in zip(others, metrics, strict=True)}, n=n,
                source=source, version=version, submission=submission, updated=updated, link=link, revision=revision,
                model_type=types[i], params_b=None if params[i] != params[i] else params[i], license=licenses[i],
            )  # fmt: skip
            for i, (rank, rank_ub, model, org, score, low, high, n, source, version, submission, updated, link,
                    revision)
            in enumerate(zip(part["rank"], part["rank_ub"], part["model"], part["org"], part["score"], part["ci_low"],
                             part["ci_high"], part["n"], part["source"], part["version"], part["submission"],
                             part["updated"], part["link"], part["revision"], strict=True))
        ]  # fmt: skip

    def _as_rows(self) -> pa.Table:
        """The results that count, as result rows again (to rank them by another metric)."""
        data = self.data
        primary, others = self.card.primary_metric, table_metrics(self.card)[1]
        names = {
            "model": "model", "org": "org", METRIC_PREFIX + primary: "score", LOW_PREFIX + primary: "ci_low",
            HIGH_PREFIX + primary: "ci_high", "n": "n", "source": "source", "benchmark_version": "version",
            "submission_id": "submission", "evaluated_at": "updated", "link": "link", "revision": "revision",
            "model_type": "model_type", "params_b": "params_b", "license": "license", "path": "path",
        }  # fmt: skip
        for name in others:
            names |= {METRIC_PREFIX + name: name, LOW_PREFIX + name: LOW_PREFIX + name,
                      HIGH_PREFIX + name: HIGH_PREFIX + name}  # fmt: skip
        return pa.table({row: data.column(column) for row, column in names.items()})


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _overall_frame(table: pa.Table) -> pd.DataFrame:
    """An overall table read back from the cache, typed as ``overall_table`` makes it."""
    columns = numpy_columns(table)
    index = pd.RangeIndex(table.num_rows)
    types = {"rank": np.int64, "model": object, "mean_score": np.float64, "mean_rank": np.float64,
             "benchmarks": np.int64, "of": np.int64}  # fmt: skip
    return pd.DataFrame({name: pd.Series(columns[name], index=index, dtype=types[name]) for name in OVERALL_COLUMNS})


def overall_table(tables: dict[str, pd.DataFrame | RankedTable], of: int | None = None) -> pd.DataFrame:
    """Mean score and mean rank of each model over the given benchmarks' tables (ranked by their
    primary metric), with how many of the ``of`` benchmarks that is. Sums in table order, so the
    same tables always give the same numbers."""
    of = len(tables) if of is None else of
    models, scores, ranks = [], [], []
    for table in tables.values():
        if isinstance(table, RankedTable):
            model, score, rank = table.standings_columns()
            models.extend(model.chunks)
        else:
            model, score, rank = table["model"], table["score"].to_numpy(float), table["rank"].to_numpy(float)
            models.append(pa.array(model.tolist(), type=pa.string()))
        scores.append(score)
        ranks.append(rank)
    total = sum(len(s) for s in scores)
    if not total:
        return pd.DataFrame({c: pd.Series([], dtype=object if c == "model" else "float64") for c in OVERALL_COLUMNS})
    encoded = pc.dictionary_encode(pa.chunked_array(models, type=pa.string()).combine_chunks())
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    names = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    counts = np.bincount(codes, minlength=len(names))
    mean_score = np.bincount(codes, weights=np.concatenate(scores).astype(float), minlength=len(names)) / counts
    mean_rank = np.bincount(codes, weights=np.concatenate(ranks).astype(float), minlength=len(names)) / counts
    rank = competition_rank(mean_score)
    order = np.lexsort((names, rank))
    index = pd.RangeIndex(len(order))
    return pd.DataFrame({
        "rank": pd.Series(rank[order], index=index, dtype=np.int64),
        "model": pd.Series(names[order], index=index, dtype=object),
        "mean_score": pd.Series(mean_score[order], index=index),
        "mean_rank": pd.Series(mean_rank[order], index=index),
        "benchmarks": pd.Series(counts[order], index=index, dtype=np.int64),
        "of": pd.Series(np.full(len(order), of, dtype=np.int64), index=index),
    })  # fmt: skip


def model_facts_of(tables: dict[str, RankedTable]) -> pd.DataFrame:
    """What the submitters said of each model (``model``, ``model_type``, ``params_b``,
    ``license``), one row per model that said anything: the whole description of its newest result
    that counts and says anything (by date, then benchmark id), never fields of different results
    mixed."""
    fields = ["model_type", "params_b", "license"]
    parts = []
    for benchmark in sorted(tables):
        table = tables[benchmark]
        if not table.length:
            continue
        data = table.data.slice(0, table.length).select(["model", "updated", *fields])
        sized = pc.fill_null(pc.invert(pc.is_nan(data["params_b"])), False)  # (null and NaN: unsaid)
        said = pc.or_(pc.or_(pc.is_valid(data["model_type"]), pc.is_valid(data["license"])), sized)
        if pc.any(said).as_py():
            parts.append(data.filter(said).to_pandas())
    if not parts:
        types = {"model": object, "model_type": object, "params_b": float, "license": object}
        return pd.DataFrame({name: pd.Series([], dtype=kind) for name, kind in types.items()})
    found = pd.concat(parts, ignore_index=True).sort_values("updated", ascending=False, kind="stable")
    found = found.drop_duplicates("model", keep="first")[["model", *fields]].reset_index(drop=True)
    for name in ("model", "model_type", "license"):
        found[name] = found[name].astype(object).where(found[name].notna(), None)
    return found


class _Frames:
    """The tables most recently asked for as DataFrames (a few: every table is kept as Arrow)."""

    def __init__(self, size: int = FRAMES_KEPT):
        self.size = size
        self._kept: OrderedDict[tuple, tuple[RankedTable, pd.DataFrame]] = OrderedDict()
        self._lock = threading.Lock()  # held for a dictionary operation, never while a table is built

    def get(self, ranked: RankedTable, metric: str | None) -> pd.DataFrame:
        key = (id(ranked), metric or ranked.card.primary_metric)
        with self._lock:
            found = self._kept.get(key)
            if found is not None and found[0] is ranked:
                self._kept.move_to_end(key)
                return found[1]
        frame = ranked.table(metric)
        with self._lock:
            self._kept[key] = (ranked, frame)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return frame


@dataclass(frozen=True)
class Snapshot:
    """The leaderboard as of one refresh: what a server's readers are given. Never changed: a
    refresh publishes a new one, so a reader never waits for one and never sees half of one.

    ``version`` counts changes to any table, ``versions[benchmark]`` to one table, ``cards_version``
    to the set of benchmarks (ids, names, task types, languages).
    """

    cards: dict[str, BenchmarkCard]
    tables: dict[str, RankedTable]
    overalls: dict[str, pd.DataFrame]
    problems: dict[str, str]
    version: int
    versions: dict[str, int]
    cards_version: int
    frames: _Frames
    memo: dict  # things derived from this snapshot on first use (the models list)

    def card(self, benchmark: str) -> BenchmarkCard:
        card = self.cards.get(benchmark)
        if card is None:
            raise UnknownBenchmark(f"no benchmark {quote(benchmark)}")
        return card

    def ranked(self, benchmark: str) -> RankedTable:
        self.card(benchmark)
        return self.tables[benchmark]

    def table(self, benchmark: str, metric: str | None = None) -> pd.DataFrame:
        ranked = self.ranked(benchmark)
        table_metrics(ranked.card, metric)  # InvalidField for a metric the benchmark does not have
        return self.frames.get(ranked, metric)

    def rows(self, benchmark: str, metric: str | None = None, limit: int | None = None) -> list[LeaderboardRow]:
        ranked = self.ranked(benchmark)
        table_metrics(ranked.card, metric)
        return ranked.rows(metric, limit)

    def row_of(self, benchmark: str, model: str) -> LeaderboardRow | None:
        return self.ranked(benchmark).row_of(model)

    def result_path(self, benchmark: str, model: str) -> str | None:
        return self.ranked(benchmark).path_of(model)

    def overall(self, task_type: str, verified_only: bool = False) -> pd.DataFrame:
        """The overall table of a task type (``ALL_TASKS``: of every benchmark, whatever its metric);
        ``verified_only``: from verified results alone, each benchmark ranked again without the
        reported ones. Computed once per snapshot."""
        if not verified_only and task_type != ALL_TASKS:
            found = self.overalls.get(task_type)
            return found if found is not None else overall_table({}, of=0)
        key = ("overall", task_type, verified_only)
        found = self.memo.get(key)
        if found is None:
            ids = [b for b, card in self.cards.items() if task_type in (ALL_TASKS, card.task_type)]
            if not verified_only:
                found = self.memo[key] = overall_table({b: self.ranked(b) for b in ids}, of=len(ids))
                return found
            found = self.memo[key] = overall_table({b: verified_ranked(self.table(b)) for b in ids}, of=len(ids))
        return found

    def model_facts(self) -> pd.DataFrame:
        """What the submitters said of each model (``model_facts_of``), made once per snapshot, for
        views across benchmarks (the overall tables) to show and filter by."""
        found = self.memo.get("facts")
        if found is None:
            found = self.memo["facts"] = model_facts_of(self.tables)
        return found

    def standings(self, task_type: str, limit: int | None = None) -> list[Standing]:
        """The overall table of a task type as typed rows, each with what its submitter said of it."""
        from podium.model_metadata import with_facts

        table = self.overall(task_type)
        return standings_of(with_facts(table if limit is None else table.head(limit), self.model_facts()))

    def results(self) -> pd.DataFrame:
        """(benchmark, model) of every result that counts, with categorical columns."""
        found = self.memo.get("results")
        if found is None:
            parts = [(b, t.data.column("model").slice(0, t.length)) for b, t in self.tables.items() if t.length]
            models = pa.chunked_array([chunk for _, c in parts for chunk in c.chunks], type=pa.string())
            encoded = pc.dictionary_encode(models.combine_chunks())
            codes = np.repeat(np.arange(len(parts)), [len(c) for _, c in parts])
            found = pd.DataFrame({
                "benchmark": pd.Categorical.from_codes(codes, [b for b, _ in parts]),
                "model": pd.Categorical.from_codes(encoded.indices.to_numpy(zero_copy_only=False),
                                                   encoded.dictionary.to_pylist()),
            })  # fmt: skip
            self.memo["results"] = found
        return found


class Leaderboard:
    """The tables of every benchmark in a data home, refreshed without re-reading unchanged files.

    Called from one thread at a time (the refresher; a lock makes sure): ``refresh`` picks up
    changes, the read methods build what they need on first use, ``publish`` makes a ``Snapshot``
    that other threads may read while the next refresh runs.
    """

    def __init__(self, home: Home, *, use_cache: bool = True, cache_save_seconds: float = 30.0):
        self.home = home
        self.store = BenchmarkStore(home)
        self.index = ResultIndex(home)
        self.use_cache = use_cache
        self.cache_save_seconds = cache_save_seconds
        self.snapshot: Snapshot | None = None  # the last one published
        self._tables: dict[str, RankedTable] = {}  # built, or restored from the cache
        self._overalls: dict[str, pd.DataFrame] = {}
        self._cards: dict[str, BenchmarkCard] = {}
        self._card_stamps: dict[str, tuple] = {}
        self._unpublished: set[str] = set()
        self._versions: dict[str, int] = {}
        self._version = 0
        self._cards_version = 0
        self._catalogue: tuple = ()
        self._frames = _Frames()
        self._saved_tables: dict[str, tuple[RankedTable, str]] = {}  # benchmark -> (table, its cache file)
        self._lock = threading.RLock()
        self._loaded = False
        self._dirty = False
        self._last_save = 0.0
        self.timings: dict[str, float] = {}  # seconds: "save" (the last cache write)

    def refresh(self, force: bool = False) -> set[str]:
        """Pick up new or changed result files and benchmarks; the benchmark ids whose tables changed.
        ``force``: stat every file now, not only the sweep's next share."""
        with self._lock:
            if not self._loaded:
                changed = self.index.load() if self.use_cache else self.index.refresh(full=True)
                self._loaded = True
                self._dirty = bool(changed) or not self.index.cache_path.is_file()
                if not self._dirty:
                    self._last_save = time.monotonic()
            else:
                changed = self.index.refresh(full=force)
                self._dirty |= bool(changed)
            first = not self._cards
            results_changed = set(changed)
            changed |= self._refresh_cards()
            for benchmark in changed:
                self._tables.pop(benchmark, None)
                card = self._cards.get(benchmark)
                if card is not None:
                    self._overalls.pop(card.task_type, None)
            if first and self.use_cache:
                self._load_tables(results_changed)
            self._unpublished |= changed
            if self.use_cache and self._dirty and time.monotonic() - self._last_save >= self.cache_save_seconds:
                self.save()
            return changed

    def publish(self) -> Snapshot:
        """Build every table not built yet and the overall table of every task type whose tables
        changed, then make them the ``snapshot`` readers see (one assignment: atomic)."""
        with self._lock:
            if not self._loaded:
                self.refresh()
            changed, self._unpublished = self._unpublished, set()
            if changed:
                self._version += 1
                for benchmark in changed:
                    self._versions[benchmark] = self._versions.get(benchmark, 0) + 1
            cards = self.cards
            catalogue = tuple((c.id, c.name, c.task_type, tuple(c.languages)) for c in cards.values())
            if catalogue != self._catalogue:
                self._catalogue = catalogue
                self._cards_version += 1
            tables = {benchmark: self._ranked(benchmark) for benchmark in cards}
            overalls = {task_type: self.overall(task_type) for task_type in {c.task_type for c in cards.values()}}
            self.snapshot = Snapshot(cards, tables, overalls, dict(self.index.problems), self._version,
                                     dict(self._versions), self._cards_version, self._frames, {})  # fmt: skip
            return self.snapshot

    def save(self) -> None:
        """Write the caches now (also done by ``refresh`` at most every ``cache_save_seconds``)."""
        with self._lock:
            if not (self.use_cache and self._dirty):
                return
            self._last_save = started = time.monotonic()
            try:
                generation = self.index.save_cache()
                self._save_tables(generation)
                self.timings["save"] = time.monotonic() - started
            except (OSError, ValueError, ArithmeticError, pa.ArrowException) as exc:
                # The caches only speed up the next start: a failure to write them must never fail
                # the refresh that happened to trigger the save.
                log.warning("could not save the results cache: %s", exc)
                return
            self._dirty = False

    # ------------------------------------------------------------------ reading (the refresher's thread)

    @property
    def cards(self) -> dict[str, BenchmarkCard]:
        if not self._loaded:
            self.refresh()
        return dict(sorted(self._cards.items()))

    @property
    def problems(self) -> dict[str, str]:
        return self.index.problems

    def card(self, benchmark: str) -> BenchmarkCard:
        """The card of a benchmark on the board; ``UnknownBenchmark`` otherwise."""
        card = self.cards.get(benchmark)
        if card is None:
            raise UnknownBenchmark(f"no benchmark {quote(benchmark)}")
        return card

    def table(self, benchmark: str, metric: str | None = None) -> pd.DataFrame:
        """The benchmark's table (columns: ``LeaderboardRow``'s fields), best first; by ``metric``
        when given (``InvalidField`` when the benchmark has no such metric)."""
        ranked = self.ranked(benchmark)
        table_metrics(ranked.card, metric)
        return self._frames.get(ranked, metric)

    def ranked(self, benchmark: str) -> RankedTable:
        with self._lock:
            if not self._loaded:
                self.refresh()
            if benchmark not in self._cards:
                self._cards[benchmark] = self.store.card(benchmark)  # UnknownBenchmark if there is none
            return self._ranked(benchmark)

    def rows(self, benchmark: str, metric: str | None = None, limit: int | None = None) -> list[LeaderboardRow]:
        ranked = self.ranked(benchmark)
        table_metrics(ranked.card, metric)
        return ranked.rows(metric, limit)

    def row_of(self, benchmark: str, model: str) -> LeaderboardRow | None:
        """The row of ``model`` (``org/name``) on the benchmark, if it has a result that counts."""
        return self.ranked(benchmark).row_of(model)

    def result_path(self, benchmark: str, model: str) -> str | None:
        """The results-dataset path of the result that counts for ``model`` on the benchmark."""
        return self.ranked(benchmark).path_of(model)

    def overall(self, task_type: str) -> pd.DataFrame:
        with self._lock:
            found = self._overalls.get(task_type)
            if found is None:
                ids = [b for b, card in self.cards.items() if card.task_type == task_type]
                found = self._overalls[task_type] = overall_table({b: self._ranked(b) for b in ids}, of=len(ids))
            return found

    def standings(self, task_type: str, limit: int | None = None) -> list[Standing]:
        """As ``Snapshot.standings`` gives them (with the models' facts, from every benchmark's
        table), without publishing a snapshot."""
        from podium.model_metadata import with_facts

        table = self.overall(task_type)
        facts = model_facts_of({b: self._ranked(b) for b in self.cards})
        return standings_of(with_facts(table if limit is None else table.head(limit), facts))

    def _ranked(self, benchmark: str) -> RankedTable:
        ranked = self._tables.get(benchmark)
        if ranked is None:
            card = self._cards[benchmark]
            ranked = self._tables[benchmark] = RankedTable.build(self.index.rows_for(benchmark), card)
            self._overalls.pop(card.task_type, None)
        return ranked

    # ------------------------------------------------------------------ cards and the tables cache

    @property
    def _tables_path(self) -> Path:
        return self.index.cache_path.with_name("tables.parquet")

    @staticmethod
    def _card_key(card: BenchmarkCard) -> str:
        return hashlib.sha256((TABLES_FORMAT + card.model_dump_json()).encode()).hexdigest()[:16]

    def _save_tables(self, generation: str) -> None:
        """Each table, and each task type's overall table, in its own Arrow file (written again only
        when it changed), named by a manifest that also names the results cache they were built from."""
        folder = self.index.cache_path.parent / "index"
        token = secrets.token_hex(6)
        entries = []
        for benchmark, card in sorted(self._cards.items()):
            ranked = self._ranked(benchmark)
            saved = self._saved_tables.get(benchmark)
            if saved is None or saved[0] is not ranked:
                file = f"t-{_digest(benchmark)}-{token}.arrow"
                write_arrow(folder / file, ranked.data)
                # from now on served from the file (memory-mapped): no copy kept in memory
                ranked = self._tables[benchmark] = RankedTable(card, read_arrow(folder / file), ranked.length)
                self._saved_tables[benchmark] = (ranked, file)
            entries.append(("table", benchmark, self._card_key(card), self._saved_tables[benchmark][1], ranked.length))
        for task_type in sorted({card.task_type for card in self._cards.values()}):
            file = f"o-{_digest(task_type)}-{token}.arrow"
            write_arrow(folder / file, pa.Table.from_pandas(self.overall(task_type), preserve_index=False))
            entries.append(("overall", task_type, self._overall_key(task_type), file, 0))
        names = ["kind", "benchmark", "key", "file", "length"]
        manifest = pa.table({name: [entry[i] for entry in entries] for i, name in enumerate(names)})
        meta = {"podium_tables": TABLES_FORMAT, "root": str(self.home.root), "generation": generation}
        write_parquet(self._tables_path, manifest, meta)
        remove_garbage(folder, ("t-", "o-"), {entry[3] for entry in entries})

    def preload(self, count: int = 64) -> bool:
        """Map up to ``count`` of the tables restored from the cache that nobody used yet (a start maps
        none: it is quick whatever the size; the refresher maps them soon after, a few at a time).
        True if a table had to be built again (its file was gone): then publish again."""
        rebuilt = False
        with self._lock:
            for benchmark, ranked in [(b, t) for b, t in self._tables.items() if t._data is None][:count]:
                try:
                    ranked.data  # noqa: B018 - mapped now
                except (OSError, pa.ArrowInvalid):
                    del self._tables[benchmark]
                    self._unpublished.add(benchmark)
                    self._ranked(benchmark)
                    rebuilt = True
        return rebuilt

    def _overall_key(self, task_type: str) -> str:
        """What a task type's overall table is made of: its benchmarks and their cards."""
        cards = sorted((b, self._card_key(c)) for b, c in self._cards.items() if c.task_type == task_type)
        return _digest(repr(cards))

    def _load_tables(self, changed: set[str]) -> None:
        """Tables of a previous process, for every benchmark whose results and card are unchanged (read
        when first used), and the overall tables of task types whose tables all are."""
        try:
            manifest = read_parquet(self._tables_path)
        except (OSError, pa.ArrowInvalid):
            return
        meta = manifest.schema.metadata or {}
        expected = {b"podium_tables": TABLES_FORMAT.encode(), b"root": str(self.home.root).encode(),
                    b"generation": (self.index.generation or "").encode()}  # fmt: skip
        if any(meta.get(k) != v for k, v in expected.items()):
            return
        folder = self.index.cache_path.parent / "index"
        entries = manifest.to_pydict()
        overalls = []
        for kind, name, key, file, length in zip(entries["kind"], entries["benchmark"], entries["key"],
                                                 entries["file"], entries["length"], strict=True):  # fmt: skip
            if kind == "overall":
                overalls.append((name, key, file))
                continue
            card = self._cards.get(name)
            if card is None or name in changed or key != self._card_key(card) or not (folder / file).is_file():
                continue
            self._tables[name] = RankedTable(card, None, length, folder / file)
            self._saved_tables[name] = (self._tables[name], file)
        for task_type, key, file in overalls:
            ids = [b for b, card in self._cards.items() if card.task_type == task_type]
            if key != self._overall_key(task_type) or any(b not in self._tables for b in ids):
                continue
            try:
                self._overalls[task_type] = _overall_frame(read_arrow(folder / file))
            except (OSError, pa.ArrowInvalid):
                continue

    def _refresh_cards(self) -> set[str]:
        """Re-read only the cards whose files changed."""
        changed = set()
        seen = set()
        root = self.store.home.benchmarks_dir
        entries = os.scandir(root) if root.is_dir() else ()
        with contextlib.ExitStack() as stack:
            if entries:
                stack.enter_context(entries)
            for entry in entries:
                path = Path(entry.path) / "card.json"
                try:
                    st = path.stat()
                except (FileNotFoundError, NotADirectoryError):
                    continue
                stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
                seen.add(entry.name)
                if self._card_stamps.get(entry.name) == stamp:
                    continue
                try:
                    card = BenchmarkCard.read(path)
                except FormatError:
                    continue
                self._card_stamps[entry.name] = stamp
                if self._cards.get(card.id) != card:
                    self._cards[card.id] = card
                    changed.add(card.id)
        for gone in set(self._cards) - seen:
            self._cards.pop(gone)
            self._card_stamps.pop(gone, None)
            changed.add(gone)
        if changed:  # a benchmark that came, left, or changed task type: every overall table is made again
            self._overalls.clear()
        return changed

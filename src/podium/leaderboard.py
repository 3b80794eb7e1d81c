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

A benchmark's table is a DataFrame whose columns are the fields of ``LeaderboardRow`` (typed: ints,
floats with NaN for missing, text as objects with ``None``), plus ``path`` (the result file, for the
page's breakdown); ``rows`` turns it into ``LeaderboardRow`` objects.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from podium import atomic
from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import InvalidField, quote
from podium.results import HIGH_PREFIX, LOW_PREFIX, METRIC_PREFIX, ResultIndex
from podium.schema import BenchmarkCard, FormatError, format_interval

HEAD = ["rank", "rank_ub", "model", "org", "score", "ci_low", "ci_high"]
TAIL = ["n", "source", "version", "submission", "updated", "link", "revision", "path"]
OVERALL_COLUMNS = ["rank", "model", "mean_score", "mean_rank", "benchmarks", "of"]
TABLES_FORMAT = "rows-1"  # the stored tables' layout; a cache of another layout is ignored

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

    def as_json(self) -> dict:
        """The REST API's row: the fields, the other metrics flat by id, and ``ci`` in the seeds'
        ``"0.93 - 0.97"`` form."""
        has_ci = self.ci_low is not None and self.ci_high is not None
        return {
            "rank": self.rank, "rank_ub": self.rank_ub, "model": self.model, "org": self.org,
            "score": self.score, "ci": format_interval(self.ci_low, self.ci_high) if has_ci else None,
            "ci_low": self.ci_low, "ci_high": self.ci_high, **self.metrics, "n": self.n, "source": self.source,
            "version": self.version, "submission": self.submission, "updated": self.updated, "link": self.link,
            "revision": self.revision,
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

    def as_json(self) -> dict:
        return {
            "rank": self.rank, "model": self.model, "mean_score": self.mean_score, "mean_rank": self.mean_rank,
            "benchmarks": self.benchmarks, "of": self.of,
        }  # fmt: skip


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


def current_results(rows: dict[str, np.ndarray], card: BenchmarkCard) -> dict[str, np.ndarray]:
    """The results that count (see the module's docstring), from ``ResultIndex.arrays_for``."""
    versions = rows.get("benchmark_version")
    if versions is not None:
        current = np.array([v is None or v != v or v == card.version for v in versions], dtype=bool)
        if not current.all():
            rows = {name: values[current] for name, values in rows.items()}
    model = rows.get("model")
    if model is not None and len(set(model)) < len(model):
        latest = pd.DataFrame({"model": model, "at": rows["evaluated_at"], "reported": rows["source"] == "reported"})
        # stable sort: of two results at the same time, the verified one (reported=False) comes first
        order = latest.sort_values(["at", "reported"], ascending=[True, False], kind="stable")
        keep = np.sort(order.drop_duplicates("model", keep="last").index.to_numpy())
        rows = {name: values[keep] for name, values in rows.items()}
    return rows


def benchmark_table(
    rows: dict[str, np.ndarray] | pd.DataFrame, card: BenchmarkCard, metric: str | None = None
) -> pd.DataFrame:
    """The leaderboard of one benchmark, best first, from its result rows (``ResultIndex.arrays_for``)."""
    if isinstance(rows, pd.DataFrame):
        rows = {name: rows[name].to_numpy() for name in rows.columns}
    metric, others = table_metrics(card, metric)
    columns = HEAD + others + TAIL
    rows = current_results(rows, card)
    if not len(rows.get("model", ())):
        return empty_table(card, metric)

    def floats(prefix: str, name: str) -> np.ndarray:
        values = rows.get(prefix + name)
        return np.full(len(rows["model"]), np.nan) if values is None else values.astype(float)

    score, low, high = floats(METRIC_PREFIX, metric), floats(LOW_PREFIX, metric), floats(HIGH_PREFIX, metric)
    keep = np.flatnonzero(~np.isnan(score))
    rank = competition_rank(score[keep])
    order = keep[np.lexsort((rows["model"][keep].astype(str), rank))]
    score, low, high = score[order], low[order], high[order]
    has_ci = ~(np.isnan(low) | np.isnan(high))

    def text(name: str) -> np.ndarray:
        values = rows.get(name)
        if values is None:
            return np.full(len(order), None, dtype=object)
        return np.array([None if v != v else v for v in values[order]], dtype=object)

    table = {
        "rank": np.sort(rank),
        "rank_ub": rank_by_upper_bound(np.where(has_ci, low, score), np.where(has_ci, high, score)),
        "model": text("model"),
        "org": text("org"),
        "score": score,
        "ci_low": np.where(has_ci, low, np.nan),
        "ci_high": np.where(has_ci, high, np.nan),
    }
    for name in others:
        table[name] = floats(METRIC_PREFIX, name)[order]
    table |= {
        "n": pd.array(rows["n"][order].astype("float64"), dtype="Int64"),
        "source": text("source"),
        "version": text("benchmark_version"),
        "submission": text("submission_id"),
        "updated": np.array([str(v)[:10] for v in rows["evaluated_at"][order]], dtype=object),
        "link": text("link"),
        "revision": text("revision"),
        "path": text("path"),
    }
    index = pd.RangeIndex(len(order))  # explicit dtypes: pandas 3 would turn object text into ``str``
    return pd.DataFrame({name: pd.Series(table[name], index=index, dtype=_dtype(table[name])) for name in columns})


def _dtype(values) -> object:
    return values.dtype if isinstance(values, np.ndarray | pd.api.extensions.ExtensionArray) else object


def empty_table(card: BenchmarkCard, metric: str | None = None) -> pd.DataFrame:
    metric, others = table_metrics(card, metric)
    types = {"rank": "int64", "rank_ub": "int64", "score": "float64", "ci_low": "float64", "ci_high": "float64",
             "n": "Int64", **dict.fromkeys(others, "float64")}  # fmt: skip
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
    return [
        LeaderboardRow(
            rank=int(rank), rank_ub=int(rank_ub), model=model, org=org, score=float(score), ci_low=low,
            ci_high=high, metrics={name: other[name][i] for name in metrics}, n=counts[i], source=source,
            version=version, submission=submission, updated=updated, link=link, revision=revision,
        )  # fmt: skip
        for i, (rank, rank_ub, model, org, score, low, high, source, version, submission, updated, link, revision)
        in enumerate(zip(table["rank"].tolist(), table["rank_ub"].tolist(), texts("model"), texts("org"),
                         table["score"].tolist(), floats("ci_low"), floats("ci_high"), texts("source"),
                         texts("version"), texts("submission"), texts("updated"), texts("link"), texts("revision"),
                         strict=True))
    ]  # fmt: skip


def standings_of(table: pd.DataFrame) -> list[Standing]:
    return [
        Standing(rank=int(r), model=m, mean_score=float(s), mean_rank=float(mr), benchmarks=int(b), of=int(o))
        for r, m, s, mr, b, o in zip(table["rank"], table["model"], table["mean_score"], table["mean_rank"],
                                     table["benchmarks"], table["of"], strict=True)
    ]  # fmt: skip


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    """An Arrow table back as the DataFrame it was written from: text columns as ``object`` with
    ``None`` for missing values, as ``benchmark_table`` builds them. ``to_pandas`` alone gives
    pandas 3's ``str`` dtype, whose missing value is NaN: a result without a link came back from
    the cache with Link NaN, which the page cannot show."""
    return _frame(_numpy_columns(table), table.column_names, 0, table.num_rows)


def _numpy_columns(table: pa.Table) -> dict[str, np.ndarray]:
    """Each column as one numpy array: text as ``object`` with ``None``, numbers as they are (NaN
    for missing). Converted once for all the tables stored together; each table takes views."""
    arrays = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        values = column.to_numpy(zero_copy_only=False)
        if (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) and values.dtype != object:
            values = values.astype(object)
        arrays[name] = values
    return arrays


def _frame(arrays: dict[str, np.ndarray], columns: list[str], start: int, length: int) -> pd.DataFrame:
    # Series on one shared index with explicit dtypes: the DataFrame is assembled without aligning
    # indexes or inferring types (pandas 3 would turn object text into its ``str`` dtype).
    index = pd.RangeIndex(length)
    series = {}
    for name in columns:
        values = arrays[name][start : start + length]
        series[name] = pd.Series(values, index=index, dtype=values.dtype, copy=False)
    return pd.DataFrame(series, index=index, copy=False)


def overall_table(tables: dict[str, pd.DataFrame], of: int | None = None) -> pd.DataFrame:
    """Mean score and mean rank of each model over the given benchmarks' tables (ranked by their
    primary metric), with how many of the ``of`` benchmarks that is."""
    of = len(tables) if of is None else of
    parts = [t[["model", "score", "rank"]].assign(benchmark=b) for b, t in tables.items() if not t.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype=object if c == "model" else "float64") for c in OVERALL_COLUMNS})
    stacked = pd.concat(parts, ignore_index=True)
    grouped = stacked.groupby("model").agg(
        mean_score=("score", "mean"), mean_rank=("rank", "mean"), benchmarks=("benchmark", "count")
    )
    grouped = grouped.reset_index()
    grouped["rank"] = competition_rank(grouped["mean_score"].to_numpy())
    grouped["of"] = of
    grouped["model"] = pd.Series(grouped["model"].tolist(), dtype=object)
    return grouped.sort_values(["rank", "model"], kind="stable").reset_index(drop=True)[OVERALL_COLUMNS]


class Leaderboard:
    """The tables of every benchmark in a data home, refreshed without re-reading unchanged files."""

    def __init__(self, home: Home, *, use_cache: bool = True, cache_save_seconds: float = 30.0):
        self.home = home
        self.store = BenchmarkStore(home)
        self.index = ResultIndex(home)
        self.use_cache = use_cache
        self.cache_save_seconds = cache_save_seconds
        self._tables: dict[str, pd.DataFrame] = {}
        self._cards: dict[str, BenchmarkCard] = {}
        self._card_stamps: dict[str, tuple] = {}
        self._loaded = False
        self._dirty = False
        self._last_save = 0.0

    def refresh(self, force: bool = False) -> set[str]:
        """Pick up new or changed result files and benchmarks; the benchmark ids whose tables changed."""
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
        if first and self.use_cache:
            self._load_tables(results_changed)
        if self.use_cache and self._dirty and time.monotonic() - self._last_save >= self.cache_save_seconds:
            self.save()
        return changed

    def save(self) -> None:
        """Write the caches now (also done by ``refresh`` at most every ``cache_save_seconds``)."""
        if self.use_cache and self._dirty:
            self._last_save = time.monotonic()
            try:
                self.index.save_cache()
                self._save_tables()
            except (OSError, ValueError, ArithmeticError, pa.ArrowException) as exc:
                # The caches only speed up the next start: a failure to write them must never fail
                # the request that happened to trigger the save.
                log.warning("could not save the results cache: %s", exc)
                return
            self._dirty = False

    @property
    def _tables_path(self) -> Path:
        return self.index.cache_path.with_name("tables.parquet")

    @staticmethod
    def _card_key(card: BenchmarkCard) -> str:
        return hashlib.sha256((TABLES_FORMAT + card.model_dump_json()).encode()).hexdigest()[:16]

    def _save_tables(self) -> None:
        """All tables in one parquet file, benchmark by benchmark, with the cards they were built for."""
        parts, keys = [], {}
        for benchmark, card in sorted(self._cards.items()):
            table = self.table(benchmark)
            keys[benchmark] = [self._card_key(card), len(table)]
            parts.append(pa.Table.from_pandas(table.astype({"n": "float64"}), preserve_index=False))
        if not parts:
            return
        meta = {"podium_tables": json.dumps(keys), "root": str(self.home.root)}
        combined = pa.concat_tables(parts, promote_options="permissive").replace_schema_metadata(meta)
        sink = pa.BufferOutputStream()
        pq.write_table(combined, sink)
        atomic.write_bytes(self._tables_path, sink.getvalue().to_pybytes())

    def _load_tables(self, changed: set[str]) -> None:
        """Tables of a previous process, for every benchmark whose results and card are unchanged."""
        if not self._tables_path.is_file():
            return
        try:
            stored = pq.read_table(self._tables_path)
            meta = stored.schema.metadata or {}
            if meta.get(b"root") != str(self.home.root).encode():
                return
            keys = json.loads(meta[b"podium_tables"])
        except (OSError, KeyError, ValueError, pa.ArrowInvalid):
            return
        stored = stored.replace_schema_metadata(None)
        arrays: dict[str, np.ndarray] | None = None
        offset = 0
        for benchmark, (key, length) in keys.items():
            card = self._cards.get(benchmark)
            # An empty table is built in no time, and its columns have no types to restore.
            if card is not None and benchmark not in changed and key == self._card_key(card) and length:
                columns = HEAD + table_metrics(card)[1] + TAIL
                if arrays is None:  # every column converted once, not once per benchmark
                    arrays = _numpy_columns(stored)
                if any(name not in arrays for name in columns):
                    offset += length
                    continue
                table = _frame(arrays, columns, offset, length)
                table["n"] = table["n"].astype("Int64")  # stored as float (nullable); a count again
                for name in ("rank", "rank_ub"):
                    table[name] = table[name].astype("int64")
                self._tables[benchmark] = table
            offset += length

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
        return changed

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
        from podium.errors import UnknownBenchmark

        card = self.cards.get(benchmark)
        if card is None:
            raise UnknownBenchmark(f"no benchmark {quote(benchmark)}")
        return card

    def table(self, benchmark: str, metric: str | None = None) -> pd.DataFrame:
        """The benchmark's table (columns: ``LeaderboardRow``'s fields), best first; by ``metric``
        when given (``InvalidField`` when the benchmark has no such metric)."""
        if not self._loaded:
            self.refresh()
        card = self._cards.get(benchmark) or self.store.card(benchmark)
        if metric and metric != card.primary_metric:
            return benchmark_table(self.index.arrays_for(benchmark), card, metric)
        if benchmark not in self._tables:
            self._tables[benchmark] = benchmark_table(self.index.arrays_for(benchmark), card)
        return self._tables[benchmark]

    def rows(self, benchmark: str, metric: str | None = None, limit: int | None = None) -> list[LeaderboardRow]:
        table = self.table(benchmark, metric)
        return rows_of(table if limit is None else table.head(limit))

    def row_of(self, benchmark: str, model: str) -> LeaderboardRow | None:
        """The row of ``model`` (``org/name``) on the benchmark, if it has a result that counts."""
        table = self.table(benchmark)
        found = table[table["model"] == model]
        return rows_of(found)[0] if len(found) else None

    def result_path(self, benchmark: str, model: str) -> str | None:
        """The results-dataset path of the result that counts for ``model`` on the benchmark."""
        table = self.table(benchmark)
        found = table.loc[table["model"] == model, "path"]
        return found.iloc[0] if len(found) else None

    def overall(self, task_type: str) -> pd.DataFrame:
        ids = [b for b, card in self.cards.items() if card.task_type == task_type]
        return overall_table({b: self.table(b) for b in ids}, of=len(ids))

    def standings(self, task_type: str, limit: int | None = None) -> list[Standing]:
        table = self.overall(task_type)
        return standings_of(table if limit is None else table.head(limit))

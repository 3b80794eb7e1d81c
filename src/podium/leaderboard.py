"""Leaderboard tables (pandas) built from the results table, kept current incrementally.

Per benchmark: one row per model (organisation/name), its most recent result (a newer revision
replaces an older one on the board; all results stay in the results dataset). Columns:

``Rank``, ``Rank (UB)``, ``Model``, ``Score``, ``CI``, the benchmark's secondary metrics, ``n``,
``Updated``, ``Source``, ``Submission``, plus ``Link``, ``Revision``, ``CI low``, ``CI high``.

- ``Rank``: by score, ties share the rank (1, 1, 3).
- ``Rank (UB)``: 1 + the number of models whose CI lower bound is above this model's upper bound
  (a model with no CI, e.g. a reported result, counts its score as both bounds).

Overall, per task type: models with results on any of its benchmarks, their mean score and mean
rank over the benchmarks they have, and how many benchmarks that is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from podium import atomic
from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.results import METRIC_PREFIX, ResultIndex
from podium.schema import BenchmarkCard, FormatError, format_interval

TABLE_HEAD = ["Rank", "Rank (UB)", "Model", "Score", "CI"]
OVERALL_COLUMNS = ["Rank", "Model", "Mean score", "Mean rank", "Benchmarks"]
TABLE_TAIL = ["n", "Updated", "Source", "Submission", "Link", "Revision", "CI low", "CI high"]

log = logging.getLogger("podium.leaderboard")


def rank_by_upper_bound(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """1 + how many lower bounds exceed each upper bound."""
    ordered = np.sort(low)
    return 1 + len(low) - np.searchsorted(ordered, high, side="right")


def benchmark_table(rows: dict[str, np.ndarray] | pd.DataFrame, card: BenchmarkCard) -> pd.DataFrame:
    """The leaderboard of one benchmark from its result rows (``ResultIndex.arrays_for``)."""
    columns = TABLE_HEAD + list(card.secondary_metrics) + TABLE_TAIL
    if isinstance(rows, pd.DataFrame):
        rows = {name: rows[name].to_numpy() for name in rows.columns}
    versions = rows.get("benchmark_version")
    if versions is not None:  # verified results scored on an earlier version of the items do not count
        current = np.array([v is None or v != v or v == card.version for v in versions], dtype=bool)
        if not current.all():
            rows = {name: values[current] for name, values in rows.items()}
    model = rows.get("model", np.array([], dtype=object))
    if len(model) == 0:
        return pd.DataFrame(columns=columns)
    if len(set(model)) < len(model):  # several results of a model: the latest counts
        latest = pd.DataFrame({"model": model, "at": rows["evaluated_at"], "reported": rows["source"] == "reported"})
        keep = latest.sort_values(["at", "reported"]).drop_duplicates("model", keep="last").index.to_numpy()
        rows = {name: values[keep] for name, values in rows.items()}

    def metric(name: str) -> np.ndarray:
        values = rows.get(METRIC_PREFIX + name)
        return np.full(len(rows["model"]), np.nan) if values is None else values.astype(float)

    score = metric(card.primary_metric)
    same_metric = rows["primary_metric"] == card.primary_metric
    low = np.where(same_metric, rows["ci_low"].astype(float), np.nan)
    high = np.where(same_metric, rows["ci_high"].astype(float), np.nan)
    keep = ~np.isnan(score)
    has_ci = ~np.isnan(low)
    rank = _competition_rank(score[keep])
    order = np.flatnonzero(keep)[np.lexsort((rows["model"][keep], rank))]
    rank = np.sort(rank)
    score, low, high, has_ci = score[order], low[order], high[order], has_ci[order]

    def text(name: str) -> pd.Series:
        return pd.Series(rows[name][order], dtype=object)

    table = {
        "Rank": rank,
        "Rank (UB)": rank_by_upper_bound(np.where(has_ci, low, score), np.where(has_ci, high, score)),
        "Model": text("model"),
        "Score": score,
        "CI": text("ci")
        if "ci" in rows
        else pd.Series(
            [format_interval(lo, hi) if ok else "" for lo, hi, ok in zip(low, high, has_ci, strict=True)], dtype=object
        ),
    }
    for name in card.secondary_metrics:
        table[name] = metric(name)[order]
    table |= {
        "n": pd.Series(rows["n"][order], dtype="float64").astype("Int64"),  # a count; empty for reported rows
        "Updated": pd.Series([str(v)[:10] for v in rows["evaluated_at"][order]], dtype=object),
        "Source": text("source"),
        "Submission": text("submission_id"),
        "Link": text("link"),
        "Revision": text("revision"),
        "CI low": low,
        "CI high": high,
    }
    return pd.DataFrame(table, columns=columns)


def record_key(column: str) -> str:
    """A table column as a JSON key: 'Rank (UB)' -> 'rank_ub', 'CI low' -> 'ci_low', 'macro_f1' stays."""
    return re.sub(r"[^a-z0-9]+", "_", column.lower().replace("(ub)", "ub")).strip("_")


def display_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the API's shape (``table_records``) back under the table's column names."""
    names = {record_key(c): c for c in [*TABLE_HEAD, *TABLE_TAIL, *OVERALL_COLUMNS]}
    frame = frame.rename(columns=lambda c: names.get(c, c))
    if "n" in frame:
        frame["n"] = pd.to_numeric(frame["n"]).astype("Int64")
    return frame


def table_records(table: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts with snake_case keys (the API's and ``podium leaderboard --json``'s shape)."""
    return json.loads(table.rename(columns=record_key).to_json(orient="records", force_ascii=False))


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


def _competition_rank(score: np.ndarray) -> np.ndarray:
    """1 + how many scores are strictly higher (ties share a rank: 1, 1, 3)."""
    ordered = np.sort(-score)
    return 1 + np.searchsorted(ordered, -score, side="left")


def overall_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean score and mean rank of each model over the given benchmarks' tables."""
    parts = [t[["Model", "Score", "Rank"]].assign(benchmark=b) for b, t in tables.items() if not t.empty]
    columns = OVERALL_COLUMNS
    if not parts:
        return pd.DataFrame(columns=columns)
    stacked = pd.concat(parts, ignore_index=True)
    grouped = stacked.groupby("Model").agg(
        **{"Mean score": ("Score", "mean"), "Mean rank": ("Rank", "mean"), "Benchmarks": ("benchmark", "count")}
    )
    grouped = grouped.reset_index()
    grouped["Rank"] = (-grouped["Mean score"]).rank(method="min").astype(int)
    return grouped.sort_values(["Rank", "Model"]).reset_index(drop=True)[columns]


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
        return hashlib.sha256(card.model_dump_json().encode()).hexdigest()[:16]

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
                columns = TABLE_HEAD + list(card.secondary_metrics) + TABLE_TAIL
                if arrays is None:  # every column converted once, not once per benchmark
                    arrays = _numpy_columns(stored)
                if any(name not in arrays for name in columns):
                    offset += length
                    continue
                table = _frame(arrays, columns, offset, length)
                table["n"] = table["n"].astype("Int64")  # stored as float (nullable); a count again
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

    def table(self, benchmark: str) -> pd.DataFrame:
        if not self._loaded:
            self.refresh()
        if benchmark not in self._tables:
            card = self._cards.get(benchmark) or self.store.card(benchmark)
            self._tables[benchmark] = benchmark_table(self.index.arrays_for(benchmark), card)
        return self._tables[benchmark]

    def overall(self, task_type: str) -> pd.DataFrame:
        ids = [b for b, card in self.cards.items() if card.task_type == task_type]
        return overall_table({b: self.table(b) for b in ids})

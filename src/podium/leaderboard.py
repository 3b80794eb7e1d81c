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

import json
import time

import numpy as np
import pandas as pd

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.results import ResultIndex
from podium.schema import BenchmarkCard, format_interval

TABLE_HEAD = ["Rank", "Rank (UB)", "Model", "Score", "CI"]
TABLE_TAIL = ["n", "Updated", "Source", "Submission", "Link", "Revision", "CI low", "CI high"]


def rank_by_upper_bound(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """1 + how many lower bounds exceed each upper bound."""
    ordered = np.sort(low)
    return 1 + len(low) - np.searchsorted(ordered, high, side="right")


def benchmark_table(results: pd.DataFrame, card: BenchmarkCard) -> pd.DataFrame:
    metrics_shown = [card.primary_metric, *card.secondary_metrics]
    columns = TABLE_HEAD + [m for m in card.secondary_metrics] + TABLE_TAIL
    rows = results[results["benchmark"] == card.id]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.sort_values(["evaluated_at", "source"], ascending=[True, False]).drop_duplicates("model", keep="last")
    parsed = [json.loads(m) for m in rows["metrics"]]
    score = np.array([m.get(card.primary_metric, np.nan) for m in parsed], dtype=float)
    same_metric = rows["primary_metric"].to_numpy() == card.primary_metric
    low = np.where(same_metric, rows["ci_low"].to_numpy(dtype=float, na_value=np.nan), np.nan)
    high = np.where(same_metric, rows["ci_high"].to_numpy(dtype=float, na_value=np.nan), np.nan)
    keep = ~np.isnan(score)
    rows, parsed, score, low, high = (
        rows[keep],
        [p for p, k in zip(parsed, keep, strict=True) if k],
        score[keep],
        low[keep],
        high[keep],
    )
    low_or_score = np.where(np.isnan(low), score, low)
    high_or_score = np.where(np.isnan(high), score, high)
    table = pd.DataFrame(
        {
            "Rank": pd.Series(-score).rank(method="min").astype(int).to_numpy(),
            "Rank (UB)": rank_by_upper_bound(low_or_score, high_or_score),
            "Model": rows["model"].to_numpy(),
            "Score": score,
            "CI": [format_interval(lo, hi) if not np.isnan(lo) else "" for lo, hi in zip(low, high, strict=True)],
        }
    )
    for metric in metrics_shown[1:]:
        table[metric] = [m.get(metric, np.nan) for m in parsed]
    table["n"] = rows["n"].to_numpy()
    table["Updated"] = rows["evaluated_at"].str.slice(0, 10).to_numpy()
    table["Source"] = rows["source"].to_numpy()
    table["Submission"] = rows["submission_id"].to_numpy()
    table["Link"] = rows["link"].to_numpy()
    table["Revision"] = rows["revision"].to_numpy()
    table["CI low"] = low
    table["CI high"] = high
    return table.sort_values(["Rank", "Model"], kind="stable").reset_index(drop=True)[columns]


def overall_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean score and mean rank of each model over the given benchmarks' tables."""
    parts = [t[["Model", "Score", "Rank"]].assign(benchmark=b) for b, t in tables.items() if not t.empty]
    columns = ["Rank", "Model", "Mean score", "Mean rank", "Benchmarks"]
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

    def __init__(self, home: Home, *, use_cache: bool = True, min_refresh_seconds: float = 0.0):
        self.home = home
        self.store = BenchmarkStore(home)
        self.index = ResultIndex(home, cache_path=None if use_cache else home.root / ".cache" / "off.parquet")
        self.use_cache = use_cache
        self.min_refresh_seconds = min_refresh_seconds
        self._tables: dict[str, pd.DataFrame] = {}
        self._cards: dict[str, BenchmarkCard] = {}
        self._last_refresh = 0.0
        self._loaded = False

    def refresh(self, force: bool = False) -> set[str]:
        """Pick up new or changed result files and benchmarks; the benchmark ids whose tables changed."""
        now = time.monotonic()
        if self._loaded and not force and now - self._last_refresh < self.min_refresh_seconds:
            return set()
        self._last_refresh = now
        if not self._loaded:
            changed = self.index.load() if self.use_cache else self.index.refresh(full=True)
            self._loaded = True
        else:
            changed = self.index.refresh()
        cards = {card.id: card for card in self.store.list()}
        changed |= {b for b in cards if cards[b] != self._cards.get(b)}
        changed |= set(self._cards) - set(cards)
        self._cards = cards
        for benchmark in changed:
            self._tables.pop(benchmark, None)
        if changed and self.use_cache:
            self.index.save_cache()
        return changed

    @property
    def cards(self) -> dict[str, BenchmarkCard]:
        if not self._loaded:
            self.refresh()
        return self._cards

    @property
    def problems(self) -> dict[str, str]:
        return self.index.problems

    def table(self, benchmark: str) -> pd.DataFrame:
        if not self._loaded:
            self.refresh()
        if benchmark not in self._tables:
            card = self._cards.get(benchmark) or self.store.card(benchmark)
            self._tables[benchmark] = benchmark_table(self.index.frame(), card)
        return self._tables[benchmark]

    def overall(self, task_type: str) -> pd.DataFrame:
        ids = [b for b, card in self.cards.items() if card.task_type == task_type]
        return overall_table({b: self.table(b) for b in ids})

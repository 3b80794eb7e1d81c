"""Reading 20,000 result files (1,000 models x 20 benchmarks) into leaderboard tables.

Side by side: a per-file ``json.load`` + pandas loop in the style of the demo-leaderboard
template's ``read_evals.py``, and Podium's ``Leaderboard`` (cold: a new process state with the
parquet cache on disk; first build: no cache; warm: a refresh after one new result file).

Run: .venv/bin/python bench/bench_results.py
"""

from __future__ import annotations

import glob
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report  # noqa: E402

from podium import atomic  # noqa: E402
from podium.config import Home  # noqa: E402
from podium.leaderboard import Leaderboard  # noqa: E402
from podium.schema import BenchmarkCard, Interval, ModelInfo, Outcomes, Result  # noqa: E402

N_MODELS, N_BENCHMARKS, N_ITEMS = 1000, 20, 300


def make_results(home: Home, rng: random.Random) -> None:
    for b in range(N_BENCHMARKS):
        card = BenchmarkCard(
            id=f"bench-{b:02d}",
            name=f"Bench {b}",
            task_type="text_classification",
            primary_metric="accuracy",
            secondary_metrics=["macro_f1"],
            labels=["a", "b"],
        )
        atomic.write_text(home.benchmarks_dir / card.id / "card.json", card.to_json())
        folder = home.results_dir / card.id
        folder.mkdir(parents=True)
        for m in range(N_MODELS):
            score = rng.random()
            result = Result(
                benchmark=card.id,
                model=ModelInfo(name=f"model-{m:04d}", org=f"org-{m % 37}"),
                primary_metric="accuracy",
                metrics={"accuracy": score, "macro_f1": score * 0.9},
                ci={"accuracy": Interval(low=max(0.0, score - 0.02), high=min(1.0, score + 0.02), resamples=10000)},
                n=N_ITEMS,
                submission_id=f"sub-{b}-{m}",
                metric_version="podium_classification 1.0.0",
                outcomes=Outcomes(
                    fields=["predicted_label_index", "correct"],
                    values=[[rng.randrange(2), rng.randrange(2)] for _ in range(N_ITEMS)],
                ),
            )
            (folder / f"sub-{b}-{m}.json").write_text(result.to_json())


def template_style(results_path: str) -> pd.DataFrame:
    """What read_evals.py does: every file opened and json.load-ed, rows built, then a DataFrame."""
    records = []
    for path in glob.glob(os.path.join(results_path, "**", "*.json"), recursive=True):
        with open(path) as fp:
            data = json.load(fp)
        config = data.get("model", {})
        row = {
            "model": f"{config.get('org')}/{config.get('name')}",
            "benchmark": data["benchmark"],
            "revision": config.get("revision"),
        }
        for metric, value in data["metrics"].items():
            row[metric] = value * 100.0
        records.append(row)
    frame = pd.DataFrame.from_records(records)
    tables = {}
    for benchmark, rows in frame.groupby("benchmark"):
        tables[benchmark] = rows.sort_values("accuracy", ascending=False)
    return frame


def ours(home: Home) -> Leaderboard:
    board = Leaderboard(home)
    board.refresh()
    for benchmark in board.cards:
        board.table(benchmark)
    return board


def main() -> None:
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        home = Home.from_env(tmp)
        started = time.perf_counter()
        make_results(home, rng)
        print(f"generated {N_MODELS * N_BENCHMARKS} result files in {time.perf_counter() - started:.1f} s")

        reference = []
        for _ in range(3):
            t = time.perf_counter()
            template_style(str(home.results_dir))
            reference.append(time.perf_counter() - t)
        ref = statistics.median(reference)

        first = []
        for _ in range(3):
            shutil.rmtree(home.root / ".cache", ignore_errors=True)
            t = time.perf_counter()
            ours(home)
            first.append(time.perf_counter() - t)
        report("20,000 files, first build (no cache) vs template loop", statistics.median(first), ref)

        cold = []
        for _ in range(5):
            t = time.perf_counter()
            board = ours(home)
            cold.append(time.perf_counter() - t)
        report(
            "20,000 files, cold start from parquet cache vs template loop", statistics.median(cold), ref, "bar: >= 20x"
        )

        # What the second cache (the built tables, tables.parquet) buys over building every table
        # from the indexed rows (results cache only).
        tables_cache = home.root / ".cache" / "tables.parquet"
        without = []
        for _ in range(5):
            tables_cache.unlink(missing_ok=True)
            t = time.perf_counter()
            board_only = Leaderboard(home, cache_save_seconds=1e9)  # the rows from their cache; no tables cache
            board_only.refresh()
            for benchmark in board_only.cards:
                board_only.table(benchmark)
            without.append(time.perf_counter() - t)
        board.save()
        report("cold start: results cache only vs results + tables caches", statistics.median(without),
               statistics.median(cold), "the tables cache is kept only if this is well above 1x")  # fmt: skip

        warm = []
        for k in range(7):
            result = Result(
                benchmark="bench-07",
                model=ModelInfo(name=f"new-{k}"),
                primary_metric="accuracy",
                metrics={"accuracy": 0.5, "macro_f1": 0.4},
            )
            (home.results_dir / "bench-07" / f"new-{k}.json").write_text(result.to_json())
            t = time.perf_counter()
            changed = board.refresh()
            table = board.table("bench-07")
            warm.append(time.perf_counter() - t)
            assert changed == {"bench-07"} and f"new-{k}" in set(table["model"]), changed
        report("warm refresh after one new result file (+ its table)", statistics.median(warm), bar="bar: < 50 ms")


if __name__ == "__main__":
    main()

"""Text classification at 1,000,000 rows, and the CI step against scipy.stats.bootstrap.

Run: .venv/bin/python bench/bench_classification.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_seconds, report  # noqa: E402

from podium import bootstrap  # noqa: E402
from podium.benchmarks import BenchmarkStore  # noqa: E402
from podium.config import Home  # noqa: E402
from podium.predictions import read_predictions  # noqa: E402
from podium.schema import BenchmarkCard  # noqa: E402
from podium.scoring import score_raw  # noqa: E402

LABELS = ["negative", "neutral", "positive"]


def make_benchmark(home: Home, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    gold = rng.choice(3, size=n, p=[0.3, 0.4, 0.3])
    pred = np.where(rng.random(n) < 0.8, gold, rng.choice(3, size=n))
    ids = np.char.add("item-", np.arange(n).astype(str))
    table = pd.DataFrame({"id": ids, "text": "some text", "label": np.array(LABELS)[gold]})
    card = BenchmarkCard(
        id="bench-cls", name="bench", task_type="text_classification", primary_metric="accuracy", labels=LABELS
    )
    BenchmarkStore(home).add(card, table, replace=True)
    return gold, pred


def main() -> None:
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        home = Home.from_env(tmp)
        n = 1_000_000
        gold, pred = make_benchmark(home, n, rng)
        ids = np.char.add("item-", np.arange(n).astype(str))
        order = rng.permutation(n)  # submitters' files are in any order
        path = Path(tmp) / "predictions.csv"
        pd.DataFrame({"id": ids[order], "prediction": np.array(LABELS)[pred[order]]}).to_csv(path, index=False)
        store = BenchmarkStore(home)

        def in_process():
            gold_set = store.gold("bench-cls")  # gold loading is part of the work
            raw = read_predictions(path, home.max_predictions_bytes)
            return score_raw(gold_set, raw, seed_material="bench", resamples=10_000, keep_outcomes=False)

        result = in_process()
        seconds = median_seconds(in_process, repeat=5)
        report("1M rows: read+validate+metrics+CI (B=10,000), in-process", seconds, bar="bar: < 2,000 ms")
        print(f"    accuracy {result.metrics['accuracy']:.4f} CI {result.ci_display}")

        env = {**os.environ, "PODIUM_HOME": tmp}
        command = [str(Path(sys.executable).with_name("podium")), "score", "bench-cls", str(path)]
        times = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        report("1M rows: `podium score` as a whole process", sorted(times)[1], bar="bar: < 6,000 ms")

    # The CI step alone: 10,000 items, B = 10,000, against scipy's item bootstrap.
    from scipy import stats

    n = 10_000
    gold = rng.choice(3, size=n, p=[0.3, 0.4, 0.3])
    pred = np.where(rng.random(n) < 0.8, gold, rng.choice(3, size=n))
    correct = (gold == pred).astype(float)
    k = int(correct.sum())
    statistic = bootstrap.GroupedStatistic("accuracy", np.array([k, n - k]), lambda r: r[:, 0] / n)
    ours_ci = bootstrap.interval(statistic, seed=1, n_resamples=10_000)
    ref = stats.bootstrap((correct,), np.mean, n_resamples=10_000, method="percentile", random_state=1)
    ours_t = median_seconds(lambda: bootstrap.interval(statistic, seed=1, n_resamples=10_000), repeat=21)
    ref_t = median_seconds(
        lambda: stats.bootstrap((correct,), np.mean, n_resamples=10_000, method="percentile", random_state=1),
        repeat=3,
    )
    report("CI step, 10,000 items, B=10,000 vs scipy.stats.bootstrap", ours_t, ref_t, "bar: >= 1,000x")
    low, high = ref.confidence_interval
    print(
        f"    ours {ours_ci[0]:.4f} - {ours_ci[1]:.4f}   scipy {low:.4f} - {high:.4f}   "
        f"max difference {max(abs(ours_ci[0] - low), abs(ours_ci[1] - high)):.4f} (bar: <= 0.005)"
    )


if __name__ == "__main__":
    main()

"""Bootstrap intervals: coverage, reproducibility, agreement with scipy's item bootstrap."""

import numpy as np
import pytest
from scipy import stats

from podium import bootstrap
from podium.metrics import classification


def test_interval_covers_the_truth_about_95_percent_of_the_time():
    """Simulate many benchmarks from a known model; the 95% interval must cover its accuracy 93-97%."""
    rng = np.random.default_rng(12345)
    truth, n, trials = 0.8, 800, 1000
    covered = 0
    for trial in range(trials):
        correct = int(rng.binomial(n, truth))
        stat = bootstrap.GroupedStatistic("accuracy", np.array([correct, n - correct]), lambda r: r[:, 0] / n)
        low, high = bootstrap.interval(stat, seed=trial, n_resamples=2000)
        covered += low <= truth <= high
    assert 0.93 <= covered / trials <= 0.97, covered / trials


def test_macro_f1_interval_covers_the_truth():
    rng = np.random.default_rng(99)
    k, n, trials = 3, 600, 400
    # A fixed joint distribution of (gold, predicted): its macro-F1 is the truth.
    p = np.array([[0.25, 0.04, 0.01], [0.05, 0.30, 0.05], [0.02, 0.03, 0.25]])
    truth = classification.macro_f1(p * 1e9)
    covered = 0
    for trial in range(trials):
        cm = rng.multinomial(n, p.ravel())
        cells = np.flatnonzero(cm)
        g, q = np.divmod(cells, k)
        stat = bootstrap.GroupedStatistic(
            "macro_f1", cm[cells], lambda r, g=g, q=q: classification.macro_f1_from_cells(r, g, q, k)
        )
        low, high = bootstrap.interval(stat, seed=trial, n_resamples=2000)
        covered += low <= truth <= high
    assert 0.92 <= covered / trials <= 0.98, covered / trials


def test_same_seed_same_interval_and_different_seed_differs():
    stat = bootstrap.mean_statistic("f1", np.random.default_rng(0).random(500).round(2))
    assert bootstrap.interval(stat, seed=5) == bootstrap.interval(stat, seed=5)
    assert bootstrap.interval(stat, seed=5) != bootstrap.interval(stat, seed=6)


def test_grouped_bootstrap_agrees_with_scipy_item_bootstrap():
    rng = np.random.default_rng(1)
    values = rng.choice([0.0, 0.5, 2 / 3, 1.0], size=5000, p=[0.2, 0.1, 0.2, 0.5])
    ours = bootstrap.interval(bootstrap.mean_statistic("f1", values), seed=1, n_resamples=10_000)
    ref = stats.bootstrap((values,), np.mean, n_resamples=10_000, method="percentile", random_state=1)
    assert abs(ours[0] - ref.confidence_interval.low) < 0.005
    assert abs(ours[1] - ref.confidence_interval.high) < 0.005


def test_seed_depends_on_every_part():
    assert bootstrap.seed_for("b", "1", "x") != bootstrap.seed_for("b", "2", "x")
    assert bootstrap.seed_for("b", "1", "x") == bootstrap.seed_for("b", "1", "x")
    assert 0 <= bootstrap.seed_for("anything") < 2**63


def test_statistics_sharing_a_stream_are_computed_from_one_resample():
    """NER's precision, recall and F1 share F1's draw: F1's interval is the one its own stream gives,
    and each replicate's three values come from the same resampled sentences (so, per replicate,
    F1 is the harmonic mean of that replicate's precision and recall)."""
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 4, size=(40, 3))  # (tp, predicted, gold) of 40 distinct sentence kinds
    counts = rng.integers(1, 20, size=40)
    seen: dict[str, np.ndarray] = {}

    def part(name: str, index: int):
        def metric(resampled: np.ndarray) -> np.ndarray:
            tp, pred, gold = (resampled @ groups).T.astype(float)
            p, r = tp / np.maximum(pred, 1), tp / np.maximum(gold, 1)
            values = [p, r, np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-300), 0.0)][index]
            seen[name] = values
            return values

        return metric

    shared = [bootstrap.GroupedStatistic(n, counts, part(n, i), stream="f1")
              for i, n in enumerate(["precision", "recall", "f1"])]  # fmt: skip
    found = bootstrap.intervals(shared, seed=11, n_resamples=2000)
    p, r, f = seen["precision"], seen["recall"], seen["f1"]
    assert np.allclose(f, np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-300), 0.0))
    alone = bootstrap.interval(bootstrap.GroupedStatistic("f1", counts, part("alone", 2)), seed=11, n_resamples=2000)
    assert found["f1"] == alone
    assert found["precision"] != found["recall"]


def test_a_stream_shared_by_statistics_of_different_groups_is_refused():
    a = bootstrap.GroupedStatistic("a", np.array([3, 4]), lambda r: r[:, 0] / 7.0, stream="s")
    b = bootstrap.GroupedStatistic("b", np.array([1, 2, 4]), lambda r: r[:, 0] / 7.0, stream="s")
    with pytest.raises(ValueError, match="shares stream"):
        bootstrap.intervals([a, b], seed=1, n_resamples=100)

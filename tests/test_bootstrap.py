"""Bootstrap intervals: coverage, reproducibility, agreement with scipy's item bootstrap."""

import numpy as np
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

"""Paired comparisons of models on one benchmark, from their per-item outcomes.

- accuracy: exact McNemar test (a two-sided exact binomial test on the discordant items), and a
  paired bootstrap interval of the accuracy difference;
- F1-type metrics (NER micro-F1 from per-sentence counts; QA mean token F1 / ROUGE-L / EM): a paired
  bootstrap over items (grouped by identical outcome pairs, one multinomial draw per replicate),
  giving the difference's 95% interval and a two-sided bootstrap p-value;
- several pairs: Holm-adjusted p-values; models not significantly worse than the best (adjusted
  p >= 0.05) are "tied with the best".
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.stats import binomtest

from podium.bootstrap import percentile_interval, resample, seed_for
from podium.metrics.sequence_labeling import precision_recall_f1
from podium.schema import Result

ALPHA = 0.05


@dataclass
class PairComparison:
    model_a: str
    model_b: str
    metric: str
    score_a: float
    score_b: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    test: str
    p_holm: float = 1.0


def _columns(result: Result) -> dict[str, np.ndarray]:
    if result.outcomes is None:
        raise ValueError(f"the result of {result.model.full_name} has no per-item outcomes")
    values = np.asarray(result.outcomes.values, dtype=float)
    return {name: values[:, i] for i, name in enumerate(result.outcomes.fields)}


def compare_pair(a: Result, b: Result, metric: str, n_resamples: int = 10_000) -> PairComparison:
    """Compare two results of the same benchmark on ``metric`` (paired, item by item)."""
    ca, cb = _columns(a), _columns(b)
    n = len(next(iter(ca.values())))
    if n != len(next(iter(cb.values()))):
        raise ValueError("the two results cover different items (different benchmark versions?)")
    rng = np.random.default_rng(seed_for(a.benchmark, a.model.full_name, b.model.full_name, metric))
    if "correct" in ca and metric == "accuracy":
        x, y = ca["correct"].astype(int), cb["correct"].astype(int)
        only_a, only_b = int(((x == 1) & (y == 0)).sum()), int(((x == 0) & (y == 1)).sum())
        p = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
        keys = x * 2 + y
        counts = np.bincount(keys, minlength=4)
        replicates = resample(counts, n_resamples, rng)
        diff = (replicates[:, 2] - replicates[:, 1]) / max(n, 1)
        low, high = percentile_interval(diff)
        score_a, score_b = x.mean(), y.mean()
        return PairComparison(
            a.model.full_name, b.model.full_name, metric, float(score_a), float(score_b),
            float(score_a - score_b), low, high, float(p), "exact McNemar",
        )  # fmt: skip
    if "tp" in ca:  # NER: micro P/R/F1 from per-sentence counts
        index = {"precision": 0, "recall": 1, "f1": 2}[metric]
        rows = np.stack([ca["tp"], ca["predicted"], ca["gold"], cb["tp"], cb["predicted"], cb["gold"]], 1)
        groups, counts = np.unique(rows, axis=0, return_counts=True)

        def stat(weights: np.ndarray) -> np.ndarray:
            totals = weights @ groups
            fa = precision_recall_f1(totals[..., 0], totals[..., 1], totals[..., 2])[index]
            fb = precision_recall_f1(totals[..., 3], totals[..., 4], totals[..., 5])[index]
            return fa - fb, fa, fb

        observed, score_a, score_b = stat(counts[None, :].astype(float))
        diff = stat(resample(counts, n_resamples, rng).astype(float))[0]
    else:  # means of per-item values (QA)
        rows = np.stack([ca[metric], cb[metric]], 1)
        groups, counts = np.unique(rows, axis=0, return_counts=True)
        per_group = groups[:, 0] - groups[:, 1]
        observed = np.array([counts @ per_group / n])
        score_a, score_b = np.array([ca[metric].mean()]), np.array([cb[metric].mean()])
        diff = resample(counts, n_resamples, rng) @ per_group / n
    low, high = percentile_interval(diff)
    # Two-sided bootstrap p-value, never reported as 0 with B resamples: (k + 1) / (B + 1).
    below, above = int((diff <= 0).sum()), int((diff >= 0).sum())
    p = min(1.0, 2 * (min(below, above) + 1) / (len(diff) + 1))
    score_a = float(a.metrics.get(metric, score_a[0]))  # the exact values (outcomes are rounded)
    score_b = float(b.metrics.get(metric, score_b[0]))
    return PairComparison(
        a.model.full_name, b.model.full_name, metric, score_a, score_b, float(observed[0]),
        low, high, p, "paired bootstrap",
    )  # fmt: skip


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment."""
    m = len(p_values)
    order = np.argsort(p_values)
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted.tolist()


def compare(results: list[Result], metric: str) -> dict:
    """All pairs, Holm-adjusted, and which models are tied with the best."""
    pairs = [compare_pair(a, b, metric) for a, b in combinations(results, 2)]
    for pair, adjusted in zip(pairs, holm([p.p_value for p in pairs]), strict=True):
        pair.p_holm = adjusted
    scores = {r.model.full_name: r.metrics.get(metric, float("nan")) for r in results}
    best = max(scores, key=lambda m: scores[m])
    tied = [best] + [
        (p.model_b if p.model_a == best else p.model_a)
        for p in pairs
        if best in (p.model_a, p.model_b) and p.p_holm >= ALPHA
    ]
    return {"metric": metric, "best": best, "tied_with_best": tied, "pairs": [vars(p) for p in pairs]}


class NotComparable(LookupError):
    """A model without a verified result (with per-item outcomes) on the benchmark."""


def compare_models(home, board, benchmark: str, models: list[str], metric: str | None = None) -> dict:
    """Compare models as they stand on ``board`` (their current verified results on ``benchmark``).

    ``board`` is anything with ``cards`` and ``table(benchmark)`` (a ``Leaderboard``). Raises
    ``NotComparable`` for an unknown benchmark or a model without a verified result, ``ValueError``
    for a metric the results cannot be compared on.
    """
    from podium.queue import RequestQueue

    card = board.cards.get(benchmark)
    if card is None:
        raise NotComparable(f"no benchmark {benchmark!r}")
    if len(set(models)) < 2:
        raise ValueError("pick at least two different models")
    table = board.table(benchmark)
    queue = RequestQueue(home)
    results = []
    for model in models:
        row = table[table["Model"] == model]
        if row.empty or not row["Submission"].iloc[0]:
            raise NotComparable(f"no verified result of {model!r} on {benchmark!r}")
        request = queue.get(row["Submission"].iloc[0])
        results.append(Result.read(home.results_dir / request.result_file))
    try:
        return {"benchmark": benchmark, **compare(results, metric or card.primary_metric)}
    except KeyError as exc:
        raise ValueError(f"cannot compare on {metric or card.primary_metric!r}: missing {exc}") from None

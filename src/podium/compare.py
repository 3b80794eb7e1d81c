"""Paired comparisons of models on one benchmark, from their per-item outcomes.

- accuracy: exact McNemar test (a two-sided exact binomial test on the discordant items), and a
  paired bootstrap interval of the accuracy difference;
- F1-type metrics (NER micro-F1 from per-sentence counts; QA mean token F1 / ROUGE-L / EM): a paired
  bootstrap over items (grouped by identical outcome pairs, one multinomial draw per replicate),
  giving the difference's 95% interval and a two-sided bootstrap p-value;
- several pairs: Holm-adjusted p-values; models not significantly worse than the best (adjusted
  p >= 0.05) are "tied with the best".

Bounded disclosure. The two scores of a pair are public (the leaderboard shows them), so the
difference of the discordant counts (b - c) is public too; what a paired test adds is how many
items the two submissions disagree on (b + c), i.e. their joint correctness, which crafted
submissions turn into gold labels. So every comparison adds ``k`` phantom discordant items to each
side (k uniform on 0..NOISE_MAX) before testing and resampling: b + c becomes b + c + 2k, b - c
and the reported difference stay exact. ``k`` is a function of the server secret and the two
submissions (not of the call): asking again, in another order or among other models, gives the same
answer, so it cannot be averaged away; a fresh draw costs a fresh submission. Bootstrap streams are
seeded under the same secret, p-values are reported to two significant digits and intervals to
three decimals (outwards). docs/metrics.md says what this costs a real comparison
(bench/bench_compare_noise.py measures it).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.stats import binomtest

from podium.bootstrap import percentile_interval, resample, salted_seed_for
from podium.errors import quote
from podium.metrics.sequence_labeling import precision_recall_f1
from podium.schema import Result
from podium.secrets_store import keyed_int

ALPHA = 0.05
NOISE_MAX = 8  # phantom discordant items per side: uniform on 0..NOISE_MAX, fixed per pair
P_DIGITS = 2  # significant digits of reported p-values
CI_DECIMALS = 3  # decimals of reported interval bounds (rounded outwards)


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

    def mirrored(self) -> PairComparison:
        """The same comparison read as B against A."""
        return PairComparison(
            self.model_b, self.model_a, self.metric, self.score_b, self.score_a, -self.difference,
            -self.ci_high, -self.ci_low, self.p_value, self.test, self.p_holm,
        )  # fmt: skip


def _columns(result: Result) -> dict[str, np.ndarray]:
    if result.outcomes is None:
        raise ValueError(f"the result of {result.model.full_name} has no per-item outcomes")
    values = np.asarray(result.outcomes.values, dtype=float)
    return {name: values[:, i] for i, name in enumerate(result.outcomes.fields)}


def compare_pair(
    a: Result, b: Result, metric: str, *, seed: int, phantoms: int = 0, n_resamples: int = 10_000
) -> PairComparison:
    """Compare two results of the same benchmark on ``metric`` (paired, item by item).

    ``phantoms`` discordant items are added to each side (one where A alone is right, one where B
    alone is right, per phantom) before the test and the resampling; the reported scores and
    difference are the results' own. ``compare`` chooses them under the server secret; 0 gives the
    undisguised test (for measurements only). Values are not rounded here.
    """
    ca, cb = _columns(a), _columns(b)
    n = len(next(iter(ca.values())))
    if n != len(next(iter(cb.values()))):
        raise ValueError("the two results cover different items (different benchmark versions?)")
    rng = np.random.default_rng(seed)
    k = int(phantoms)
    if "correct" in ca and metric == "accuracy":
        x, y = ca["correct"].astype(int), cb["correct"].astype(int)
        only_a, only_b = int(((x == 1) & (y == 0)).sum()), int(((x == 0) & (y == 1)).sum())
        shown_a, shown_b = only_a + k, only_b + k
        p = binomtest(shown_a, shown_a + shown_b, 0.5).pvalue if shown_a + shown_b else 1.0
        # Concordant items (both right or both wrong) add nothing to the difference: one group, which
        # the phantoms are taken from, so n stays n and (b, c, k) and (b + 1, c + 1, k - 1) resample
        # identically: the interval says no more about b + c than the p-value does.
        counts = np.array([max(n - shown_a - shown_b, 0), shown_a, shown_b])
        replicates = resample(counts, n_resamples, rng)
        diff = (replicates[:, 1] - replicates[:, 2]) / max(int(counts.sum()), 1)
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
        # A phantom sentence holds one entity that only A finds, its mirror one only B finds.
        phantom = np.array([[1, 1, 1, 0, 0, 1], [0, 0, 1, 1, 1, 1]], dtype=float)
        all_groups = np.concatenate([groups, phantom])
        all_counts = np.concatenate([counts, [k, k]])

        def stat(weights: np.ndarray, over: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            totals = weights @ over
            fa = precision_recall_f1(totals[..., 0], totals[..., 1], totals[..., 2])[index]
            fb = precision_recall_f1(totals[..., 3], totals[..., 4], totals[..., 5])[index]
            return fa - fb, fa, fb

        observed, score_a, score_b = stat(counts[None, :].astype(float), groups)
        disguised = stat(all_counts[None, :].astype(float), all_groups)[0]
        replicates = stat(resample(all_counts, n_resamples, rng).astype(float), all_groups)[0]
        diff = replicates - (disguised[0] - observed[0])  # phantoms shift the ratio a little: re-centre
    else:  # means of per-item values (QA): the mean of per-item differences, grouped by difference
        per_item = ca[metric] - cb[metric]
        tied = per_item == 0
        differences, counts = np.unique(per_item[~tied], return_counts=True)
        observed = np.array([per_item.sum() / max(n, 1)])
        score_a, score_b = np.array([ca[metric].mean()]), np.array([cb[metric].mean()])
        # Items where both score alike add 0 whatever their value: one group, which the phantoms
        # (a difference of +1 and one of -1 each) are taken from, as for accuracy.
        per_group = np.concatenate([[0.0, 1.0, -1.0], differences])
        weights = np.concatenate([[max(int(tied.sum()) - 2 * k, 0), k, k], counts])
        diff = resample(weights, n_resamples, rng) @ per_group / max(int(weights.sum()), 1)
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


def joint_statistic(a: Result, b: Result, metric: str) -> str:
    """A digest of the per-item outcomes the paired test of A against B reads, item by item: the
    `correct` columns for accuracy, the per-sentence entity counts for NER, the per-item metric for
    QA. Whatever else differs between submissions (names, ids, which wrong label was predicted) does
    not enter it."""
    ca, cb = _columns(a), _columns(b)
    if "correct" in ca and metric == "accuracy":
        columns = [ca["correct"], cb["correct"]]
    elif "tp" in ca:
        columns = [ca["tp"], ca["predicted"], ca["gold"], cb["tp"], cb["predicted"], cb["gold"]]
    else:
        columns = [ca[metric], cb[metric]]
    digest = hashlib.sha256(metric.encode())
    for column in columns:
        digest.update(np.ascontiguousarray(np.round(column, 9), dtype=np.float64).tobytes())
    return digest.hexdigest()


def pair_key(a: Result, b: Result, metric: str | None = None) -> tuple[str, ...]:
    """What a pair's perturbation depends on: the benchmark, its version, the metric and the pair's
    per-item outcomes, in a canonical orientation (so A-B and B-A get the same answer).

    Keyed on the outcomes, not on the submissions: copies of a submission under new names (or
    resubmissions that change nothing the test reads) get exactly the same phantoms and seed, so the
    noise cannot be averaged away; crafted pairs that differ item by item still get draws of their own,
    so equal answers do not tell which crafted pairs share their joint counts."""
    metric = metric or a.primary_metric
    forward, backward = joint_statistic(a, b, metric), joint_statistic(b, a, metric)
    return (a.benchmark, a.benchmark_version or "", metric, min(forward, backward))


def _swapped(a: Result, b: Result, metric: str) -> bool:
    return joint_statistic(a, b, metric) > joint_statistic(b, a, metric)


def phantoms_for(secret: bytes, a: Result, b: Result, metric: str | None = None) -> int:
    """The number of phantom discordant items per side for this pair: uniform on 0..NOISE_MAX."""
    return keyed_int(secret, "compare-phantoms", *pair_key(a, b, metric)) % (NOISE_MAX + 1)


def disguised_pair(a: Result, b: Result, metric: str, secret: bytes, n_resamples: int = 10_000) -> PairComparison:
    """``compare_pair`` with the pair's secret perturbation and seed, computed in canonical order."""
    key = pair_key(a, b, metric)
    swapped = _swapped(a, b, metric)
    first, second = (b, a) if swapped else (a, b)
    seed = salted_seed_for(secret, "compare", *key)
    pair = compare_pair(first, second, metric, seed=seed, phantoms=phantoms_for(secret, a, b, metric),
                        n_resamples=n_resamples)  # fmt: skip
    return pair.mirrored() if swapped else pair


def _significant(p: float, digits: int = P_DIGITS) -> float:
    return float(f"{p:.{digits}g}")


def _outwards(low: float, high: float, decimals: int = CI_DECIMALS) -> tuple[float, float]:
    scale = 10**decimals
    return math.floor(low * scale + 1e-9) / scale, math.ceil(high * scale - 1e-9) / scale


def compare(results: list[Result], metric: str, *, secret: bytes) -> dict:
    """All pairs, Holm-adjusted, and which models are tied with the best (disguised, rounded)."""
    pairs = [disguised_pair(a, b, metric, secret) for a, b in combinations(results, 2)]
    for pair, adjusted in zip(pairs, holm([p.p_value for p in pairs]), strict=True):
        pair.p_holm = _significant(adjusted)
        pair.p_value = _significant(pair.p_value)
        pair.ci_low, pair.ci_high = _outwards(pair.ci_low, pair.ci_high)
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


def shown_result(home, benchmark: str, submission: str) -> Result:
    """The verified result file of ``submission`` on ``benchmark`` (``eval-results/<b>/<id>.json``,
    the name the backend and ``podium benchmark reveal`` give it), with its per-item outcomes."""
    from podium import outcomes
    from podium.errors import PodiumError
    from podium.queue import RequestQueue
    from podium.slugs import check_slug

    try:
        check_slug(submission, what="submission id")
        path = home.results_dir / check_slug(benchmark, what="benchmark id") / f"{submission}.json"
        if not path.is_file():  # older layouts: the request knows its file
            request = RequestQueue(home).get(submission)
            if request.benchmark == benchmark and request.result_file:
                path = home.results_dir / request.result_file
        if path.is_symlink():  # only regular files inside eval-results count as results
            raise OSError(f"{path} is a symbolic link")
        result = Result.read(path)
    except (PodiumError, OSError, ValueError, LookupError):  # unsafe id, no request, unreadable file
        raise NotComparable(f"no readable verified result of submission {quote(submission)} on {benchmark!r}") from None
    if result.benchmark != benchmark or result.submission_id != submission or result.source != "verified":
        raise NotComparable(f"the file of submission {quote(submission)} is not a verified result on {benchmark!r}")
    try:
        kept = outcomes.load(result, path)
    except outcomes.OutcomesError as exc:  # missing, damaged or swapped: this model cannot be compared
        raise NotComparable(f"the per-item outcomes of {quote(result.model.full_name)} cannot be used: {exc}") from None
    return result.model_copy(update={"outcomes": kept})


def compare_models(home, board, benchmark: str, models: list[str], metric: str | None = None) -> dict:
    """Compare models as they stand on ``board`` (their current verified results on ``benchmark``).

    ``board`` is anything with ``cards`` and ``table(benchmark)`` (a ``Leaderboard``). Raises
    ``NotComparable`` for an unknown benchmark or a model without a verified result, ``ValueError``
    for a metric the results cannot be compared on.
    """
    from podium.secrets_store import server_secret

    card = board.cards.get(benchmark)
    if card is None:
        raise NotComparable(f"no benchmark {quote(benchmark)}")
    if len(set(models)) < 2:
        raise ValueError("pick at least two different models")
    table = board.table(benchmark)
    results = []
    for model in models:
        row = table[table["model"] == model]
        if row.empty or not row["submission"].iloc[0]:
            raise NotComparable(f"no verified result of {quote(model)} on {benchmark!r}")
        result = shown_result(home, benchmark, str(row["submission"].iloc[0]))
        if result.benchmark_version != card.version:
            raise NotComparable(f"the result of {quote(model)} was scored on another version of {benchmark!r}")
        results.append(result)
    try:
        return {"benchmark": benchmark, **compare(results, metric or card.primary_metric, secret=server_secret(home))}
    except KeyError as exc:
        raise ValueError(f"cannot compare on {metric or card.primary_metric!r}: missing {exc}") from None

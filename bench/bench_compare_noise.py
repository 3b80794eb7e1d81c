"""What compare's disclosure bound costs a real comparison (docs/metrics.md, "Comparing models").

Compare adds k phantom discordant items to each side of a pair (k uniform on 0..NOISE_MAX, fixed
per pair by the server secret) and reports p-values to two significant digits. This script compares
those answers with the undisguised test (k = 0, full precision):

1. every pair of sample models on the four sample benchmarks, for every k (each equally likely):
   how often the verdict (p < 0.05; and after Holm over the benchmark's pairs) changes, and how far
   p moves;
2. simulated pairs of classifiers, n items, accuracy gap g, a share q of items on which exactly one
   of the two is right (real pairs of close models disagree on 10-20% of the items): the same
   figures, over 4,000 simulated benchmarks per setting.

Run: .venv/bin/python bench/bench_compare_noise.py  (about a minute)
"""

from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path

import numpy as np
from scipy.stats import binom

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from podium import compare as comparison  # noqa: E402
from podium.compare import ALPHA, NOISE_MAX, compare_pair, holm  # noqa: E402
from podium.schema import Result  # noqa: E402

SAMPLES = ["fin-sentiment", "biz-news-ner", "filing-qa", "company-docs-qa"]


def with_outcomes(path: Path) -> Result:
    """A result file with its per-item outcomes (kept in the file beside it: ``podium.outcomes``)."""
    from podium import outcomes

    result = Result.read(path)
    if result.outcomes is not None:
        return result
    return result.model_copy(update={"outcomes": outcomes.load(result, path)})


def shown(p: float) -> float:
    return float(f"{p:.{comparison.P_DIGITS}g}")


def samples() -> None:
    print(f"1. sample benchmarks: every pair, every k in 0..{NOISE_MAX} (each k equally likely)")
    rng = np.random.default_rng(0)
    flips = holm_flips = cases = holm_cases = 0
    for benchmark in SAMPLES:
        results = [with_outcomes(p) for p in sorted((ROOT / "eval-results" / benchmark).glob("*.json"))]
        metric = results[0].primary_metric
        pairs = list(combinations(results, 2))
        exact, disguised = [], []
        for a, b in pairs:
            p0 = compare_pair(a, b, metric, seed=1, phantoms=0).p_value
            pk = [shown(compare_pair(a, b, metric, seed=1 + k, phantoms=k).p_value) for k in range(NOISE_MAX + 1)]
            exact.append(p0)
            disguised.append(pk)
            changed = sum((p < ALPHA) != (p0 < ALPHA) for p in pk)
            flips += changed
            cases += len(pk)
            print(
                f"   {benchmark:<16} {a.model.full_name:>30} vs {b.model.full_name:<30} "
                f"exact p {p0:.3g}   disguised p {min(pk):.2g} .. {max(pk):.2g}   verdict changes {changed}/{len(pk)}"
            )
        adjusted = np.array(holm(exact)) < ALPHA
        for _ in range(500):  # Holm over the benchmark's pairs, each pair with its own k
            draw = [pk[rng.integers(NOISE_MAX + 1)] for pk in disguised]
            holm_flips += int(((np.array(holm(draw)) < ALPHA) != adjusted).any())
            holm_cases += 1
    print(f"   verdict (p < {ALPHA}) changed in {flips} of {cases} pair x k cases ({flips / cases:.1%})")
    print(f"   some Holm verdict of a benchmark changed in {holm_flips / holm_cases:.1%} of 500 draws per benchmark")


def mcnemar_p(b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Exact two-sided McNemar p-values, vectorised (scipy's binomtest for p = 0.5)."""
    m = b + c
    p = np.minimum(1.0, 2 * binom.cdf(np.minimum(b, c), m, 0.5))
    return np.where(m == 0, 1.0, p)


def simulated() -> None:
    print(f"\n2. simulated classifier pairs (4,000 benchmarks per row, k uniform on 0..{NOISE_MAX})")
    print(
        "       n   gap  disagree   b+c   significant exact -> disguised   verdict changed   "
        "median |log10 p ratio|  (p in 0.001..0.2)"
    )
    rng = np.random.default_rng(1)
    sims = 4000
    worst = 0.0
    for n in (300, 1000, 5000):
        for q in (0.10, 0.20):
            for gap in (0.01, 0.02, 0.03, 0.05):
                if gap >= q:
                    continue
                m = rng.binomial(n, q, size=sims)  # items where exactly one of the two is right
                b = rng.binomial(m, (1 + gap / q) / 2)
                c = m - b
                k = rng.integers(0, NOISE_MAX + 1, size=sims)
                p0 = mcnemar_p(b, c)
                pk = np.array([shown(p) for p in mcnemar_p(b + k, c + k)])
                changed = np.mean((p0 < ALPHA) != (pk < ALPHA))
                worst = max(worst, changed)
                middle = (p0 > 1e-3) & (p0 < 0.2)
                ratio = np.median(np.abs(np.log10(pk[middle] / p0[middle]))) if middle.any() else float("nan")
                print(
                    f"   {n:>5}  {gap:.2f}  {q:>8.2f}  {np.median(m):>4.0f}   "
                    f"{np.mean(p0 < ALPHA):>6.1%} -> {np.mean(pk < ALPHA):>6.1%}             "
                    f"{changed:>6.1%}            {ratio:.2f}"
                )
    print(f"   largest share of changed verdicts: {worst:.1%}")


if __name__ == "__main__":
    samples()
    simulated()

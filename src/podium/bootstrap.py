"""Bootstrap confidence intervals that resample sufficient statistics, not items.

A metric whose value depends only on how many items fall in each of G groups (confusion cells,
distinct per-item scores, distinct per-sentence entity counts) is resampled by one multinomial
draw of n over the G groups per replicate: the same distribution as resampling n items with
replacement, at a cost that does not grow with n. The generator is seeded from the benchmark and
the submission, so rescoring the same file gives the same interval.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 10_000
DEFAULT_LEVEL = 0.95


def seed_for(*parts: str) -> int:
    """A 63-bit seed derived from strings (benchmark id, version, submission or file hash)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def salted_seed_for(secret: bytes, *parts: str) -> int:
    """A 63-bit seed from strings under a secret (``podium.secrets_store.server_secret``): the same
    answer on every call, but nobody without the secret can reproduce the random stream."""
    from podium.secrets_store import keyed_int

    return keyed_int(secret, "seed", *parts)


@dataclass(frozen=True)
class GroupedStatistic:
    """A metric as a function of group counts.

    ``counts`` (G,) says how many items fall in each group; ``metric`` maps counts of shape
    (B, G) to B metric values, and must give the point estimate for the observed counts.
    ``stream`` names the random draw it uses (its own name when None): statistics of one submission
    that name the same stream share one resample, and must have the same ``counts``.
    """

    name: str
    counts: np.ndarray
    metric: Callable[[np.ndarray], np.ndarray]
    stream: str | None = None


def group_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of ``keys`` (rows when 2-D) and how often each occurs."""
    if keys.ndim == 1:
        return np.unique(keys, return_counts=True)
    return np.unique(keys, axis=0, return_counts=True)


def resample(counts: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """``n_resamples`` multinomial redraws of ``counts.sum()`` items over the groups: (B, G)."""
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    if n == 0:
        return np.zeros((n_resamples, len(counts)), dtype=np.int64)
    if len(counts) == 1:
        return np.full((n_resamples, 1), n, dtype=np.int64)
    if len(counts) == 2:
        first = rng.binomial(n, counts[0] / n, size=n_resamples)
        return np.stack([first, n - first], axis=1)
    return rng.multinomial(n, counts / n, size=n_resamples)


def percentile_interval(replicates: np.ndarray, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(replicates, [alpha, 1.0 - alpha])
    return float(low), float(high)


def interval(
    statistic: GroupedStatistic,
    seed: int,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
) -> tuple[float, float]:
    """Percentile bootstrap interval of one statistic, from its own stream."""
    return intervals([statistic], seed, n_resamples, level)[statistic.name]


def intervals(
    statistics: list[GroupedStatistic],
    seed: int,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap interval of each statistic, by name. Each stream is drawn once: the
    statistics that share one (NER's precision, recall and F1 from the same entity counts) are
    computed from the same resamples, as a bootstrap of the items would; the draw costs most of
    the time, so sharing it divides their cost by how many share it."""
    drawn: dict[str, np.ndarray] = {}
    found = {}
    for statistic in statistics:
        stream = statistic.stream or statistic.name
        resampled = drawn.get(stream)
        if resampled is None:
            rng = np.random.default_rng([seed, seed_for(stream)])
            resampled = drawn[stream] = resample(statistic.counts, n_resamples, rng)
        elif resampled.shape[1] != len(statistic.counts):
            raise ValueError(f"statistic {statistic.name!r} shares stream {stream!r} but not its groups")
        found[statistic.name] = percentile_interval(statistic.metric(resampled), level)
    return found


def mean_statistic(name: str, values: np.ndarray) -> GroupedStatistic:
    """The mean of per-item values, grouped by distinct value."""
    distinct, counts = group_counts(np.asarray(values, dtype=np.float64))

    def metric(resampled: np.ndarray) -> np.ndarray:
        return resampled @ distinct / max(int(counts.sum()), 1)

    return GroupedStatistic(name, counts, metric)

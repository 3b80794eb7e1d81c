"""Extra metrics: any local ``evaluate`` module a benchmark adds, computed through its ``compute()``.

What a module's output becomes (``read_output``):

- a number (int or float, not a bool): a corpus-level score, shown as a column without an interval;
- a list of one number per item: per-item scores, shown as their mean, with a bootstrap interval
  like the built-in metrics' (``bootstrap.mean_statistic``);
- anything else (text, nested values, lists of another length, NaN): not shown.

Columns are named after the output's keys, or ``<module>.<key>`` when the key is already taken
(a built-in metric of the task type, or an earlier extra metric). Loading a module imports
``evaluate``: only a benchmark with extra metrics pays for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ExtraScore:
    """One column an extra metric adds: its value and, for per-item scores, those scores."""

    name: str
    value: float
    per_item: np.ndarray | None = None  # one score per item, in benchmark order (for the interval)


def _number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def read_output(module_name: str, output: dict[str, Any], n_items: int, taken=()) -> list[ExtraScore]:
    """The columns a module's ``compute`` output gives (see the module docstring)."""
    taken = set(taken)
    scores = []
    for key, value in (output or {}).items():
        if _number(value):
            score = ExtraScore(str(key), float(value))
        elif isinstance(value, (list, tuple, np.ndarray)) and len(value) == n_items and n_items > 0:
            if not all(_number(v) for v in value):
                continue
            per_item = np.asarray(value, dtype=np.float64)
            score = ExtraScore(str(key), float(per_item.mean()), per_item)
        else:
            continue
        if score.name in taken:
            score = ExtraScore(f"{module_name}.{score.name}", score.value, score.per_item)
        taken.add(score.name)
        scores.append(score)
    return scores


def extra_scores(path: str | Path, predictions: list, references: list, taken=()) -> list[ExtraScore]:
    """Load the ``evaluate`` module at ``path`` (offline) and score ``predictions`` against
    ``references`` (one of each per item, in benchmark order) through its ``compute``."""
    from podium.metrics import load_module

    module = load_module(path)
    output = module.compute(predictions=predictions, references=references)
    return read_output(module.name, output, len(predictions), taken)

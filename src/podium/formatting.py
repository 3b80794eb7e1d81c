"""How numbers read on the page and in the terminal: one convention per quantity.

- scores and metrics: 4 decimals (``0.8812``), a ratio between 0 and 1;
- intervals: ``0.63 – 0.73`` (an en dash between the bounds, a true minus sign for negative
  bounds, so ``−0.006 – 0.131`` is never read as a range starting at a hyphen);
- differences: signed (``+0.0123``, ``−0.0040``);
- p-values: two significant digits (``0.043``, ``0.0071``), ``< 0.001`` below that;
- mean ranks: 2 decimals; counts: integers.

The seeds' own interval string (``"0.93 - 0.97"``, the REST API's ``ci`` field and
``Interval.display``) is a file and wire format: ``podium.schema.format_interval``.
"""

from __future__ import annotations

import math

MINUS = "\u2212"
RANGE = " \u2013 "
SCORE_DECIMALS = 4
INTERVAL_DECIMALS = 2
RANK_DECIMALS = 2


def missing(value) -> bool:
    """None, NaN or pandas' NA: shown as an empty cell."""
    if value is None:
        return True
    try:
        return bool(value != value) or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def number(value, decimals: int = SCORE_DECIMALS) -> str:
    """A fixed-decimal number with a true minus sign; empty for a missing value."""
    if missing(value):
        return ""
    text = f"{float(value):.{decimals}f}"
    return MINUS + text[1:] if text.startswith("-") else text


def score(value) -> str:
    return number(value, SCORE_DECIMALS)


def mean_rank(value) -> str:
    return number(value, RANK_DECIMALS)


def interval(low, high, decimals: int = INTERVAL_DECIMALS) -> str:
    """``0.63 – 0.73``; empty when either bound is missing."""
    if missing(low) or missing(high):
        return ""
    return number(low, decimals) + RANGE + number(high, decimals)


def difference(value, decimals: int = SCORE_DECIMALS) -> str:
    """A signed difference: ``+0.0123``, ``−0.0040`` (a true minus sign)."""
    if missing(value):
        return ""
    text = number(value, decimals)
    return text if text.startswith(MINUS) else "+" + text


def p_value(value) -> str:
    """One notation for every p-value: two significant digits, ``< 0.001`` below that."""
    if missing(value):
        return ""
    value = float(value)
    if value < 0.001:
        return "< 0.001"
    decimals = max(2, 1 - math.floor(math.log10(value)))  # two significant digits, never exponents
    return f"{value:.{decimals}f}"


def count(value) -> str:
    return "" if missing(value) else str(int(value))


def parameters(billions) -> str:
    """A model's size in billions of parameters as people write it: ``7``, ``0.35``, ``1800``."""
    if missing(billions):
        return ""
    import numpy as np

    return np.format_float_positional(float(billions), precision=6, trim="-")

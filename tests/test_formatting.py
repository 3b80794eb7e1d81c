"""One convention per quantity on the page and in the terminal (podium.formatting)."""

import math

import pandas as pd

from podium import formatting


def test_intervals_use_an_en_dash_and_a_true_minus_sign():
    assert formatting.interval(0.63, 0.7349) == "0.63 \u2013 0.73"
    assert formatting.interval(-0.006, 0.131, 3) == "\u22120.006 \u2013 0.131"  # never "-0.006 - 0.131"
    assert formatting.interval(None, 0.5) == "" and formatting.interval(math.nan, 0.5) == ""


def test_scores_differences_and_counts():
    assert formatting.score(0.4) == "0.4000" and formatting.score(0.88125) == "0.8812"
    assert formatting.difference(0.0123) == "+0.0123" and formatting.difference(-0.004) == "\u22120.0040"
    assert formatting.count(pd.NA) == "" and formatting.count(320) == "320"
    assert formatting.mean_rank(1.5) == "1.50"


def test_p_values_have_one_notation():
    assert [formatting.p_value(p) for p in (0.5, 0.043, 0.0071, 0.0004, 1.0)] == [
        "0.50", "0.043", "0.0071", "< 0.001", "1.00",
    ]  # fmt: skip
    assert "e" not in formatting.p_value(1.2e-5)

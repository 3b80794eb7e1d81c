"""The state-of-the-art line: the best verified score by date (reported results never count)."""

import pandas as pd

from podium.web.plots import progress_chart, state_of_the_art


def _table(rows):
    return pd.DataFrame(rows, columns=["model", "score", "source", "updated"])


def test_each_record_beats_every_earlier_verified_result():
    table = _table([
        ("a/first", 0.60, "verified", "2026-01-10"),
        ("b/worse-later", 0.55, "verified", "2026-02-01"),
        ("c/paper", 0.99, "reported", "2026-02-15"),  # a reported number is no record
        ("d/same-day-low", 0.70, "verified", "2026-03-01"),
        ("e/same-day-high", 0.80, "verified", "2026-03-01"),
        ("f/record", 0.85, "verified", "2026-04-20"),
    ])  # fmt: skip
    assert state_of_the_art(table) == [
        ("2026-01-10", "a/first", 0.60), ("2026-03-01", "e/same-day-high", 0.80), ("2026-04-20", "f/record", 0.85),
    ]  # fmt: skip
    chart = progress_chart(table)
    assert "2026-04-20 · f/record · 0.8500" in chart and "c/paper" not in chart


def test_names_are_escaped_and_an_empty_table_says_so():
    chart = progress_chart(_table([("<b>x</b>", 0.5, "verified", "2026-01-01")]))
    assert "&lt;b&gt;x&lt;/b&gt;" in chart and "<b>x" not in chart
    assert "No verified results" in progress_chart(_table([]))

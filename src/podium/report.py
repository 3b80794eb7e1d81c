"""Plain-text rendering of results and leaderboards for the terminal."""

from __future__ import annotations

from podium import formatting
from podium.labels import column_title, model_type_title
from podium.schema import Result


def format_result(result: Result) -> str:
    lines = [f"benchmark  {result.benchmark} ({result.task_type}), n = {result.n}"]
    names = [result.primary_metric] + [m for m in result.metrics if m != result.primary_metric]
    width = max(len(n) for n in names)
    for name in names:
        value = result.metrics[name]
        interval = result.ci.get(name)
        ci = f"  95% CI {formatting.interval(interval.low, interval.high)}" if interval else ""
        mark = "  (primary)" if name == result.primary_metric else ""
        lines.append(f"{name:<{width}}  {formatting.score(value)}{ci}{mark}")
    for group, rows in result.details.items():
        if not rows:
            continue
        lines.append("")
        label_width = max(len(k) for k in rows) + 2
        lines.append(f"{group.replace('_', ' ')}:".ljust(label_width) + "  precision  recall      f1  support")
        for label, stats in rows.items():
            lines.append(
                f"  {label:<{label_width - 2}}  {stats['precision']:9.4f}  {stats['recall']:6.4f}"
                f"  {stats['f1']:6.4f}  {int(stats['support']):7d}"
            )
    return "\n".join(lines)


# (in --json all the same)
NOT_SHOWN = {"org", "ci_low", "ci_high", "version", "submission", "link", "revision", "of", "license"}
AS_TEXT = {"rank", "rank_ub", "model", "updated", "source", "ci", "n", "benchmarks"}


def labelled(rows: list[dict]) -> list[dict]:
    """Leaderboard rows (the API's shape) under the terminal's column names, numbers formatted."""
    out = []
    for row in rows:
        line = {}
        for key, value in row.items():
            if key not in NOT_SHOWN:
                value = _cell(key, value, row)
                line[column_title(key)] = "" if value is None else value
        out.append(line)
    return out


def _cell(key: str, value, row: dict):
    """One field of a row as the terminal shows it."""
    special = {
        "ci": lambda: formatting.interval(row.get("ci_low"), row.get("ci_high")),
        "n": lambda: formatting.count(value),
        "benchmarks": lambda: f"{value} of {row['of']}" if "of" in row else value,
        "mean_rank": lambda: formatting.mean_rank(value),
        "model_type": lambda: model_type_title(value),
        "params_b": lambda: formatting.parameters(value),
    }
    if key in special:
        return special[key]()
    return value if key in AS_TEXT else formatting.score(value)


def format_table(rows: list[dict]) -> str:
    """Leaderboard rows (the API's shape) as aligned text."""
    import pandas as pd

    if not rows:
        return "  (no results yet)"
    return pd.DataFrame(labelled(rows), dtype=object).to_string(index=False)


def table_csv(rows: list[dict]) -> str:
    """Leaderboard rows as CSV: every field, the numbers unrounded, the terminal's column names."""
    import csv
    import io

    if not rows:
        return ""
    sink = io.StringIO()
    writer = csv.DictWriter(sink, fieldnames=[column_title(k) for k in rows[0]], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column_title(k): "" if v is None else v for k, v in row.items()})
    return sink.getvalue()

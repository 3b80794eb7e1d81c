"""Plain-text rendering of results and leaderboards for the terminal."""

from __future__ import annotations

from podium import formatting
from podium.labels import column_title
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


NOT_SHOWN = {"org", "ci_low", "ci_high", "version", "submission", "link", "revision", "of"}
AS_TEXT = {"rank", "rank_ub", "model", "updated", "source", "ci", "n", "benchmarks"}


def labelled(rows: list[dict]) -> list[dict]:
    """Leaderboard rows (the API's shape) under the terminal's column names, numbers formatted."""
    from podium import formatting

    out = []
    for row in rows:
        line = {}
        for key, value in row.items():
            if key in NOT_SHOWN:
                continue
            if key == "ci":
                value = formatting.interval(row.get("ci_low"), row.get("ci_high"))
            elif key == "n":
                value = formatting.count(value)
            elif key == "benchmarks" and "of" in row:
                value = f"{value} of {row['of']}"
            elif key == "mean_rank":
                value = formatting.mean_rank(value)
            elif key not in AS_TEXT:
                value = formatting.score(value)
            line[column_title(key)] = "" if value is None else value
        out.append(line)
    return out


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

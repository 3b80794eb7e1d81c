"""Plain-text rendering of results and leaderboards for the terminal."""

from __future__ import annotations

from podium.schema import Result


def format_result(result: Result) -> str:
    lines = [f"benchmark  {result.benchmark} ({result.task_type}), n = {result.n}"]
    names = [result.primary_metric] + [m for m in result.metrics if m != result.primary_metric]
    width = max(len(n) for n in names)
    for name in names:
        value = result.metrics[name]
        interval = result.ci.get(name)
        ci = f"  95% CI {interval.low:.4f} - {interval.high:.4f}" if interval else ""
        mark = "  (primary)" if name == result.primary_metric else ""
        lines.append(f"{name:<{width}}  {value:.4f}{ci}{mark}")
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


def format_table(table) -> str:
    """A leaderboard table as aligned text (the columns a terminal has room for)."""
    import pandas as pd

    if table.empty:
        return "  (no results yet)"
    hidden = {"Submission", "Link", "Revision", "CI low", "CI high"}
    shown = table[[c for c in table.columns if c not in hidden]].copy()
    for column in shown.columns:
        if shown[column].dtype.kind == "f":
            shown[column] = shown[column].map(lambda v: "" if v != v else f"{v:.3f}")
        elif isinstance(shown[column].dtype, pd.Int64Dtype):  # counts; empty where unknown
            shown[column] = shown[column].astype(object).map(lambda v: "" if v is pd.NA else str(v))
    return shown.to_string(index=False)

"""A bar chart of the top models with their confidence intervals, as inline SVG (text escaped)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd


def ci_bar_chart(table: pd.DataFrame, title: str, top: int = 15) -> str:
    """``table``: a view with the fields ``model``, ``score`` (or ``mean_score``) and, when known,
    ``ci_low`` / ``ci_high``."""
    score_field = "score" if "score" in table else "mean_score"
    if table.empty or score_field not in table:
        return "<p>No results yet.</p>"
    rows = table.head(top)
    scores = rows[score_field].to_numpy(dtype=float)
    low = rows["ci_low"].to_numpy(dtype=float) if "ci_low" in rows else np.full(len(rows), np.nan)
    high = rows["ci_high"].to_numpy(dtype=float) if "ci_high" in rows else np.full(len(rows), np.nan)
    top_value = float(np.nanmax(np.concatenate([scores, high[~np.isnan(high)]]))) or 1.0
    scale = 1.0 if top_value <= 1.0 else top_value
    label_width, bar_width, row_height = 260, 420, 24
    height = row_height * len(rows) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 80}" height="{height}" '
        f'role="img" aria-label="{html.escape(title)}" style="font: 12px sans-serif">',
        f'<text x="0" y="14" font-weight="bold">{html.escape(title)}</text>',
    ]
    for i, (model, score, lo, hi) in enumerate(zip(rows["model"], scores, low, high, strict=True)):
        y = 28 + i * row_height
        width = max(score / scale, 0) * bar_width
        name = html.escape(str(model) if len(str(model)) <= 38 else str(model)[:37] + "…")
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{name}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row_height - 8}" fill="#6b8fd6"/>'
        )
        if not np.isnan(lo):
            x1, x2 = label_width + lo / scale * bar_width, label_width + hi / scale * bar_width
            mid = y + row_height / 2
            parts.append(f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{mid}" y2="{mid}" stroke="#222" stroke-width="1.5"/>')
            for x in (x1, x2):
                parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{mid - 5}" y2="{mid + 5}" stroke="#222"/>')
        parts.append(f'<text x="{label_width + bar_width + 8}" y="{y + 14}">{score:.3f}</text>')
    parts.append("</svg>")
    return "".join(parts)

"""A bar chart of the top models with their 95% intervals, as HTML that scales to its box.

Bars and whiskers are positioned in percent of the plot's width, so the chart fits a phone's 390 px
as it fits a desktop (on a narrow screen each model's name goes above its bar). Every text is
escaped; the styles are in ``CHART_CSS`` (the page's stylesheet).
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from podium import formatting

CHART_CSS = """
.podium-chart { font-size: 13px; width: 100%; }
.podium-chart .chart-title { font-weight: 600; margin: 0 0 6px; }
.podium-chart .chart-row, .podium-chart .chart-axis {
  display: grid; grid-template-columns: minmax(0, 16rem) minmax(0, 1fr) 4.5rem; gap: 8px; align-items: center;
}
.podium-chart .chart-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; text-align: right; }
.podium-chart .chart-track { position: relative; height: 18px; }
.podium-chart .chart-bar { position: absolute; left: 0; top: 3px; bottom: 3px; background: #5a7fd0; }
.podium-chart .chart-whisker { position: absolute; top: 8px; height: 2px; background: #1f1f1f; }
.podium-chart .chart-whisker::before, .podium-chart .chart-whisker::after {
  content: ""; position: absolute; top: -5px; width: 2px; height: 12px; background: #1f1f1f;
}
.podium-chart .chart-whisker::before { left: 0; }
.podium-chart .chart-whisker::after { right: 0; }
.podium-chart .chart-value { font-variant-numeric: tabular-nums; }
.podium-chart .chart-ticks { position: relative; height: 1.4em; border-top: 1px solid #595959; }
.podium-chart .chart-tick { position: absolute; transform: translateX(-50%); font-size: 12px; }
.podium-chart .chart-legend { margin-top: 4px; font-size: 12px; }
@media (max-width: 640px) {
  .podium-chart .chart-row, .podium-chart .chart-axis { grid-template-columns: minmax(0, 1fr) 4rem; }
  .podium-chart .chart-name { grid-column: 1 / -1; text-align: left; margin-top: 4px; }
  .podium-chart .chart-axis > :first-child { display: none; }
}
"""


def _percent(value: float, scale: float) -> float:
    return min(max(value / scale, 0.0), 1.0) * 100.0


def ci_bar_chart(table: pd.DataFrame, title: str, top: int = 15) -> str:
    """``table``: a view with the fields ``model``, ``score`` (or ``mean_score``) and, when known,
    ``ci_low`` / ``ci_high``."""
    score_field = "score" if "score" in table else "mean_score"
    if table.empty or score_field not in table:
        return '<p class="podium-chart">No results to chart.</p>'
    rows = table.head(top)
    scores = rows[score_field].to_numpy(dtype=float)
    low = rows["ci_low"].to_numpy(dtype=float) if "ci_low" in rows else np.full(len(rows), np.nan)
    high = rows["ci_high"].to_numpy(dtype=float) if "ci_high" in rows else np.full(len(rows), np.nan)
    largest = float(np.nanmax(np.concatenate([scores, high[~np.isnan(high)]])))
    scale = 1.0 if not math.isfinite(largest) or largest <= 1.0 else largest  # scores are fractions; others to the top
    parts = [f'<div class="podium-chart" role="figure" aria-label="{html.escape(title)}">',
             f'<p class="chart-title">{html.escape(title)}</p>']  # fmt: skip
    for model, score, lo, hi in zip(rows["model"], scores, low, high, strict=True):
        name = html.escape(str(model))
        bar = f'<div class="chart-bar" style="width:{_percent(score, scale):.2f}%"></div>'
        whisker = ""
        if not (np.isnan(lo) or np.isnan(hi)):
            left, right = _percent(lo, scale), _percent(hi, scale)
            whisker = f'<div class="chart-whisker" style="left:{left:.2f}%;width:{max(right - left, 0.3):.2f}%"></div>'
        parts.append(
            f'<div class="chart-row"><div class="chart-name" title="{name}">{name}</div>'
            f'<div class="chart-track">{bar}{whisker}</div>'
            f'<div class="chart-value">{formatting.score(score)}</div></div>'
        )
    ticks = "".join(
        f'<span class="chart-tick" style="left:{t * 100:.0f}%">{formatting.number(t * scale, 2)}</span>'
        for t in (0.0, 0.25, 0.5, 0.75, 1.0)
    )
    parts.append(f'<div class="chart-axis"><div></div><div class="chart-ticks">{ticks}</div><div></div></div>')
    parts.append('<p class="chart-legend">Bars: score · whiskers: 95% interval</p></div>')
    return "".join(parts)

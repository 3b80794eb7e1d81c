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


PROGRESS_CSS = """
.podium-progress { font-size: 13px; width: 100%; margin-top: 12px; }
.podium-progress svg { display: block; width: 100%; height: 140px; border-left: 1px solid #595959;
  border-bottom: 1px solid #595959; }
.podium-progress .progress-axis { display: flex; justify-content: space-between; font-size: 12px; }
.podium-progress ol { margin: 6px 0 0; padding-left: 1.2em; }
"""


def state_of_the_art(table: pd.DataFrame) -> list[tuple[str, str, float]]:
    """The best verified score by date, as Papers with Code drew it: (date, model, score) each time
    a verified result beat every earlier one (results of one date in descending score order)."""
    if table.empty or not {"score", "source", "updated", "model"} <= set(table.columns):
        return []
    verified = table[(table["source"] == "verified") & table["updated"].notna()]
    verified = verified.sort_values(["updated", "score"], ascending=[True, False], kind="stable")
    records, best = [], -math.inf
    for date, model, score in zip(verified["updated"], verified["model"], verified["score"], strict=True):
        if score > best:
            records.append((str(date), str(model), float(score)))
            best = score
    return records


def progress_chart(table: pd.DataFrame, title: str = "Best verified score over time (state of the art)") -> str:
    """``state_of_the_art`` as a step line (an SVG that stretches to its box) and the list of records."""
    records = state_of_the_art(table)
    if not records:
        return '<p class="podium-progress">No verified results to chart over time.</p>'
    from datetime import date

    days = [date.fromisoformat(d[:10]).toordinal() for d, _, _ in records]
    first, last = days[0], max(days[-1], days[0] + 1)
    top = max(1.0, max(score for _, _, score in records))

    def x(day: int) -> float:
        return (day - first) / (last - first) * 600

    def y(score: float) -> float:
        return 140 - score / top * 140

    points = []
    for i, (day, (_, _, score)) in enumerate(zip(days, records, strict=True)):
        if i:
            points.append(f"{x(day):.1f},{y(records[i - 1][2]):.1f}")
        points.append(f"{x(day):.1f},{y(score):.1f}")
    points.append(f"600,{y(records[-1][2]):.1f}")
    items = "".join(f"<li>{html.escape(d)} · {html.escape(m)} · {formatting.score(s)}</li>" for d, m, s in records)
    return (
        f'<div class="podium-progress" role="figure" aria-label="{html.escape(title)}">'
        f'<p class="chart-title">{html.escape(title)}</p>'
        f'<svg viewBox="0 0 600 140" preserveAspectRatio="none" aria-hidden="true">'
        f'<polyline points="{" ".join(points)}" fill="none" stroke="#5a7fd0" stroke-width="2" '
        f'vector-effect="non-scaling-stroke"/></svg>'
        f'<div class="progress-axis"><span>{html.escape(records[0][0])}</span>'
        f"<span>score 0 – {formatting.number(top, 2)}</span>"
        f"<span>{html.escape(date.fromordinal(last).isoformat())}</span></div>"
        f"<ol>{items}</ol></div>"
    )


def history_chart(series: dict[str, pd.DataFrame]) -> str:
    """A model's scores across its submissions: for each benchmark (its title -> a table of
    ``model`` (the submission's label), ``score``, ``ci_low``, ``ci_high``, oldest first), the
    scores as bars with their 95% intervals, as ``ci_bar_chart`` draws them."""
    if not series:
        return '<p class="podium-chart">No scored submissions of this model yet.</p>'
    return "".join(ci_bar_chart(table, title, top=len(table)) for title, table in series.items())

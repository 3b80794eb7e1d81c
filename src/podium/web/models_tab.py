"""The Models tab: one model's results across benchmarks, a breakdown of one result, its submissions."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from podium.labels import metric_title
from podium.web.state import WebState, task_title


def model_results(
    state: WebState, model: str | None, attempts: list | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The model's results across benchmarks, and its submissions (``attempts``: its history, read
    here when not given), newest first."""
    results = pd.DataFrame(columns=["Benchmark", "Task type", "Rank", "Score", "CI", "Updated", "Source"])
    submissions = pd.DataFrame(columns=["Submission", "Benchmark", "Revision", "Status", "Created", "Error"])
    if not model:
        return results, submissions
    from podium import formatting

    rows = []
    for benchmark, card in state.cards.items():
        row = state.row_of(benchmark, model)
        if row is not None:
            rows.append([card.name, task_title(card.task_type), row.rank, formatting.score(row.score),
                         formatting.interval(row.ci_low, row.ci_high), row.updated, row.source])  # fmt: skip
    if rows:
        results = pd.DataFrame(rows, columns=results.columns)
    attempts = history_of(state, model) if attempts is None else attempts
    mine = [attempt.request for attempt in attempts]
    if mine:
        submissions = pd.DataFrame(
            [[r.id, r.benchmark, r.model.revision, r.status.value, r.created_at.strftime("%Y-%m-%d %H:%M"),
              r.error or ""] for r in mine],
            columns=submissions.columns,
        )  # fmt: skip
    return results, submissions


HISTORY_SHOWN = 20  # submissions per benchmark in the history chart (the newest)


def history_of(state: WebState, model: str) -> list:
    """The model's submissions, newest first, with their results read when asked for (``podium.history``)."""
    from podium.history import model_history

    return model_history(state.queue, state.home.results_dir, model, exact=True)


def score_history(state: WebState, model: str | None, attempts: list | None = None) -> dict[str, pd.DataFrame]:
    """The model's scored submissions by benchmark, oldest first (the newest ``HISTORY_SHOWN``): a
    table per benchmark (titled with its name and metric) for ``plots.history_chart``. ``attempts``:
    its history, read here when not given."""
    if not model:
        return {}
    grouped: dict[tuple[str, str], list] = {}
    picked: dict[str, int] = {}
    for attempt in history_of(state, model) if attempts is None else attempts:  # newest first
        request = attempt.request
        if not request.result_file or request.benchmark not in state.cards:
            continue
        if picked.get(request.benchmark, 0) >= HISTORY_SHOWN:  # (decided before any result file is read)
            continue
        picked[request.benchmark] = picked.get(request.benchmark, 0) + 1
        result = attempt.result
        if result is None:
            continue
        interval = result.ci.get(result.primary_metric)
        label = f"{request.created_at:%Y-%m-%d %H:%M} · {request.model.revision}"
        grouped.setdefault((request.benchmark, result.primary_metric), []).append(
            (label, result.score, interval.low if interval else None, interval.high if interval else None)
        )
    series = {}
    for (benchmark, metric), rows in grouped.items():
        title = f"{state.cards[benchmark].name} — {metric_title(metric)}, by submission (oldest first)"
        series[title] = pd.DataFrame(rows[::-1], columns=["model", "score", "ci_low", "ci_high"]).astype(
            {"score": float, "ci_low": float, "ci_high": float}
        )
    return series


def model_benchmarks(state: WebState, model: str | None) -> list[tuple[str, str]]:
    """(benchmark name, id) of every benchmark with a result of this model."""
    frame = state.results()
    if not model or not len(frame):
        return []
    ids = set(frame.loc[frame["model"] == model, "benchmark"])
    return [(card.name, card.id) for card in state.cards.values() if card.id in ids]


def model_breakdown(state: WebState, model: str | None, benchmark: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every metric with its 95% CI, and the per-class / per-entity-type scores, of the result that
    counts on the leaderboard (``podium.leaderboard.current_results``)."""
    from podium import formatting
    from podium.schema import FormatError, Result

    metrics = pd.DataFrame(columns=["Metric", "Value", "95% CI"])
    breakdown = pd.DataFrame(columns=["Class", "Precision", "Recall", "F1", "Support"])
    if not model or not benchmark or benchmark not in state.cards:
        return metrics, breakdown
    path, row = state.result_of(benchmark, model)  # the result that counts on the leaderboard
    if row is None:
        return metrics, breakdown
    try:
        result = Result.read(state.home.results_dir / path)
    except (FormatError, OSError, ValueError, TypeError):  # e.g. a demo-template file: the numbers the table has
        values = [
            [
                metric_title(state.cards[benchmark].primary_metric),
                formatting.score(row.score),
                formatting.interval(row.ci_low, row.ci_high),
            ]
        ]
        values += [[metric_title(name), formatting.score(v), ""] for name, v in row.metrics.items() if v is not None]
        return pd.DataFrame(values, columns=metrics.columns), breakdown
    order = [result.primary_metric] + sorted(m for m in result.metrics if m != result.primary_metric)
    metrics = pd.DataFrame(
        [
            [
                metric_title(name),
                formatting.score(result.metrics[name]),
                formatting.interval(result.ci[name].low, result.ci[name].high) if name in result.ci else "",
            ]
            for name in order
        ],
        columns=metrics.columns,
    )
    details = result.details or {}
    per_item = details.get("per_class") or details.get("per_type") or {}
    if per_item:
        breakdown = pd.DataFrame(
            [[name, formatting.score(v.get("precision")), formatting.score(v.get("recall")),
              formatting.score(v.get("f1")), int(v.get("support", 0))] for name, v in sorted(per_item.items())],
            columns=["Entity type" if "per_type" in details else "Class", *breakdown.columns[1:]],
        )  # fmt: skip
    return metrics, breakdown


def all_models(state: WebState) -> list[str]:
    frame = state.results()
    names = set(frame["model"]) if len(frame) else set()
    names |= {r.model.full_name for r in state.queue.all()[0]}
    return sorted(names, key=str.lower)


def render_model(state: WebState, model: str | None) -> tuple:
    """The Models tab's outputs for one model: its results, its submissions, the benchmarks it has
    results on (the first picked) and that result's breakdown."""
    import gradio as gr

    from podium.web.plots import history_chart

    choices = model_benchmarks(state, model)
    first = choices[0][1] if choices else None
    attempts = history_of(state, model) if model else []  # (the queue read once for both tables)
    return (*model_results(state, model, attempts), gr.Dropdown(choices=choices, value=first),
            *model_breakdown(state, model, first), history_chart(score_history(state, model, attempts)))  # fmt: skip


def build_model_tab(state: WebState) -> dict:
    """The Models tab. It opens on a model (the one the address names, ``?model=``, else the first)
    with its tables filled: the page's first load renders it (``render``, ``outputs``)."""
    models = all_models(state)
    picker = gr.Dropdown(models, value=models[0] if models else None, label="Model", elem_id="model-picker")
    gr.Markdown("#### Results")
    results = gr.Dataframe(interactive=False, latex_delimiters=[], elem_id="model-results", datatype="str")
    gr.Markdown("#### Breakdown of one result")
    # (Custom values allowed: a breakdown request racing a model switch may name a benchmark the new
    # model lacks; it gets empty tables instead of an error toast.)
    benchmark = gr.Dropdown([], label="Benchmark", elem_id="breakdown-benchmark", allow_custom_value=True)
    with gr.Row():
        metrics = gr.Dataframe(interactive=False, latex_delimiters=[], elem_id="breakdown-metrics", datatype="str",
                               scale=1)  # fmt: skip
        breakdown = gr.Dataframe(interactive=False, latex_delimiters=[], elem_id="breakdown-classes", datatype="str",
                                 scale=2)  # fmt: skip
    gr.Markdown("#### Submissions")
    history = gr.HTML(elem_id="model-history")
    submissions = gr.Dataframe(interactive=False, latex_delimiters=[], elem_id="model-submissions", datatype="str")

    rendered = gr.State(None)  # the model the tables show: the page's first load renders it

    def on_model(model, shown):
        if model == shown:  # (the first load set the picker and rendered it already: once is enough)
            return tuple(gr.skip() for _ in outputs)
        return (*render_model(state, model), model)

    outputs = [results, submissions, benchmark, metrics, breakdown, history, rendered]
    picker.change(on_model, [picker, rendered], outputs)
    picker.change(None, picker, None, js="(value) => { podiumShare('model', value); }")
    benchmark.change(lambda m, b: model_breakdown(state, m, b), [picker, benchmark], [metrics, breakdown])
    picker.focus(lambda: gr.Dropdown(choices=all_models(state)), None, picker)
    return {"picker": picker, "outputs": outputs}

"""The Compare tab: paired tests between models, through the same service as /api/compare."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from podium.labels import metric_title
from podium.web.refresh import Watch
from podium.web.state import WebState, task_title

COLUMNS = ["Model A", "Model B", "Metric", "A", "B", "Difference", "95% CI", "p-value", "Holm p", "Test"]


def significance_matrix(pairs: list[dict], models: list[str], alpha: float = 0.05) -> pd.DataFrame:
    """Who is significantly better than whom: a row per model, a column per model; a cell says how
    the row's model compares with the column's (Holm-adjusted p < ``alpha``): "▲ better",
    "▼ worse", or "= no difference" (then with its adjusted p-value)."""
    from podium import formatting

    cells = {(m, m): "" for m in models}
    for p in pairs:
        a, b, diff, holm = p["model_a"], p["model_b"], p["difference"], p["p_holm"]
        if holm < alpha:
            cells[(a, b)], cells[(b, a)] = ("▲ better", "▼ worse") if diff > 0 else ("▼ worse", "▲ better")
        else:
            cells[(a, b)] = cells[(b, a)] = f"= no difference (p {formatting.p_value(holm)})"
    return pd.DataFrame([[m, *(cells.get((m, other), "") for other in models)] for m in models],
                        columns=["Model", *models])  # fmt: skip


def compare_view(state: WebState, benchmark: str | None, models: list[str] | None) -> tuple:
    """(summary, the table of pairs, the significance matrix) of the models picked."""
    from podium.compare import NotComparable, compare_models

    empty = pd.DataFrame(columns=COLUMNS)
    if not benchmark or not models or len(models) < 2:
        return "Pick a benchmark and at least two models.", empty, pd.DataFrame(columns=["Model"])
    try:
        out = compare_models(state.home, state, benchmark, list(models))
    except (NotComparable, ValueError) as exc:
        return str(exc), empty, pd.DataFrame(columns=["Model"])
    from podium import formatting

    rows = [
        [p["model_a"], p["model_b"], metric_title(p["metric"]), formatting.score(p["score_a"]),
         formatting.score(p["score_b"]),
         formatting.difference(p["difference"]), formatting.interval(p["ci_low"], p["ci_high"], 3),
         formatting.p_value(p["p_value"]), formatting.p_value(p["p_holm"]), p["test"]]
        for p in out["pairs"]
    ]  # fmt: skip
    tied = [m for m in out["tied_with_best"] if m != out["best"]]
    summary = f"Best on {metric_title(out['metric'])}: {out['best']}. " + (
        f"Not significantly different from it (Holm-adjusted p >= 0.05): {', '.join(tied)}."
        if tied
        else "Every other model is significantly worse (Holm-adjusted p < 0.05)."
    )
    return summary, pd.DataFrame(rows, columns=COLUMNS), significance_matrix(out["pairs"], list(dict.fromkeys(models)))


def benchmark_choices(state: WebState) -> list[tuple[str, str]]:
    return [(f"{task_title(c.task_type)} · {c.name}", c.id) for c in state.cards.values()]


def build_compare_tab(state: WebState) -> dict:
    choices = benchmark_choices(state)

    def models_of(benchmark):
        table = state.table(benchmark) if benchmark in state.cards else pd.DataFrame(columns=["model", "submission"])
        verified = table[table["submission"].notna() & (table["submission"] != "")]
        return gr.Dropdown(choices=list(verified["model"]), value=list(verified["model"][:2]))

    with gr.Row():
        benchmark = gr.Dropdown(choices, value=state.default_benchmark(), label="Benchmark",
                                elem_id="compare-benchmark", scale=1)  # fmt: skip
        models = gr.Dropdown([], multiselect=True, label="Models (verified results)", elem_id="compare-models",
                             scale=2)  # fmt: skip
    button = gr.Button("Compare", elem_id="compare-button")
    summary = gr.Textbox(label="Summary", interactive=False, elem_id="compare-summary")
    table = gr.Dataframe(pd.DataFrame(columns=COLUMNS), interactive=False, datatype="str", latex_delimiters=[],
                         elem_id="compare-table")  # fmt: skip
    gr.Markdown("#### Who is significantly better than whom (row against column, Holm-adjusted p < 0.05)")
    matrix = gr.Dataframe(pd.DataFrame(columns=["Model"]), interactive=False, datatype="str", latex_delimiters=[],
                          elem_id="compare-matrix")  # fmt: skip
    gr.Markdown(
        "Paired tests on the same items: exact McNemar for accuracy, paired bootstrap (10,000 resamples) for "
        "F1-type metrics; the 95% interval is of the difference A \u2212 B; p-values are Holm-adjusted across pairs. "
        "To keep the hidden answers hidden, each pair's test counts a few extra disagreeing items fixed by the "
        "server (so p-values are slightly conservative) and p-values have two significant digits."
    )
    benchmark.change(models_of, benchmark, models)
    button.click(lambda b, m: compare_view(state, b, m), [benchmark, models], [summary, table, matrix])
    catalogue_seen = gr.State(state.cards_version)

    def on_catalogue(choice, seen):
        picks = benchmark_choices(state)
        value = choice if choice in [v for _, v in picks] else None
        return gr.Dropdown(choices=picks, value=value), state.cards_version

    watch = Watch([benchmark, catalogue_seen], [benchmark, catalogue_seen],
                  lambda choice, seen: seen != state.cards_version, on_catalogue)  # fmt: skip
    return {"load": (models_of, [benchmark], [models]), "watches": [watch]}

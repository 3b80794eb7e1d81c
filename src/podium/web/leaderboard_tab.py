"""The leaderboard tab: benchmark picker, filters, search, columns, CSV download, CI chart."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from podium.web.plots import ci_bar_chart
from podium.web.state import OVERALL, SAFE_LINK, WebState, escape_markdown, model_cell, task_title

ALWAYS = ["Rank", "Model"]
HIDDEN_BY_DEFAULT = {"Submission", "Link", "Revision", "CI low", "CI high"}


def blurb(state: WebState, choice: str | None) -> str:
    """What the chosen view is, under its title: the benchmark's facts and description (as text)."""
    if not choice:
        return ""
    if choice.startswith(OVERALL):
        task_type = choice[len(OVERALL) :]
        count = sum(card.task_type == task_type for card in state.cards.values())
        return (
            f"Mean score and mean rank of each model over the {count} {task_title(task_type).lower()} "
            "benchmarks it has results on; ranked by mean score."
        )
    card = state.cards.get(choice)
    if card is None:
        return ""
    facts = [task_title(card.task_type), f"{card.n_items} items", f"languages: {', '.join(card.languages)}",
             f"version {escape_markdown(card.version)}"]  # fmt: skip
    if card.url and SAFE_LINK.match(card.url):
        facts.append(f"[source]({card.url})")
    text = " · ".join(facts)
    if card.description:
        text += "\n\n" + escape_markdown(card.description)
    return text + skipped_note(state.skipped_files(card.id))


def skipped_note(skipped: list[tuple[str, str]], shown: int = 3) -> str:
    """The refused result files of this view, as text: never ranked, but never silently dropped."""
    if not skipped:
        return ""
    lines = [f"- {escape_markdown(path)}: {escape_markdown(why[:200])}" for path, why in skipped[:shown]]
    more = f"\n- ... and {len(skipped) - shown} more" if len(skipped) > shown else ""
    files = "file was" if len(skipped) == 1 else "files were"
    return f"\n\n**{len(skipped)} result {files} skipped** (not ranked):\n" + "\n".join(lines) + more


def view(state: WebState, choice: str | None, search: str, verified_only: bool) -> tuple[pd.DataFrame, str]:
    """The plain table for a picker choice (before formatting), and its title."""
    if not choice:
        return pd.DataFrame(columns=ALWAYS), "No benchmark selected"
    if choice.startswith(OVERALL):
        task_type = choice[len(OVERALL) :]
        table, title = state.overall(task_type), f"Overall: {task_title(task_type)}"
    else:
        card = state.cards.get(choice)
        if card is None:
            return pd.DataFrame(columns=ALWAYS), f"No benchmark {choice!r}"
        table = state.table(choice)
        title = f"{card.name} — {card.primary_metric}"
    if verified_only and "Source" in table:
        table = table[table["Source"] == "verified"]
    if search and search.strip():
        table = table[table["Model"].str.contains(search.strip(), case=False, regex=False)]
    return table.reset_index(drop=True), title


def display(table: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Formatted for the page: model names as escaped markdown links, scores rounded."""
    shown = [c for c in table.columns if c in ALWAYS or c in columns]
    out = table[shown].copy()
    if "Model" in out:
        links = table["Link"] if "Link" in table else [None] * len(table)
        out["Model"] = [model_cell(m, link) for m, link in zip(table["Model"], links, strict=True)]
    if "Source" in out:
        out["Source"] = out["Source"].map({"verified": "✓ verified", "reported": "reported"}).fillna(out["Source"])
    datatypes = ["markdown" if c == "Model" else ("number" if out[c].dtype.kind in "if" else "str") for c in out]
    for column in out.columns:  # nullable counts (n): plain ints, empty where unknown
        if isinstance(out[column].dtype, pd.Int64Dtype):
            out[column] = [None if v is pd.NA else int(v) for v in out[column]]
    for column in out.columns:  # fixed decimals (0.4000, not 0.4); the browser still sorts them as numbers
        if out[column].dtype.kind == "f":
            template = "{:.2f}" if column == "Mean rank" else "{:.4f}"
            out[column] = [template.format(v) if v == v else "" for v in out[column]]
    return out, datatypes


def column_choices(state: WebState, choice: str | None) -> tuple[list[str], list[str]]:
    """(all optional columns of this view, the ones shown by default)."""
    table, _ = view(state, choice, "", False)
    optional = [c for c in table.columns if c not in ALWAYS]
    return optional, [c for c in optional if c not in HIDDEN_BY_DEFAULT]


def build(state: WebState, timer: gr.Timer) -> dict:
    choices = state.benchmark_choices()
    first = next((value for _, value in choices if not value.startswith(OVERALL)), None)
    optional, default = column_choices(state, first)
    with gr.Row():
        task_filter = gr.Dropdown(
            [("All task types", "")] + sorted({(task_title(c.task_type), c.task_type) for c in state.cards.values()}),
            value="", label="Task type", scale=1,
        )  # fmt: skip
        language_filter = gr.Dropdown(
            [("All languages", "")] + [(lang, lang) for lang in state.languages()], value="", label="Language", scale=1
        )
        picker = gr.Dropdown(choices, value=first, label="Benchmark", scale=3, elem_id="benchmark-picker")
    with gr.Row():
        search = gr.Textbox(label="Search models", placeholder="model or organisation", scale=3, elem_id="search")
        verified = gr.Checkbox(label="Verified only", value=False, scale=1, elem_id="verified-only")
    columns = gr.CheckboxGroup(optional, value=default, label="Columns", elem_id="columns")
    title = gr.Markdown(elem_id="table-title")
    table = gr.Dataframe(
        interactive=False, show_search="filter", pinned_columns=3, wrap=False, max_height=600,
        elem_id="leaderboard-table", buttons=["fullscreen", "copy"],
    )  # fmt: skip
    with gr.Row():
        download = gr.DownloadButton("Download CSV", elem_id="download-csv", size="sm", scale=0)
        count = gr.Markdown(elem_id="row-count")
    chart = gr.HTML(elem_id="ci-chart")
    version = gr.State(-1)

    def render(choice, query, verified_only, selected):
        plain, heading = view(state, choice, query, verified_only)
        shown, datatypes = display(plain, selected or [])
        csv_path = state.files / f"{(choice or 'leaderboard').replace(':', '-')}-leaderboard.csv"
        plain[[c for c in plain.columns if c in shown.columns]].to_csv(csv_path, index=False)
        return (
            gr.Dataframe(value=shown, datatype=datatypes),
            f"### {escape_markdown(heading)}\n{blurb(state, choice)}",
            str(csv_path),
            f"{len(plain)} models",
            ci_bar_chart(plain, f"Top models ({heading})"),
            state.view_version(choice or ""),
        )

    outputs = [table, title, download, count, chart, version]
    inputs = [picker, search, verified, columns]

    def on_filters(task_type, language, current):
        picks = state.benchmark_choices(task_type or None, language or None)
        values = [v for _, v in picks]
        value = current if current in values else next((v for v in values if not v.startswith(OVERALL)), None)
        return gr.Dropdown(choices=picks, value=value)

    def on_pick(choice):
        optional, default = column_choices(state, choice)
        return gr.CheckboxGroup(choices=optional, value=default)

    def on_tick(choice, query, verified_only, selected, seen):
        state.refresh()
        if state.view_version(choice or "") == seen:
            return tuple(gr.skip() for _ in outputs)
        return render(choice, query, verified_only, selected)

    task_filter.change(on_filters, [task_filter, language_filter, picker], picker)
    language_filter.change(on_filters, [task_filter, language_filter, picker], picker)
    picker.change(on_pick, picker, columns).then(render, inputs, outputs)
    search.change(render, inputs, outputs)
    verified.change(render, inputs, outputs)
    columns.change(render, inputs, outputs)
    timer.tick(on_tick, [*inputs, version], outputs, show_progress="hidden")
    return {"load": (render, inputs, outputs), "picker": picker}

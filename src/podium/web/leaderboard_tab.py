"""The leaderboard tab: benchmark picker, filters, search, columns, CSV download, CI chart."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from podium.errors import InvalidField
from podium.labels import MODEL_TYPE_TITLES, column_title, explanation, metric_title, model_type_title
from podium.leaderboard import ALL_TASKS
from podium.model_metadata import MAX_LICENSES, SIZES, UNKNOWN, filter_rows, with_facts
from podium.web.plots import ci_bar_chart, progress_chart
from podium.web.refresh import Watch
from podium.web.state import OVERALL, SAFE_LINK, WebState, escape_markdown, model_cell, task_title

ALWAYS = ["rank", "model"]
HIDDEN_BY_DEFAULT = {"org", "version", "submission", "link", "revision", "ci_low", "ci_high", "params_b", "license"}
MODEL_FACTS = ("model_type", "params_b", "license")  # what submitters say of a model: shown when any row says it
NEVER = {"path", "of"}


def label(field: str) -> str:
    """The page's column name for a field (``podium.labels``: the API and the caches keep the field)."""
    return column_title(field)


def column_notes(fields: list[str], metric: str | None) -> str:
    """What each column shown means, in a line under the table (and on hover over its header)."""
    notes = []
    for field in fields:
        text = explanation(field)
        if field == "score" and metric:
            text = f"{metric_title(metric)}: {explanation(metric) or text}"
        if text and field != "model":
            notes.append(f"**{escape_markdown(label(field))}**: {escape_markdown(text)}")
    return " · ".join(notes)


FIRST = ["rank", "model", "score", "ci", "mean_score", "benchmarks"]  # what a phone's width shows


def fields_of(table: pd.DataFrame) -> list[str]:
    """The fields a view can show, in order: rank, model, score and its interval first (they fit a
    390 px screen without scrolling sideways), then the others in the table's order."""
    fields = [c for c in table.columns if c not in NEVER]
    if "ci_low" in fields:
        fields.append("ci")
    return [f for f in FIRST if f in fields] + [f for f in fields if f not in FIRST]


def blurb(state: WebState, choice: str | None) -> str:
    """What the chosen view is, under its title: the benchmark's facts and description (as text)."""
    if not choice:
        return ""
    if choice.startswith(OVERALL):
        task_type = choice[len(OVERALL) :]
        count = sum(task_type in (ALL_TASKS, card.task_type) for card in state.cards.values())
        kind = "" if task_type == ALL_TASKS else task_title(task_type).lower() + " "
        return (
            f"Mean score and mean rank of each model over the {count} {kind}benchmarks it has results on, "
            "ranked by mean score; **Benchmarks** says how many that is, so a model missing some is not "
            "compared as if it had them all."
            + (" Scores of different metrics are averaged as they are." if task_type == ALL_TASKS else "")
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


def view(
    state: WebState, choice: str | None, search: str, verified_only: bool, filters: tuple = ()
) -> tuple[pd.DataFrame, str]:
    """The plain table for a picker choice (before formatting), and its title. ``filters``: the
    model types, sizes and licences to keep (``podium.model_metadata.filter_rows``; empty: all)."""
    if not choice:
        return pd.DataFrame(columns=ALWAYS), "No benchmark selected"
    if choice.startswith(OVERALL):
        task_type = choice[len(OVERALL) :]
        kind = "all benchmarks" if task_type == ALL_TASKS else task_title(task_type)
        table, title = (
            with_facts(state.overall(task_type, bool(verified_only)), state.model_facts()),
            f"Overall: {kind}",
        )
    else:
        card = state.cards.get(choice)
        if card is None:
            return pd.DataFrame(columns=ALWAYS), f"No benchmark {choice!r}"
        table = state.table(choice)
        title = f"{card.name} — Score: {metric_title(card.primary_metric)}"
    if verified_only and "source" in table:
        table = table[table["source"] == "verified"]
    if search and search.strip():
        table = table[table["model"].str.contains(search.strip(), case=False, regex=False)]
    if any(filters):
        table = filter_rows(table, *filters)  # (which checks each value: a crafted one is an InvalidField)
    return table.reset_index(drop=True), title


def count_text(count: int, search: str | None, verified_only: bool, filters: tuple) -> str:
    """How many models the table shows, and why none when it shows none."""
    narrowed = [what for what, on in (("the search", bool((search or "").strip())), ("Verified only", verified_only),
                                      ("the model filters", any(filters))) if on]  # fmt: skip
    if count:
        return f"{count} model{'s' if count != 1 else ''}" + (" (filtered)" if any(filters) else "")
    if narrowed:
        return "No model matches " + " and ".join(narrowed) + "."
    return "No results on this view yet."


def cell_texts(table: pd.DataFrame, field: str) -> list:
    """One column of a view as the page shows it (one decimal convention per quantity)."""
    from podium import formatting

    if field == "model":
        links = table["link"] if "link" in table else [None] * len(table)
        return [model_cell(m, link) for m, link in zip(table["model"], links, strict=True)]
    if field == "ci":
        return [formatting.interval(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)]
    if field == "source":
        return [{"verified": "✓ verified"}.get(v, v) for v in table["source"]]
    if field == "model_type":
        return [model_type_title(v) for v in table[field]]
    if field == "params_b":
        return [formatting.parameters(v) for v in table[field]]
    if field == "benchmarks" and "of" in table:
        return [f"{b} of {of}" for b, of in zip(table["benchmarks"], table["of"], strict=True)]
    if field in ("n", "rank", "rank_ub"):
        return [formatting.count(v) for v in table[field].astype(object)]
    if field == "mean_rank":
        return [formatting.mean_rank(v) for v in table[field]]
    if table[field].dtype.kind == "f":
        return [formatting.score(v) for v in table[field]]
    return ["" if v is None else v for v in table[field]]


def display(table: pd.DataFrame, selected: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Formatted for the page under the page's column names: model names as escaped HTML links,
    numbers with fixed decimals (the browser still sorts them as numbers)."""
    fields = [f for f in fields_of(table) if f in ALWAYS or label(f) in selected]
    out = pd.DataFrame({label(f): pd.Series(cell_texts(table, f), dtype=object) for f in fields})
    numeric = {"rank", "rank_ub", "score", "n", "mean_score", "mean_rank", "params_b"} | {
        f for f in fields if f in table and table[f].dtype.kind == "f"
    }
    datatypes = ["html" if f == "model" else ("number" if f in numeric else "str") for f in fields]
    return out, datatypes


# Widths of the columns the page knows. The first four (rank, model, score, interval) together fit
# a 390 px phone; the model column's cap also keeps a very long name from pushing the others off
# screen; the others are as wide as their numbers need, so a benchmark's default columns fit 1440 px.
WIDTHS = {
    "Rank": "56px", "Model": "32%", "Score": "66px", "95% CI": "104px", "Mean score": "72px", "Rank (UB)": "84px",
    "Items": "64px", "Source": "96px", "Type": "112px", "Params (B)": "88px", "Updated": "100px",
    "Mean rank": "80px", "Benchmarks": "104px", "CI low": "72px", "CI high": "72px",
}  # fmt: skip
METRIC_WIDTH = "88px"  # a metric column: "0.8809" under its name


def column_widths(columns: list[str]) -> list[str] | None:
    """A width for each column: the known ones fixed, a metric's for metrics, the rest ("auto")
    sized to their content."""
    from podium.labels import METRICS

    metrics = {title for title, _ in METRICS.values()}
    return [WIDTHS.get(c) or (METRIC_WIDTH if c in metrics else "auto") for c in columns] or None


def csv_of(table: pd.DataFrame, shown: pd.DataFrame) -> str:
    """The rows and columns shown, as CSV: numbers unrounded, names as plain text."""
    from podium import formatting

    columns = {}
    for field in fields_of(table):
        if label(field) not in shown.columns:
            continue
        if field == "ci":
            values = [formatting.interval(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)]
        else:
            values = table[field].astype(object).where(table[field].notna(), None).tolist()
        columns[label(field)] = values
    return pd.DataFrame(columns, dtype=object).to_csv(index=False)


def column_choices(state: WebState, choice: str | None) -> tuple[list[str], list[str]]:
    """(the labels of all optional columns of this view, the ones shown by default)."""
    table, _ = view(state, choice, "", False)
    optional = [f for f in fields_of(table) if f not in ALWAYS]
    unsaid = {f for f in MODEL_FACTS if f in table and not table[f].notna().any()}  # nobody said: not shown
    return [label(f) for f in optional], [label(f) for f in optional if f not in HIDDEN_BY_DEFAULT | unsaid]


def licence_choices(state: WebState, choice: str | None) -> list[tuple[str, str]]:
    """The licences the view's models declare (each once, whatever its case; at most as many as a
    filter takes), then "not given"."""
    table, _ = view(state, choice, "", False)
    names = {}
    for value in table["license"] if "license" in table else []:
        if isinstance(value, str):
            names.setdefault(value.casefold(), value)
    keys = sorted(names)[: MAX_LICENSES - 1]
    return [(names[key], key) for key in keys] + [("Not given", UNKNOWN)]


def build(state: WebState) -> dict:
    choices = state.benchmark_choices()
    first = state.default_benchmark()
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
    with gr.Accordion("Filter models by type, size and licence", open=False, elem_id="model-filters"):
        with gr.Row():
            types = gr.CheckboxGroup([(t, v) for v, t in MODEL_TYPE_TITLES.items()] + [("Not given", UNKNOWN)],
                                     label="Type", elem_id="filter-type")  # fmt: skip
            sizes = gr.CheckboxGroup([(t, v) for v, (t, _, _) in SIZES.items()] + [("Not given", UNKNOWN)],
                                     label="Parameters", elem_id="filter-size")  # fmt: skip
            licences = gr.Dropdown(licence_choices(state, first), value=[], multiselect=True, label="Licence",
                                   elem_id="filter-licence")  # fmt: skip
    # (closed: on a phone its 17 choices would push the table a screen down)
    with gr.Accordion("Columns shown", open=False, elem_id="columns-accordion"):
        columns = gr.CheckboxGroup(optional, value=default, label="Columns", elem_id="columns")
    title = gr.Markdown(elem_id="table-title")
    # latex_delimiters=[]: Gradio renders $$...$$ in markdown cells as math by default, and a model
    # name may hold any printable text (it could otherwise draw another name or a box over the page).
    table = gr.Dataframe(
        interactive=False, latex_delimiters=[], show_search="filter", pinned_columns=3, wrap=False, max_height=600,
        elem_id="leaderboard-table", buttons=["fullscreen", "copy"],
    )  # fmt: skip
    with gr.Row():
        download = gr.DownloadButton("Download CSV", elem_id="download-csv", size="sm", scale=0)
        count = gr.Markdown(elem_id="row-count")
    notes = gr.Markdown(elem_id="column-notes", elem_classes=["column-notes"])
    chart = gr.HTML(elem_id="ci-chart")
    version = gr.State(None)  # the view shown: its inputs and the version of its data (``view_key``)
    # The columns chosen, as the page's own state: polls send this, never the checkbox group's value,
    # which Gradio checks against the group's choices (a poll sent just before a benchmark switch
    # changed those choices was refused with an error toast).
    chosen = gr.State(default)
    licensed = gr.State([])  # the licences picked, kept the same way (their choices follow the benchmark)

    def view_key(choice, query, verified_only, selected, *filters) -> str:
        """What a rendered table shows. A poll re-renders whenever the shown view's key differs from
        the one its inputs make now: a render that lost a race with the user's own (e.g. a poll that
        started before a search) is corrected by the next poll instead of staying on the page."""
        parts = [
            choice or "",
            query or "",
            bool(verified_only),
            sorted(selected or []),
            [sorted(str(v) for v in f or []) for f in filters],
            state.view_version(choice or ""),
        ]
        return repr(parts)

    def render(choice, query, verified_only, selected, *filters):
        key = view_key(choice, query, verified_only, selected, *filters)  # first: a later change is shown next time
        try:
            plain, heading = view(state, choice, query, verified_only, filters)
        except InvalidField as exc:  # a filter value the page never offers (a crafted call)
            raise gr.Error(str(exc)) from None
        shown, datatypes = display(plain, [s for s in selected or [] if isinstance(s, str)])
        csv_path = state.csv_file(f"{(choice or 'leaderboard').replace(':', '-')}-leaderboard", csv_of(plain, shown))
        card = state.cards.get(choice or "")
        fields = [f for f in fields_of(plain) if label(f) in shown.columns]
        return (
            gr.Dataframe(value=shown, datatype=datatypes, column_widths=column_widths(list(shown.columns))),
            f"### {escape_markdown(heading)}\n{blurb(state, choice)}",
            str(csv_path),
            count_text(len(plain), query, verified_only, filters),
            ci_bar_chart(plain, f"Top models ({heading})") + (progress_chart(state.table(card.id)) if card else ""),
            key,
            column_notes(fields, card.primary_metric if card else None),
        )

    outputs = [table, title, download, count, chart, version, notes]
    inputs = [picker, search, verified, chosen, types, sizes, licensed]

    def on_filters(task_type, language, current):
        picks = state.benchmark_choices(task_type or None, language or None)
        values = [v for _, v in picks]
        value = current if current in values else next((v for v in values if not v.startswith(OVERALL)), None)
        return gr.Dropdown(choices=picks, value=value)

    def on_pick(choice, query, verified_only, kinds, sizes, licensed):
        """A new benchmark: its columns (the default ones chosen), its licences, and its table, in
        one round trip (a second one, after the columns came back, made a switch twice as slow)."""
        optional, default = column_choices(state, choice)
        picks = licence_choices(state, choice)
        kept = [v for v in licensed or [] if v in {value for _, value in picks}]
        columns_now = gr.CheckboxGroup(choices=optional, value=default)
        return (columns_now, default, gr.Dropdown(choices=picks, value=kept), kept,
                *render(choice, query, verified_only, default, kinds, sizes, kept))  # fmt: skip

    def on_columns(selected):
        return selected

    def stale(*values):
        return view_key(*values[:-1]) != values[-1]

    def on_catalogue(task_type, language, current, seen):
        return on_filters(task_type, language, current), state.cards_version

    catalogue_seen = gr.State(state.cards_version)  # the choices above are of this version
    task_filter.change(on_filters, [task_filter, language_filter, picker], picker)
    language_filter.change(on_filters, [task_filter, language_filter, picker], picker)
    picker.change(on_pick, [picker, search, verified, types, sizes, licensed],
                  [columns, chosen, licences, licensed, *outputs], queue=False)  # fmt: skip
    picker.change(None, picker, None, js="(value) => { podiumShare('benchmark', value); }")
    search.change(render, inputs, outputs)
    verified.change(render, inputs, outputs)
    types.input(render, inputs, outputs)
    sizes.input(render, inputs, outputs)
    licences.input(on_columns, licences, licensed).then(render, inputs, outputs)
    columns.input(on_columns, columns, chosen).then(render, inputs, outputs)
    user_events = [(c, "change") for c in (task_filter, language_filter, picker, search, verified, columns, types,
                                           sizes, licences)]  # fmt: skip
    watches = [
        Watch([*inputs, version], outputs, stale, lambda *values: render(*values[:-1]), user_events),
        Watch([task_filter, language_filter, picker, catalogue_seen], [picker, catalogue_seen],
              lambda *values: state.cards_version != values[-1], on_catalogue),
    ]  # fmt: skip
    return {"load": (render, inputs, outputs), "picker": picker, "search": search, "watches": watches}

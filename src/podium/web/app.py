"""``build_app(home)``: the Gradio Blocks of the leaderboard space, start-up steps timed in the log."""

from __future__ import annotations

import logging
import time

import podium.offline  # noqa: F401  (before gradio: no analytics)
from podium.config import Home
from podium.web import about_tab, compare_tab, leaderboard_tab, models_tab, queue_tab, refresh, submit_tab
from podium.web.plots import CHART_CSS, PROGRESS_CSS
from podium.web.state import WebState

log = logging.getLogger("podium.web")

CSS = (
    """
#leaderboard-table table { font-variant-numeric: tabular-nums; }
/* tables in the page's font, not monospace */
th, td, th span, td span, [role=gridcell], [role=gridcell] span { font-family: var(--font) !important; }
/* Gradio's bundled semibold face is a 5 KB subset (its missing letters fell back to another font
   mid-word): bold text takes the full bold face. */
h1, h2, h3, h4, strong, b, th, th span, .chart-title { font-weight: 700 !important; }
.column-notes { font-size: 13px; }
/* model names are links (HTML cells): shown as links, blue 700 (6.7:1 on white) */
#leaderboard-table a { color: #1d4ed8 !important; text-decoration: underline !important; }
/* what is wrong with a field, right under it (red 700: 6.5:1 on white) */
.field-error, .field-error p, .field-error span { color: #b91c1c !important; font-size: 13px; }
.field-error:empty, .field-error .prose:empty { display: none; }
"""
    + CHART_CSS
    + PROGRESS_CSS
)


# Outside Gradio's scoped CSS: the page padding on a phone, and colours with WCAG AA contrast (4.5:1
# for text; the theme's orange accent gave 2.8:1 for the selected tab and the primary button's
# text, its placeholders 1.9:1, the code examples' highlighting 2.1-3.7:1). Orange 700 keeps the
# look and reaches 5.2:1 on white; the code colours are their hues' 800 shades.
HEAD_CSS = """
@font-face {  /* Gradio registers only the 400 and a 5 KB 600 subset of its font: bold took letters from another */
  font-family: "Source Sans Pro"; font-weight: 700; font-style: normal; font-display: swap;
  src: url("static/fonts/SourceSansPro/SourceSansPro-Bold.woff2") format("woff2");
}
@media (max-width: 640px) { div.main.fillable { padding-left: 8px !important; padding-right: 8px !important; } }
:root, .gradio-container {
  --color-accent: #c2410c !important;
  --button-primary-background-fill: #c2410c !important;
  --button-primary-background-fill-hover: #9a3412 !important;
  --button-primary-border-color: #c2410c !important;
  --button-primary-text-color: #ffffff !important;
  --input-placeholder-color: #71717a !important;
}
[data-testid="upload-text"] .or { color: #71717a !important; }
.token.comment, .token.prolog, .token.punctuation, .token.operator { color: #4b5563 !important; }
.token.string, .token.attr-value, .token.char { color: #3f6212 !important; }
.token.keyword, .token.function, .token.builtin, .token.selector, .token.tag { color: #9f1239 !important; }
.token.variable, .token.parameter, .token.property, .token.number, .token.boolean, .token.constant,
.token.symbol, .token.attr-name { color: #92400e !important; }
"""


def head() -> str:
    """A script for the page's <head>: each leaderboard column header explains itself on hover
    (its ``title``), from ``podium.labels``."""
    import json

    from podium.labels import COLUMNS, METRICS

    notes = {title: text for title, text in [*COLUMNS.values(), *METRICS.values()]}
    # (A <style> here, not in CSS: Gradio scopes the app's CSS inside its container, and the page
    # padding to narrow on a phone belongs to an element around it.)
    return (
        f"<style>{HEAD_CSS}</style>\n"
        "<script>\n"
        "window.podiumShown = false;  // until the view the address names is shown, the address stays\n"
        "window.podiumShare = (key, value) => {  // the view in the address, to share or reload\n"
        "  if (!window.podiumShown) return;\n"
        "  const url = new URL(window.location.href);\n"
        "  if (value) url.searchParams.set(key, value); else url.searchParams.delete(key);\n"
        "  window.history.replaceState(null, '', url);\n"
        "};\n"
        "(() => {\n"
        f"  const notes = {json.dumps(notes)};\n"
        "  let queued = false;  // once a frame: innerText lays the page out, and one table update is many mutations\n"
        "  const apply = () => {\n"
        "    queued = false;\n"
        "    for (const th of document.querySelectorAll('#leaderboard-table th')) {\n"
        "      const note = notes[th.innerText.trim()];\n"
        "      if (note && th.title !== note) th.title = note;\n"
        "    }\n"
        "  };\n"
        "  new MutationObserver(() => { if (!queued) { queued = true; requestAnimationFrame(apply); } })\n"
        "    .observe(document.documentElement, {childList: true, subtree: true});\n"
        "})();\n"
        # The tab the address names (?tab=, or the Models tab for ?model=), opened here in the page:
        # a Tabs output of a server event would have Gradio copy every component's props on each
        # progress update of every event (the 1,000-row table among them).
        f"window.podiumOpenTab = () => {{\n"
        "  const params = new URLSearchParams(window.location.search);\n"
        "  const tab = params.get('tab') || (params.get('model') ? 'models' : null);\n"
        f"  if (!{json.dumps(list(TABS))}.includes(tab)) return;\n"
        '  document.querySelector(`[role=tab][data-tab-id="${tab}"]`)?.click();\n'
        "};</script>"
    )


TABS = ("leaderboard", "models", "submit", "compare", "queue", "about")


def view_from_address(state: WebState, request, model_shown: str | None) -> tuple:
    """(tab, leaderboard benchmark, model, leaderboard search) as the page's address names them
    (``?tab=models&model=...``, ``?benchmark=...&search=...``), what it does not name, or names
    wrongly, left as it is; then the Models tab's tables for the model it shows, and that model."""
    import gradio as gr

    params = dict(request.query_params) if request is not None else {}
    tab, benchmark, model = params.get("tab"), params.get("benchmark"), params.get("model")
    search = params.get("search")
    known_views = {value for _, value in state.benchmark_choices()}
    if model and not tab:
        tab = "models"
    named = model in models_tab.all_models(state)
    # (Choices with each value: this session's pickers hold the choices of when the page was built,
    # and a benchmark or model added since would be refused as not among them.)
    return (
        gr.Tabs(selected=tab) if tab in TABS else gr.skip(),
        gr.Dropdown(choices=state.benchmark_choices(), value=benchmark) if benchmark in known_views else gr.skip(),
        gr.Dropdown(choices=models_tab.all_models(state), value=model) if named else gr.skip(),
        search[:200] if isinstance(search, str) and search else gr.skip(),  # (a search is any text: shown as typed)
        *models_tab.render_model(state, model if named else model_shown),
        model if named else model_shown,  # (the model those tables are of)
    )


def build_app(home: Home, state: WebState | None = None, refresh_seconds: float = 1.0):
    """``refresh_seconds``: the pause between the page's long polls (``podium.web.refresh``)."""
    import gradio as gr

    started = time.perf_counter()
    state = state or WebState(home)
    log.info("web: loaded %d benchmarks in %.2f s", len(state.cards), time.perf_counter() - started)
    step = time.perf_counter()
    loads, watches = [], []
    # delete_cache: uploads and generated files older than 30 minutes go every 10 minutes (a page
    # open to anyone must not let its temporary folder grow without bound).
    with gr.Blocks(title="Podium leaderboard", analytics_enabled=False, delete_cache=(600, 1800)) as demo:
        gr.Markdown("# Podium\nOpen model leaderboard: verified scores with 95% confidence intervals.")
        timer = gr.Timer(refresh_seconds)
        # wrap: on a phone the tabs take a second line instead of hiding behind an unlabelled "..."
        with gr.Tabs(overflow_behavior="wrap", elem_id="tabs"):
            with gr.Tab("Leaderboard", id="leaderboard") as tab:
                board = leaderboard_tab.build(state)
                parts = [board]
            shared = [tab]
            with gr.Tab("Models", id="models") as tab:
                models = models_tab.build_model_tab(state)
                parts.append(models)
            shared.append(tab)
            with gr.Tab("Submit", id="submit") as tab:
                parts.append(submit_tab.build_submit_tab(state))
            shared.append(tab)
            with gr.Tab("Compare", id="compare") as tab:
                parts.append(compare_tab.build_compare_tab(state))
            shared.append(tab)
            with gr.Tab("Queue", id="queue") as tab:
                parts.append(queue_tab.build_queue_tab(state))
            shared.append(tab)
            with gr.Tab("About", id="about") as tab:
                about_tab.build_about_tab()
            shared.append(tab)
        for tab in shared:  # the address names the tab shown, so a link opens the same view
            tab.select(None, None, None, js=f"() => {{ podiumShare('tab', {tab.id!r}); }}")
        gr.Markdown(
            "Podium's REST API: [reference](/docs) · [ReDoc](/redoc) · [OpenAPI schema](/openapi.json)",
            elem_id="api-links",
        )
        for part in parts:
            if "load" in part:
                loads.append(part["load"])
            watches.extend(part.get("watches", []))

        # The view the address names first (?tab=, ?benchmark=, ?model=), then each tab's own load: one
        # request for all (each event's progress updates make Gradio copy the props of every output).
        first_inputs = [models["picker"]] + [c for _, inputs, _ in loads for c in inputs]
        first_outputs = [board["picker"], models["picker"], board["search"], *models["outputs"]]
        first_outputs += [c for _, _, outputs in loads for c in outputs]

        def first_view(request, model_shown, *values):
            out = list(view_from_address(state, request, model_shown)[1:])  # (the tab: podiumOpenTab)
            for fn, inputs, outputs in loads:
                args, values = values[: len(inputs)], values[len(inputs) :]
                try:
                    rendered = fn(*args)
                except Exception:  # noqa: BLE001 - one tab's failure leaves the others shown
                    log.exception("web: the first render of %s failed", fn.__qualname__)
                    rendered = gr.skip() if len(outputs) == 1 else [gr.skip()] * len(outputs)
                out.extend(rendered if len(outputs) != 1 else [rendered])
            return out

        first_view.__annotations__ = {"request": gr.Request}  # (a class, not this module's string annotation)
        shown = demo.load(first_view, first_inputs, first_outputs, queue=False)
        # (the tab once its view is filled in: a Models tab opens on the model the address names)
        opened = "() => { podiumOpenTab(); setTimeout(() => { window.podiumShown = true; }, 300); }"
        shown.then(None, None, None, js=opened)
        refresh.wire(timer, watches)
    # The page's functions are the page's, not an API (Podium's is the REST API): left out of the
    # description Gradio embeds in every page (460 KB at 1,000 models, each model name repeated
    # per function), still callable by the page itself.
    for fn in demo.fns.values():
        if fn.api_visibility == "public":
            fn.api_visibility = "undocumented"
    state.watch()
    log.info("web: built the page in %.2f s", time.perf_counter() - step)
    demo.podium_state = state
    return demo

"""``build_app(home)``: the Gradio Blocks of the leaderboard space, start-up steps timed in the log."""

from __future__ import annotations

import logging
import time

import podium.offline  # noqa: F401  (before gradio: no analytics)
from podium.config import Home
from podium.web import about_tab, compare_tab, leaderboard_tab, models_tab, queue_tab, refresh, submit_tab
from podium.web.plots import CHART_CSS
from podium.web.state import WebState

log = logging.getLogger("podium.web")

CSS = (
    """
#leaderboard-table table { font-variant-numeric: tabular-nums; }
#leaderboard-table th, #leaderboard-table td, #leaderboard-table span { font-family: var(--font) !important; }
/* Gradio's bundled semibold face is a 5 KB subset (its missing letters fell back to another font
   mid-word): bold text takes the full bold face. */
h1, h2, h3, h4, strong, b, th, th span, .chart-title { font-weight: 700 !important; }
.column-notes { font-size: 13px; }
"""
    + CHART_CSS
)


def head() -> str:
    """A script for the page's <head>: each leaderboard column header explains itself on hover
    (its ``title``), from ``podium.labels``."""
    import json

    from podium.labels import COLUMNS, METRICS

    notes = {title: text for title, text in [*COLUMNS.values(), *METRICS.values()]}
    # (A <style> here, not in CSS: Gradio scopes the app's CSS inside its container, and the page
    # padding to narrow on a phone belongs to an element around it.)
    return (
        "<style>@media (max-width: 640px) { div.main.fillable { padding-left: 8px !important;"
        " padding-right: 8px !important; } }</style>\n"
        "<script>(() => {\n"
        f"  const notes = {json.dumps(notes)};\n"
        "  const apply = () => {\n"
        "    for (const th of document.querySelectorAll('#leaderboard-table th')) {\n"
        "      const note = notes[th.innerText.trim()];\n"
        "      if (note && th.title !== note) th.title = note;\n"
        "    }\n"
        "  };\n"
        "  new MutationObserver(apply).observe(document.documentElement, {childList: true, subtree: true});\n"
        "})();</script>"
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
        with gr.Tabs():
            with gr.Tab("Leaderboard", id="leaderboard"):
                parts = [leaderboard_tab.build(state)]
            with gr.Tab("Models", id="models"):
                models_tab.build_model_tab(state)
            with gr.Tab("Submit", id="submit"):
                parts.append(submit_tab.build_submit_tab(state))
            with gr.Tab("Compare", id="compare"):
                parts.append(compare_tab.build_compare_tab(state))
            with gr.Tab("Queue", id="queue"):
                parts.append(queue_tab.build_queue_tab(state))
            with gr.Tab("About", id="about"):
                about_tab.build_about_tab()
        gr.Markdown(
            "Podium's REST API: [reference](/docs) · [ReDoc](/redoc) · [OpenAPI schema](/openapi.json)",
            elem_id="api-links",
        )
        for part in parts:
            if "load" in part:
                loads.append(part["load"])
            watches.extend(part.get("watches", []))
        for fn, inputs, outputs in loads:
            demo.load(fn, inputs, outputs)
        refresh.wire(timer, watches)
    state.watch()
    log.info("web: built the page in %.2f s", time.perf_counter() - step)
    demo.podium_state = state
    return demo

"""The Queue tab: submissions by state, with counts."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from podium.queue import STATES
from podium.web.refresh import Watch
from podium.web.state import WebState


def queue_view(state: WebState, status_filter: str | None) -> tuple[str, pd.DataFrame]:
    found = state.queue.counts()
    summary = " · ".join(f"{s.value.lower()}: **{found['counts'][s.value]}**" for s in STATES)
    if found["unreadable"]:
        summary += f" · unreadable: {found['unreadable']}"
    selected = state.queue.find(status=status_filter or None, limit=500)
    frame = pd.DataFrame(
        [[r.id, r.status.value, r.benchmark, r.model.full_name, r.model.revision, r.submitter or "",
          r.created_at.strftime("%Y-%m-%d %H:%M:%S"), r.updated_at.strftime("%Y-%m-%d %H:%M:%S"), r.attempts,
          r.error or ""] for r in selected],
        columns=["Submission", "Status", "Benchmark", "Model", "Revision", "Submitter", "Created", "Updated",
                 "Attempts", "Error"],
    )  # fmt: skip
    return summary, frame


def build_queue_tab(state: WebState) -> dict:
    status_filter = gr.Dropdown([("All", "")] + [(s.value.title(), s.value) for s in STATES], value="", label="Status")
    summary = gr.Markdown(elem_id="queue-counts")
    table = gr.Dataframe(interactive=False, datatype="str", latex_delimiters=[], elem_id="queue-table", max_height=500)
    seen = gr.State(-1)

    def key(status) -> str:  # the view shown: its filter and the queue's version (see leaderboard_tab.view_key)
        return repr((status or "", state.queue_version))

    def render(status):
        shown = key(status)  # read first: a change while rendering is shown by the next poll
        return (*queue_view(state, status), shown)

    status_filter.change(render, status_filter, [summary, table, seen])
    watch = Watch([status_filter, seen], [summary, table, seen], lambda status, v: v != key(status),
                  lambda status, v: render(status), [(status_filter, "change")])  # fmt: skip
    return {"load": (render, [status_filter], [summary, table, seen]), "watches": [watch]}

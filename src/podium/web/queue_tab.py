"""The Queue tab: submissions by state, with counts."""

from __future__ import annotations

from collections import Counter

import gradio as gr
import pandas as pd

from podium.web.state import WebState

STATES = ["PENDING", "RUNNING", "FINISHED", "FAILED", "CANCELLED"]


def queue_view(state: WebState, status_filter: str | None) -> tuple[str, pd.DataFrame]:
    requests, problems = state.queue.all()
    counts = Counter(r.status.value for r in requests)
    summary = " · ".join(f"{s.lower()}: **{counts.get(s, 0)}**" for s in STATES)
    if problems:
        summary += f" · unreadable: {len(problems)}"
    selected = [r for r in requests if not status_filter or r.status.value == status_filter][::-1][:500]
    frame = pd.DataFrame(
        [[r.id, r.status.value, r.benchmark, r.model.full_name, r.model.revision, r.submitter or "",
          r.created_at.strftime("%Y-%m-%d %H:%M:%S"), r.updated_at.strftime("%Y-%m-%d %H:%M:%S"), r.attempts,
          r.error or ""] for r in selected],
        columns=["Submission", "Status", "Benchmark", "Model", "Revision", "Submitter", "Created", "Updated",
                 "Attempts", "Error"],
    )  # fmt: skip
    return summary, frame


def build_queue_tab(state: WebState, timer: gr.Timer) -> dict:
    status_filter = gr.Dropdown([("All", "")] + [(s.title(), s) for s in STATES], value="", label="Status")
    summary = gr.Markdown(elem_id="queue-counts")
    table = gr.Dataframe(interactive=False, datatype="str", elem_id="queue-table", max_height=500)
    status_filter.change(lambda s: queue_view(state, s), status_filter, [summary, table])
    timer.tick(lambda s: queue_view(state, s), status_filter, [summary, table], show_progress="hidden")
    return {"load": (lambda s: queue_view(state, s), [status_filter], [summary, table])}

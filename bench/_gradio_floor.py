"""The reference page of `bench_frontend.py`: the least a Gradio page showing the same leaderboard
does. One picker of 100 benchmarks, a title, a row count and one Dataframe of plain text (rank,
model, score, interval; 1,000 rows on the first benchmark, 20 on the others), filled by a load
event and a change event, as Gradio's own leaderboard examples do. No tabs, no filters, no links.

Run by bench_frontend.py: `python bench/_gradio_floor.py PORT`.
"""

from __future__ import annotations

import os
import random
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402


def tables() -> dict[str, pd.DataFrame]:
    rng = random.Random(0)
    out = {}
    for b in range(100):
        scores = sorted((rng.random() for _ in range(1000 if b == 0 else 20)), reverse=True)
        out[f"Benchmark {b:03d}"] = pd.DataFrame({
            "Rank": range(1, len(scores) + 1),
            "Model": [f"org-{m % 37}/model-{m:04d}" for m in range(len(scores))],
            "Score": [f"{s:.4f}" for s in scores],
            "95% CI": [f"{max(0, s - 0.03):.2f} – {min(1, s + 0.03):.2f}" for s in scores],
        })  # fmt: skip
    return out


def main() -> None:
    data = tables()
    with gr.Blocks(analytics_enabled=False) as demo:
        picker = gr.Dropdown(list(data), value="Benchmark 000", label="Benchmark", elem_id="benchmark-picker")
        title = gr.Markdown(elem_id="table-title")
        count = gr.Markdown(elem_id="row-count")
        table = gr.Dataframe(interactive=False, elem_id="leaderboard-table")

        def render(benchmark):
            return f"### {benchmark}", f"{len(data[benchmark])} models", data[benchmark]

        demo.load(render, picker, [title, count, table])
        picker.change(render, picker, [title, count, table])
    demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]), footer_links=[])


if __name__ == "__main__":
    main()

"""The model page, submit, queue and about tabs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import gradio as gr
import pandas as pd

from podium.errors import PodiumError
from podium.predictions import read_predictions
from podium.schema import utcnow
from podium.scoring import validate
from podium.submissions import model_info, submit
from podium.tasks import get_task
from podium.web.state import WebState, task_title

STATES = ["PENDING", "RUNNING", "FINISHED", "FAILED", "CANCELLED"]


# --------------------------------------------------------------------------- model page


def model_results(state: WebState, model: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    results = pd.DataFrame(columns=["Benchmark", "Task type", "Rank", "Score", "CI", "Updated", "Source"])
    submissions = pd.DataFrame(columns=["Submission", "Benchmark", "Revision", "Status", "Created", "Error"])
    if not model:
        return results, submissions
    rows = []
    for benchmark, card in state.cards.items():
        table = state.table(benchmark)
        mine = table[table["Model"] == model]
        for _, row in mine.iterrows():
            rows.append([card.name, task_title(card.task_type), row["Rank"], round(row["Score"], 4), row["CI"],
                         row["Updated"], row["Source"]])  # fmt: skip
    if rows:
        results = pd.DataFrame(rows, columns=results.columns)
    requests, _ = state.queue.all()
    mine = [r for r in requests if r.model.full_name == model][::-1]
    if mine:
        submissions = pd.DataFrame(
            [[r.id, r.benchmark, r.model.revision, r.status.value, r.created_at.strftime("%Y-%m-%d %H:%M"),
              r.error or ""] for r in mine],
            columns=submissions.columns,
        )  # fmt: skip
    return results, submissions


def model_benchmarks(state: WebState, model: str | None) -> list[tuple[str, str]]:
    """(benchmark name, id) of every benchmark with a result of this model."""
    frame = state.results()
    if not model or not len(frame):
        return []
    ids = set(frame.loc[frame["model"] == model, "benchmark"])
    return [(card.name, card.id) for card in state.cards.values() if card.id in ids]


def model_breakdown(state: WebState, model: str | None, benchmark: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every metric with its 95% CI, and the per-class / per-entity-type scores, of the result that
    counts on the leaderboard (the latest; a verified one before a reported one of the same time)."""
    from podium.schema import FormatError, Result

    metrics = pd.DataFrame(columns=["Metric", "Value", "95% CI"])
    breakdown = pd.DataFrame(columns=["Class", "Precision", "Recall", "F1", "Support"])
    frame = state.results()
    if not model or not benchmark or not len(frame):
        return metrics, breakdown
    rows = frame[(frame["model"] == model) & (frame["benchmark"] == benchmark)]
    card = state.cards.get(benchmark)
    if card is not None and "benchmark_version" in rows:  # as on the leaderboard: the current items only
        rows = rows[rows["benchmark_version"].isna() | (rows["benchmark_version"] == card.version)]
    if rows.empty:
        return metrics, breakdown
    row = rows.assign(reported=rows["source"] == "reported").sort_values(["evaluated_at", "reported"]).iloc[-1]
    try:
        result = Result.read(state.home.results_dir / row["path"])
    except (FormatError, OSError, ValueError):  # e.g. a demo-template file: the numbers the table has
        names = [c for c in rows.columns if c.startswith("m:") and row[c] == row[c]]
        values = [[c[2:], f"{row[c]:.4f}", row["ci"] if c[2:] == row["primary_metric"] else ""] for c in names]
        return pd.DataFrame(values, columns=metrics.columns), breakdown
    order = [result.primary_metric] + sorted(m for m in result.metrics if m != result.primary_metric)
    metrics = pd.DataFrame(
        [[name, f"{result.metrics[name]:.4f}", result.ci[name].display if name in result.ci else ""] for name in order],
        columns=metrics.columns,
    )
    details = result.details or {}
    per_item = details.get("per_class") or details.get("per_type") or {}
    if per_item:
        breakdown = pd.DataFrame(
            [[name, f"{v.get('precision', float('nan')):.4f}", f"{v.get('recall', float('nan')):.4f}",
              f"{v.get('f1', float('nan')):.4f}", int(v.get("support", 0))] for name, v in sorted(per_item.items())],
            columns=["Entity type" if "per_type" in details else "Class", *breakdown.columns[1:]],
        )  # fmt: skip
    return metrics, breakdown


def all_models(state: WebState) -> list[str]:
    frame = state.results()
    names = set(frame["model"]) if len(frame) else set()
    names |= {r.model.full_name for r in state.queue.all()[0]}
    return sorted(names, key=str.lower)


def build_model_tab(state: WebState) -> dict:
    picker = gr.Dropdown(all_models(state), label="Model", elem_id="model-picker")
    gr.Markdown("#### Results")
    results = gr.Dataframe(interactive=False, elem_id="model-results", datatype="str")
    gr.Markdown("#### Breakdown of one result")
    benchmark = gr.Dropdown([], label="Benchmark", elem_id="breakdown-benchmark")
    with gr.Row():
        metrics = gr.Dataframe(interactive=False, elem_id="breakdown-metrics", datatype="str", scale=1)
        breakdown = gr.Dataframe(interactive=False, elem_id="breakdown-classes", datatype="str", scale=2)
    gr.Markdown("#### Submissions")
    submissions = gr.Dataframe(interactive=False, elem_id="model-submissions", datatype="str")

    def on_model(model):
        choices = model_benchmarks(state, model)
        first = choices[0][1] if choices else None
        return (*model_results(state, model), gr.Dropdown(choices=choices, value=first),
                *model_breakdown(state, model, first))  # fmt: skip

    picker.change(on_model, picker, [results, submissions, benchmark, metrics, breakdown])
    benchmark.change(lambda m, b: model_breakdown(state, m, b), [picker, benchmark], [metrics, breakdown])
    picker.focus(lambda: gr.Dropdown(choices=all_models(state)), None, picker)
    return {"picker": picker}


# --------------------------------------------------------------------------- submit


def benchmark_info(state: WebState, benchmark: str | None) -> str:
    card = state.cards.get(benchmark or "")
    if card is None:
        return "Pick a benchmark."
    task = get_task(card.task_type)
    lines = [
        f"**{card.name}** · {task.title} · {card.n_items} items · languages: {', '.join(card.languages)}",
        "",
        card.description or "",
        "",
        f"Primary metric: **{card.primary_metric}** (also: {', '.join(card.secondary_metrics) or 'none'}).",
        f'Predictions: a CSV with columns `id,prediction` or JSONL `{{"id": ..., "prediction": ...}}`: '
        f"{task.prediction_help}.",
    ]
    if card.labels:
        lines.append(f"Labels: {', '.join(f'`{label}`' for label in card.labels)}.")
    if card.entity_types:
        lines.append(f"Entity types: {', '.join(f'`{t}`' for t in card.entity_types)} (IOB2 tags).")
    return "\n".join(lines)


def check_file(state: WebState, benchmark: str | None, path: str | None) -> str:
    if not benchmark or not path:
        return ""
    try:
        gold = state.store.gold(benchmark)
        raw = read_predictions(Path(path), state.home.max_predictions_bytes)
        validate(gold, raw)
    except PodiumError as exc:
        return str(exc)
    return f"✓ valid: {len(raw)} predictions for {len(gold)} items. Ready to submit."


def status_text(state: WebState, request_id: str | None) -> str:
    if not request_id:
        return ""
    try:
        request = state.queue.get(request_id)
    except PodiumError as exc:
        return str(exc)
    lines = [f"Submission {request.id}", f"Status: {request.status.value} (attempts {request.attempts})"]
    if request.error:
        lines.append(f"Error: {request.error}")
    if request.result_file:
        from podium.schema import Result

        result = Result.read(state.home.results_dir / request.result_file)
        lines.append(f"Score: {result.primary_metric} {result.score:.4f}, 95% CI {result.ci_display}")
    return "\n".join(lines)


def submitter_of(state: WebState, api_token: str | None) -> tuple[str | None, str | None]:
    """(identity, problem): the token's name; "local" while the data home has no tokens at all."""
    from podium.tokens import TokenStore

    tokens = TokenStore(state.home)
    if not tokens.list():
        return "local", None  # a single-user folder: nobody has been given a token yet
    record = tokens.lookup((api_token or "").strip()) if api_token else None
    if record is None or not record.usable(utcnow()):
        return None, "A valid API token is needed to submit here (ask a maintainer: podium token create)."
    return record.name, None


def token_label(state: WebState) -> str:
    from podium.tokens import TokenStore

    if not TokenStore(state.home).list():
        return "API token (not needed yet: this data folder has no tokens, so submissions are recorded as 'local')"
    return "API token (needed: a maintainer creates one with podium token create --role submitter)"


def web_submit(state: WebState, choice, path, model, organisation, url, rev, api_token) -> tuple[str | None, str]:
    """The Submit button: identity from the token, the same limits and service as the API."""
    from podium.limits import Limits, submission_quota_problem

    if not choice or not path:
        return None, "Pick a benchmark and upload a predictions file first."
    who, problem = submitter_of(state, api_token)
    if problem:
        return None, problem
    problem = submission_quota_problem(state.queue, Limits.from_env(), who, choice)
    if problem:
        return None, problem
    try:
        info_ = model_info(model, org=organisation, revision=rev, link=url)
        outcome = submit(state.home, choice, Path(path), info_, submitter=who)
    except PodiumError as exc:
        return None, str(exc)
    request = outcome.request
    prefix = "" if outcome.created else "Already submitted (same file, model and revision): "
    return request.id, prefix + status_text(state, request.id)


def build_submit_tab(state: WebState, timer: gr.Timer) -> dict:
    choices = [(f"{task_title(c.task_type)} · {c.name}", c.id) for c in state.cards.values()]
    first = choices[0][1] if choices else None
    with gr.Row():
        with gr.Column(scale=3):
            benchmark = gr.Dropdown(choices, value=first, label="Benchmark", elem_id="submit-benchmark")
            info = gr.Markdown(benchmark_info(state, first), elem_id="submit-info")
            inputs_button = gr.DownloadButton("Download the public inputs (JSONL)", elem_id="download-inputs")
        with gr.Column(scale=2):
            name = gr.Textbox(label="Model name", placeholder="my-model", elem_id="model-name")
            org = gr.Textbox(label="Organisation (optional)", elem_id="model-org")
            link = gr.Textbox(label="Link (optional, https://...)", elem_id="model-link")
            revision = gr.Textbox(label="Revision (optional)", placeholder="main", elem_id="model-revision")
            token = gr.Textbox(label=token_label(state), type="password", elem_id="api-token")
    upload = gr.File(label="Predictions (CSV or JSONL)", file_types=[".csv", ".jsonl", ".json"], type="filepath",
                     elem_id="predictions-file")  # fmt: skip
    check = gr.Textbox(label="Validation", interactive=False, lines=4, elem_id="validation")
    button = gr.Button("Submit", variant="primary", elem_id="submit-button")
    status = gr.Textbox(label="Submission status", interactive=False, lines=4, elem_id="submission-status")
    current = gr.State(None)

    def export_inputs(choice):
        if not choice:
            return None
        path = state.files / f"{choice}-inputs.jsonl"
        state.store.export_inputs(choice, path)
        return str(path)

    def do_submit(choice, path, model, organisation, url, rev, api_token):
        return web_submit(state, choice, path, model, organisation, url, rev, api_token)

    benchmark.change(lambda b: benchmark_info(state, b), benchmark, info)
    benchmark.change(export_inputs, benchmark, inputs_button)
    benchmark.change(lambda b, p: check_file(state, b, p), [benchmark, upload], check)
    upload.change(lambda b, p: check_file(state, b, p), [benchmark, upload], check)
    button.click(do_submit, [benchmark, upload, name, org, link, revision, token], [current, status])
    timer.tick(lambda rid: status_text(state, rid) if rid else gr.skip(), current, status, show_progress="hidden")

    def on_load(choice):  # tokens may have been created since the page was built
        return export_inputs(choice), gr.Textbox(label=token_label(state))

    return {"load": (on_load, [benchmark], [inputs_button, token])}


# --------------------------------------------------------------------------- queue


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


# --------------------------------------------------------------------------- about

ABOUT = """
## What Podium measures

Each benchmark has public inputs and private gold answers. A submission is a file with one
prediction per item; the backend scores it against the gold answers with the benchmark's metrics:

| task type | primary metric | also |
|---|---|---|
| Text classification | accuracy | macro-F1, per-class precision / recall / F1 |
| Named-entity recognition | entity-level micro F1 (seqeval) | precision, recall, per-type F1 |
| Chatbot (QA across documents) | SQuAD token F1 | exact match, ROUGE-L |
| Prompting (QA per document) | SQuAD token F1 | exact match, ROUGE-L |

The numbers equal scikit-learn, seqeval, the official SQuAD v1.1 script and rouge_score on the
same inputs (Podium's tests check it).

## Confidence intervals and ranks

Every verified score has a 95% percentile-bootstrap interval (10,000 resamples of sufficient
statistics, seeded by benchmark and submission, so a rescore gives the same interval).
**Rank** orders by score (ties share a rank). **Rank (UB)** is 1 + the number of models whose
interval lies entirely above this model's: models that cannot be told apart share it.
**Verified** results were scored here from predictions; **reported** ones were added by a
maintainer with their numbers.

## Submitting from the command line, CI or code

Set `PODIUM_URL` to this page's address and `PODIUM_TOKEN` to the token a maintainer gave you
(`podium token create --role submitter`); `pip install` this repository for the `podium` command.

```bash
export PODIUM_URL=http://127.0.0.1:7860 PODIUM_TOKEN=pdm_...
curl -s -o inputs.jsonl $PODIUM_URL/api/benchmarks/fin-sentiment/inputs     # public inputs, never gold
# ... run your model: one prediction per id ...
podium submit fin-sentiment predictions.csv --model my-org/my-model --revision v1 --wait
#   exit 0 scored (prints score, 95% CI, rank), 1 scoring failed, 2 bad file, 3 server or network
podium status <submission id>
podium leaderboard fin-sentiment --json
```

The REST API (OpenAPI at [/docs](/docs)):

```bash
curl -s -X POST $PODIUM_URL/api/submissions -H "Authorization: Bearer $PODIUM_TOKEN" \\
  -F benchmark=fin-sentiment -F model_name=my-org/my-model -F revision=v1 -F predictions=@predictions.csv
curl -s $PODIUM_URL/api/submissions/<submission id>
curl -s $PODIUM_URL/api/leaderboard/fin-sentiment
```

From Python:

```python
from podium.client import Client
client = Client()  # PODIUM_URL and PODIUM_TOKEN
submission = client.submit_predictions("fin-sentiment", "my-org/my-model", "predictions.csv", revision="v1")
print(client.wait(submission["id"])["result"]["metrics"])
```

Predictions are CSV (`id,prediction`) or JSONL (`{"id": ..., "prediction": ...}`); NER
predictions are IOB2 tag lists. A file with problems is refused with the rows and what is wrong.
"""


def build_about_tab() -> None:
    gr.Markdown(ABOUT, elem_id="about")


# --------------------------------------------------------------------------- compare


def compare_view(state: WebState, benchmark: str | None, models: list[str] | None) -> tuple[str, pd.DataFrame]:
    from podium.compare import NotComparable, compare_models

    columns = ["Model A", "Model B", "Metric", "A", "B", "Difference", "95% CI", "p-value", "Holm p", "Test"]
    empty = pd.DataFrame(columns=columns)
    if not benchmark or not models or len(models) < 2:
        return "Pick a benchmark and at least two models.", empty
    try:
        out = compare_models(state.home, state, benchmark, list(models))
    except (NotComparable, ValueError) as exc:
        return str(exc), empty
    rows = [
        [p["model_a"], p["model_b"], p["metric"], round(p["score_a"], 4), round(p["score_b"], 4),
         round(p["difference"], 4), f"{p['ci_low']:.3f} - {p['ci_high']:.3f}", f"{p['p_value']:.3g}",
         f"{p['p_holm']:.3g}", p["test"]]
        for p in out["pairs"]
    ]  # fmt: skip
    tied = [m for m in out["tied_with_best"] if m != out["best"]]
    summary = f"Best on {out['metric']}: {out['best']}. " + (
        f"Not significantly different from it (Holm-adjusted p >= 0.05): {', '.join(tied)}."
        if tied
        else "Every other model is significantly worse (Holm-adjusted p < 0.05)."
    )
    return summary, pd.DataFrame(rows, columns=columns)


def build_compare_tab(state: WebState) -> None:
    choices = [(f"{task_title(c.task_type)} · {c.name}", c.id) for c in state.cards.values()]

    def models_of(benchmark):
        table = state.table(benchmark) if benchmark in state.cards else pd.DataFrame(columns=["Model", "Submission"])
        verified = table[table["Submission"].notna() & (table["Submission"] != "")]
        return gr.Dropdown(choices=list(verified["Model"]), value=list(verified["Model"][:2]))

    with gr.Row():
        benchmark = gr.Dropdown(choices, value=None, label="Benchmark", elem_id="compare-benchmark", scale=1)
        models = gr.Dropdown([], multiselect=True, label="Models (verified results)", elem_id="compare-models",
                             scale=2)  # fmt: skip
    button = gr.Button("Compare", elem_id="compare-button")
    summary = gr.Textbox(label="Summary", interactive=False, elem_id="compare-summary")
    table = gr.Dataframe(interactive=False, datatype="str", elem_id="compare-table")
    gr.Markdown(
        "Paired tests on the same items: exact McNemar for accuracy, paired bootstrap (10,000 resamples) for "
        "F1-type metrics; the 95% interval is of the difference A - B; p-values are Holm-adjusted across pairs."
    )
    benchmark.change(models_of, benchmark, models)
    button.click(lambda b, m: compare_view(state, b, m), [benchmark, models], [summary, table])

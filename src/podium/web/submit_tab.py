"""The Submit tab: benchmark facts, public inputs, instant validation, identity from a token, live status."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from podium.errors import PodiumError
from podium.predictions import read_predictions
from podium.scoring import validate
from podium.submissions import model_info, submit
from podium.tasks import get_task
from podium.tokens import TokenRecord
from podium.web.refresh import Watch
from podium.web.state import WebState, escape_markdown, task_title


def benchmark_info(state: WebState, benchmark: str | None) -> str:
    card = state.cards.get(benchmark or "")
    if card is None:
        return "Pick a benchmark."
    task = get_task(card.task_type)
    lines = [
        f"**{escape_markdown(card.name)}** · {task.title} · {card.n_items} items · version "
        f"{escape_markdown(card.version)} · languages: {escape_markdown(', '.join(card.languages))}",
        "",
        escape_markdown(card.description or ""),  # maintainers' text, shown as written
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
        from podium import formatting
        from podium.schema import Result

        result = Result.read(state.home.results_dir / request.result_file)
        interval = result.ci.get(result.primary_metric)
        ci = formatting.interval(interval.low, interval.high) if interval else "none"
        lines.append(f"Score: {result.primary_metric} {formatting.score(result.score)}, 95% CI {ci}")
    return "\n".join(lines)


def placement(state: WebState, request_id: str | None) -> str:
    """Where a scored submission's model stands: "Rank 3 of 6 on ...", with a link that opens the
    leaderboard at its row (``?benchmark=...&search=<model>``); empty until it is scored."""
    from urllib.parse import urlencode

    from podium import formatting
    from podium.labels import metric_title

    if not request_id:
        return ""
    try:
        request = state.queue.get(request_id)
    except PodiumError:
        return ""
    if not request.result_file:
        return ""
    model, benchmark = request.model.full_name, request.benchmark
    row, card = state.row_of(benchmark, model), state.cards.get(benchmark)
    if row is None or card is None:
        return ""
    total = len(state.table(benchmark))
    address = "?" + urlencode({"benchmark": benchmark, "search": model})
    return (
        f"**Rank {row.rank} of {total}** on {escape_markdown(card.name)} "
        f"({escape_markdown(metric_title(card.primary_metric))} {formatting.score(row.score)}) · "
        f"[open the leaderboard at this row]({address})"
    )


def identity_of(state: WebState, api_token: str | None) -> tuple[TokenRecord | None, str | None]:
    """(identity, problem): the token's record, or why the page cannot submit. The page fails closed:
    without a token nobody submits through it, even while the data folder has no tokens at all
    (anyone who can reach the page could otherwise write any org's rows)."""
    from podium.tokens import TokenStore

    tokens = TokenStore(state.home)
    if not tokens.list():
        return None, (
            "Submitting through this page needs an API token, and this Podium has none yet: a maintainer "
            "creates one with `podium token create --name NAME --role submitter` (NAME is also the org it "
            "submits for). On the server itself, `podium submit` needs no token."
        )
    record = tokens.lookup_usable(api_token)
    if record is None:
        return None, "A valid API token is needed to submit here (ask a maintainer: podium token create)."
    return record, None


def token_label(state: WebState) -> str:
    from podium.tokens import TokenStore

    if not TokenStore(state.home).list():
        return "API token (needed; this Podium has none yet: a maintainer creates one with podium token create)"
    return "API token (needed: a maintainer creates one with podium token create --role submitter)"


def web_submit(state: WebState, choice, path, model, organisation, url, rev, api_token) -> tuple[str | None, str]:
    """The Submit button: identity from the token; ownership and quotas are the submit service's."""
    if not choice or not path:
        return None, "Pick a benchmark and upload a predictions file first."
    who, problem = identity_of(state, api_token)
    if problem:
        return None, problem
    try:
        info_ = model_info(model, org=organisation, revision=rev, link=url)
        outcome = submit(state.home, choice, Path(path), info_, identity=who)
    except PodiumError as exc:
        return None, str(exc)
    request = outcome.request
    prefix = "" if outcome.created else "Already submitted (same file, model and revision): "
    return request.id, prefix + status_text(state, request.id)


def uploaded(path: str | None) -> str | None:
    """``path`` when it is a file uploaded to this page (Gradio's upload folder), else None.

    Gradio refuses other paths itself once the app counts as launched (web/server.py); this is the
    same rule again where a callback opens the file, so no code path reads a file the client named."""
    if not path or not isinstance(path, str):
        return None
    from gradio.utils import get_upload_folder

    try:
        resolved = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_file() or not resolved.is_relative_to(Path(get_upload_folder()).resolve()):
        return None
    return str(resolved)


def benchmark_choices(state: WebState) -> list[tuple[str, str]]:
    return [(f"{task_title(c.task_type)} · {c.name}", c.id) for c in state.cards.values()]


def build_submit_tab(state: WebState) -> dict:
    choices = benchmark_choices(state)
    first = state.default_benchmark()
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
    placed = gr.Markdown(elem_id="submission-rank")
    current = gr.State(None)
    status_seen = gr.State(None)  # the queue and results versions the status text was made from
    catalogue_seen = gr.State(state.cards_version)

    def export_inputs(choice):
        if not choice:
            return None
        return str(state.store.inputs_jsonl(choice))  # the stored file: no copy per visitor

    not_uploaded = "Upload the predictions file with the file box above."

    def submit_upload(choice, path, model, organisation, url, rev, api_token):
        mine = uploaded(path)
        if path and mine is None:
            return None, not_uploaded
        return web_submit(state, choice, mine, model, organisation, url, rev, api_token)

    def check_upload(choice, path):
        mine = uploaded(path)
        return not_uploaded if path and mine is None else check_file(state, choice, mine)

    benchmark.change(lambda b: benchmark_info(state, b), benchmark, info)
    benchmark.change(export_inputs, benchmark, inputs_button)
    benchmark.change(check_upload, [benchmark, upload], check)
    upload.change(check_upload, [benchmark, upload], check)

    def seen_now():
        return state.queue_version, state.version

    def do_submit(*values):  # the page function's name is what a crafted call names (tests/security)
        request_id, text = submit_upload(*values)
        return request_id, text, seen_now(), placement(state, request_id)

    def on_catalogue(choice, seen):
        picks = benchmark_choices(state)
        value = choice if choice in [v for _, v in picks] else (picks[0][1] if picks else None)
        return gr.Dropdown(choices=picks, value=value), state.cards_version

    button.click(do_submit, [benchmark, upload, name, org, link, revision, token],
                 [current, status, status_seen, placed])  # fmt: skip
    watches = [
        # the status changes only when the queue or a table does: "Already submitted ..." stays until then
        Watch([current, status_seen], [status, status_seen, placed],
              lambda rid, seen: bool(rid) and seen != seen_now(),
              lambda rid, seen: (status_text(state, rid), seen_now(), placement(state, rid))),
        Watch([benchmark, catalogue_seen], [benchmark, catalogue_seen],
              lambda choice, seen: seen != state.cards_version, on_catalogue),
    ]  # fmt: skip

    def on_load(choice):  # tokens may have been created since the page was built
        return export_inputs(choice), gr.Textbox(label=token_label(state))

    return {"load": (on_load, [benchmark], [inputs_button, token]), "watches": watches}

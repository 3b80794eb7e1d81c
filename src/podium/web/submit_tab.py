"""The Submit tab: benchmark facts, public inputs, instant validation, identity from a token, live status."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from podium.errors import PodiumError
from podium.labels import MODEL_TYPE_TITLES
from podium.predictions import read_predictions
from podium.private_part import check_open
from podium.scoring import validate
from podium.submissions import model_info, model_problems, submit
from podium.tasks import get_task
from podium.tokens import TokenRecord
from podium.web.refresh import Watch
from podium.web.state import WebState, escape_markdown, task_title

# the model fields of the form, in the order ``field_errors`` says what is wrong with them
FORM_FIELDS = ("model name", "organisation", "link", "revision", "model type", "parameters", "licence")


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
        check_open(gold.card)  # a closed benchmark takes no submissions: said before any file is read
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


def web_submit(state: WebState, choice, path, model, organisation, url, rev, api_token, kind=None, params=None,
               licence=None) -> tuple[str | None, str]:  # fmt: skip
    """The Submit button: identity from the token; ownership and quotas are the submit service's."""
    if not choice or not path:
        return None, "Pick a benchmark and upload a predictions file first."
    who, problem = identity_of(state, api_token)
    if problem:
        return None, problem
    try:
        info_ = model_info(model, org=organisation, revision=rev, link=url, model_type=kind or None, params=params,
                           license=licence)  # fmt: skip
        outcome = submit(state.home, choice, Path(path), info_, identity=who)
    except PodiumError as exc:
        return None, str(exc)
    request = outcome.request
    prefix = "" if outcome.created else "Already submitted (same file, model and revision): "
    return request.id, prefix + status_text(state, request.id)


def field_errors(name, org, link, rev, kind, params, licence) -> list[str]:
    """What is wrong with each model field, in ``FORM_FIELDS`` order ('' for a good one), said
    beside the field; the model name's "is required" only once something else was typed."""
    problems = model_problems(
        *[v if isinstance(v, str) else None for v in (name, org, rev, link)],
        model_type=kind if isinstance(kind, str) else None,
        params=params if isinstance(params, str) else None,
        license=licence if isinstance(licence, str) else None,
    )  # fmt: skip
    if not (name or "").strip():
        problems.pop("model name", None)  # (an empty form is not an error yet; the hint says what is missing)
    return [f"⚠ {escape_markdown(problems[field])}" if field in problems else "" for field in FORM_FIELDS]


def readiness(benchmark, file_ok: bool, fields_ok: bool, name, token) -> tuple[bool, str]:
    """(may the button be pressed, what is still missing, said beside it)."""
    missing = []
    if not benchmark:
        missing.append("pick a benchmark")
    if not file_ok:
        missing.append("upload a valid predictions file")
    if not (name or "").strip():
        missing.append("name the model")
    if not fields_ok:
        missing.append("correct the fields marked ⚠")
    if not (token or "").strip():
        missing.append("give your API token")
    if missing:
        return False, "To submit: " + ", ".join(missing) + "."
    return True, "Ready to submit."


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


def check_fields(*values) -> tuple:
    """The model fields' messages (one per field), and whether they are all acceptable."""
    said = field_errors(*values)
    return *said, not any(said)


def gate(choice, good_file, good_fields, model, api_token) -> tuple:
    """The Submit button, pressable only when the form is ready, and what is still missing."""
    import gradio as gr

    ready, text = readiness(choice, bool(good_file), bool(good_fields), model, api_token)
    return gr.Button(interactive=ready), text


NOT_UPLOADED = "Upload the predictions file with the file box above."


def inputs_file(state: WebState, choice: str | None) -> str | None:
    """The benchmark's public inputs to download: the stored file (no copy per visitor)."""
    return str(state.store.inputs_jsonl(choice)) if choice else None


def check_uploaded(state: WebState, choice: str | None, path: str | None) -> tuple[str, bool]:
    """(what the validation of the uploaded file says, whether it is valid for the benchmark)."""
    mine = uploaded(path)
    if path and mine is None:
        return NOT_UPLOADED, False
    text = check_file(state, choice, mine)
    return text, text.startswith("✓")


def submit_uploaded(state: WebState, choice, path, *fields) -> tuple[str | None, str]:
    """``web_submit`` for a file uploaded to this page (never a path the client names)."""
    mine = uploaded(path)
    if path and mine is None:
        return None, NOT_UPLOADED
    return web_submit(state, choice, mine, *fields)


def model_fields() -> tuple[list, list]:
    """The model's fields (``FORM_FIELDS``' order), each with the line under it that says what is wrong."""
    fields, errors = [], []
    for label, elem, extra in (
        ("Model name", "model-name", {"placeholder": "my-model or org/my-model"}),
        ("Organisation (optional)", "model-org", {}),
        ("Link (optional, https://...)", "model-link", {}),
        ("Revision (optional)", "model-revision", {"placeholder": "main"}),
        ("Type (optional)", "model-type", None),
        ("Parameters (optional)", "model-params", {"placeholder": "7B, 350M or 1.8T"}),
        ("Licence (optional)", "model-licence", {"placeholder": "apache-2.0, mit, proprietary"}),
    ):
        if extra is None:
            kinds = [("Not given", "")] + [(t, v) for v, t in MODEL_TYPE_TITLES.items()]
            fields.append(gr.Dropdown(kinds, value="", label=label, elem_id=elem))
        else:
            fields.append(gr.Textbox(label=label, elem_id=elem, **extra))
        errors.append(gr.Markdown(elem_id=f"{elem}-error", elem_classes=["field-error"]))
    return fields, errors


def build_submit_tab(state: WebState) -> dict:
    choices = benchmark_choices(state)
    first = state.default_benchmark()
    with gr.Row():
        with gr.Column(scale=3):
            benchmark = gr.Dropdown(choices, value=first, label="Benchmark", elem_id="submit-benchmark")
            info = gr.Markdown(benchmark_info(state, first), elem_id="submit-info")
            inputs_button = gr.DownloadButton("Download the public inputs (JSONL)", elem_id="download-inputs")
            upload = gr.File(label="Predictions (CSV or JSONL)", file_types=[".csv", ".jsonl", ".json"],
                             type="filepath", elem_id="predictions-file")  # fmt: skip
            check = gr.Textbox(label="Validation", interactive=False, lines=3, elem_id="validation")
        with gr.Column(scale=2):
            fields, errors = model_fields()
            token = gr.Textbox(label=token_label(state), type="password", elem_id="api-token")
    with gr.Row():
        button = gr.Button("Submit", variant="primary", interactive=False, elem_id="submit-button", scale=0)
        hint = gr.Markdown(readiness(first, False, True, "", "")[1], elem_id="submit-hint")
    status = gr.Textbox(label="Submission status", interactive=False, lines=4, elem_id="submission-status")
    placed = gr.Markdown(elem_id="submission-rank")
    current = gr.State(None)
    status_seen = gr.State(None)  # the queue and results versions the status text was made from
    catalogue_seen = gr.State(state.cards_version)
    file_ok = gr.State(False)  # the uploaded file is valid for the benchmark picked
    fields_ok = gr.State(True)  # every model field is acceptable
    name, org, link, revision, kind, params, licence = fields

    def export_inputs(choice):
        return inputs_file(state, choice)

    def check_upload(choice, path):
        return check_uploaded(state, choice, path)

    gate_inputs, gate_outputs = [benchmark, file_ok, fields_ok, name, token], [button, hint]
    benchmark.change(lambda b: benchmark_info(state, b), benchmark, info)
    benchmark.change(export_inputs, benchmark, inputs_button)
    # One event per check, whatever triggers it, each run to the end in order with its latest inputs
    # (one event per field could finish out of order: a check made before the last keystroke would
    # overwrite the one made after it). The button follows the checks' results.
    gr.on([benchmark.change, upload.change], check_upload, [benchmark, upload], [check, file_ok],
          trigger_mode="always_last")  # fmt: skip
    field_order = [name, org, link, revision, kind, params, licence]
    gr.on([field.change for field in fields], check_fields, field_order, [*errors, fields_ok],
          trigger_mode="always_last")  # fmt: skip
    gr.on([benchmark.change, name.change, token.change, file_ok.change, fields_ok.change], gate, gate_inputs,
          gate_outputs, trigger_mode="always_last")  # fmt: skip

    def seen_now():
        return state.queue_version, state.version

    def do_submit(*values):  # the page function's name is what a crafted call names (tests/security)
        request_id, text = submit_uploaded(state, *values)
        if request_id is None:  # refused: said beside the button, where it goes when the form changes
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), f"⚠ {escape_markdown(text)}"
        return request_id, text, seen_now(), placement(state, request_id), "Submitted."

    def on_catalogue(choice, seen):
        picks = benchmark_choices(state)
        value = choice if choice in [v for _, v in picks] else (picks[0][1] if picks else None)
        return gr.Dropdown(choices=picks, value=value), state.cards_version

    button.click(do_submit, [benchmark, upload, name, org, link, revision, token, kind, params, licence],
                 [current, status, status_seen, placed, hint])  # fmt: skip
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

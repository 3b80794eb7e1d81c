"""The ``podium`` command line.

Exit codes: 0 success; 2 bad input or usage (the message names the row or field); 1 any other
failure. Commands that only score or manage benchmarks never import the web stack.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from podium.config import Home
from podium.errors import PodiumError, UsageError


def _home(args: argparse.Namespace) -> Home:
    return Home.from_env(args.home)


# --------------------------------------------------------------------------- score


def cmd_score(args: argparse.Namespace) -> int:
    from podium.scoring import score_file

    result = score_file(
        _home(args), args.benchmark, Path(args.predictions), resamples=args.resamples, keep_outcomes=False
    )
    if args.json:
        data = result.summary()
        data.pop("model", None)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    from podium.report import format_result

    print(format_result(result))
    return 0


# --------------------------------------------------------------------------- benchmarks


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    pairs = {}
    for value in values or []:
        if "=" not in value:
            raise UsageError(f"{option} expects FIELD=COLUMN, got {value!r}")
        key, column = value.split("=", 1)
        pairs[key.strip()] = column.strip()
    return pairs


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def cmd_benchmark_add(args: argparse.Namespace) -> int:
    from podium.benchmarks import BenchmarkStore
    from podium.schema import BenchmarkCard, FormatError
    from podium.tasks import get_task

    fields: dict = {}
    if args.card:
        try:
            fields = json.loads(Path(args.card).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise UsageError(f"--card {args.card}: {exc}") from None
    given = {
        "id": args.id,
        "name": args.name,
        "task_type": args.task,
        "description": args.description,
        "url": args.url,
        "languages": _split(args.languages),
        "primary_metric": args.metric,
        "labels": _split(args.labels),
        "entity_types": _split(args.entity_types),
        "version": args.version,
        "license": args.license,
    }
    fields.update({k: v for k, v in given.items() if v is not None})
    for required in ("id", "task_type"):
        if not fields.get(required):
            raise UsageError(f"--{'task' if required == 'task_type' else required} is required")
    try:
        task = get_task(fields["task_type"])
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    fields.setdefault("name", fields["id"])
    fields.setdefault("primary_metric", task.metrics[0])
    try:
        card = BenchmarkCard.model_validate(fields)
    except Exception as exc:  # pydantic's message names the field
        raise UsageError(f"benchmark card: {FormatError(str(exc))}") from None
    store = BenchmarkStore(_home(args))
    from podium import webhooks

    card = store.add(
        card,
        Path(args.data),
        columns=_pairs(args.column, "--column"),
        documents=Path(args.documents) if args.documents else None,
        replace=args.replace,
    )
    webhooks.flush()
    print(f"added benchmark {card.id} ({card.task_type}, {card.n_items} items)")
    return 0


def cmd_benchmark_list(args: argparse.Namespace) -> int:
    from podium.benchmarks import BenchmarkStore

    cards = BenchmarkStore(_home(args)).list()
    if args.json:
        print(json.dumps([c.model_dump(mode="json", exclude_none=True) for c in cards], indent=2))
        return 0
    if not cards:
        print("no benchmarks yet: add one with `podium benchmark add`")
        return 0
    width = max(len(c.id) for c in cards)
    for c in cards:
        langs = ",".join(c.languages)
        print(f"{c.id:<{width}}  {c.task_type:<19}  {c.n_items:>7} items  {langs:<6}  {c.name}")
    return 0


def cmd_benchmark_show(args: argparse.Namespace) -> int:
    from podium.benchmarks import BenchmarkStore

    card = BenchmarkStore(_home(args)).card(args.benchmark)
    print(card.to_json(), end="")
    return 0


def cmd_benchmark_export(args: argparse.Namespace) -> int:
    from podium.benchmarks import BenchmarkStore

    store = BenchmarkStore(_home(args))
    out = Path(args.output or f"{args.benchmark}-inputs.jsonl")
    n = store.export_inputs(args.benchmark, out)
    print(f"wrote {n} items to {out}")
    if store.documents(args.benchmark) is not None:
        docs_out = out.with_name(out.stem + "-documents.jsonl")
        frame = store.documents(args.benchmark)
        lines = [json.dumps(r, ensure_ascii=False) for r in frame.to_dict(orient="records")]
        docs_out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {len(frame)} documents to {docs_out}")
    return 0


# --------------------------------------------------------------------------- submissions


def cmd_submit_http(args: argparse.Namespace, url: str) -> int:
    """`podium submit --url URL [--token T] [--wait]`: exit 0 scored, 1 failed scoring, 2 bad input, 3 server."""
    client = _client(args, url)
    model = f"{args.org}/{args.model}" if args.org else args.model
    try:
        with _http_errors():
            request = client.submit_predictions(
                args.benchmark, model, args.predictions, revision=args.revision, link=args.link
            )
            print(request["id"], flush=True)
            if not args.wait:
                return 0
            final = client.wait(request["id"], timeout=args.wait_timeout)
    except TimeoutError as exc:
        raise ServerProblem(str(exc)) from None
    except OSError as exc:  # the predictions file
        raise UsageError(str(exc)) from None
    if final["status"] != "FINISHED":
        print(f"{final['status']}: {final.get('error', '')}", file=sys.stderr)
        return 1
    result = final["result"]
    rank = ""
    with contextlib.suppress(PodiumError), _http_errors():
        rows = client.get_leaderboard(args.benchmark)
        mine = next((r for r in rows if r.get("submission") == request["id"]), None)
        rank = f"  rank {mine['rank']} of {len(rows)}" if mine else ""
    interval = result.get("ci", {}).get(result["primary_metric"], {})
    print(f"{result['primary_metric']} {result['metrics'][result['primary_metric']]:.4f}  95% CI "
          f"{interval.get('display', '')}{rank}")  # fmt: skip
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    import os

    from podium.submissions import model_info, submit

    url = args.url or os.environ.get("PODIUM_URL")
    if url:
        return cmd_submit_http(args, url)
    if args.wait:
        raise UsageError("--wait needs --url (or PODIUM_URL): it follows a submission on a server")

    model = model_info(args.model, org=args.org, revision=args.revision, link=args.link)
    outcome = submit(_home(args), args.benchmark, Path(args.predictions), model, submitter=args.submitter)
    request = outcome.request
    if args.json:
        print(json.dumps({"created": outcome.created, **request.model_dump(mode="json", exclude_none=True)}, indent=2))
        return 0
    if outcome.created:
        print(request.id)
        print(
            f"queued {request.model.full_name} ({request.model.revision}) on {request.benchmark}: "
            f"`podium status {request.id}` to follow it",
            file=sys.stderr,
        )
    else:
        print(request.id)
        print(
            f"already submitted: the same file for {request.model.full_name} ({request.model.revision}) "
            f"on {request.benchmark} is {request.status.value}; not queued again",
            file=sys.stderr,
        )
    if outcome.path_name != request.model.full_name.lower().replace("/", "-", 1):  # more than org/name -> org-name
        print(f"note: the model name is kept as text; file names use {outcome.path_name!r}", file=sys.stderr)
    return 0


def _request_line(r) -> str:
    error = f"  {r.error}" if r.error else ""
    return (
        f"{r.id:<52}  {r.status.value:<9}  {r.benchmark:<18}  {r.model.full_name}"
        f"  ({r.model.revision})  attempts {r.attempts}{error}"
    )


class ServerProblem(PodiumError):
    """The server failed or could not be reached (exit 3: retry later, the input is not at fault)."""

    exit_code = 3


def _server(args: argparse.Namespace) -> str | None:
    """The Podium server to talk to: --url, else $PODIUM_URL; None means the local folders."""
    import os

    return getattr(args, "url", None) or os.environ.get("PODIUM_URL") or None


@contextlib.contextmanager
def _http_errors():
    """Client errors as CLI errors: 2 when the server refused the request (4xx), 3 for server or network."""
    from podium.client import ApiError, ConnectionProblem

    try:
        yield
    except ApiError as exc:
        if exc.status >= 500:
            raise ServerProblem(f"the server failed ({exc.status}): {exc.detail}") from None
        raise UsageError(str(exc.detail)) from None
    except ConnectionProblem as exc:
        raise ServerProblem(str(exc)) from None


def _client(args: argparse.Namespace, url: str):
    from podium.client import Client

    return Client(url, token=getattr(args, "token", None))


def _print_status(data: dict) -> None:
    """A submission (the API's JSON shape) as the lines of `podium status`."""
    model = data["model"]
    full_name = f"{model['org']}/{model['name']}" if model.get("org") else model["name"]
    print(f"submission  {data['id']}")
    print(f"status      {data['status']}")
    print(f"benchmark   {data['benchmark']} (version {data.get('benchmark_version', '?')})")
    print(f"model       {full_name} (revision {model.get('revision', 'main')})")
    if data.get("submitter"):
        print(f"submitter   {data['submitter']}")
    print(f"created     {data['created_at']}")
    print(f"updated     {data['updated_at']}")
    print(f"attempts    {data.get('attempts', 0)}")
    if data.get("lease"):
        print(f"lease       {data['lease']['owner']} until {data['lease']['expires_at']}")
    if data.get("error"):
        print(f"error       {data['error']}")
    if data.get("result_file"):
        print(f"result      {data['result_file']}")
    result = data.get("result")
    if result:
        metric = result["primary_metric"]
        interval = result.get("ci", {}).get(metric, {}).get("display", "")
        print(f"score       {metric} {result['metrics'][metric]:.4f}  95% CI {interval}")


def cmd_status(args: argparse.Namespace) -> int:
    url = _server(args)
    if url:
        with _http_errors():
            data = _client(args, url).get_submission_status(args.submission)
    else:
        from podium.queue import RequestQueue
        from podium.schema import Result

        home = _home(args)
        request = RequestQueue(home).get(args.submission)
        data = request.model_dump(mode="json", exclude_none=True)
        if request.result_file:
            data["result"] = Result.read(home.results_dir / request.result_file).summary()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_status(data)
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    url = _server(args)
    if url:
        with _http_errors():
            data = _client(args, url).cancel(args.submission)
        print(f"{data['id']} {data['status']}")
        return 0
    from podium.queue import RequestQueue

    request = RequestQueue(_home(args)).cancel(args.submission)
    print(f"{request.id} {request.status.value}")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    from collections import Counter

    from podium.queue import RequestQueue

    requests, problems = RequestQueue(_home(args)).all()
    for request_id, problem in problems:
        print(f"warning: unreadable request {request_id}: {problem}", file=sys.stderr)
    counts = Counter(r.status.value for r in requests)
    selected = [
        r
        for r in requests
        if (not args.status or r.status.value == args.status.upper())
        and (not args.benchmark or r.benchmark == args.benchmark)
        and (not args.model or args.model.lower() in r.model.full_name.lower())
    ]
    selected = selected[::-1][: args.limit]  # newest first
    if args.json:
        print(json.dumps([r.model_dump(mode="json", exclude_none=True) for r in selected], indent=2))
        return 0
    order = ["PENDING", "RUNNING", "FINISHED", "FAILED", "CANCELLED"]
    print("  ".join(f"{s.lower()} {counts.get(s, 0)}" for s in order))
    for r in selected:
        print(_request_line(r))
    return 0


# --------------------------------------------------------------------------- backend and tables


def _configure_logging(verbose: bool = True) -> None:
    import logging

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _backend_settings(args: argparse.Namespace):
    from podium.backend import BackendSettings

    return BackendSettings(
        workers=args.workers,
        interval_seconds=args.interval,
        lease_seconds=args.lease,
        timeout_seconds=args.timeout,
        max_attempts=args.max_attempts,
    )


def _wait_for_signal() -> None:
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass


def cmd_backend(args: argparse.Namespace) -> int:
    from podium.backend import Backend

    _configure_logging()
    backend = Backend(_home(args), _backend_settings(args))
    if args.once:
        count = backend.run_once()
        backend.stop()
        print(f"processed {count} submissions", file=sys.stderr)
        return 0
    backend.start()
    _wait_for_signal()
    print("stopping the backend", file=sys.stderr)
    backend.stop()
    return 0


def _leaderboard_remote(args: argparse.Namespace, url: str) -> tuple[list[dict] | None, str]:
    """(rows in the API's shape, title) from a server; rows None when every table was printed."""
    import pandas as pd

    from podium.leaderboard import display_columns
    from podium.report import format_table

    client = _client(args, url)
    with _http_errors():
        if args.task:
            return client.get_overall(args.task), f"Overall: {args.task}"
        if args.benchmark:
            card = client.get_benchmark(args.benchmark)
            return client.get_leaderboard(args.benchmark, limit=args.limit), _title(card)
        for card in client.list_benchmarks():
            rows = client.get_leaderboard(card["id"], limit=args.limit)
            print(f"\n{_title(card)}")
            print(format_table(display_columns(pd.DataFrame(rows))))
    return None, ""


def _title(card) -> str:
    card = card if isinstance(card, dict) else card.model_dump()
    return (
        f"{card['name']}  [{card['id']}, {card['task_type']}, {card.get('n_items', '?')} items, "
        f"metric: {card['primary_metric']}]"
    )


def _leaderboard_local(args: argparse.Namespace):
    """(table, title) from the local folders; table None when every table was printed."""
    from podium.leaderboard import Leaderboard
    from podium.report import format_table

    board = Leaderboard(_home(args))
    board.refresh()
    for path, problem in sorted(board.problems.items()):
        print(f"warning: skipped eval-results/{path}: {problem}", file=sys.stderr)
    if args.task:
        from podium.tasks import get_task

        try:
            get_task(args.task)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from None
        return board.overall(args.task).head(args.limit), f"Overall: {args.task}"
    if args.benchmark:
        if args.benchmark not in board.cards:
            raise UsageError(f"no benchmark {args.benchmark!r} (podium benchmark list shows them)")
        return board.table(args.benchmark).head(args.limit), _title(board.cards[args.benchmark])
    for card in board.cards.values():
        print(f"\n{_title(card)}")
        print(format_table(board.table(card.id).head(args.limit)))
    return None, ""


def cmd_leaderboard(args: argparse.Namespace) -> int:
    import pandas as pd

    from podium.leaderboard import display_columns, table_records
    from podium.report import format_table

    url = _server(args)
    if url:
        rows, title = _leaderboard_remote(args, url)
        table = None if rows is None else display_columns(pd.DataFrame(rows))
    else:
        table, title = _leaderboard_local(args)
    if table is None:
        return 0
    if args.json:
        print(json.dumps(table_records(table), indent=2, ensure_ascii=False))
    elif args.csv:
        print(table.to_csv(index=False), end="")
    else:
        print(title)
        print(format_table(table))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from podium.web.server import serve

    _configure_logging()
    return serve(_home(args), _backend_settings(args), host=args.host, port=args.port, backend=not args.no_backend)


# --------------------------------------------------------------------------- tokens


def cmd_token(args: argparse.Namespace) -> int:
    from podium.tokens import TokenStore

    tokens = TokenStore(_home(args))
    if args.token_command == "create":
        token = tokens.create(args.name, args.role, args.expires_days)
        print(token)
        print(f"token for {args.name} ({args.role}): shown once, only its hash is stored", file=sys.stderr)
    elif args.token_command == "revoke":
        count = tokens.revoke(args.name)
        if not count:
            raise UsageError(f"no active token named {args.name!r}")
        print(f"revoked {count} token(s) of {args.name}")
    else:
        for record in tokens.list():
            state = "revoked" if record.revoked else (f"expires {record.expires_at}" if record.expires_at else "active")
            print(f"{record.name:<24} {record.role:<10} {state}  created {record.created_at}")
    return 0


# --------------------------------------------------------------------------- samples / demo


def cmd_samples(args: argparse.Namespace) -> int:
    from podium.samples import generate

    generate(_home(args), force=args.force)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from podium.samples import generate

    generate(_home(args))
    args.benchmark, args.task, args.limit = None, None, 1000
    _leaderboard_local(args)  # every sample table, from these folders (never a server)
    return 0


# --------------------------------------------------------------------------- parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("podium")
    except PackageNotFoundError:  # running from a checkout without installing
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="podium", description="Podium: an open model leaderboard.")
    parser.add_argument("--home", help="data folder (default: $PODIUM_HOME or the current folder)")
    parser.add_argument("--version", action="version", version=f"podium {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("score", help="score a predictions file locally")
    p.add_argument("benchmark")
    p.add_argument("predictions", help="CSV (id,prediction) or JSONL file")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples (10000)")
    p.set_defaults(func=cmd_score)

    bench = sub.add_parser("benchmark", help="create, list and export benchmarks")
    bsub = bench.add_subparsers(dest="benchmark_command", required=True)
    p = bsub.add_parser("add", help="create a benchmark from a CSV, JSONL or Parquet file")
    p.add_argument("--id", help="safe slug, e.g. fin-sentiment")
    p.add_argument("--name", help="display name (default: the id)")
    p.add_argument("--task", help="text_classification, ner, chatbot or prompting")
    p.add_argument("--data", required=True, help="file with inputs and gold answers")
    p.add_argument("--documents", help="chatbot: the document collection (CSV, JSONL, Parquet)")
    p.add_argument("--card", help="a JSON card with any of the fields; options override it")
    p.add_argument("--description", help="what the benchmark measures (shown as text)")
    p.add_argument("--url", help="https:// link to the dataset or paper")
    p.add_argument("--languages", help="comma-separated language codes (default: en)")
    p.add_argument("--metric", help="primary metric (default: the task type's)")
    p.add_argument("--labels", help="text_classification: comma-separated label set")
    p.add_argument("--entity-types", help="ner: comma-separated entity types")
    p.add_argument("--version", help="benchmark version (default: 1); results name the version they scored")
    p.add_argument("--license", help="the eval set's license")
    p.add_argument("--column", action="append", metavar="FIELD=COLUMN", help="map a source column")
    p.add_argument("--replace", action="store_true", help="overwrite an existing benchmark")
    p.set_defaults(func=cmd_benchmark_add)
    p = bsub.add_parser("list", help="list benchmarks")
    p.add_argument("--json", action="store_true", help="print the cards as JSON")
    p.set_defaults(func=cmd_benchmark_list)
    p = bsub.add_parser("show", help="print a benchmark's card")
    p.add_argument("benchmark")
    p.set_defaults(func=cmd_benchmark_show)
    p = bsub.add_parser("export-inputs", help="write the public inputs (never the gold answers)")
    p.add_argument("benchmark")
    p.add_argument("-o", "--output", help="output file, .jsonl or .csv (default: ID-inputs.jsonl)")
    p.set_defaults(func=cmd_benchmark_export)

    p = sub.add_parser("submit", help="validate a predictions file and queue it for scoring")
    p.add_argument("benchmark")
    p.add_argument("predictions", help="CSV (id,prediction) or JSONL file")
    p.add_argument("--model", required=True, help="model name (or org/name)")
    p.add_argument("--org", help="organisation")
    p.add_argument("--revision", help="model revision, e.g. a commit or version (default: main)")
    p.add_argument("--link", help="https:// link to the model")
    p.add_argument("--submitter", help="who submits (shown in the queue)")
    p.add_argument("--json", action="store_true", help="print the request as JSON")
    p.add_argument("--url", help="submit to a Podium server (default: $PODIUM_URL; without it, the local folders)")
    p.add_argument("--token", help="API token (default: $PODIUM_TOKEN)")
    p.add_argument(
        "--wait", action="store_true", help="wait until scored; exit 0 scored, 1 failed, 2 bad input, 3 server"
    )
    p.add_argument("--wait-timeout", type=float, default=3600, help="seconds to wait at most (3600)")
    p.set_defaults(func=cmd_submit)

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--url", help="ask a Podium server (default: $PODIUM_URL; without it, the local folders)")
        p.add_argument("--token", help="API token (default: $PODIUM_TOKEN)")

    p = sub.add_parser("status", help="state, timestamps, attempts and error of a submission")
    p.add_argument("submission")
    p.add_argument("--json", action="store_true", help="print the request (and its result summary) as JSON")
    server_options(p)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("cancel", help="cancel a pending or running submission")
    p.add_argument("submission")
    server_options(p)
    p.set_defaults(func=cmd_cancel)

    p = sub.add_parser("queue", help="list submissions, newest first, with counts per state")
    p.add_argument("--status", choices=["PENDING", "RUNNING", "FINISHED", "FAILED", "CANCELLED"], type=str.upper)
    p.add_argument("--benchmark")
    p.add_argument("--model", help="substring of the model name")
    p.add_argument("--limit", type=int, default=50, help="at most this many (50)")
    p.add_argument("--json", action="store_true", help="print the requests as JSON")
    p.set_defaults(func=cmd_queue)

    def backend_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--workers", type=int, default=2, help="submissions scored at once (2)")
        p.add_argument("--interval", type=float, default=2.0, help="seconds between queue polls (2)")
        p.add_argument("--lease", type=float, default=30.0, help="lease length in seconds, renewed while scoring (30)")
        p.add_argument("--timeout", type=float, default=600.0, help="scoring time limit per submission (600)")
        p.add_argument("--max-attempts", type=int, default=3, help="crashes before a submission fails (3)")

    p = sub.add_parser("backend", help="score queued submissions on a schedule (Ctrl-C stops)")
    p.add_argument("--once", action="store_true", help="process what is pending, then exit")
    backend_options(p)
    p.set_defaults(func=cmd_backend)

    p = sub.add_parser("leaderboard", help="print a benchmark's leaderboard (or all, or --task overall)")
    p.add_argument("benchmark", nargs="?")
    p.add_argument("--task", help="overall table across the benchmarks of a task type")
    p.add_argument("--limit", type=int, default=1000, help="at most this many rows per table (1000)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON (the API's keys: rank, model, ...)")
    p.add_argument("--csv", action="store_true", help="print the rows as CSV (the page's column names)")
    p.add_argument("--url", help="read from a Podium server (default: $PODIUM_URL; without it, the local folders)")
    p.set_defaults(func=cmd_leaderboard)

    p = sub.add_parser("serve", help="run Podium: the web leaderboard and the backend scheduler")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (7860)")
    p.add_argument("--no-backend", action="store_true", help="web only (another process scores)")
    backend_options(p)
    p.set_defaults(func=cmd_serve)

    tok = sub.add_parser("token", help="API tokens: create, list, revoke")
    tsub = tok.add_subparsers(dest="token_command", required=True)
    p = tsub.add_parser("create", help="create a token (printed once; only its hash is stored)")
    p.add_argument("--name", required=True, help="who uses it")
    p.add_argument("--role", required=True, choices=["submitter", "admin"])
    p.add_argument("--expires-days", type=float, help="valid for this many days (default: until revoked)")
    p.set_defaults(func=cmd_token)
    p = tsub.add_parser("list", help="list tokens (names, roles, states; never the tokens)")
    p.set_defaults(func=cmd_token)
    p = tsub.add_parser("revoke", help="revoke every token of a name")
    p.add_argument("name")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("samples", help="(re)generate the bundled sample benchmarks and predictions")
    p.add_argument("--force", action="store_true", help="overwrite existing sample files")
    p.set_defaults(func=cmd_samples)

    p = sub.add_parser("demo", help="make sure the sample data is in place and print the leaderboards")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except PodiumError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``podium`` command line.

Exit codes: 0 success; 2 bad input or usage (the message names the row or field); 1 any other
failure. Commands that only score or manage benchmarks never import the web stack.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from podium.cli.admin import cmd_demo, cmd_rescore, cmd_samples, cmd_token
from podium.cli.benchmarks import (
    add_private_part_options,
    cmd_benchmark_add,
    cmd_benchmark_export,
    cmd_benchmark_list,
    cmd_benchmark_show,
    cmd_score,
)
from podium.cli.running import cmd_backend, cmd_serve
from podium.cli.submissions import cmd_cancel, cmd_queue, cmd_status, cmd_submit
from podium.cli.tables import cmd_leaderboard
from podium.errors import PodiumError


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("podium")
    except PackageNotFoundError:  # running from a checkout without installing
        return "unknown"


class Choices(Sequence):
    """An option's choices, listed when first needed (parsing the option, printing help): reading
    them imports what defines them (the task registry imports pandas), which most commands never need."""

    def __init__(self, load: Callable[[], Sequence[str]]):
        self._load = load
        self._items: Sequence[str] | None = None

    def _all(self) -> Sequence[str]:
        if self._items is None:
            self._items = tuple(self._load())
        return self._items

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


def _task_type_names() -> Sequence[str]:
    from podium.tasks import task_type_names

    return task_type_names()


def _request_states() -> Sequence[str]:
    from podium.schema import RequestStatus

    return [s.value for s in RequestStatus]


def task_type(text: str) -> str:
    """``--task``: a task type's name, title or other spelling (as the API accepts) -> its name."""
    from podium.errors import InvalidField
    from podium.tasks import task_type_from

    try:
        return task_type_from(text)
    except InvalidField as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


TASK_HELP = "task type: %(choices)s (or its title, e.g. 'Text Classification')"


class _ShowVersion(argparse.Action):
    """``--version``, looked up only when asked: ``importlib.metadata`` would cost every command ~25 ms."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs):
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"podium {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="podium", description="Podium: an open model leaderboard.")
    parser.add_argument("--home", help="data folder (default: $PODIUM_HOME or the current folder)")
    parser.add_argument("--version", action=_ShowVersion, help="show the installed version and exit")
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
    p.add_argument("--task", type=task_type, choices=Choices(_task_type_names), metavar="TASK", help=TASK_HELP)
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
    p.add_argument("--featured", action="store_true", default=None,
                   help="the benchmark the page opens on (else the one with the most results)")  # fmt: skip
    p.add_argument("--column", action="append", metavar="FIELD=COLUMN", help="map a source column")
    p.add_argument(
        "--extra-metric",
        action="append",
        metavar="PATH",
        help="a local evaluate module (its folder or .py script) scored beside the task's metrics, shown as "
        "columns; repeat for more (docs/metrics.md)",
    )
    p.add_argument("--no-extra-metrics", action="store_true", help="with --replace: drop the benchmark's extra metrics")
    p.add_argument(
        "--replace", action="store_true", help="new eval set for an existing benchmark; fields not given are kept"
    )
    p.set_defaults(func=cmd_benchmark_add)
    add_private_part_options(p, bsub)
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

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--url", help="ask a Podium server (default: $PODIUM_URL; without it, the local folders)")
        p.add_argument("--token", help="API token (default: $PODIUM_TOKEN)")

    p = sub.add_parser("submit", help="validate a predictions file and queue it for scoring")
    p.add_argument("benchmark")
    p.add_argument("predictions", help="CSV (id,prediction) or JSONL file")
    p.add_argument("--model", required=True, help="model name (or org/name)")
    p.add_argument("--org", help="organisation")
    p.add_argument("--revision", help="model revision, e.g. a commit or version (default: main)")
    p.add_argument("--link", help="https:// link to the model")
    p.add_argument("--model-type", help="open-weights, api or fine-tuned (shown and filtered on the leaderboard)")
    p.add_argument("--params", help="parameters: 7, 7B, 350M or 1.8T")
    p.add_argument("--license", help="the model's licence, e.g. apache-2.0")
    p.add_argument("--submitter", help="who submits (shown in the queue)")
    p.add_argument("--json", action="store_true", help="print the request as JSON")
    server_options(p)
    p.add_argument(
        "--wait", action="store_true", help="wait until scored; exit 0 scored, 1 failed, 2 bad input, 3 server"
    )
    p.add_argument("--wait-timeout", type=float, default=3600, help="seconds to wait at most (3600)")
    p.set_defaults(func=cmd_submit)

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
    p.add_argument("--status", choices=Choices(_request_states), type=str.upper, metavar="STATE",
                   help="only submissions in this state: %(choices)s")  # fmt: skip
    p.add_argument("--benchmark")
    p.add_argument("--model", help="org/name, or a name (any org); any case")
    p.add_argument("--limit", type=int, default=50, help="at most this many (50)")
    p.add_argument("--json", action="store_true", help="print the requests as JSON")
    server_options(p)
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
    p.add_argument("--task", type=task_type, choices=Choices(_task_type_names), metavar="TASK",
                   help="the overall table across the benchmarks of a task type: %(choices)s")  # fmt: skip
    p.add_argument("--limit", type=int, default=1000, help="at most this many rows per table (1000)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON (the API's keys: rank, model, ...)")
    p.add_argument("--csv", action="store_true", help="print the rows as CSV (the page's column names)")
    server_options(p)
    p.set_defaults(func=cmd_leaderboard)

    p = sub.add_parser("serve", help="run Podium: the web leaderboard and the backend scheduler")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (7860)")
    p.add_argument("--no-backend", action="store_true", help="web only (another process scores)")
    backend_options(p)
    p.set_defaults(func=cmd_serve)

    tok = sub.add_parser("token", help="API tokens and the orgs they submit for: create, list, grant, revoke")
    tsub = tok.add_subparsers(dest="token_command", required=True)
    p = tsub.add_parser("create", help="create a token (printed once; only its hash is stored)")
    p.add_argument("--name", required=True, help="who uses it; also the org it submits for by default")
    p.add_argument("--role", required=True, choices=["submitter", "admin"])
    p.add_argument("--org", action="append", default=[], metavar="ORG",
                   help="an org it may also submit models for (org/name); repeat for several")  # fmt: skip
    p.add_argument("--expires-days", type=float, help="valid for this many days (default: until revoked)")
    p.set_defaults(func=cmd_token)
    p = tsub.add_parser("list", help="list tokens (names, roles, orgs, states; never the tokens)")
    p.set_defaults(func=cmd_token)
    p = tsub.add_parser("grant", help="let every token of a name submit for more orgs")
    p.add_argument("name")
    p.add_argument("--org", action="append", required=True, metavar="ORG", help="repeat for several")
    p.set_defaults(func=cmd_token)
    p = tsub.add_parser("revoke", help="revoke every token of a name, or with --org only those orgs")
    p.add_argument("name")
    p.add_argument("--org", action="append", default=[], metavar="ORG", help="take only this org away; repeatable")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser(
        "rescore", help="score finished submissions again after a metric or a benchmark's gold answers changed"
    )
    p.add_argument("benchmark", nargs="*", help="only these benchmarks (default: all)")
    p.add_argument("--all", action="store_true", help="every finished submission, not only the stale ones")
    p.add_argument("--dry-run", action="store_true", help="list what would be rescored; change nothing")
    p.set_defaults(func=cmd_rescore)

    p = sub.add_parser("samples", help="(re)generate the bundled sample benchmarks and predictions")
    p.add_argument("--force", action="store_true", help="overwrite existing sample files")
    p.set_defaults(func=cmd_samples)

    p = sub.add_parser("demo", help="make sure the sample data is in place and print the leaderboards")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    global _command
    parser = build_parser()
    args = parser.parse_args(argv)
    _command = args.command
    try:
        return args.func(args)
    except PodiumError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


LONG_RUNNING = {"serve", "backend"}
_command: str | None = None  # the command ``main`` ran last


def run() -> None:
    """The `podium` console script: ``main``, then a prompt exit for the one-shot commands.

    A one-shot command's answer is complete when ``main`` returns; the interpreter's own shutdown
    then tears down pyarrow's thread pool and, rarely, aborts with "terminate called without an
    active exception" (exit 134) after the right exit code was decided. Flushing and leaving with
    ``os._exit`` keeps the exit code the command chose. The long-running commands, which own child
    processes, exit the ordinary way."""
    import logging
    import os

    code = main()
    if _command in LONG_RUNNING:
        sys.exit(code)
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        pass
    os._exit(code if isinstance(code, int) else 1)

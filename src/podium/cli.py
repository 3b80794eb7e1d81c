"""The ``podium`` command line.

Exit codes: 0 success; 2 bad input or usage (the message names the row or field); 1 any other
failure. Commands that only score or manage benchmarks never import the web stack.
"""

from __future__ import annotations

import argparse
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
    card = store.add(
        card,
        Path(args.data),
        columns=_pairs(args.column, "--column"),
        documents=Path(args.documents) if args.documents else None,
        replace=args.replace,
    )
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


# --------------------------------------------------------------------------- samples / demo


def cmd_samples(args: argparse.Namespace) -> int:
    from podium.samples import generate

    generate(_home(args), force=args.force)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from podium.report import print_sample_leaderboards

    print_sample_leaderboards(_home(args))
    return 0


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="podium", description="Podium: an open model leaderboard.")
    parser.add_argument("--home", help="data folder (default: $PODIUM_HOME or the current folder)")
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
    p.add_argument("--name")
    p.add_argument("--task", help="text_classification, ner, chatbot or prompting")
    p.add_argument("--data", required=True, help="file with inputs and gold answers")
    p.add_argument("--documents", help="chatbot: the document collection (CSV, JSONL, Parquet)")
    p.add_argument("--card", help="a JSON card with any of the fields; options override it")
    p.add_argument("--description")
    p.add_argument("--url")
    p.add_argument("--languages", help="comma-separated language codes (default: en)")
    p.add_argument("--metric", help="primary metric (default: the task type's)")
    p.add_argument("--labels", help="text_classification: comma-separated label set")
    p.add_argument("--entity-types", help="ner: comma-separated entity types")
    p.add_argument("--version")
    p.add_argument("--license")
    p.add_argument("--column", action="append", metavar="FIELD=COLUMN", help="map a source column")
    p.add_argument("--replace", action="store_true", help="overwrite an existing benchmark")
    p.set_defaults(func=cmd_benchmark_add)
    p = bsub.add_parser("list", help="list benchmarks")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_benchmark_list)
    p = bsub.add_parser("show", help="print a benchmark's card")
    p.add_argument("benchmark")
    p.set_defaults(func=cmd_benchmark_show)
    p = bsub.add_parser("export-inputs", help="write the public inputs (never the gold answers)")
    p.add_argument("benchmark")
    p.add_argument("-o", "--output", help="output file, .jsonl or .csv (default: ID-inputs.jsonl)")
    p.set_defaults(func=cmd_benchmark_export)

    p = sub.add_parser("samples", help="(re)generate the bundled sample benchmarks and predictions")
    p.add_argument("--force", action="store_true", help="overwrite existing sample files")
    p.set_defaults(func=cmd_samples)

    p = sub.add_parser("demo", help="score the sample predictions and print the leaderboards")
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

"""`podium score` and `podium benchmark add|list|show|export-inputs|reveal`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from podium.cli.common import data_home
from podium.errors import UsageError


def cmd_score(args: argparse.Namespace) -> int:
    from podium.predictions import keep_pandas_out_of_pyarrow
    from podium.scoring import score_file

    keep_pandas_out_of_pyarrow()  # this process only scores: pyarrow need not import pandas (~0.3 s)
    result = score_file(
        data_home(args), args.benchmark, Path(args.predictions), resamples=args.resamples, keep_outcomes=False
    )
    if args.json:
        data = result.summary()
        data.pop("model", None)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    from podium.report import format_result

    print(format_result(result))
    return 0


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    pairs = {}
    for value in values or []:
        if "=" not in value:
            raise UsageError(f"{option} expects FIELD=COLUMN, got {value!r}")
        key, column = value.split("=", 1)
        pairs[key.strip()] = column.strip()
    return pairs


def _card_file(path: str | None) -> dict:
    if not path:
        return {}
    try:
        fields = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"--card {path}: {exc}") from None
    if not isinstance(fields, dict):
        raise UsageError(f"--card {path}: expected a JSON object")
    return fields


def cmd_benchmark_add(args: argparse.Namespace) -> int:
    """Create (or with --replace, swap the eval set of) a benchmark. The card's fields come from
    --card, then the options; with --replace, fields given neither way keep their values."""
    from podium.benchmarks import BenchmarkStore, build_card

    given = {
        "id": args.id,
        "name": args.name,
        "task_type": args.task,
        "description": args.description,
        "url": args.url,
        "languages": args.languages,
        "primary_metric": args.metric,
        "labels": args.labels,
        "entity_types": args.entity_types,
        "version": args.version,
        "license": args.license,
        "featured": getattr(args, "featured", None),
    }
    fields = _card_file(args.card) | {k: v for k, v in given.items() if v is not None}
    fraction = getattr(args, "private_fraction", None)
    if fraction is not None:
        if not 0 <= fraction < 1:
            raise UsageError(f"--private-fraction must be at least 0 and below 1, got {fraction:g}")
        fields["private_fraction"] = fraction or None  # 0: no private part (also on --replace)
    if not fields.get("id"):
        raise UsageError("--id is required")
    if not fields.get("task_type") and not args.replace:
        raise UsageError("--task is required (with --replace, the existing benchmark's is kept)")
    store = BenchmarkStore(data_home(args))
    card = build_card(fields, existing=store.existing(fields["id"]) if args.replace else None)
    from podium import webhooks

    if args.extra_metric and args.no_extra_metrics:
        raise UsageError("--extra-metric and --no-extra-metrics contradict each other")
    extra_metrics = [Path(p) for p in args.extra_metric or []] if args.extra_metric or args.no_extra_metrics else None
    card = store.add(
        card,
        Path(args.data),
        columns=_pairs(args.column, "--column"),
        documents=Path(args.documents) if args.documents else None,
        replace=args.replace,
        keep_private_part=fraction != 0,
        extra_metrics=extra_metrics,
    )
    webhooks.flush()
    print(f"added benchmark {card.id} ({card.task_type}, {card.n_items} items, version {card.version})")
    if card.extra_metrics:
        print(f"extra metrics {', '.join(card.extra_metrics)} (columns beside {card.primary_metric}: "
              f"{', '.join(card.secondary_metrics)})")  # fmt: skip
    if card.private_fraction:
        print(
            f"{card.private_fraction:.0%} of the items form a secret private part: the leaderboard shows the "
            f"public part until `podium benchmark reveal {card.id}`"
        )
    return 0


def cmd_benchmark_reveal(args: argparse.Namespace) -> int:
    from podium.private_part import reveal

    revealed = reveal(data_home(args), args.benchmark)
    card = revealed.card
    print(
        f"closed {card.private_part_of}: no new submissions. Its private standings are the benchmark {card.id} "
        f"({card.n_items} items, {revealed.results} results"
        + (f", {revealed.rescored} scored now from stored predictions" if revealed.rescored else "")
        + ")"
    )
    return 0


def cmd_benchmark_list(args: argparse.Namespace) -> int:
    from podium.benchmarks import BenchmarkStore

    cards = BenchmarkStore(data_home(args)).list()
    if args.json:
        print(json.dumps([c.model_dump(mode="json", exclude_none=True) for c in cards], indent=2))
        return 0
    if not cards:
        print("no benchmarks yet: add one with `podium benchmark add`")
        return 0
    width = max(len(c.id) for c in cards)
    for c in cards:
        langs = ",".join(c.languages)
        version = f"v{c.version}"
        print(f"{c.id:<{width}}  {c.task_type:<19}  {c.n_items:>7} items  {version:<4}  {langs:<6}  {c.name}")
    return 0


def cmd_benchmark_show(args: argparse.Namespace) -> int:
    from podium.benchmarks import BenchmarkStore

    card = BenchmarkStore(data_home(args)).card(args.benchmark)
    print(card.to_json(), end="")
    return 0


def cmd_benchmark_export(args: argparse.Namespace) -> int:
    from podium.benchmarks import BenchmarkStore

    store = BenchmarkStore(data_home(args))
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


def add_private_part_options(add: argparse.ArgumentParser, benchmark_commands) -> None:
    """`benchmark add --private-fraction` and `benchmark reveal` (``benchmark_commands`` is the
    `benchmark` command's subparsers)."""
    add.add_argument(
        "--private-fraction",
        type=float,
        metavar="F",
        help="hold back this share of the items as a secret private part, revealed by `benchmark reveal` "
        "(0 removes it on --replace)",
    )
    p = benchmark_commands.add_parser(
        "reveal", help="close a benchmark and publish its private part's standings as <id>-private"
    )
    p.add_argument("benchmark")
    p.set_defaults(func=cmd_benchmark_reveal)

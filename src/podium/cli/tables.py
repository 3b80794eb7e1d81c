"""`podium leaderboard`: one benchmark's table, all of them, or a task type's overall table.

Local folders and a server give the same rows (the REST API's shape); this module only prints them.
"""

from __future__ import annotations

import argparse
import json
import sys

from podium.cli.common import client_for, data_home, http_errors, server_url
from podium.errors import UsageError


def _title(card) -> str:
    card = card if isinstance(card, dict) else card.model_dump()
    return (
        f"{card['name']}  [{card['id']}, {card['task_type']}, {card.get('n_items', '?')} items, "
        f"metric: {card['primary_metric']}]"
    )


def _remote_tables(args: argparse.Namespace, url: str):
    """(title, rows) of each table asked for, from a server."""
    client = client_for(args, url)
    with http_errors():
        if args.task:
            yield f"Overall: {args.task}", client.get_overall(args.task)
        elif args.benchmark:
            card = client.get_benchmark(args.benchmark)
            yield _title(card), client.get_leaderboard(args.benchmark, limit=args.limit)
        else:
            for card in client.list_benchmarks():
                yield _title(card), client.get_leaderboard(card["id"], limit=args.limit)


def _local_tables(args: argparse.Namespace):
    """(title, rows) of each table asked for, from the local folders."""
    from podium.errors import PodiumError
    from podium.leaderboard import Leaderboard

    board = Leaderboard(data_home(args))
    board.refresh()
    for path, problem in sorted(board.problems.items()):
        print(f"warning: skipped eval-results/{path}: {problem}", file=sys.stderr)
    if args.task:
        from podium.tasks import get_task

        try:
            task_type = get_task(args.task).name
        except (KeyError, PodiumError) as exc:
            raise UsageError(str(exc.args[0])) from None
        yield f"Overall: {args.task}", [s.as_json() for s in board.standings(task_type, limit=args.limit)]
    elif args.benchmark:
        if args.benchmark not in board.cards:
            raise UsageError(f"no benchmark {args.benchmark!r} (podium benchmark list shows them)")
        card = board.cards[args.benchmark]
        yield _title(card), [r.as_json() for r in board.rows(card.id, limit=args.limit)]
    else:
        for card in board.cards.values():
            yield _title(card), [r.as_json() for r in board.rows(card.id, limit=args.limit)]


def print_local_tables(args: argparse.Namespace) -> None:
    """Every table asked for by ``args``, from the local folders, as text."""
    from podium.report import format_table

    for title, rows in _local_tables(args):
        print(f"\n{title}")
        print(format_table(rows))


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from podium.report import format_table, table_csv

    url = server_url(args)
    tables = list(_remote_tables(args, url) if url else _local_tables(args))
    single = bool(args.task or args.benchmark)
    for title, rows in tables:
        if single and args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        elif single and args.csv:
            print(table_csv(rows), end="")
        else:
            print(("" if single else "\n") + title)
            print(format_table(rows))
    return 0

"""`podium leaderboard`: one benchmark's table, all of them, or a task type's overall table."""

from __future__ import annotations

import argparse
import json
import sys

from podium.cli.common import client_for, data_home, http_errors, server_url
from podium.errors import UsageError


def _leaderboard_remote(args: argparse.Namespace, url: str) -> tuple[list[dict] | None, str]:
    """(rows in the API's shape, title) from a server; rows None when every table was printed."""
    import pandas as pd

    from podium.leaderboard import display_columns
    from podium.report import format_table

    client = client_for(args, url)
    with http_errors():
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


def print_local_leaderboard(args: argparse.Namespace):
    """(table, title) from the local folders; table None when every table was printed."""
    from podium.leaderboard import Leaderboard
    from podium.report import format_table

    board = Leaderboard(data_home(args))
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

    url = server_url(args)
    if url:
        rows, title = _leaderboard_remote(args, url)
        table = None if rows is None else display_columns(pd.DataFrame(rows))
    else:
        table, title = print_local_leaderboard(args)
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

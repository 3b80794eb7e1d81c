"""``podium serve``: everything in one process on the local folders.

Today: the backend scheduler, and the leaderboards printed in the terminal whenever they change.
The Gradio frontend and the REST API join this process in their issues.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from podium.backend import Backend, BackendSettings
from podium.config import Home
from podium.leaderboard import Leaderboard
from podium.report import format_table

log = logging.getLogger("podium.serve")


def serve(home: Home, settings: BackendSettings, refresh_seconds: float = 1.0) -> int:
    started = time.perf_counter()
    board = Leaderboard(home)
    board.refresh()
    log.info(
        "loaded %d benchmarks, %d result rows in %.2f s (cache %.3f s)",
        len(board.cards),
        sum(len(board.index.frame_for(b)) for b in board.index.benchmarks),
        time.perf_counter() - started,
        board.index.timings.get("cache", 0),
    )
    for path, problem in sorted(board.problems.items()):
        log.warning("skipped eval-results/%s: %s", path, problem)
    step = time.perf_counter()
    backend = Backend(home, settings)
    backend.start()
    log.info("backend started in %.2f s", time.perf_counter() - step)
    for card in board.cards.values():
        _print(board, card.id)
    log.info(
        "Podium is running on %s (started in %.2f s). Submit with `podium submit`; Ctrl-C stops.",
        home.root,
        time.perf_counter() - started,
    )

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(refresh_seconds):
        for benchmark in sorted(board.refresh()):
            if benchmark in board.cards:
                _print(board, benchmark)
        for path, problem in sorted(board.problems.items()):
            if path not in _reported:
                _reported.add(path)
                log.warning("skipped eval-results/%s: %s", path, problem)
    log.info("stopping")
    backend.stop()
    board.save()
    return 0


_reported: set[str] = set()


def _print(board: Leaderboard, benchmark: str) -> None:
    card = board.cards[benchmark]
    print(f"\n{card.name}  [{card.id}, {card.task_type}, metric: {card.primary_metric}]", flush=True)
    print(format_table(board.table(benchmark)), flush=True)

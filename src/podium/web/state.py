"""What every tab of one running web app shares: the data home, the leaderboard tables, the queue."""

from __future__ import annotations

import html
import re
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.leaderboard import Leaderboard
from podium.queue import RequestQueue
from podium.schema import BenchmarkCard
from podium.tasks import get_task

OVERALL = "overall:"


def task_title(task_type: str) -> str:
    return get_task(task_type).title


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|~>"})
SAFE_LINK = re.compile(r"^https?://[^\s()<>\[\]]+$")


def escape_markdown(text: str) -> str:
    """Text that a markdown cell shows exactly as written: HTML-escaped, markdown punctuation escaped."""
    return html.escape(str(text), quote=False).translate(_MARKDOWN_SPECIAL)


def model_cell(name: str, link: str | None) -> str:
    text = escape_markdown(name)
    if link and SAFE_LINK.match(link):
        return f"[{text}]({link})"
    return text


class WebState:
    """Shared by all sessions of one app; the leaderboard is refreshed at most once a second."""

    def __init__(self, home: Home, refresh_seconds: float = 1.0):
        self.home = home
        self.store = BenchmarkStore(home)
        self.queue = RequestQueue(home)
        self.board = Leaderboard(home)
        self.refresh_seconds = refresh_seconds
        self.versions: dict[str, int] = {}
        self.version = 0
        self._lock = threading.RLock()
        self._last_refresh = 0.0
        self.files = Path(tempfile.mkdtemp(prefix="podium-web-"))
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> set[str]:
        """Pick up new results (throttled); bump the version of every benchmark that changed."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._last_refresh < self.refresh_seconds:
                return set()
            self._last_refresh = now
            changed = self.board.refresh()
            if changed:
                self.version += 1
                for benchmark in changed:
                    self.versions[benchmark] = self.versions.get(benchmark, 0) + 1
            return changed

    def view_version(self, view: str) -> int:
        if view.startswith(OVERALL):
            return self.version
        return self.versions.get(view, 0)

    @property
    def cards(self) -> dict[str, BenchmarkCard]:
        with self._lock:
            return self.board.cards

    def table(self, benchmark: str) -> pd.DataFrame:
        with self._lock:
            return self.board.table(benchmark)

    def overall(self, task_type: str) -> pd.DataFrame:
        with self._lock:
            return self.board.overall(task_type)

    def skipped_files(self, benchmark: str | None = None) -> list[tuple[str, str]]:
        """Result files that were refused (malformed, impossible values, links): (path, why), of one
        benchmark's folders when given. They are listed on the page and never ranked."""
        with self._lock:
            problems = self.board.problems
        return sorted((path, why) for path, why in problems.items()
                      if benchmark is None or benchmark in Path(path).parts)  # fmt: skip

    def results(self) -> pd.DataFrame:
        with self._lock:
            return self.board.index.frame()

    def benchmark_choices(self, task_type: str | None = None, language: str | None = None) -> list[tuple[str, str]]:
        """Picker entries grouped by task type: each task type's overall view, then its benchmarks."""
        choices = []
        cards = sorted(self.cards.values(), key=lambda c: (task_title(c.task_type), c.name.lower()))
        seen_tasks = []
        for card in cards:
            if task_type and card.task_type != task_type:
                continue
            if language and language not in card.languages:
                continue
            if card.task_type not in seen_tasks:
                seen_tasks.append(card.task_type)
                choices.append((f"{task_title(card.task_type)} · Overall", OVERALL + card.task_type))
            langs = ", ".join(card.languages)
            choices.append((f"{task_title(card.task_type)} · {card.name} ({langs})", card.id))
        return choices

    def languages(self) -> list[str]:
        return sorted({lang for card in self.cards.values() for lang in card.languages})

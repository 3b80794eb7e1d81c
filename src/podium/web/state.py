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
from podium.leaderboard import ALL_TASKS, Leaderboard, Snapshot
from podium.queue import RequestQueue
from podium.results import SAFE_LINK  # (one rule for links, wherever they are shown)
from podium.schema import BenchmarkCard
from podium.tasks import get_task

OVERALL = "overall:"


def task_title(task_type: str) -> str:
    return get_task(task_type).title


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|~>"})


def escape_markdown(text: str) -> str:
    """Text that a markdown cell shows exactly as written: HTML-escaped, markdown punctuation escaped."""
    return html.escape(str(text), quote=False).translate(_MARKDOWN_SPECIAL)


def model_page(name: str) -> str:
    """The address of a model's page here: the Models tab opened at the model (a link to share)."""
    from urllib.parse import quote_plus

    return "?tab=models&model=" + quote_plus(name)  # (what urlencode gives, at a third of its cost)


def model_cell(name: str, link: str | None) -> str:
    """A model's name as an HTML link to its page here, and its own page elsewhere beside it; every
    text and address escaped (a table's HTML cells draw 4x faster than markdown ones at 1,000 rows)."""
    cell = f'<a href="{html.escape(model_page(name))}">{html.escape(name)}</a>'
    if link and SAFE_LINK.match(link):
        cell += f' <a href="{html.escape(link)}" target="_blank" rel="noopener noreferrer">↗</a>'
    return cell


class WebState:
    """Shared by all sessions of one app: the leaderboard, the queue, and version counters the page
    compares to know what changed (``version`` for any table, ``versions[benchmark]`` per table,
    ``cards_version`` for the set of benchmarks, ``queue_version`` for the submissions).

    Readers (requests, page callbacks) only ever read the last published ``Leaderboard.snapshot``:
    they never stat a file, parse one, or wait for a refresh. ``watch()`` starts the thread that
    refreshes (every ``watch_seconds``: bounded work, see ``podium.results``) and publishes a new
    snapshot when something changed; ``notify()`` makes it look at once (the in-process backend
    calls it when a result is written).
    """

    def __init__(self, home: Home, refresh_seconds: float = 1.0, watch_seconds: float = 0.5):
        self.home = home
        self.store = BenchmarkStore(home)
        self.queue = RequestQueue(home)
        self.board = Leaderboard(home)
        self.refresh_seconds = refresh_seconds
        self.watch_seconds = watch_seconds
        self.queue_version = 0
        self._queue_stamp: tuple | None = None
        self._lock = threading.Lock()  # one refresh at a time; readers never take it
        self._wake = threading.Event()
        self._watcher: threading.Thread | None = None
        self._closed = False
        self._last_refresh = 0.0
        self.files = Path(tempfile.mkdtemp(prefix="podium-web-"))
        self.refresh(force=True)

    @property
    def view(self) -> Snapshot:
        """The leaderboard as of the last refresh."""
        return self.board.snapshot

    @property
    def version(self) -> int:
        return self.view.version

    @property
    def versions(self) -> dict[str, int]:
        return self.view.versions

    @property
    def cards_version(self) -> int:
        return self.view.cards_version

    def refresh(self, force: bool = False) -> set[str]:
        """Pick up new results and benchmarks (at most every ``refresh_seconds`` unless forced) and
        publish them; the benchmarks whose tables changed."""
        if not force and time.monotonic() - self._last_refresh < self.refresh_seconds:
            return set()
        with self._lock:
            self._last_refresh = time.monotonic()
            changed = self.board.refresh()
            if changed or self.board.snapshot is None or self.board.preload():  # (cached tables, a few a time)
                self.board.publish()
            self._check_queue()
            return changed

    def _check_queue(self) -> None:
        """Bump ``queue_version`` when a request file was added, replaced or removed (each write is
        a rename into the requests folder, which changes the folder's stamp)."""
        try:
            st = self.queue.requests_dir.stat()
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp != self._queue_stamp:
            self._queue_stamp = stamp
            self.queue_version += 1

    def watch(self) -> None:
        """Start the watcher thread (once); results and benchmarks announced in this process (by
        ``podium serve``'s backend) wake it at once."""
        with self._lock:
            if self._watcher is None:
                import weakref

                from podium import webhooks

                me = weakref.ref(self)
                webhooks.listen(lambda event, data: (state := me()) is not None and state.notify())
                self._watcher = threading.Thread(target=self._watch, name="podium-web-watch", daemon=True)
                self._watcher.start()

    def notify(self) -> None:
        """Something changed on disk (a result written by the in-process backend): look now."""
        self._wake.set()

    def close(self) -> None:
        """Stop the watcher thread (if started) once its current refresh is done."""
        self._closed = True
        self._wake.set()
        if self._watcher is not None:
            self._watcher.join()

    def _watch(self) -> None:
        import logging

        while not self._closed:
            woken = self._wake.wait(self.watch_seconds)
            self._wake.clear()
            if self._closed:
                return
            try:
                self.refresh(force=woken)
            except Exception:  # noqa: BLE001 - the watcher must outlive a bad moment on disk
                logging.getLogger("podium.web").exception("web: refreshing the tables failed")

    def csv_file(self, stem: str, text: str) -> Path:
        """A download file named by its content: two viewers with different filters get different
        files, and a file is never rewritten while another viewer downloads it."""
        import hashlib

        from podium import atomic

        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem)[:80]
        path = self.files / f"{safe}-{digest}.csv"
        if not path.is_file():
            atomic.write_text(path, text)
        return path

    def view_version(self, view: str) -> int:
        view_now = self.view
        if view.startswith(OVERALL):
            return view_now.version
        return view_now.versions.get(view, 0)

    @property
    def cards(self) -> dict[str, BenchmarkCard]:
        return self.view.cards

    def card(self, benchmark: str) -> BenchmarkCard:
        """``UnknownBenchmark`` for a benchmark that is not on the board. A benchmark whose card was
        added a moment ago (not yet published) is looked for at once."""
        if benchmark not in self.view.cards and self._card_exists(benchmark):
            self.refresh(force=True)
        return self.view.card(benchmark)

    def _card_exists(self, benchmark: str) -> bool:
        from podium.slugs import UnsafeNameError, check_slug

        try:
            return (self.home.benchmarks_dir / check_slug(benchmark) / "card.json").is_file()
        except UnsafeNameError:
            return False

    def table(self, benchmark: str, metric: str | None = None) -> pd.DataFrame:
        return self.view.table(benchmark, metric)

    def rows(self, benchmark: str, metric: str | None = None, limit: int | None = None):
        return self.view.rows(benchmark, metric, limit)

    def standings(self, task_type: str, limit: int | None = None):
        return self.view.standings(task_type, limit)

    def row_of(self, benchmark: str, model: str):
        return self.view.row_of(benchmark, model)

    def result_of(self, benchmark: str, model: str):
        """(results-dataset path, row) of the result of ``model`` that counts on the benchmark."""
        view = self.view
        return view.result_path(benchmark, model), view.row_of(benchmark, model)

    def overall(self, task_type: str, verified_only: bool = False) -> pd.DataFrame:
        return self.view.overall(task_type, verified_only)

    def model_facts(self) -> pd.DataFrame:
        """What the submitters said of each model: type, size, licence (``Snapshot.model_facts``)."""
        return self.view.model_facts()

    def skipped_files(self, benchmark: str | None = None) -> list[tuple[str, str]]:
        """Result files that were refused (malformed, impossible values, links): (path, why), of one
        benchmark's folders when given. They are listed on the page and never ranked."""
        problems = self.view.problems
        return sorted((path, why) for path, why in problems.items()
                      if benchmark is None or benchmark in Path(path).parts)  # fmt: skip

    def results(self) -> pd.DataFrame:
        """(benchmark, model) of every result that counts on a leaderboard (categorical columns)."""
        return self.view.results()

    def benchmark_choices(self, task_type: str | None = None, language: str | None = None) -> list[tuple[str, str]]:
        """Picker entries grouped by task type: each task type's overall view, then its benchmarks."""
        choices = [("All benchmarks · Overall", OVERALL + ALL_TASKS)] if not task_type and not language else []
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

    def default_benchmark(self, ids: list[str] | None = None) -> str | None:
        """The benchmark every tab opens on: the maintainer's pick (a card marked ``featured``), else
        the one with the most results (then by name), among ``ids`` when given. One choice for the
        whole page, so the tabs never disagree."""
        view = self.view
        candidates = [c for c in view.cards.values() if ids is None or c.id in ids]
        if not candidates:
            return None
        # (a table's row count, not the table: no DataFrame is built for every benchmark at start-up)
        return min(candidates, key=lambda c: (not c.featured, -view.ranked(c.id).length, c.name.lower(), c.id)).id

    def languages(self) -> list[str]:
        return sorted({lang for card in self.cards.values() for lang in card.languages})

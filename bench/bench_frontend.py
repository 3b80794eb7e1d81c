"""The leaderboard tab in a real browser with 100 benchmarks and 1,000 models on one of them.

First render: navigation start to the table visible with its rows; switching benchmark: picking
another benchmark to its rows shown. Debian's Chromium, driven by Playwright, against `podium serve`.

Beside it, the reference: the least Gradio page showing the same table (`_gradio_floor.py`: a
picker and one plain-text Dataframe), measured the same way in the same browser, in turn with
ours. It is the floor the framework sets on this machine; the ratio says how far above it we are.

Run: .venv/bin/python bench/bench_frontend.py
"""

from __future__ import annotations

import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import podium_server, report  # noqa: E402

from podium import atomic  # noqa: E402
from podium.config import Home  # noqa: E402
from podium.schema import BenchmarkCard, Interval, ModelInfo, Result  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def make_home(home: Home, rng: random.Random) -> None:
    for b in range(100):
        card = BenchmarkCard(
            id=f"bench-{b:03d}", name=f"Benchmark {b:03d}", task_type="text_classification",
            primary_metric="accuracy", secondary_metrics=["macro_f1"], labels=["a", "b"],
        )  # fmt: skip
        atomic.write_text(home.benchmarks_dir / card.id / "card.json", card.to_json())
        for m in range(1000 if b == 0 else 20):
            score = rng.random()
            result = Result(
                benchmark=card.id, model=ModelInfo(name=f"model-{m:04d}", org=f"org-{m % 37}",
                                                   link=f"https://example.org/m{m}"),
                primary_metric="accuracy", metrics={"accuracy": score, "macro_f1": score * 0.9},
                ci={"accuracy": Interval(low=max(0.0, score - 0.03), high=min(1.0, score + 0.03))}, n=500,
            )  # fmt: skip
            atomic.write_text(home.results_dir / card.id / f"r{m}.json", result.to_json())


def measure(browser, url: str) -> tuple[list[float], list[float]]:
    """(first renders, switches) in seconds: 5 new pages, 3 switches on each."""
    first, switch = [], []
    for _run in range(5):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.wait_for_function(
            "document.querySelectorAll('#leaderboard-table [role=gridcell]').length > 10"
            " && document.querySelector('#row-count').innerText.includes('1000 models')",
            timeout=60_000,
        )
        first.append(page.evaluate("performance.now()") / 1000)
        for target in ("Benchmark 042", "Benchmark 000", "Benchmark 077"):
            field = page.locator("#benchmark-picker input").first
            field.click()
            field.fill(target)
            option = page.locator("[role=option]", has_text=target).first
            option.wait_for()
            started = time.perf_counter()
            option.click()
            page.wait_for_function(
                f"document.querySelector('#table-title').innerText.includes('{target}')"
                " && document.querySelectorAll('#leaderboard-table [role=gridcell]').length > 10"
            )
            switch.append(time.perf_counter() - started)
        context.close()
    return first, switch


@contextmanager
def gradio_floor() -> Iterator[str]:
    """The reference page (``_gradio_floor.py``) on a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, str(Path(__file__).with_name("_gradio_floor.py")), str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        home = Home.from_env(tmp)
        make_home(home, random.Random(0))
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        # ours and the reference in turn, twice, so a busy moment of the machine falls on both
        ours, floor = ([], []), ([], [])
        for _round in range(2):
            with podium_server(tmp, "--no-backend") as base:
                for kept, new in zip(ours, measure(browser, base + "/"), strict=True):
                    kept.extend(new)
            with gradio_floor() as base:
                for kept, new in zip(floor, measure(browser, base + "/"), strict=True):
                    kept.extend(new)
        browser.close()
    first, switch = ours
    report("first render, 1,000 models (navigation start -> rows)", statistics.median(first),
           statistics.median(floor[0]), bar="target: 1,000 ms")  # fmt: skip
    report("switching benchmark (click -> new rows)", statistics.median(switch), statistics.median(floor[1]),
           bar="target: 300 ms")  # fmt: skip
    print("    reference: the least Gradio page showing the same table (bench/_gradio_floor.py); ratio < 1: slower")
    print(
        f"    ours: first render runs {', '.join(f'{t:.2f}' for t in first)} s; "
        f"switches {', '.join(f'{t:.2f}' for t in switch)} s"
    )
    print(
        f"    reference: first render runs {', '.join(f'{t:.2f}' for t in floor[0])} s; "
        f"switches {', '.join(f'{t:.2f}' for t in floor[1])} s"
    )


if __name__ == "__main__":
    main()

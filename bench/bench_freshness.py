"""How soon a scored submission is visible: through the API and on an open page.

Starts `podium serve` (page + API + in-process backend) on a copy of the sample data, opens the
leaderboard of `fin-sentiment` in headless Chromium, then submits the same predictions under new
model names, one at a time. For each: the moment its result file appears in `eval-results/`
(watched every 5 ms), the moment `GET /api/leaderboard/fin-sentiment` lists it (polled every 20 ms
with `If-None-Match`, as a polling client would), and the moment the open page shows its row
(checked in the browser every 20 ms). Prints the medians of result -> API and result -> page
(target: 1 s median for both), and how many requests the idle page sent in 30 s.

Run: .venv/bin/python bench/bench_freshness.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import podium_server  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PREDICTIONS = REPO / "samples/predictions/fin-sentiment/baselines--majority-class.csv"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def copy_samples(root: str) -> None:
    import shutil

    for name in ("samples", "benchmarks", "private", "eval-queue", "eval-results"):
        shutil.copytree(REPO / name, Path(root) / name)


def watch_api(url: str, model: str, seen: dict, stop: threading.Event) -> None:
    etag = None
    with httpx.Client(base_url=url) as http:
        while not stop.is_set():
            response = http.get("/api/leaderboard/fin-sentiment", headers={"If-None-Match": etag} if etag else {})
            if response.status_code == 200:
                etag = response.headers.get("etag")
                if any(row["model"] == model for row in response.json()["rows"]):
                    seen["api"] = time.monotonic()
                    return
            time.sleep(0.02)


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = {"PODIUM_DAILY_SUBMISSIONS": "1000", "PODIUM_MAX_QUEUED": "1000"}
    with tempfile.TemporaryDirectory() as tmp:
        copy_samples(tmp)
        from podium.config import Home
        from podium.tokens import TokenStore

        token = TokenStore(Home.from_env(tmp)).create("bench", "submitter")
        results = Path(tmp) / "eval-results" / "fin-sentiment"
        with podium_server(tmp, "--interval", "0.5", env=env) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            requests: list[float] = []
            page.on("request", lambda r: requests.append(time.monotonic()) if "/gradio_api/" in r.url else None)
            page.goto(url + "/")
            page.wait_for_selector("#leaderboard-table [role=gridcell]", timeout=120_000)
            page.locator("#benchmark-picker input").first.click()
            page.locator("#benchmark-picker input").first.fill("Financial News")
            page.locator("[role=option]", has_text="Financial News").first.click()
            page.wait_for_function("document.querySelector('#table-title').innerText.includes('Financial')")
            time.sleep(2)
            idle_start = time.monotonic()
            time.sleep(30)
            idle_requests = sum(1 for t in requests if t >= idle_start)
            to_api, to_page = [], []
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
                for run in range(args.runs):
                    model = f"bench/fresh-{run}"
                    before = set(results.iterdir())
                    seen: dict = {}
                    stop = threading.Event()
                    api = threading.Thread(target=watch_api, args=(url, model, seen, stop))
                    api.start()
                    with open(PREDICTIONS, "rb") as fh:
                        response = http.post("/api/submissions", data={"benchmark": "fin-sentiment",
                                             "model_name": model}, files={"predictions": ("p.csv", fh)})  # fmt: skip
                    response.raise_for_status()
                    deadline = time.monotonic() + 120
                    while not (set(results.iterdir()) - before) and time.monotonic() < deadline:
                        time.sleep(0.005)
                    written = time.monotonic()
                    page.wait_for_function(
                        f"document.querySelector('#leaderboard-table').innerText.includes('fresh-{run}')",
                        polling=20, timeout=120_000,
                    )  # fmt: skip
                    shown = time.monotonic()
                    api.join(120)
                    stop.set()
                    to_api.append(seen.get("api", float("nan")) - written)
                    to_page.append(shown - written)
            browser.close()
    print(f"result file -> API lists it:   median {statistics.median(to_api) * 1000:7.0f} ms   "
          f"runs: {', '.join(f'{x:.2f}' for x in to_api)} s   (target: < 1 s median)")  # fmt: skip
    print(f"result file -> open page shows it: median {statistics.median(to_page) * 1000:7.0f} ms   "
          f"runs: {', '.join(f'{x:.2f}' for x in to_page)} s   (target: < 1 s median)")  # fmt: skip
    print(f"idle page: {idle_requests} requests to the server in 30 s")


if __name__ == "__main__":
    main()

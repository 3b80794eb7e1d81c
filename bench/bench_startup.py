"""Start-up latency: `podium score` as a whole process, and the first submission after a start.

(a) `podium score <benchmark> <predictions>` on each sample benchmark (320 items), as a whole
    process, beside the same command run after `import evaluate` (what every `podium score` paid
    while the scorer imported it). Bar: < 1 s.
(b) `podium serve` and `podium backend` on a fresh copy of the sample data: once the page answers
    and the backend says it is polling (its scoring processes warm), one predictions file is
    submitted (``podium.submissions.submit``, the service the API and the CLI call) and timed until
    its result file appears. Bar: < 1 s.

Medians over --runs runs (a fresh start and a fresh copy of the data for every run of (b)).

Run: .venv/bin/python bench/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PODIUM = str(Path(sys.executable).with_name("podium"))
SAMPLES = [
    ("fin-sentiment", "acme--tfidf-logreg.jsonl"),
    ("biz-news-ner", "acme--crf-tagger.csv"),
    ("filing-qa", "northwind--rag-reader-xl.csv"),
    ("company-docs-qa", "open-llm--llama-3-8b-instruct.jsonl"),
]
DATA_FOLDERS = ("samples", "benchmarks", "private", "eval-queue", "eval-results")
# `podium score` with evaluate imported first: the cost every run paid before.
WITH_EVALUATE = "import sys, evaluate; from podium.cli import run; sys.argv[0] = 'podium'; run()"


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _median(command: list[str], runs: int) -> float:
    _timed(command)  # warm-up: the OS file cache
    return statistics.median(_timed(command) for _ in range(runs))


def score_process(runs: int) -> None:
    for benchmark, predictions in SAMPLES:
        args = ["--home", str(REPO), "score", benchmark, str(REPO / "samples/predictions" / benchmark / predictions)]
        ours = _median([PODIUM, *args], runs)
        before = _median([sys.executable, "-c", WITH_EVALUATE, *args], max(runs // 2, 1))
        report(f"`podium score {benchmark}` (320 items), whole process", ours, before, "bar: < 1,000 ms")


def _copy_samples(home: Path) -> Path:
    """``home`` (an empty folder) filled with the bundled sample data: benchmarks, queue, results."""
    for name in DATA_FOLDERS:
        shutil.copytree(REPO / name, home / name)
    return home


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url + "/healthz", timeout=2)
        return True
    except OSError:
        return False


def first_submission(command: str, run: int) -> tuple[float, float]:
    """Start `podium <command>` on a fresh copy; (seconds until up, seconds from submit to result file)."""
    from podium.config import Home
    from podium.submissions import model_info, submit

    with tempfile.TemporaryDirectory(prefix="podium-bench-startup-") as tmp:
        home = _copy_samples(Path(tmp) / "home")
        log = Path(tmp) / "podium.log"
        args = [PODIUM, "--home", str(home), command]
        url = None
        if command == "serve":
            url = f"http://127.0.0.1:{_free_port()}"
            args += ["--port", url.rsplit(":", 1)[1]]
        started = time.perf_counter()
        with open(log, "w") as out:
            process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_until(lambda: "polling" in log.read_text() and (url is None or _answers(url)), 300, "the start")
            up = time.perf_counter() - started
            benchmark, predictions = SAMPLES[0]
            path = home / "samples/predictions" / benchmark / predictions
            model = model_info(f"bench/startup-{command}-{run}")
            submitted = time.perf_counter()
            queued = submit(Home.from_env(home), benchmark, path, model)
            result = home / "eval-results" / benchmark / f"{queued.request.id}.json"
            while not result.exists():
                if time.perf_counter() - submitted > 60:
                    raise SystemExit(f"no result within 60 s; log:\n{log.read_text()}")
                time.sleep(0.002)
            return up, time.perf_counter() - submitted
        finally:
            process.terminate()
            process.wait(timeout=60)


def first_submissions(runs: int) -> None:
    for command in ("serve", "backend"):
        ups, latencies = zip(*(first_submission(command, run) for run in range(runs)), strict=True)
        report(
            f"first submission after `podium {command}` -> result file",
            statistics.median(latencies),
            bar="bar: < 1,000 ms",
        )
        runs_text = ", ".join(f"{s:.2f}" for s in latencies)
        print(f"    runs: {runs_text} s; up (answering, backend warm) after a median {statistics.median(ups):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("PODIUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE", "100000")
    score_process(args.runs)
    first_submissions(args.runs)


if __name__ == "__main__":
    main()

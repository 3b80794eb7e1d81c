"""The leaderboard at scale: 300 benchmarks x 3,000 models (900,000 result files) on this machine.

Data: ``bench/make_scale_data.py`` into a temporary folder (removed at the end; ``--data DIR`` reuses
or fills DIR and keeps it). Each figure is taken in a fresh process, so imports, caches and memory
are those of a real start:

- cold build (no cache): ``Leaderboard.refresh()``, every benchmark's table and the caches written,
  beside the template-style loop (``json.load`` per file, one record per file, a pandas DataFrame,
  each benchmark's rows sorted: what the HF demo-leaderboard's ``read_evals`` does); time and peak
  resident memory of each;
- start-up from the index (the caches the cold build wrote): a new ``Leaderboard`` until its first
  table, and the page's shared state (``WebState``) until its first rows; resident memory;
- the overall table of each task type, in-process, first and second call;
- a real ``podium serve --no-backend``: time to the first answer, then ``GET /api/leaderboard/{b}``
  every ``--interval`` s for ``--seconds`` s on random benchmarks while new result files keep
  arriving (one every ``--write-every`` s, written like the backend: a hidden file renamed into
  place) and some files are edited in place (which only a sweep notices): p50 / p99 / max latency,
  how long a new file took to show in the API, resident memory; then the overall table through
  the API right after a change.

Run: .venv/bin/python bench/bench_scale.py [--benchmarks 300 --models 3000] [--inline-outcomes]
     (--benchmarks 30 --models 300 for a quick check)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_scale_data  # noqa: E402

PODIUM = str(Path(sys.executable).with_name("podium"))
SLOW_MS = 500.0

_MEMORY = """
def memory_mb():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}
"""

TEMPLATE = (
    _MEMORY
    + """
import glob, json, os, sys, time
import pandas as pd
root = sys.argv[1]
started = time.perf_counter()
records = []
for path in glob.glob(os.path.join(root, "eval-results", "**", "*.json"), recursive=True):
    with open(path) as fp:
        data = json.load(fp)
    model = data.get("model", {})
    row = {"model": f"{model.get('org')}/{model.get('name')}", "benchmark": data["benchmark"],
           "revision": model.get("revision"), "score": data["metrics"][data["primary_metric"]] * 100.0}
    for metric, value in data["metrics"].items():
        row[metric] = value * 100.0
    records.append(row)
frame = pd.DataFrame.from_records(records)
tables = {b: rows.sort_values("score", ascending=False) for b, rows in frame.groupby("benchmark")}
print(json.dumps({"seconds": time.perf_counter() - started, "rows": len(frame), "tables": len(tables), **memory_mb()}))
"""
)

COLD = (
    _MEMORY
    + """
import json, shutil, sys, time
from pathlib import Path
from podium.config import Home
from podium.leaderboard import Leaderboard
import podium.tasks, scipy.stats  # imported on first use; the template loop's imports are not timed either
home = Home.from_env(sys.argv[1])
shutil.rmtree(home.root / ".cache", ignore_errors=True)
started = time.perf_counter()
board = Leaderboard(home)
board.refresh()
rows = sum(len(board.table(b)) for b in board.cards)
board.save()
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "saving": getattr(board, "timings", {}).get("save"), "rows": rows,
                  **memory_mb()}))
"""
)

START = (
    _MEMORY
    + """
import json, sys, time
from podium.config import Home
home = Home.from_env(sys.argv[1])
imported = time.perf_counter()
from podium.leaderboard import Leaderboard
from podium.web.state import WebState
import scipy.stats  # imported by the first ranking: not a cost of the overall table
imported = time.perf_counter() - imported
started = time.perf_counter()
board = Leaderboard(home)
board.refresh()
first = len(board.table("bench-000"))
board_seconds = time.perf_counter() - started
board_memory = memory_mb()
tasks = sorted({card.task_type for card in board.cards.values()})
overall = {}
for task in tasks:
    t = time.perf_counter()
    count = len(board.overall(task))
    first_call = time.perf_counter() - t
    t = time.perf_counter()
    board.overall(task)
    overall[task] = [first_call, time.perf_counter() - t, count]
del board
started = time.perf_counter()
state = WebState(home)
web_rows = len(state.rows("bench-000"))
web_seconds = time.perf_counter() - started
print(json.dumps({"board_seconds": board_seconds, "first_rows": first, "board_memory": board_memory,
                  "web_seconds": web_seconds, "web_rows": web_rows, "overall": overall, "imports": imported,
                  **memory_mb()}))
"""
)


def read_every_file(root: Path) -> float:
    """Seconds to read every result file once (open, fstat, read, close): the floor of any cold build,
    and what makes the file cache equally warm for the two that follow."""
    started = time.perf_counter()
    for folder in os.scandir(root / "eval-results"):
        for entry in os.scandir(folder.path):
            fd = os.open(entry.path, os.O_RDONLY)
            os.read(fd, os.fstat(fd).st_size + 1)
            os.close(fd)
    return time.perf_counter() - started


def run_child(code: str, root: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code), str(root)], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def process_memory_mb(pid: int) -> dict[str, float]:
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def late_result(b: int, k: int, score: float) -> tuple[str, str]:
    """(model, file text) of a new result arriving while the server runs."""
    document = make_scale_data.result_document(b, k, False)
    document["model"] = {"name": f"late-{k:04d}", "org": "late", "revision": "main"}
    document["submission_id"] = f"late-{b}-{k}"
    primary = document["primary_metric"]
    document["metrics"] = {name: score for name in document["metrics"]}
    document["ci"] = {name: {**ci, "low": score - 0.01, "high": min(1.0, score + 0.0005)}
                      for name, ci in document["ci"].items()}  # fmt: skip
    assert primary in document["metrics"]
    document["evaluated_at"] = "2026-12-01T00:00:00Z"
    return "late/" + f"late-{k:04d}", make_scale_data.result_json(document)


class Writer(threading.Thread):
    """New result files (hidden temp file renamed into place, as the backend writes), and now and
    then an existing file edited in place (same inode and folder: only a sweep can notice it)."""

    def __init__(self, root: Path, benchmarks: int, models: int, every: float, edit_every: int, stop: threading.Event,
                 edited_files: list[tuple[int, int]]):  # fmt: skip
        super().__init__(daemon=True)
        self.root, self.benchmarks, self.models = root, benchmarks, models
        self.every, self.edit_every, self.stop = every, edit_every, stop
        self.edited_files = edited_files  # (benchmark, model) of each file edited in place
        self.written: list[tuple[int, str, float]] = []  # (benchmark, model, time written)
        self.edited: list[tuple[int, str, float, float]] = []  # (benchmark, model, new score, time)
        self.rng = random.Random(7)

    def run(self) -> None:
        k = 0
        while not self.stop.wait(self.every):
            k += 1
            b = self.rng.randrange(self.benchmarks)
            folder = self.root / "eval-results" / make_scale_data.benchmark_id(b)
            if self.edit_every and k % self.edit_every == 0:
                m = self.rng.randrange(self.models)
                path = folder / f"{make_scale_data.submission_id(b, m)}.json"
                document = make_scale_data.result_document(b, m, False)
                score = 0.999  # to the top of its table
                document["metrics"] = {name: score for name in document["metrics"]}
                document["ci"] = {name: {**ci, "low": 0.99, "high": 1.0} for name, ci in document["ci"].items()}
                with open(path, "r+") as fh:  # in place: same inode, the folder's time unchanged
                    fh.write(make_scale_data.result_json(document))
                    fh.truncate()
                self.edited_files.append((b, m))
                org, name = make_scale_data.model_of(m)
                self.edited.append((b, f"{org}/{name}", score, time.monotonic()))
                continue
            model, text = late_result(b, k, 0.9999)
            temporary = folder / f".late-{k}.json.tmp"
            temporary.write_text(text)
            os.replace(temporary, folder / f"late-{k:04d}.json")
            self.written.append((b, model, time.monotonic()))


def start_server(root: Path, expected_rows: int):
    """`podium serve --no-backend` on ``root``: (process, URL, seconds until the first full answer)."""
    import httpx

    port = _free_port()
    env = {**os.environ, "PODIUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "1000000"}
    started = time.monotonic()
    server = subprocess.Popen([PODIUM, "--home", str(root), "serve", "--no-backend", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, timeout=60) as http:
        while True:
            try:
                response = http.get("/api/leaderboard/bench-000")
                if response.status_code == 200 and len(response.json()["rows"]) == expected_rows:
                    return server, url, time.monotonic() - started
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() - started > 900:
                server.kill()
                raise SystemExit("podium serve never answered")
            time.sleep(0.05)


class Load:
    """A request every ``interval`` s for ``seconds`` s; each new or edited file is looked for
    until it shows (every other request asks for the benchmark of the oldest one not seen yet)."""

    def __init__(self, http, writer: Writer, benchmarks: int):
        self.http, self.writer, self.benchmarks = http, writer, benchmarks
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.seen_new: dict[str, float] = {}
        self.seen_edit: dict[str, float] = {}
        self.rng = random.Random(1)

    def run(self, seconds: float, interval: float) -> None:
        begin = next_at = time.monotonic()
        i = 0
        while time.monotonic() - begin < seconds:
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            next_at += interval
            i += 1
            self.once(i)

    def once(self, i: int) -> None:
        pending_new = [w for w in list(self.writer.written) if w[1] not in self.seen_new]
        pending_edit = [e for e in list(self.writer.edited) if e[1] + str(e[0]) not in self.seen_edit]
        if pending_new and i % 2:
            b = pending_new[0][0]
        elif pending_edit and i % 4 == 0:
            b = pending_edit[0][0]
        else:
            b = self.rng.randrange(self.benchmarks)
        t = time.perf_counter()
        response = self.http.get(f"/api/leaderboard/{make_scale_data.benchmark_id(b)}")
        self.latencies.append((time.perf_counter() - t) * 1000)
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code != 200:
            return
        top = response.json()["rows"][:5]
        arrived = time.monotonic()
        for wb, model, written_at in pending_new:
            if wb == b and any(r["model"] == model for r in top):
                self.seen_new[model] = arrived - written_at
        for eb, model, score, edited_at in pending_edit:
            if eb == b and any(r["model"] == model and r["score"] == score for r in top):
                self.seen_edit[model + str(eb)] = arrived - edited_at

    def report(self, interval: float, seconds: float) -> None:
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        slow = sum(ms > SLOW_MS for ms in self.latencies)
        print(f"GET /api/leaderboard/{{b}} every {interval} s for {seconds:.0f} s, random benchmarks, "
              f"{len(self.writer.written)} new files + {len(self.writer.edited)} in-place edits meanwhile: "
              f"{len(self.latencies)} requests {self.statuses}")  # fmt: skip
        print(f"    p50 {cuts[49]:.1f} ms   p99 {cuts[98]:.1f} ms   max {max(self.latencies):.1f} ms   "
              f"over {SLOW_MS:.0f} ms: {slow}   (bar: none over {SLOW_MS:.0f} ms)")  # fmt: skip
        if self.seen_new:
            waits = sorted(self.seen_new.values())
            print(f"    new file -> in the API: median {statistics.median(waits) * 1000:.0f} ms, "
                  f"max {waits[-1] * 1000:.0f} ms ({len(waits)} of {len(self.writer.written)} seen)")  # fmt: skip
        if self.writer.edited:
            waits = sorted(self.seen_edit.values())
            shown = f"median {statistics.median(waits):.1f} s, max {waits[-1]:.1f} s" if waits else "none seen"
            print(f"    in-place edit -> in the API: {shown} ({len(waits)} of {len(self.writer.edited)} seen)")


def overall_after_changes(http, root: Path, times: int = 5) -> None:
    """``GET /api/leaderboard?task_type=...`` right after a change (a new results version each time)."""
    elapsed = []
    for k in range(times):
        model, text = late_result(0, 9000 + k, 0.99)
        (root / "eval-results" / "bench-000" / f"late-overall-{k}.json").write_text(text)
        deadline = time.monotonic() + 60
        while model not in {r["model"] for r in http.get("/api/leaderboard/bench-000").json()["rows"][:5]}:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        t = time.perf_counter()
        response = http.get("/api/leaderboard", params={"task_type": "text_classification"})
        elapsed.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.text
    print(f"GET /api/leaderboard?task_type=text_classification right after a change "
          f"({len(response.json()['rows'])} models): median {statistics.median(elapsed):.1f} ms, "
          f"max {max(elapsed):.1f} ms")  # fmt: skip


def serve_and_load(root: Path, args: argparse.Namespace) -> None:
    import httpx

    server, url, first_answer = start_server(root, min(args.models, 1000))
    edited: list[tuple[int, int]] = []
    try:
        memory = process_memory_mb(server.pid)
        print(f"podium serve: first answer (bench-000, {min(args.models, 1000)} rows) after {first_answer:.2f} s; "
              f"resident {memory['VmRSS']:.0f} MB", flush=True)  # fmt: skip
        with httpx.Client(base_url=url, timeout=60) as http:
            stop = threading.Event()
            writer = Writer(root, args.benchmarks, args.models, args.write_every, args.edit_every, stop, edited)
            writer.start()
            load = Load(http, writer, args.benchmarks)
            load.run(args.seconds, args.interval)
            stop.set()
            writer.join()
            load.report(args.interval, args.seconds)
            memory = process_memory_mb(server.pid)
            print(f"    server resident memory: {memory['VmRSS']:.0f} MB (peak {memory['VmHWM']:.0f} MB)", flush=True)
            overall_after_changes(http, root)
    finally:
        server.terminate()
        server.wait(timeout=60)
        restore(root, edited, args.inline_outcomes)


def restore(root: Path, edited: list[tuple[int, int]], inline_outcomes: bool) -> None:
    """The data as generated again (a kept ``--data`` folder serves the next run): the new files
    removed, the files edited in place written back."""
    for path in (root / "eval-results").glob("*/late*.json"):
        path.unlink()
    for b, m in edited:
        path = root / "eval-results" / make_scale_data.benchmark_id(b) / f"{make_scale_data.submission_id(b, m)}.json"
        path.write_text(make_scale_data.result_json(make_scale_data.result_document(b, m, inline_outcomes)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmarks", type=int, default=300)
    parser.add_argument("--models", type=int, default=3000)
    parser.add_argument("--inline-outcomes", action="store_true", help="result files with 320 outcomes inline")
    parser.add_argument("--data", type=Path, help="a data home to reuse (generated there if empty; kept)")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--write-every", type=float, default=1.0, help="seconds between new result files")
    parser.add_argument("--edit-every", type=int, default=10, help="every n-th write edits a file in place")
    parser.add_argument("--skip-template", action="store_true")
    parser.add_argument("--skip-serve", action="store_true", help="only the cold build, start-up and overall table")
    parser.add_argument("--repeat", type=int, default=1, help="cold builds, alternating ours and the template's")
    args = parser.parse_args()

    root = args.data or Path(tempfile.mkdtemp(prefix="podium-scale-"))
    try:
        if not (root / "eval-results").is_dir():
            t = time.perf_counter()
            count = make_scale_data.generate(root, args.benchmarks, args.models, args.inline_outcomes)
            print(f"generated {count:,} result files ({args.benchmarks} benchmarks x {args.models} models"
                  f"{', outcomes inline' if args.inline_outcomes else ''}) in {time.perf_counter() - t:.0f} s",
                  flush=True)  # fmt: skip
        files = args.benchmarks * args.models
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; reading every file once: "
              f"{read_every_file(root):.1f} s", flush=True)  # fmt: skip
        references, colds = [], []
        for _ in range(args.repeat):  # alternated: a busy machine slows both alike
            if not args.skip_template:
                references.append(run_child(TEMPLATE, root))
            colds.append(run_child(COLD, root))
        cold = min(colds, key=lambda run: run["seconds"])
        saving = f" (of which {cold['saving']:.1f} s writing the caches)" if cold.get("saving") else ""
        line = (
            f"cold build, {files:,} files (no cache): ours {cold['seconds']:.1f} s{saving}, peak {cold['VmHWM']:.0f} MB"
        )
        if references:
            reference = min(references, key=lambda run: run["seconds"])
            line += (f"; template loop {reference['seconds']:.1f} s, peak {reference['VmHWM']:.0f} MB; "
                     f"ratio {reference['seconds'] / cold['seconds']:.1f}x (bar: >= 5x)")  # fmt: skip
        print(line, flush=True)
        if args.repeat > 1:
            ours = ", ".join(f"{run['seconds']:.1f}" for run in colds)
            theirs = ", ".join(f"{run['seconds']:.1f}" for run in references)
            print(f"    runs (fastest shown): ours {ours} s; template {theirs} s", flush=True)
        start = run_child(START, root)
        print(f"start-up from the index: Leaderboard -> first table {start['board_seconds'] * 1000:.0f} ms "
              f"(resident {start['board_memory']['VmRSS']:.0f} MB); WebState -> first rows "
              f"{start['web_seconds'] * 1000:.0f} ms (bar: < 1,000 ms); imports {start['imports']:.1f} s",
              flush=True)  # fmt: skip
        for task, (first, second, count) in start["overall"].items():
            print(f"overall table, {task} ({count} models): first {first * 1000:.0f} ms, again {second * 1000:.1f} ms")
        if not args.skip_serve:
            serve_and_load(root, args)
        print(f"load average {os.getloadavg()[0]:.1f} at the end", flush=True)
    finally:
        if args.data is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

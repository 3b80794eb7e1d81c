"""Queue throughput as users run it: 1,000 submissions scored by `podium backend` (a subprocess),
beside the in-process loop (`Backend.run_once`) on the same queue.

The submissions cycle through the 13 sample models' predictions on the four sample benchmarks (320
items each, one per task type: 4/13 of them on fin-sentiment, 3/13 on each other), each under a new
model name (so none is a duplicate). The queue is copied; `podium backend --home COPY --workers W` is
started on one copy and timed from launch until every request is FINISHED (the requests folder is
watched); `Backend.run_once` scores the other copy. Both are checked for exactly once: every request
FINISHED with ``attempts == 1``, one result file each, nothing staged left.

The machine may be shared: the script also prints the CPU time the backend and its scoring processes
used per submission (which other load does not inflate) and the load average.

Run: .venv/bin/python bench/bench_queue.py [--submissions 1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report  # noqa: E402

from podium.backend import Backend, BackendSettings  # noqa: E402
from podium.config import Home  # noqa: E402
from podium.samples import add_sample_benchmarks, sample_models, write_sample_files  # noqa: E402
from podium.submissions import model_info, submit  # noqa: E402

TARGET_SECONDS = 60.0  # 1,000 submissions through `podium backend`
TARGET_RATIO = 0.70  # of the in-process rate


def fill(home: Home, n: int) -> float:
    """Sample benchmarks and ``n`` PENDING submissions spread over them; the seconds enqueueing took."""
    write_sample_files(home)
    add_sample_benchmarks(home)
    models = sample_models(home)
    started = time.perf_counter()
    for k in range(n):
        m = models[k % len(models)]
        path = home.root / "samples" / m["predictions"]
        outcome = submit(home, m["benchmark"], path, model_info(f"{m['name']}-{k:04d}", org=m["org"]), "bench")
        assert outcome.created
    return time.perf_counter() - started


def request_states(home: Home) -> list[dict]:
    """Every request file, parsed (status, attempts, result file)."""
    folder = home.queue_dir / "requests"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


class FinishedCounter:
    """How many request files say FINISHED, read the plain way (the bench must not share the backend's
    code). Cheap enough to poll beside the backend: a request file never changes once FINISHED, and
    the others are read again only when their (inode, mtime, size) changed."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.finished: set[str] = set()
        self.seen: dict[str, tuple[int, int, int]] = {}

    def __call__(self) -> int:
        for entry in os.scandir(self.folder):
            name = entry.name
            if not name.endswith(".json") or name in self.finished:
                continue
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)  # inode numbers alone are reused
            if self.seen.get(name) == stamp:
                continue
            self.seen[name] = stamp
            try:
                with open(entry.path, "rb") as f:
                    if b'"status": "FINISHED"' in f.read():  # as `to_json` writes it (indent=2)
                        self.finished.add(name)
            except FileNotFoundError:  # replaced meanwhile: read on the next poll
                self.seen.pop(name, None)
        return len(self.finished)


def check_exactly_once(home: Home, n: int) -> str:
    """Every request FINISHED on its first claim, with exactly one result file; a line saying so."""
    states = request_states(home)
    assert len(states) == n, f"{len(states)} requests, expected {n}"
    not_finished = [s["id"] for s in states if s["status"] != "FINISHED"]
    assert not not_finished, f"{len(not_finished)} not FINISHED, e.g. {not_finished[:3]}"
    retried = [s["id"] for s in states if s["attempts"] != 1]
    assert not retried, f"{len(retried)} scored with attempts != 1, e.g. {retried[:3]}"
    results = sorted(p.stem for p in home.results_dir.glob("*/*.json"))
    ids = sorted(s["id"] for s in states)
    assert results == ids, f"{len(results)} result files for {len(ids)} requests"
    staged = list(home.results_dir.glob("*/.*"))
    assert not staged, f"{len(staged)} staged or temporary files left: {staged[:3]}"
    return f"exactly once: {n} FINISHED, attempts == 1 each, {len(results)} result files, nothing staged"


def wait_finished(home: Home, n: int, backend: subprocess.Popen, limit: float) -> float:
    """Seconds from now until ``n`` requests are FINISHED (the requests folder is polled every 50 ms)."""
    finished = FinishedCounter(home.queue_dir / "requests")
    started = time.perf_counter()
    while True:
        if finished() >= n:
            return time.perf_counter() - started
        if backend.poll() is not None:
            raise SystemExit(f"podium backend exited with {backend.returncode} before scoring everything")
        if time.perf_counter() - started > limit:
            raise SystemExit(f"only {finished()} of {n} FINISHED after {limit:.0f} s")
        time.sleep(0.05)


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its descendants: the live ones'
    own, plus what each has collected from children it reaped (scoring processes that were replaced).
    On a machine shared with other work, this is the figure that load does not inflate."""
    clock = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        parents[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(ticks.get(p, 0) for p in tree) / clock


def run_subprocess(home: Home, n: int, workers: int, log_path: Path) -> tuple[float, float, float | None]:
    """(seconds from launching `podium backend` until all FINISHED, CPU seconds its processes used,
    seconds from launch to its 'warm' log line)."""
    podium = str(Path(sys.executable).with_name("podium"))
    with open(log_path, "w") as log:
        backend = subprocess.Popen(
            [podium, "--home", str(home.root), "backend", "--workers", str(workers)],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        try:
            total = wait_finished(home, n, backend, limit=1800.0)
            cpu = tree_cpu_seconds(backend.pid)  # before it stops: its scoring processes are still there
        finally:
            backend.terminate()
            backend.wait(timeout=60)
    text = log_path.read_text()
    warm = re.search(r"warm in ([0-9.]+) s", text)
    return total, cpu, (float(warm.group(1)) if warm else None)


def run_in_process(home: Home, n: int, workers: int) -> tuple[float, float]:
    """(seconds `Backend.run_once` took to score the queue, CPU seconds this process and its scoring
    processes used meanwhile)."""
    backend = Backend(home, BackendSettings(workers=workers))
    cpu_before = tree_cpu_seconds(os.getpid())
    started = time.perf_counter()
    scored = backend.run_once()
    seconds = time.perf_counter() - started
    cpu = tree_cpu_seconds(os.getpid()) - cpu_before
    backend.stop()
    assert scored == n, (scored, n)
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="workers of both backends (2)")
    parser.add_argument("--keep-log", metavar="PATH", help="copy `podium backend`'s log here")
    args = parser.parse_args()
    n = args.submissions
    with tempfile.TemporaryDirectory() as tmp:
        scheduled, in_process = Home.from_env(Path(tmp) / "scheduled"), Home.from_env(Path(tmp) / "in-process")
        enqueued = fill(scheduled, n)
        shutil.copytree(scheduled.root, in_process.root, symlinks=True, dirs_exist_ok=True)

        # What users run: `podium backend` on the queue, timed from launch (start-up included).
        load_before = os.getloadavg()[0]
        log_path = Path(tmp) / "backend.log"
        total, scheduled_cpu, warm = run_subprocess(scheduled, n, args.workers, log_path)
        if args.keep_log:
            shutil.copy(log_path, args.keep_log)
        scheduled_check = check_exactly_once(scheduled, n)

        # The in-process loop on the same queue.
        in_process_seconds, in_process_cpu = run_in_process(in_process, n, args.workers)
        in_process_check = check_exactly_once(in_process, n)
        load_after = os.getloadavg()[0]

    report(f"enqueue {n} submissions (validate + store, 4 x 320 items)", enqueued)
    report(f"`podium backend --workers {args.workers}`: launch -> all {n} FINISHED", total,
           bar=f"bar: < {TARGET_SECONDS * 1000:,.0f} ms")  # fmt: skip
    report(f"in-process Backend.run_once, {args.workers} workers, same queue", in_process_seconds)
    scheduled_rate, in_process_rate = n / total, n / in_process_seconds
    print(f"    `podium backend`: {scheduled_rate:.1f} submissions/s (start-up and warm-up included;"
          f" warm after {warm if warm is not None else float('nan'):.2f} s)")  # fmt: skip
    print(f"    in-process:       {in_process_rate:.1f} submissions/s")
    print(f"    ratio scheduled / in-process: {scheduled_rate / in_process_rate:.2f} (bar: >= {TARGET_RATIO:.2f})")
    print(f"    CPU per submission (backend + scoring processes): `podium backend` {scheduled_cpu / n * 1000:.1f} ms"
          f" (start-up included), in-process {in_process_cpu / n * 1000:.1f} ms")  # fmt: skip
    print(f"    load (1-min average): {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} CPUs")
    print(f"    `podium backend`: {scheduled_check}")
    print(f"    in-process:       {in_process_check}")


if __name__ == "__main__":
    main()

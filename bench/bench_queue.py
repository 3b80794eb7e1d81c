"""Queue throughput: 1,000 small submissions enqueued and scored by one backend.

Run: .venv/bin/python bench/bench_queue.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report  # noqa: E402

from podium.backend import Backend, BackendSettings  # noqa: E402
from podium.benchmarks import BenchmarkStore  # noqa: E402
from podium.config import Home  # noqa: E402
from podium.queue import RequestQueue  # noqa: E402
from podium.schema import BenchmarkCard  # noqa: E402
from podium.submissions import model_info, submit  # noqa: E402

N = 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Home.from_env(tmp)
        items = 50
        table = pd.DataFrame({"id": [f"i{i}" for i in range(items)], "text": "x", "label": ["a", "b"] * (items // 2)})
        BenchmarkStore(home).add(
            BenchmarkCard(id="small", name="Small", task_type="text_classification", primary_metric="accuracy"), table
        )
        files = []
        for k in range(N):
            path = Path(tmp) / f"p{k}.csv"
            path.write_text("id,prediction\n" + "".join(f"i{i},{'ab'[(i * k) % 2]}\n" for i in range(items)))
            files.append(path)

        started = time.perf_counter()
        for k, path in enumerate(files):
            submit(home, "small", path, model_info(f"model-{k}"), submitter="bench")
        enqueued = time.perf_counter() - started

        backend = Backend(home, BackendSettings(workers=2))
        started = time.perf_counter()
        scored = backend.run_once()
        scoring = time.perf_counter() - started
        backend.stop()
        finished = sum(r.status == "FINISHED" for r in RequestQueue(home).all()[0])
        assert scored == N and finished == N, (scored, finished)
        report(f"enqueue {N} submissions (validate + store), in-process", enqueued)
        report(f"score {N} submissions, one backend, 2 workers", scoring)
        report(f"total {N} submissions enqueued and scored", enqueued + scoring, bar="bar: < 60,000 ms")
        print(f"    {N / (enqueued + scoring):.0f} submissions per second")


if __name__ == "__main__":
    main()

"""Latency of `GET /api/leaderboard/{benchmark}` with 1,000 models, from a second process.

Starts `podium serve --no-backend` on 100 benchmarks (1,000 models on one), then sends 500
sequential requests for the 1,000-model table over loopback and prints p50 / p99.

Run: .venv/bin/python bench/bench_api.py
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import podium_server  # noqa: E402
from bench_frontend import make_home  # noqa: E402

from podium.config import Home  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        make_home(Home.from_env(tmp), random.Random(0))
        # One client sends 520 requests in seconds: lift the anonymous per-address limit, which
        # would otherwise answer 429 (the guard still runs on every request, so its cost is measured).
        with podium_server(tmp, "--no-backend", env={"PODIUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "100000"}) as url:
            with httpx.Client(base_url=url) as http:
                for _ in range(20):  # warm-up
                    http.get("/api/leaderboard/bench-000")
                times = []
                for _ in range(500):
                    started = time.perf_counter()
                    response = http.get("/api/leaderboard/bench-000")
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200 and len(response.json()["rows"]) == 1000
    p50, p99 = np.percentile(times, 50), np.percentile(times, 99)
    print(f"GET /api/leaderboard/bench-000 (1,000 rows), 500 sequential requests: p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms (target p99 < 50 ms)")  # fmt: skip


if __name__ == "__main__":
    main()

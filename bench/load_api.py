"""A bounded load on a running Podium API from a second process: clients that submit and read.

    python bench/load_api.py URL TOKENS_FILE BENCHMARK PREDICTIONS [--clients 50] [--seconds 30]

Each client (a thread with its own token) loops until the time is up: submit the predictions
(with a new revision each time), then read the leaderboard and the submission's status. Prints one
JSON object: request counts by status code, accepted submission ids, and latency percentiles.
Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import httpx
import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("tokens_file")
    parser.add_argument("benchmark")
    parser.add_argument("predictions")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    host = urlparse(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load is only ever sent to loopback addresses")
    tokens = Path(args.tokens_file).read_text().split()[: args.clients]
    data = Path(args.predictions).read_bytes()
    statuses: Counter = Counter()
    accepted: list[str] = []
    read_latency: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def client(index: int, token: str) -> None:
        http = httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        revision = 0
        while time.monotonic() < deadline:
            revision += 1
            response = http.post(
                "/api/submissions",
                data={"benchmark": args.benchmark, "model_name": f"client-{index}/model", "revision": f"r{revision}"},
                files={"predictions": (Path(args.predictions).name, data)},
            )
            with lock:
                statuses[f"POST {response.status_code}"] += 1
                if response.status_code == 201:
                    accepted.append(response.json()["id"])
            started = time.perf_counter()
            response = http.get(f"/api/leaderboard/{args.benchmark}")
            elapsed = time.perf_counter() - started
            with lock:
                statuses[f"GET {response.status_code}"] += 1
                read_latency.append(elapsed)
        http.close()

    threads = [threading.Thread(target=client, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latency = np.array(read_latency) * 1000
    print(json.dumps({
        "statuses": dict(statuses), "accepted": accepted,
        "read_ms": {"p50": float(np.percentile(latency, 50)), "p99": float(np.percentile(latency, 99))}
        if len(latency) else {},
    }))  # fmt: skip


if __name__ == "__main__":
    main()

"""The read path at its limit: `GET /api/leaderboard/{benchmark}` (1,000 rows) under 100 concurrent
clients, beside a bare Starlette app serving the same bytes.

Starts `podium serve --no-backend` on 100 benchmarks (1,000 models on one) and, on the same
machine, a bare Starlette app (uvicorn, one process) that answers every request with the very bytes
Podium answered. A second process (this script's `--load` mode) runs 100 concurrent clients
(asyncio + httpx, keep-alive) for 20 s against each in turn and prints requests per second and
latency percentiles; the ratio is Podium's throughput against the bare app's (target: Podium within
1.5x, i.e. at least 0.67 of the bare rate). A third run sends `If-None-Match` with the ETag Podium
gave (the 304 path a polling client takes).

The guard's per-address limits are lifted for the run (100 clients share one loopback address);
the guard itself still runs on every request.

Run: .venv/bin/python bench/bench_read_path.py [--seconds 20] [--clients 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PATH = "/api/leaderboard/bench-000"

BARE_APP = """
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

body = open(sys.argv[1], "rb").read()
etag = sys.argv[2]


async def leaderboard(request):
    return Response(body, media_type="application/json", headers={"ETag": etag})


app = Starlette(routes=[Route("/api/leaderboard/{benchmark}", leaderboard), Route("/healthz", leaderboard)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def load(url: str, clients: int, seconds: float, etag: str | None) -> dict:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    headers = {"If-None-Match": etag} if etag else {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60, headers=headers) as http:
        await http.get(PATH)  # warm-up
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await http.get(PATH)
                await response.aread()
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"rps": len(latencies) / elapsed, "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": ordered[-1] * 1000,
            "statuses": statuses}  # fmt: skip


def run_load(url: str, clients: int, seconds: float, etag: str | None = None) -> dict:
    """The load from a second process, as a real client population would be."""
    command = [sys.executable, __file__, "--load", url, "--clients", str(clients), "--seconds", str(seconds)]
    if etag:
        command += ["--etag", etag]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--load")
    parser.add_argument("--etag")
    args = parser.parse_args()
    if args.load:
        print(json.dumps(asyncio.run(load(args.load, args.clients, args.seconds, args.etag))))
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import podium_server, wait_until_up
    from bench_frontend import make_home as make_sample

    from podium.config import Home

    def make_home(root: str) -> None:
        make_sample(Home.from_env(root), random.Random(0))

    env = {"PODIUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "100000000", "PODIUM_MAX_CONCURRENT_PER_CLIENT": "100000"}
    with tempfile.TemporaryDirectory() as tmp, podium_server(tmp, "--no-backend", env=env, before=make_home) as url:
        bare_port = free_port()
        bare = None
        try:
            with urllib.request.urlopen(url + PATH) as response:
                body, etag = response.read(), response.headers.get("ETag")
            (Path(tmp) / "body.json").write_bytes(body)
            (Path(tmp) / "bare_app.py").write_text(BARE_APP)
            bare = subprocess.Popen(
                [sys.executable, str(Path(tmp) / "bare_app.py"), str(Path(tmp) / "body.json"), etag or '""',
                 str(bare_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            bare_url = f"http://127.0.0.1:{bare_port}"
            wait_until_up(bare_url)
            print(f"{PATH}: {len(body):,} bytes, ETag {etag}; {args.clients} clients x {args.seconds:g} s each")
            ours = run_load(url, args.clients, args.seconds)
            reference = run_load(bare_url, args.clients, args.seconds)
            cached = run_load(url, args.clients, args.seconds, etag) if etag else None
        finally:
            if bare is not None:
                bare.terminate()
                bare.wait(timeout=30)
    runs = (("podium", ours), ("bare starlette, same bytes", reference), ("podium, If-None-Match", cached))
    for name, f in runs:
        if f:
            print(f"{name:<28} {f['rps']:8.0f} req/s   p50 {f['p50_ms']:6.1f} ms   p99 {f['p99_ms']:6.1f} ms   "
                  f"max {f['max_ms']:7.1f} ms   {f['statuses']}")  # fmt: skip
    ratio = reference["rps"] / ours["rps"]
    print(f"bare / podium throughput: {ratio:.2f}x (target <= 1.5x); p99 {ours['p99_ms'] / reference['p99_ms']:.2f}x")


if __name__ == "__main__":
    main()

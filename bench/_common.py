"""Helpers shared by the bench scripts: timing with medians, a benchmark home in a temp folder."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def median_seconds(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def report(name: str, ours: float, reference: float | None = None, bar: str = "") -> None:
    line = f"{name:<58} ours {ours * 1000:9.1f} ms"
    if reference is not None:
        line += f"   reference {reference * 1000:10.1f} ms   ratio {reference / ours:8.1f}x"
    if bar:
        line += f"   ({bar})"
    print(line, flush=True)


def wait_until_up(url: str, seconds: float = 120.0) -> None:
    """Wait until ``url``/healthz answers."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} never answered") from None
            time.sleep(0.2)


@contextmanager
def podium_server(
    home: str, *args: str, env: dict[str, str] | None = None, before: Callable[[str], object] | None = None
) -> Iterator[str]:
    """`podium serve` on a free loopback port for the duration of the block; yields its URL.
    ``before(home)`` fills the home first."""
    if before is not None:
        before(home)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    podium = str(Path(sys.executable).with_name("podium"))
    server = subprocess.Popen([podium, "--home", home, "serve", "--port", str(port), *args],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, **(env or {})})  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)

"""Helpers shared by the bench scripts: timing with medians, a benchmark home in a temp folder."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


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

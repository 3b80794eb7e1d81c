"""Where Podium keeps its data, and its limits. One place; everything else asks here.

The data home (``--home``, else ``PODIUM_HOME``, else the current folder) holds:

- ``benchmarks/<id>/``: public benchmark cards and inputs (served);
- ``eval-queue/``: the requests dataset (submission requests and stored predictions);
- ``eval-results/``: the results dataset (result files);
- ``private/<id>/``: gold answers. Never served. ``PODIUM_PRIVATE_DIR`` moves it elsewhere,
  which a public deployment should do (outside any folder a web server or Space exposes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_PREDICTIONS_MB = 256.0
DEFAULT_MAX_BENCHMARK_MB = 1024.0


@dataclass(frozen=True)
class Home:
    root: Path
    private_root: Path | None = None
    max_predictions_bytes: int = int(DEFAULT_MAX_PREDICTIONS_MB * 1024 * 1024)
    max_benchmark_bytes: int = int(DEFAULT_MAX_BENCHMARK_MB * 1024 * 1024)  # an eval set uploaded over the API

    @classmethod
    def from_env(cls, root: str | os.PathLike | None = None) -> Home:
        root_path = Path(root or os.environ.get("PODIUM_HOME") or ".").resolve()
        private = os.environ.get("PODIUM_PRIVATE_DIR")
        limit_mb = float(os.environ.get("PODIUM_MAX_PREDICTIONS_MB", DEFAULT_MAX_PREDICTIONS_MB))
        benchmark_mb = float(os.environ.get("PODIUM_MAX_BENCHMARK_MB", DEFAULT_MAX_BENCHMARK_MB))
        return cls(
            root=root_path,
            private_root=Path(private).resolve() if private else None,
            max_predictions_bytes=int(limit_mb * 1024 * 1024),
            max_benchmark_bytes=int(benchmark_mb * 1024 * 1024),
        )

    @property
    def benchmarks_dir(self) -> Path:
        return self.root / "benchmarks"

    @property
    def private_dir(self) -> Path:
        return self.private_root or self.root / "private"

    @property
    def extra_metrics_dir(self) -> Path:
        """Installed extra metric modules (``benchmark add --extra-metric``), one folder each. The
        leading '_' keeps it apart from benchmark folders, whose ids start with a letter or digit."""
        return self.private_dir / "_metrics"

    @property
    def queue_dir(self) -> Path:
        return self.root / "eval-queue"

    @property
    def results_dir(self) -> Path:
        return self.root / "eval-results"

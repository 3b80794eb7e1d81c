"""Extra metrics: any local ``evaluate`` module a benchmark adds, computed through its ``compute()``.

What a module's output becomes (``read_output``):

- a number (int or float, not a bool): a corpus-level score, shown as a column without an interval;
- a list of one number per item: per-item scores, shown as their mean, with a bootstrap interval
  like the built-in metrics' (``bootstrap.mean_statistic``);
- anything else (text, nested values, lists of another length, NaN): not shown.

Columns are named after the output's keys, or ``<module>.<key>`` when the key is already taken
(a built-in metric of the task type, or an earlier extra metric). Loading a module imports
``evaluate``: only a benchmark with extra metrics pays for it.

A maintainer adds a module with ``podium benchmark add --extra-metric PATH`` (a module folder
holding ``<name>.py``, or the script itself). ``install`` copies it under the data home's private
folder (``Home.extra_metrics_dir``), so scoring and rescoring never depend on the path it came
from; its ``fingerprint`` (a hash of its files) is part of ``metric_version``, so changing the
module makes the results scored with the old one stale for ``podium rescore``.

The module is code the backend runs: only a maintainer with the data home adds one (the CLI);
no HTTP route installs or names a module file (docs/security.md).
"""

from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np

from podium.errors import BenchmarkError
from podium.slugs import UnsafeNameError, check_module_name

MAX_MODULE_BYTES = 5 * 1024 * 1024  # a metric module is a script and a few small files


@dataclass(frozen=True)
class ExtraScore:
    """One column an extra metric adds: its value and, for per-item scores, those scores."""

    name: str
    value: float
    per_item: np.ndarray | None = None  # one score per item, in benchmark order (for the interval)


def _number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def read_output(module_name: str, output: dict[str, Any], n_items: int, taken=()) -> list[ExtraScore]:
    """The columns a module's ``compute`` output gives (see the module docstring)."""
    taken = set(taken)
    scores = []
    for key, value in (output or {}).items():
        if _number(value):
            score = ExtraScore(str(key), float(value))
        elif isinstance(value, (list, tuple, np.ndarray)) and len(value) == n_items and n_items > 0:
            if not all(_number(v) for v in value):
                continue
            per_item = np.asarray(value, dtype=np.float64)
            score = ExtraScore(str(key), float(per_item.mean()), per_item)
        else:
            continue
        if score.name in taken:
            score = ExtraScore(f"{module_name}.{score.name}", score.value, score.per_item)
        taken.add(score.name)
        scores.append(score)
    return scores


def extra_scores(path: str | Path, predictions: list, references: list, taken=()) -> list[ExtraScore]:
    """Load the ``evaluate`` module at ``path`` (offline) and score ``predictions`` against
    ``references`` (one of each per item, in benchmark order) through its ``compute``.

    Any failure of the module (loading it, or its ``compute``) is a ``BenchmarkError`` naming it."""
    from podium.metrics import load_module

    name = Path(path).name
    try:
        module = load_module(Path(path).resolve(), fingerprint(Path(path)))
        output = module.compute(predictions=predictions, references=references)
    except Exception as exc:  # the module is the maintainer's code: any error it raises is its own
        raise BenchmarkError(f"extra metric {name!r} failed: {type(exc).__name__}: {exc}") from None
    if not isinstance(output, dict):
        raise BenchmarkError(f"extra metric {name!r} returned {type(output).__name__}, not a dict of scores")
    return read_output(name, output, len(predictions), taken)


def fingerprint(folder: Path) -> str:
    """12 hex digits of a hash over an installed module's files (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(_files(Path(folder))):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def version(folder: Path) -> str:
    """'<name> <hash>': what ``metric_version`` records for an installed module."""
    return f"{Path(folder).name} {fingerprint(folder)}"


def module_source(path: str | Path) -> tuple[str, Path]:
    """(the module's name, its folder or script) for ``--extra-metric PATH``: a folder holding
    ``<folder name>.py``, or a ``.py`` script. ``BenchmarkError`` says what is wrong."""
    path = Path(path)
    if path.is_file() and path.suffix == ".py":
        name = path.stem
    elif path.is_dir():
        name = path.name
        if not (path / f"{name}.py").is_file():
            raise BenchmarkError(f"--extra-metric {path}: an evaluate module folder holds {name}.py; none found")
    else:
        raise BenchmarkError(f"--extra-metric {path}: no evaluate module there (give its folder or its .py script)")
    try:
        check_module_name(name, what="extra metric name")
    except UnsafeNameError as exc:
        raise BenchmarkError(f"--extra-metric {path}: {exc}") from None
    if name.startswith("podium_"):
        raise BenchmarkError(f"--extra-metric {path}: names starting 'podium_' belong to Podium's own metrics")
    return name, path


def stage(path: str | Path, metrics_dir: Path) -> Path:
    """Copy the module at ``path`` (``module_source``) to a staging folder under ``metrics_dir``
    (``<staging>/<name>/``, loadable as it is); ``publish`` swaps it in, ``discard`` drops it."""
    name, source = module_source(path)
    files = [source] if source.is_file() else _files(source)
    if sum(p.stat().st_size for p in files) > MAX_MODULE_BYTES:
        raise BenchmarkError(f"--extra-metric {path}: over {MAX_MODULE_BYTES // 2**20} MB; a metric module is a script")
    metrics_dir.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".staging-", dir=metrics_dir)) / name
    for file in files:
        target = staged / (f"{name}.py" if source.is_file() else file.relative_to(source))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    return staged


def publish(staged: Path) -> Path:
    """Swap a staged module in place of the installed one of its name; its installed folder."""
    metrics_dir = staged.parent.parent
    final, old = metrics_dir / staged.name, metrics_dir / f".{staged.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staged.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    discard(staged)
    return final


def discard(staged: Path) -> None:
    shutil.rmtree(staged.parent, ignore_errors=True)

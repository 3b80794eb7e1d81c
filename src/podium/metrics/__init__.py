"""Podium's metrics: pure numpy classes, each also shipped as an ``evaluate`` module.

- ``load_metric(name)``: the metric the scorer uses (fast path, sufficient statistics). It never
  imports ``evaluate`` or ``datasets``, so ``podium score`` does not pay for them.
- ``load_module(name)``: the same metric as an ``evaluate`` module, loaded by absolute path with
  ``evaluate.load`` (no network). Its ``compute(predictions=..., references=...)`` runs the metric's
  own ``compute``, so it gives the scorer's numbers.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import Any

from podium.metrics._metric import Metric

MODULES_DIR = Path(__file__).resolve().parent / "modules"
# Each built-in metric: its evaluate module's name -> "python module:class" of its implementation.
_BUILT_IN = {
    "podium_classification": "podium.metrics.classification:ClassificationMetric",
    "podium_ner": "podium.metrics.sequence_labeling:NerMetric",
    "podium_qa": "podium.metrics.answers:AnswerMetric",
}
METRIC_MODULES = tuple(_BUILT_IN)


def module_path(name: str) -> Path:
    """The folder of the built-in metric ``name``'s ``evaluate`` module."""
    _check(name)
    return MODULES_DIR / name


def _check(name: str) -> None:
    if name not in _BUILT_IN:
        raise KeyError(f"unknown metric module {name!r}; known: {', '.join(METRIC_MODULES)}")


@functools.cache
def load_metric(name: str) -> Metric:
    """The built-in metric ``name`` (e.g. "podium_classification"), as the scorer uses it."""
    _check(name)
    module, cls = _BUILT_IN[name].split(":")
    return getattr(importlib.import_module(module), cls)()


@functools.cache
def load_module(path: str | Path, fingerprint: str = "") -> Any:
    """The ``evaluate`` module at ``path`` (a folder or script; a built-in metric's name also works),
    loaded offline with ``evaluate.load`` (cached per process and ``fingerprint``: give the module
    files' hash so a changed module is loaded again). Imports ``evaluate``: not for the scorer."""
    import podium.offline  # noqa: F401

    evaluate = importlib.import_module("evaluate")  # after podium.offline: it reads the switches on import
    if str(path) in _BUILT_IN:
        path = module_path(str(path))
    return evaluate.load(str(Path(path).resolve()))


def metric_version(metric: Any) -> str:
    """'podium_classification 1.0.0': a metric's name and version, as results record it.

    Works for a built-in metric (or its ``evaluate`` module) and for any other ``evaluate`` module,
    whose version is the ``VERSION`` its script declares.
    """
    own = getattr(metric, "metric", metric)
    if isinstance(own, Metric):
        return own.full_version
    import sys

    script = sys.modules.get(type(metric).__module__)
    return f"{metric.name} {getattr(script, 'VERSION', 'unversioned')}"

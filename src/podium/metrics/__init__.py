"""Podium's metrics: pure numpy functions, wrapped as ``evaluate`` modules shipped in the package.

``load_metric(name)`` loads ``modules/<name>/<name>.py`` by absolute path with ``evaluate.load``,
which needs no network. The modules delegate to the functions in this package, so the scoring
pipeline and ``evaluate``'s ``compute`` give the same numbers.
"""

from __future__ import annotations

import functools
from pathlib import Path

MODULES_DIR = Path(__file__).resolve().parent / "modules"
METRIC_MODULES = ("podium_classification", "podium_ner", "podium_qa")


def module_path(name: str) -> Path:
    if name not in METRIC_MODULES:
        raise KeyError(f"unknown metric module {name!r}; known: {', '.join(METRIC_MODULES)}")
    return MODULES_DIR / name


@functools.cache
def load_metric(name: str):
    """The ``evaluate`` module ``name``, loaded offline from the package (cached per process)."""
    import evaluate

    import podium.offline  # noqa: F401  (before evaluate is imported)

    return evaluate.load(str(module_path(name)))


def metric_version(module) -> str:
    """'podium_classification 1.0.0': the module's name and the VERSION its script declares."""
    import sys

    script = sys.modules[type(module).__module__]
    return f"{module.name} {getattr(script, 'VERSION', 'unversioned')}"

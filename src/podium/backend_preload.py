"""Loaded once in the backend's forkserver, so each scoring child starts with everything imported."""

import podium.offline  # noqa: F401
from podium import private_part, scoring  # noqa: F401
from podium.metrics import METRIC_MODULES, load_metric

for _name in METRIC_MODULES:
    load_metric(_name)

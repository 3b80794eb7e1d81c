"""Imported once by the backend's forkserver, so every scoring process starts with all it needs loaded.

Only the scorer: no ``evaluate``, ``datasets`` or web stack (the metrics' fast paths are plain numpy).
"""

from podium.predictions import keep_pandas_out_of_pyarrow

keep_pandas_out_of_pyarrow()  # first: scoring processes only score (a no-op once pandas is imported)

from podium import backend, private_part, queue, scoring, secrets_store  # noqa: E402,F401
from podium.metrics import METRIC_MODULES, load_metric  # noqa: E402

for _name in METRIC_MODULES:
    load_metric(_name)

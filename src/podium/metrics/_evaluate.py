"""The ``evaluate`` side of Podium's metrics: one base class that all three module scripts share.

A module script only names its metric (``metric = ClassificationMetric()``); the information
``evaluate`` asks for and ``compute`` come from that metric. Importing this imports ``evaluate`` and
``datasets``: only ``evaluate.load`` does it (``load_module`` imports ``podium.offline`` first), never
the scorer.
"""

from __future__ import annotations

from typing import Any, ClassVar

import datasets
import evaluate

from podium.metrics._metric import InputType, Metric


def _feature(kind: InputType):
    return datasets.Value("string") if kind == "string" else datasets.Sequence(datasets.Value("string"))


class PodiumModule(evaluate.Metric):
    """An ``evaluate`` module computing a Podium ``Metric``: ``compute(predictions=..., references=...)``
    returns what the metric's own ``compute`` returns (extra keyword arguments passed on)."""

    metric: ClassVar[Metric]

    def _info(self) -> evaluate.MetricInfo:
        metric = self.metric
        return evaluate.MetricInfo(
            module_type="metric",
            description=metric.description,
            citation="",
            inputs_description=metric.inputs_description,
            features=datasets.Features(
                {"predictions": _feature(metric.prediction_type), "references": _feature(metric.reference_type)}
            ),
        )

    def _compute(self, predictions: Any, references: Any, **kwargs: Any) -> dict[str, Any]:
        return self.metric.compute(predictions=predictions, references=references, **kwargs)

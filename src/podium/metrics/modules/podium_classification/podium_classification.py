"""Podium text classification metrics as an ``evaluate`` module (see ``podium.metrics.classification``)."""

from podium.metrics import _evaluate
from podium.metrics.classification import ClassificationMetric


class PodiumClassification(_evaluate.PodiumModule):
    metric = ClassificationMetric()

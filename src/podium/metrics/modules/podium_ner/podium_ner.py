"""Podium NER metrics as an ``evaluate`` module (see ``podium.metrics.sequence_labeling``)."""

from podium.metrics import _evaluate
from podium.metrics.sequence_labeling import NerMetric


class PodiumNer(_evaluate.PodiumModule):
    metric = NerMetric()

"""Podium answer metrics as an ``evaluate`` module (see ``podium.metrics.answers``)."""

from podium.metrics import _evaluate
from podium.metrics.answers import AnswerMetric


class PodiumQa(_evaluate.PodiumModule):
    metric = AnswerMetric()

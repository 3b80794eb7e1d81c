"""What a Podium metric is: the fast path the scorer calls, and ``compute`` its ``evaluate`` module runs.

A metric is a plain class (numpy only: the scorer never imports ``evaluate``). Its ``evaluate``
module (``modules/<name>/<name>.py``, built on ``podium.metrics._evaluate``) declares nothing of
its own: name, version, description and input types all come from here, and its ``compute``
calls this class's ``compute``, so the two can never give different numbers.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

# An input's type as ``evaluate`` declares it: one string per item, or a list of strings per item.
InputType = Literal["string", "strings"]


class Metric:
    """Base class of Podium's built-in metrics."""

    name: ClassVar[str]  # the evaluate module's name, e.g. "podium_classification"
    version: ClassVar[str]  # recorded in every result (``metric_version``); a change makes results stale
    description: ClassVar[str]
    inputs_description: ClassVar[str]
    prediction_type: ClassVar[InputType]
    reference_type: ClassVar[InputType]

    def compute(self, *, predictions: Any, references: Any, **kwargs: Any) -> dict[str, Any]:
        """The metrics of ``predictions`` against ``references`` (one of each per item), as the
        ``evaluate`` module returns them: the scalar metrics and, per metric family, the details."""
        predictions, references = list(predictions), list(references)
        if len(predictions) != len(references):
            raise ValueError(f"{len(predictions)} predictions for {len(references)} references")
        return self._compute(predictions, references, **kwargs)

    def _compute(self, predictions: list, references: list, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def full_version(self) -> str:
        """'podium_classification 1.0.0': what a result records as ``metric_version``."""
        return f"{self.name} {self.version}"

"""Podium NER metrics: entity-level micro precision/recall/F1 and per-type scores.

seqeval's default semantics (``seqeval.metrics.classification_report``), computed with numpy over
the flattened tag stream. Tags are IOB2: 'O', 'B-TYPE', 'I-TYPE'.
"""

import datasets
import evaluate

from podium.metrics import sequence_labeling

VERSION = "1.0.0"


class PodiumNer(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            module_type="metric",
            description=__doc__,
            citation="",
            inputs_description="predictions and references: one list of IOB2 tags per sentence",
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("string")),
                    "references": datasets.Sequence(datasets.Value("string")),
                }
            ),
        )

    def counts(self, references, predictions):
        """Sufficient statistics (per sentence and per type) from tag lists (the fast path)."""
        return sequence_labeling.count(sequence_labeling.encode(references), sequence_labeling.encode(predictions))

    def from_counts(self, counts):
        return sequence_labeling.scores(counts)

    def _compute(self, predictions, references):
        metrics, details = self.from_counts(self.counts(references, predictions))
        return {**metrics, **details}

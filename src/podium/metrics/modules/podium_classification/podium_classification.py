"""Podium text classification metrics: accuracy, macro-F1 and per-class precision/recall/F1.

Computed from the confusion matrix in numpy; equal to scikit-learn's ``accuracy_score``,
``f1_score(average="macro")`` and ``precision_recall_fscore_support(average=None)``.
"""

import datasets
import evaluate
import numpy as np

from podium.metrics import classification

VERSION = "1.0.0"


class PodiumClassification(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            module_type="metric",
            description=__doc__,
            citation="",
            inputs_description="predictions and references: one label (string) per item",
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
        )

    def confusion(self, references, predictions, labels=None):
        """(confusion matrix, labels) from label strings."""
        if labels is None:
            labels = sorted(set(references) | set(predictions))
        index = {label: i for i, label in enumerate(labels)}
        gold = np.fromiter((index[x] for x in references), dtype=np.int64, count=len(references))
        pred = np.fromiter((index[x] for x in predictions), dtype=np.int64, count=len(predictions))
        return classification.confusion_counts(gold, pred, len(labels)), list(labels)

    def from_confusion(self, confusion, labels):
        """Scalar metrics and per-class details from a confusion matrix (the fast path)."""
        return classification.scores(np.asarray(confusion), list(labels))

    def _compute(self, predictions, references, labels=None):
        confusion, labels = self.confusion(references, predictions, labels)
        metrics, details = self.from_confusion(confusion, labels)
        return {**metrics, **details}

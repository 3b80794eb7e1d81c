"""Text classification metrics from a confusion matrix, as scikit-learn computes them.

Every function takes confusion counts of shape ``(..., k, k)`` (gold in rows, prediction in
columns), so the same code scores one submission and 10,000 bootstrap replicates at once.
Macro averages run over the labels that occur in the gold answers or the predictions, as
``sklearn.metrics.f1_score(average="macro")`` does; a 0/0 ratio counts as 0 (sklearn's default).
"""

from __future__ import annotations

import numpy as np

from podium.metrics._metric import Metric


def confusion_counts(gold: np.ndarray, predicted: np.ndarray, n_labels: int) -> np.ndarray:
    """Confusion matrix ``(k, k)`` from label indices (gold rows, predicted columns)."""
    cells = np.bincount(gold.astype(np.int64) * n_labels + predicted, minlength=n_labels**2)
    return cells.reshape(n_labels, n_labels)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    safe = np.where(denominator == 0, 1, denominator)
    return np.where(denominator == 0, 0.0, numerator / safe)


def per_class(confusion: np.ndarray) -> dict[str, np.ndarray]:
    """Per-label precision, recall, F1 and support (arrays of shape ``(..., k)``)."""
    confusion = np.asarray(confusion, dtype=np.float64)
    tp = np.diagonal(confusion, axis1=-2, axis2=-1)
    gold = confusion.sum(axis=-1)
    predicted = confusion.sum(axis=-2)
    return {
        "precision": _divide(tp, predicted),
        "recall": _divide(tp, gold),
        "f1": _divide(2.0 * tp, gold + predicted),
        "support": gold,
    }


def accuracy(confusion: np.ndarray) -> np.ndarray:
    confusion = np.asarray(confusion, dtype=np.float64)
    total = confusion.sum(axis=(-2, -1))
    return np.trace(confusion, axis1=-2, axis2=-1) / np.where(total == 0, 1, total)


def macro_f1(confusion: np.ndarray) -> np.ndarray:
    """Mean F1 over labels present in gold or predictions (sklearn's default label set)."""
    confusion = np.asarray(confusion, dtype=np.float64)
    stats = per_class(confusion)
    present = (confusion.sum(axis=-1) + confusion.sum(axis=-2)) > 0
    n_present = present.sum(axis=-1)
    return _divide((stats["f1"] * present).sum(axis=-1), n_present)


def scores(confusion: np.ndarray, labels: list[str]) -> tuple[dict[str, float], dict]:
    """Scalar metrics and per-class details for one confusion matrix."""
    stats = per_class(confusion)
    present = (confusion.sum(axis=1) + confusion.sum(axis=0)) > 0
    metrics = {"accuracy": float(accuracy(confusion)), "macro_f1": float(macro_f1(confusion))}
    details = {
        label: {name: float(values[i]) for name, values in stats.items()}
        for i, label in enumerate(labels)
        if present[i]
    }
    return metrics, {"per_class": details}


def macro_f1_from_cells(
    resampled: np.ndarray, gold_of_cell: np.ndarray, pred_of_cell: np.ndarray, n_labels: int
) -> np.ndarray:
    """Macro-F1 of many resampled confusion matrices given as counts over non-empty cells.

    ``resampled`` is (B, C) counts of the C cells whose gold / predicted labels are given; the
    (B, k, k) matrices are never built, so this stays cheap for many labels.
    """
    resampled = resampled.astype(np.float64)
    on_diagonal = gold_of_cell == pred_of_cell
    gold_onehot = np.zeros((len(gold_of_cell), n_labels))
    gold_onehot[np.arange(len(gold_of_cell)), gold_of_cell] = 1.0
    pred_onehot = np.zeros((len(pred_of_cell), n_labels))
    pred_onehot[np.arange(len(pred_of_cell)), pred_of_cell] = 1.0
    tp = resampled @ (gold_onehot * on_diagonal[:, None])
    gold = resampled @ gold_onehot
    predicted = resampled @ pred_onehot
    f1 = _divide(2.0 * tp, gold + predicted)
    present = (gold + predicted) > 0
    return _divide((f1 * present).sum(axis=-1), present.sum(axis=-1))


class ClassificationMetric(Metric):
    """Accuracy, macro-F1 and per-class precision / recall / F1 / support of one label per item.

    Equal to scikit-learn's ``accuracy_score``, ``f1_score(average="macro")`` and
    ``precision_recall_fscore_support(average=None)``.
    """

    name = "podium_classification"
    version = "1.0.0"
    description = __doc__
    inputs_description = (
        "predictions and references: one label (string) per item; labels (optional): the label set, in "
        "the order the per-class details list them (default: every label seen, sorted)"
    )
    prediction_type = "string"
    reference_type = "string"

    def confusion(
        self, references: list[str], predictions: list[str], labels: list[str] | None = None
    ) -> tuple[np.ndarray, list[str]]:
        """(confusion matrix, labels) from label strings."""
        if labels is None:
            labels = sorted(set(references) | set(predictions))
        index = {label: i for i, label in enumerate(labels)}
        unknown = sorted((set(references) | set(predictions)) - index.keys())
        if unknown:
            raise ValueError(f"labels {unknown[:5]} are not in the label set")
        gold = np.fromiter((index[x] for x in references), dtype=np.int64, count=len(references))
        pred = np.fromiter((index[x] for x in predictions), dtype=np.int64, count=len(predictions))
        return confusion_counts(gold, pred, len(labels)), list(labels)

    def from_confusion(self, confusion: np.ndarray, labels: list[str]) -> tuple[dict[str, float], dict]:
        """Scalar metrics and per-class details from a confusion matrix (the scorer's fast path)."""
        return scores(np.asarray(confusion), list(labels))

    def _compute(self, predictions: list, references: list, labels: list[str] | None = None) -> dict:
        metrics, details = self.from_confusion(*self.confusion(references, predictions, labels))
        return {**metrics, **details}

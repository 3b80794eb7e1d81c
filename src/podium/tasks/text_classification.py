"""Text classification: one label per item, from the benchmark's label set.

Predictions: ``id,prediction`` CSV or ``{"id": ..., "prediction": "label"}`` JSONL.
Metrics: accuracy (primary), macro-F1, per-class precision / recall / F1.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from podium.bootstrap import GroupedStatistic
from podium.errors import BenchmarkError, Problems, quote, quote_value
from podium.metrics import classification, load_metric, metric_version
from podium.predictions import RawPredictions
from podium.schema import BenchmarkCard, Outcomes
from podium.tasks._base import GoldSet, Scoring, TaskType, closest, listing
from podium.tasks._registry import register

if TYPE_CHECKING:  # pandas builds benchmarks; scoring never imports it
    import pandas as pd


@register
class TextClassification(TaskType):
    name = "text_classification"
    title = "Text classification"
    spellings = ("classification",)
    description = "Assign one label from a fixed label set to each text."
    input_fields = ("text",)
    gold_field = "label"
    metrics = ("accuracy", "macro_f1")
    metric_module = "podium_classification"
    aliases = {"sentence": "text", "content": "text", "input": "text", "labels": "label"}
    prediction_help = "one label per item, exactly as written in the benchmark's label set"

    def prepare_gold(self, table: pd.DataFrame, card: BenchmarkCard):
        gold = table[self.gold_field].map(lambda v: None if v is None else str(v).strip())
        empty = gold.isna() | (gold == "")
        if empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0]) + 1
            raise BenchmarkError(f"row {row}: empty label")
        present = sorted(set(gold))
        labels = card.labels or present
        outside = [x for x in present if x not in set(labels)]
        if outside:
            row = int(np.flatnonzero(gold.isin(outside).to_numpy())[0]) + 1
            label = quote(gold.iloc[row - 1])
            raise BenchmarkError(f"row {row}: label {label} is not in the label set {listing(labels)}")
        return gold, card.model_copy(update={"labels": list(labels)})

    def check(self, raw: RawPredictions, position: np.ndarray, gold: GoldSet) -> np.ndarray:
        labels = gold.card.labels or []
        if isinstance(raw.values, pa.Array):
            codes = self._codes(raw.values, labels)
        else:
            codes = self._codes(pa.array(_label_strings(raw), type=pa.string()), labels)
        problems = Problems(keep=10)

        def unknown(i: int) -> str:
            value = raw.values[i]
            value = value.as_py() if isinstance(value, pa.Scalar) else str(value)
            return f"label {quote(value)} is not one of {listing(labels)}{closest(value, labels)}"

        for i in np.flatnonzero(codes < 0):
            problems.add(partial(raw.where, i), partial(unknown, int(i)))
        problems.raise_if_any()
        return codes.astype(np.int64)

    @staticmethod
    def _codes(values: pa.Array, labels: list[str]) -> np.ndarray:
        """Index of each value in ``labels``; -1 where it is not a label."""
        found = pc.index_in(values, value_set=pa.array(labels, type=pa.string()))
        return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)

    def gold_codes(self, gold: GoldSet) -> np.ndarray:
        return self._codes(gold.gold, list(gold.card.labels or []))

    def score(self, gold: GoldSet, predictions: np.ndarray, keep_outcomes: bool = True) -> Scoring:
        labels = list(gold.card.labels or [])
        k = len(labels)
        truth = self.gold_codes(gold)
        module = load_metric(self.metric_module)
        confusion = classification.confusion_counts(truth, predictions, k)
        metrics, details = module.from_confusion(confusion, labels)

        n = len(truth)
        correct = int(np.trace(confusion))
        cells = np.flatnonzero(confusion.ravel())
        cell_counts = confusion.ravel()[cells]
        gold_of_cell, pred_of_cell = np.divmod(cells, k)
        statistics = [
            GroupedStatistic("accuracy", np.array([correct, n - correct]), lambda r: r[:, 0] / max(n, 1)),
            GroupedStatistic(
                "macro_f1",
                cell_counts,
                lambda r: classification.macro_f1_from_cells(r, gold_of_cell, pred_of_cell, k),
            ),
        ]
        outcomes = None
        if keep_outcomes:
            rows = outcome_rows(predictions, predictions == truth, k)
            outcomes = Outcomes(fields=["predicted_label_index", "correct"], values=rows)
        return Scoring(metrics, details, outcomes, statistics, metric_version(module))

    def evaluate_inputs(self, gold: GoldSet, predictions: np.ndarray) -> tuple[list, list]:
        labels = list(gold.card.labels or [])
        return [labels[code] for code in predictions.tolist()], gold.gold_list()

    def perfect_predictions(self, gold: GoldSet) -> np.ndarray:
        return self.gold_codes(gold)


def outcome_rows(predicted: np.ndarray, correct: np.ndarray, n_labels: int) -> list[list[int]]:
    """``[predicted label index, 1 if correct else 0]`` for each item: equal to
    ``np.stack([predicted, correct], axis=1).tolist()``, but items with the same outcome share one
    row (there are only ``2 * n_labels`` different rows), so a million items cost a list of a million
    references, not a million lists for the garbage collector to walk. Rows are read, never changed."""
    distinct = np.empty(2 * n_labels, dtype=object)
    for label in range(n_labels):
        distinct[2 * label], distinct[2 * label + 1] = [label, 0], [label, 1]
    return distinct[predicted * 2 + correct].tolist()


def _label_strings(raw: RawPredictions) -> list[str]:
    """JSON predictions as label strings (an integer label is its text); anything else is refused."""
    values = list(raw.values)
    problems = Problems()
    for i, v in enumerate(values):
        if isinstance(v, int) and not isinstance(v, bool):
            values[i] = str(v)
        elif not isinstance(v, str):
            problems.add(partial(raw.where, i), lambda v=v: f"prediction must be a label string, got {quote_value(v)}")
    problems.raise_if_any()
    return values

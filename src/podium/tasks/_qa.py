"""What the two question-answering task types share: answers, gold answer lists, metrics."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from podium.bootstrap import mean_statistic
from podium.errors import BenchmarkError, Problems, quote_value
from podium.metrics import answers, load_metric, metric_version
from podium.predictions import RawPredictions
from podium.schema import BenchmarkCard, Outcomes
from podium.tasks._base import GoldSet, Scoring, TaskType

if TYPE_CHECKING:  # pandas builds benchmarks; scoring never imports it
    import pandas as pd

# Answers longer than this are refused (naming the line): generous for any answer a model gives,
# and it bounds the scorer's time and memory per item (docs/formats.md, "Prediction files").
MAX_ANSWER_CHARS = 100_000


def gold_answers(value: object) -> list[str] | None:
    """A gold answer cell as a list of strings: 'x', ['x', 'y'] or SQuAD's {'text': [...]}."""
    if isinstance(value, dict) and "text" in value:
        value = value["text"]
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return None


class QuestionAnswering(TaskType):
    gold_field = "answers"
    metrics = ("f1", "exact_match", "rouge_l")
    metric_module = "podium_qa"
    prediction_help = "one answer string per question"

    def prepare_gold(self, table: pd.DataFrame, card: BenchmarkCard):
        import pandas as pd

        golds = []
        for row, value in enumerate(table[self.gold_field], start=1):
            answers_ = gold_answers(value)
            if answers_ is None:
                raise BenchmarkError(
                    f"row {row}: answers must be a string or a non-empty list of strings, got {quote_value(value)}"
                )
            golds.append(answers_)
        return pd.Series(golds, dtype=object), card

    def check(self, raw: RawPredictions, position: np.ndarray, gold: GoldSet) -> list[str]:
        problems = Problems()
        if isinstance(raw.values, pa.Array):  # CSV: strings; their lengths without Python objects
            lengths = pc.utf8_length(raw.values).to_numpy(zero_copy_only=False)  # code points, as len()
            for i in np.flatnonzero(lengths > MAX_ANSWER_CHARS):
                problems.add(partial(raw.where, i), partial(_too_long, int(lengths[i])))
            problems.raise_if_any()
            return raw.values_list()
        values = raw.values_list()
        for i, value in enumerate(values):
            if isinstance(value, str):
                if len(value) > MAX_ANSWER_CHARS:
                    problems.add(partial(raw.where, i), partial(_too_long, len(value)))
            else:
                problems.add(
                    partial(raw.where, i), lambda v=value: f"prediction must be an answer string, got {quote_value(v)}"
                )
        problems.raise_if_any()
        return values

    def score(self, gold: GoldSet, predictions: list[str], keep_outcomes: bool = True) -> Scoring:
        module = load_metric(self.metric_module)
        exact, f1, rouge = module.per_item(predictions, gold.gold_list())
        metrics = answers.scores(exact, f1, rouge)
        statistics = [
            mean_statistic("f1", f1),
            mean_statistic("exact_match", exact),
            mean_statistic("rouge_l", rouge),
        ]
        outcomes = None
        if keep_outcomes:
            values = np.round(np.stack([exact, f1, rouge], axis=1), 6).tolist()
            outcomes = Outcomes(fields=["exact_match", "f1", "rouge_l"], values=values)
        return Scoring(metrics, {}, outcomes, statistics, metric_version(module))

    def perfect_predictions(self, gold: GoldSet) -> list[str]:
        return [answers_[0] for answers_ in gold.gold_list()]


def _too_long(length: int) -> str:
    return f"the answer is {length:,} characters long; the limit is {MAX_ANSWER_CHARS:,}"

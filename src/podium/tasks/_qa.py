"""What the two question-answering task types share: answers, gold answer lists, metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from podium.bootstrap import mean_statistic
from podium.errors import BenchmarkError, Problem, quote_value
from podium.metrics import answers, load_metric, metric_version
from podium.predictions import RawPredictions
from podium.schema import BenchmarkCard, Outcomes
from podium.tasks._base import GoldSet, Scoring, TaskType, raise_if

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
        if isinstance(raw.values, pa.Array):  # CSV: strings; their lengths without Python objects
            lengths = pc.utf8_length(raw.values).to_numpy(zero_copy_only=False)  # code points, as len()
            too_long = np.flatnonzero(lengths > MAX_ANSWER_CHARS)
            raise_if([_too_long(raw.where(i), int(lengths[i])) for i in too_long[:20]], total=len(too_long))
            return raw.values_list()
        values = raw.values_list()
        problems: list[Problem] = []
        total = 0
        for i, value in enumerate(values):
            if isinstance(value, str) and len(value) <= MAX_ANSWER_CHARS:
                continue
            total += 1
            if len(problems) < 20:
                if isinstance(value, str):
                    problems.append(_too_long(raw.where(i), len(value)))
                else:
                    problems.append(
                        Problem(raw.where(i), f"prediction must be an answer string, got {quote_value(value)}")
                    )
        raise_if(problems, total=total)
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


def _too_long(where: str, length: int) -> Problem:
    return Problem(where, f"the answer is {length:,} characters long; the limit is {MAX_ANSWER_CHARS:,}")

"""Named-entity recognition: one IOB2 tag per token of each sentence.

Predictions: CSV ``id,prediction`` with space-separated tags, or JSONL with a list of tags.
Metrics: entity-level micro F1 (primary), precision, recall, per-type F1 (seqeval semantics).
"""

from __future__ import annotations

from functools import partial
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
import pyarrow.compute as pc

from podium.bootstrap import GroupedStatistic, group_counts
from podium.errors import BenchmarkError, Problems, quote, quote_value
from podium.metrics import load_metric, metric_version, sequence_labeling
from podium.predictions import RawPredictions
from podium.schema import BenchmarkCard, Outcomes
from podium.tasks._base import GoldSet, Scoring, TaskType, closest, listing
from podium.tasks._registry import register

if TYPE_CHECKING:  # pandas builds benchmarks; scoring never imports it
    import pandas as pd


def tag_problem(tag: object, entity_types: list[str] | None) -> str | None:
    """Why ``tag`` is not a valid IOB2 tag, or None."""
    if not isinstance(tag, str):
        return f"tag {quote_value(tag)} is not a string"
    if tag == "O":
        return None
    if len(tag) < 3 or tag[:2] not in ("B-", "I-"):
        return f"malformed tag {quote(tag)}: use 'O', 'B-TYPE' or 'I-TYPE' (IOB2)"
    if entity_types is not None and tag[2:] not in entity_types:
        return f"unknown entity type {quote(tag[2:])} in tag {quote(tag)}; types: {listing(entity_types)}" + closest(
            tag[2:], entity_types
        )
    return None


def valid_tags(entity_types: list[str]) -> frozenset[str]:
    """Every tag ``tag_problem`` accepts for these types: checking a tag is one set lookup."""
    return frozenset(["O", *(f"{prefix}-{t}" for t in entity_types if t for prefix in "BI")])


def as_tag_list(value: object) -> list | None:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return value
    if isinstance(value, (tuple, np.ndarray)):
        return list(value)
    return None


@register
class Ner(TaskType):
    name = "ner"
    title = "Named-entity recognition"
    spellings = ("Named Entity Recognition",)
    description = "Tag every token with an IOB2 entity tag (B-TYPE, I-TYPE or O)."
    input_fields = ("tokens",)
    gold_field = "tags"
    metrics = ("f1", "precision", "recall")
    metric_module = "podium_ner"
    aliases = {"words": "tokens", "ner_tags": "tags", "labels": "tags"}
    prediction_help = "one IOB2 tag per token (space-separated in CSV, a JSON list in JSONL)"

    def prepare(self, table, card):
        inputs, gold, card = super().prepare(table, card)
        inputs["tokens"] = [as_tag_list(t) for t in inputs["tokens"]]
        for row, (tokens, tags) in enumerate(zip(inputs["tokens"], gold["tags"], strict=True), 1):
            if tokens is None or not all(isinstance(t, str) for t in tokens):
                raise BenchmarkError(f"row {row}: tokens must be a list of strings")
            if len(tokens) != len(tags):
                raise BenchmarkError(f"row {row}: {len(tags)} tags for {len(tokens)} tokens")
        return inputs, gold, card

    def prepare_gold(self, table: pd.DataFrame, card: BenchmarkCard):
        import pandas as pd

        tags = [as_tag_list(v) for v in table[self.gold_field]]
        for row, sentence in enumerate(tags, start=1):
            if sentence is None:
                raise BenchmarkError(f"row {row}: tags must be a list or a space-separated string")
            for tag in sentence:
                problem = tag_problem(tag, None)
                if problem:
                    raise BenchmarkError(f"row {row}: {problem}")
        found = sorted(sequence_labeling.entity_types(list(chain.from_iterable(tags))))
        types = card.entity_types or found
        extra = sorted(set(found) - set(types))
        if extra:
            raise BenchmarkError(f"gold tags use entity types {listing(extra)} outside {listing(list(types))}")
        return pd.Series(tags, dtype=object), card.model_copy(update={"entity_types": list(types)})

    def check(self, raw: RawPredictions, position: np.ndarray, gold: GoldSet) -> list[list[str]]:
        problems = Problems()
        values = raw.values_list()
        sentences: list = [as_tag_list(v) for v in values]
        gold_lengths = pc.list_value_length(gold.gold).to_numpy(zero_copy_only=False).astype(np.int64)
        for i, sentence in enumerate(sentences):
            where = partial(raw.where, i)
            if sentence is None:
                problems.add(where, lambda v=values[i]: f"prediction must be a list of tags, got {quote_value(v)}")
            elif position[i] >= 0 and len(sentence) != gold_lengths[position[i]]:
                problems.add(where, f"{len(sentence)} tags for {gold_lengths[position[i]]} tokens")
        _tag_problems(raw, sentences, list(gold.card.entity_types or []), problems)
        problems.raise_if_any()
        return sentences

    def score(self, gold: GoldSet, predictions: list[list[str]], keep_outcomes: bool = True) -> Scoring:
        module = load_metric(self.metric_module)
        counts = module.counts(gold.gold_list(), predictions)
        metrics, details = module.from_counts(counts)
        per_sentence = np.stack([counts.sentence_tp, counts.sentence_pred, counts.sentence_gold], 1)
        groups, group_sizes = group_counts(per_sentence)

        def micro(index: int):
            def metric(resampled: np.ndarray) -> np.ndarray:
                tp, pred, true = (resampled @ groups).T
                return sequence_labeling.precision_recall_f1(tp, pred, true)[index]

            return metric

        # One draw of the sentences for all three (F1's stream, so F1's interval is what it was when
        # each had its own): precision, recall and F1 of one replicate come from the same resample.
        statistics = [
            GroupedStatistic("precision", group_sizes, micro(0), stream="f1"),
            GroupedStatistic("recall", group_sizes, micro(1), stream="f1"),
            GroupedStatistic("f1", group_sizes, micro(2), stream="f1"),
        ]
        outcomes = Outcomes(fields=["tp", "predicted", "gold"], values=per_sentence.tolist()) if keep_outcomes else None
        return Scoring(metrics, details, outcomes, statistics, metric_version(module))


def _tag_problems(raw: RawPredictions, sentences: list, types: list[str], problems: Problems) -> None:
    """Every tag outside the benchmark's tag set. One set lookup per tag; rows are walked (and
    messages written) only when a tag is bad. A JSON tag may be anything (a nested list, an object,
    a number): unhashable ones are bad."""
    valid = valid_tags(types)
    try:
        if valid.issuperset(chain.from_iterable(s for s in sentences if s is not None)):
            return
    except TypeError:
        pass
    explained: dict[str, str] = {}  # a string tag's problem, worked out once

    def why(tag) -> str:
        if not isinstance(tag, str):
            return tag_problem(tag, types)
        if tag not in explained:
            explained[tag] = tag_problem(tag, types)
        return explained[tag]

    for i, sentence in enumerate(sentences):
        for token, tag in enumerate(sentence or (), start=1):
            if not (isinstance(tag, str) and tag in valid):
                problems.add(partial(raw.where, i), lambda t=tag, k=token: f"token {k}: {why(t)}")

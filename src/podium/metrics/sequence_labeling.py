"""Entity-level NER metrics with seqeval's default (lenient, conlleval-style) semantics.

Tags are IOB2 ('O', 'B-TYPE', 'I-TYPE'). As in ``seqeval.metrics.sequence_labeling.get_entities``:
an entity starts at a B- tag, or at an I- tag that follows 'O', the sentence start or a tag of
another type; it goes on while I- tags of the same type follow. Entity types may contain hyphens
('B-ORG-SUB' has type 'ORG-SUB'). Precision, recall and F1 are computed as seqeval computes them.

Everything is vectorised over the flattened token stream of all sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np

from podium.metrics._factorize import factorize
from podium.metrics._metric import Metric

OUTSIDE, BEGIN, INSIDE = 0, 1, 2


@dataclass(frozen=True)
class TagStream:
    """All sentences' tags as integer codes, with the tag vocabulary and sentence offsets."""

    codes: np.ndarray  # (n_tokens,) int64, index into vocabulary
    offsets: np.ndarray  # (n_sentences + 1,) int64
    vocabulary: list[str]


def encode(sentences: list[list[str]], vocabulary: list[str] | None = None) -> TagStream:
    lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
    offsets = np.zeros(len(sentences) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = list(chain.from_iterable(sentences))
    if vocabulary is None:
        codes, uniques = factorize(flat)
        return TagStream(codes, offsets, uniques)
    index = {tag: i for i, tag in enumerate(vocabulary)}
    codes = np.fromiter((index[t] for t in flat), dtype=np.int64, count=len(flat))
    return TagStream(codes, offsets, list(vocabulary))


def split_tag(tag: str) -> tuple[int, str]:
    """('B-ORG' -> (BEGIN, 'ORG')); 'O' -> (OUTSIDE, '')."""
    if tag == "O":
        return OUTSIDE, ""
    return (BEGIN if tag[0] == "B" else INSIDE), tag[2:]


@dataclass(frozen=True)
class Entities:
    start: np.ndarray  # global token position of the first token
    end: np.ndarray  # global token position of the last token
    type: np.ndarray  # index into the type list
    sentence: np.ndarray  # sentence index


def entities(stream: TagStream, type_index: dict[str, int]) -> Entities:
    """Find all entities in ``stream``; ``type_index`` maps a type name to its index."""
    prefix_of = np.empty(len(stream.vocabulary), dtype=np.int8)
    type_of = np.empty(len(stream.vocabulary), dtype=np.int64)
    for code, tag in enumerate(stream.vocabulary):
        prefix, type_name = split_tag(tag)
        prefix_of[code] = prefix
        type_of[code] = type_index[type_name] if prefix != OUTSIDE else -1
    prefix = prefix_of[stream.codes]
    types = type_of[stream.codes]
    n = len(prefix)
    sentence_start = np.zeros(n, dtype=bool)
    starts_at = stream.offsets[:-1]
    sentence_start[starts_at[starts_at < n]] = True

    prev_prefix = np.empty_like(prefix)
    prev_type = np.empty_like(types)
    if n:
        prev_prefix[0], prev_type[0] = OUTSIDE, -1
        prev_prefix[1:], prev_type[1:] = prefix[:-1], types[:-1]
    prev_prefix[sentence_start] = OUTSIDE
    prev_type[sentence_start] = -1

    inside = prefix != OUTSIDE
    start = (prefix == BEGIN) | ((prefix == INSIDE) & ((prev_prefix == OUTSIDE) | (prev_type != types)))
    continues = inside & ~start
    next_continues = np.zeros(n, dtype=bool)
    next_continues[:-1] = continues[1:]
    end = inside & ~next_continues

    start_pos = np.flatnonzero(start)
    end_pos = np.flatnonzero(end)
    sentence = np.searchsorted(stream.offsets, start_pos, side="right") - 1
    return Entities(start_pos, end_pos, types[start_pos], sentence)


@dataclass(frozen=True)
class NerCounts:
    """Sufficient statistics: per-sentence and per-type true positive / predicted / gold counts."""

    types: list[str]
    sentence_tp: np.ndarray
    sentence_pred: np.ndarray
    sentence_gold: np.ndarray
    type_tp: np.ndarray
    type_pred: np.ndarray
    type_gold: np.ndarray


def entity_types(tags: list[str]) -> set[str]:
    return {split_tag(t)[1] for t in tags if t != "O"}


def count(gold: TagStream, predicted: TagStream) -> NerCounts:
    """Match gold and predicted entities (same type, same first and last token)."""
    if not np.array_equal(gold.offsets, predicted.offsets):
        raise ValueError("gold and predicted sentences differ in length")
    names = sorted(entity_types(gold.vocabulary) | entity_types(predicted.vocabulary))
    type_index = {name: i for i, name in enumerate(names)}
    gold_entities = entities(gold, type_index)
    pred_entities = entities(predicted, type_index)
    n_tokens = max(len(gold.codes), 1)
    n_types = max(len(names), 1)

    def keys(e: Entities) -> np.ndarray:
        return (e.start * n_tokens + e.end) * n_types + e.type

    gold_keys, pred_keys = keys(gold_entities), keys(pred_entities)
    matched = np.isin(gold_keys, pred_keys, assume_unique=True)
    n_sentences = len(gold.offsets) - 1
    k = len(names)
    return NerCounts(
        types=names,
        sentence_tp=np.bincount(gold_entities.sentence[matched], minlength=n_sentences),
        sentence_pred=np.bincount(pred_entities.sentence, minlength=n_sentences),
        sentence_gold=np.bincount(gold_entities.sentence, minlength=n_sentences),
        type_tp=np.bincount(gold_entities.type[matched], minlength=k),
        type_pred=np.bincount(pred_entities.type, minlength=k),
        type_gold=np.bincount(gold_entities.type, minlength=k),
    )


def _divide(numerator, denominator):
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    safe = np.where(denominator == 0, 1.0, denominator)
    return np.where(denominator == 0, 0.0, numerator / safe)


def precision_recall_f1(tp, predicted, gold) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """seqeval's arithmetic: F1 = 2PR / (P + R), 0 when P + R = 0. Works on arrays of counts."""
    precision = _divide(tp, predicted)
    recall = _divide(tp, gold)
    denom = precision + recall
    denom = np.where(denom == 0.0, 1.0, denom)
    return precision, recall, 2 * precision * recall / denom


def scores(counts: NerCounts) -> tuple[dict[str, float], dict]:
    tp, pred, gold = counts.type_tp.sum(), counts.type_pred.sum(), counts.type_gold.sum()
    p, r, f = precision_recall_f1(tp, pred, gold)
    metrics = {"f1": float(f), "precision": float(p), "recall": float(r)}
    tp_p, tp_r, tp_f = precision_recall_f1(counts.type_tp, counts.type_pred, counts.type_gold)
    per_type = {
        name: {
            "precision": float(tp_p[i]),
            "recall": float(tp_r[i]),
            "f1": float(tp_f[i]),
            "support": float(counts.type_gold[i]),
        }
        for i, name in enumerate(counts.types)
    }
    return metrics, {"per_type": per_type}


class NerMetric(Metric):
    """Entity-level micro precision / recall / F1 and per-type scores of IOB2 tag sequences.

    seqeval's default semantics (``seqeval.metrics.classification_report``), computed with numpy over
    the flattened tag stream. Tags are IOB2: 'O', 'B-TYPE', 'I-TYPE'.
    """

    name = "podium_ner"
    version = "1.0.0"
    description = __doc__
    inputs_description = "predictions and references: one list of IOB2 tags per sentence, of equal lengths"
    prediction_type = "strings"
    reference_type = "strings"

    def counts(self, references: list[list[str]], predictions: list[list[str]]) -> NerCounts:
        """Sufficient statistics (per sentence and per type) from tag lists (the scorer's fast path)."""
        return count(encode(references), encode(predictions))

    def from_counts(self, counts: NerCounts) -> tuple[dict[str, float], dict]:
        return scores(counts)

    def _compute(self, predictions: list, references: list) -> dict:
        metrics, details = self.from_counts(self.counts([list(r) for r in references], [list(p) for p in predictions]))
        return {**metrics, **details}

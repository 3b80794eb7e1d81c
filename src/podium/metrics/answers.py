"""Answer metrics for question answering: SQuAD v1.1 exact match and token F1, and ROUGE-L.

The numbers equal the official SQuAD v1.1 evaluation functions (``normalize_answer``,
``f1_score``, ``exact_match_score``, max over ground truths) and ``rouge_score``'s ROUGE-L
F-measure with its default tokenizer (no stemming; ``score_multi`` picks the best reference).

Speed comes from doing per-item Python work only where it cannot be avoided: the SQuAD
normalisation runs once over all answers joined by a separator, token overlap is counted with
numpy over integer token ids, and the longest common subsequence is rapidfuzz's compiled LCS.

Answers are arbitrary user text (NUL and every other control character included), so the
separator is chosen per call among characters absent from the texts, and when a (hostile) file
contains every candidate the texts are processed one at a time: slower, identical numbers.
"""

from __future__ import annotations

import re
import string
from itertools import chain

import numpy as np
from rapidfuzz.distance import LCSseq

from podium.metrics._factorize import factorize
from podium.metrics._metric import Metric

# Candidate separators for joining texts: C0 control characters that are not whitespace to
# str.split (\t-\r and \x1c-\x1f are), not punctuation, not word characters (so \b sees a text
# boundary), neither cased nor case-ignorable (so lower()'s final-sigma rule sees one too), never
# produced by lower() and not [a-z0-9]. A separator is only used when no text contains it.
SEPARATORS = tuple(map(chr, (*range(0x00, 0x09), *range(0x0E, 0x1C))))
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")
_ROUGE_TOKEN_OR_SEPARATOR = {s: re.compile("[a-z0-9]+|" + re.escape(s)) for s in SEPARATORS}
_TEXT_BREAK = ""  # marks the end of a text in a token list built one text at a time: never a token


def _join(texts: list[str]) -> tuple[str, str] | None:
    """``(separator, texts joined by it)`` for a separator that occurs in no text; None if none does."""
    if not texts:
        return None
    first = SEPARATORS[0]
    joined = first.join(texts)
    if joined.count(first) == len(texts) - 1:  # the usual case: one join, one scan
        return first, joined
    for separator in SEPARATORS[1:]:
        if separator not in joined:  # joined holds the texts plus the first candidate only
            return separator, separator.join(texts)
    return None


def normalize_answer(text: str) -> str:
    """SQuAD v1.1: lower case, drop punctuation and articles, collapse whitespace."""
    text = _ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION))
    return " ".join(text.split())


def normalize_answers(texts: list[str]) -> list[str]:
    """``normalize_answer`` for many texts at once (identical results)."""
    found = _join(texts)
    if found is None:
        return [normalize_answer(t) for t in texts]
    separator, joined = found
    joined = _ARTICLES.sub(" ", joined.lower().translate(_PUNCTUATION))
    return [" ".join(part.split()) for part in joined.split(separator)]


def _flatten_pairs(golds: list[list[str]]) -> np.ndarray:
    """Item index of each (item, gold answer) pair."""
    counts = np.fromiter(map(len, golds), dtype=np.int64, count=len(golds))
    return np.repeat(np.arange(len(golds)), counts)


def _max_per_item(values: np.ndarray, item_of_pair: np.ndarray, n_items: int) -> np.ndarray:
    best = np.full(n_items, -np.inf)
    np.maximum.at(best, item_of_pair, values)
    return np.where(np.isfinite(best), best, 0.0)


class _Tokens:
    """The tokens of many texts as integer codes: ``codes`` (all texts, in order) and ``lengths``.

    ``strings`` gives each text's tokens as a string with one character per token, so that
    sequence equality is string equality and rapidfuzz's LCS runs on plain strings.
    """

    def __init__(self, flat: list[str], n_texts: int, separator: str):
        """``flat``: the tokens of all texts in order, the token ``separator`` between two texts."""
        codes, uniques = factorize(flat)
        # (not numpy's ==: numpy turns the scalar '\x00' into '' before comparing)
        separator = [i for i, token in enumerate(uniques) if token == separator]
        is_separator = codes == separator[0] if len(separator) else np.zeros(len(codes), dtype=bool)
        text_of_token = np.cumsum(is_separator)[~is_separator]
        self.codes = codes[~is_separator]
        self.text_of_token = text_of_token
        self.lengths = np.bincount(text_of_token, minlength=n_texts).astype(np.int64)
        self.vocabulary = len(uniques)
        self.n_texts = n_texts

    def strings(self) -> list[str] | None:
        """One string per text, a character per token; None if the vocabulary is too large."""
        if self.n_texts == 0:
            return []
        points = self.codes + 1  # code point 0 is kept for the end of a text (codes are token ids, not text)
        points = np.where(points >= 0xD800, points + 0x800, points)  # skip surrogates
        if len(points) and points.max() > 0x10FFFF:
            return None
        out = np.zeros(len(points) + self.n_texts - 1, dtype="<u4")
        out[np.arange(len(points)) + self.text_of_token] = points
        return out.tobytes().decode("utf-32-le").split("\x00")

    def lists(self) -> list[tuple[int, ...]]:
        bounds = np.concatenate([[0], np.cumsum(self.lengths)])
        flat = self.codes.tolist()
        return [tuple(flat[bounds[i] : bounds[i + 1]]) for i in range(self.n_texts)]


def _tokens_one_by_one(texts: list[str], tokenize) -> _Tokens:
    """The slow path (every separator character occurs in the texts): each text on its own."""
    flat: list[str] = []
    for i, text in enumerate(texts):
        if i:
            flat.append(_TEXT_BREAK)
        flat += tokenize(text)
    return _Tokens(flat, len(texts), _TEXT_BREAK)


def _squad_tokens(texts: list[str]) -> _Tokens:
    """SQuAD-normalised tokens of ``texts``: ``normalize_answer(t).split()`` for each."""
    found = _join(texts)
    if found is None:
        return _tokens_one_by_one(texts, lambda text: normalize_answer(text).split())
    separator, joined = found
    joined = _ARTICLES.sub(" ", joined.lower().translate(_PUNCTUATION))
    return _Tokens(joined.replace(separator, f" {separator} ").split(), len(texts), separator)


def squad_scores(predictions: list[str], golds: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Per-item exact match (0/1) and token F1, each the max over that item's gold answers."""
    n = len(predictions)
    item_of_pair = _flatten_pairs(golds)
    n_pairs = len(item_of_pair)
    tokens = _squad_tokens(list(predictions) + list(chain.from_iterable(golds)))
    pred_len, gold_len = tokens.lengths[:n], tokens.lengths[n:]
    n_pred_tokens = int(pred_len.sum())
    pred_ids, gold_ids = tokens.codes[:n_pred_tokens], tokens.codes[n_pred_tokens:]
    vocab = max(tokens.vocabulary, 1)

    # Exact match: the normalised answers are equal iff their token sequences are.
    strings = tokens.strings()
    if strings is None:
        strings = tokens.lists()
    pred_strings, gold_strings = strings[:n], strings[n:]
    exact = np.fromiter(
        (pred_strings[i] == g for i, g in zip(item_of_pair.tolist(), gold_strings, strict=True)),
        dtype=np.float64,
        count=n_pairs,
    )

    # Token overlap: prediction tokens repeated for each of the item's gold answers, keyed by (pair, token).
    pred_start = np.concatenate([[0], np.cumsum(pred_len)])
    pair_pred_len = pred_len[item_of_pair]
    pair_of_pred_token = np.repeat(np.arange(n_pairs), pair_pred_len)
    within = np.arange(int(pair_pred_len.sum())) - np.repeat(np.cumsum(pair_pred_len) - pair_pred_len, pair_pred_len)
    pred_token_of_pair = pred_ids[np.repeat(pred_start[item_of_pair], pair_pred_len) + within]
    pair_of_gold_token = np.repeat(np.arange(n_pairs), gold_len)
    pred_keys, pred_counts = np.unique(pair_of_pred_token * vocab + pred_token_of_pair, return_counts=True)
    gold_keys, gold_counts = np.unique(pair_of_gold_token * vocab + gold_ids, return_counts=True)
    _, in_pred, in_gold = np.intersect1d(pred_keys, gold_keys, assume_unique=True, return_indices=True)
    common = np.minimum(pred_counts[in_pred], gold_counts[in_gold])
    same = np.bincount(pred_keys[in_pred] // vocab, weights=common, minlength=n_pairs)

    with np.errstate(divide="ignore", invalid="ignore"):
        precision = 1.0 * same / pair_pred_len
        recall = 1.0 * same / gold_len
        f1 = (2 * precision * recall) / (precision + recall)
    f1 = np.where(same == 0, 0.0, f1)
    return _max_per_item(exact, item_of_pair, n), _max_per_item(f1, item_of_pair, n)


def rouge_tokens(texts: list[str]) -> list[list[str]]:
    """rouge_score's default tokenizer: lower case, runs of [a-z0-9] (no stemming)."""
    found = _join(texts)
    if found is None:
        return [_ROUGE_TOKEN.findall(t.lower()) for t in texts]
    separator, joined = found
    return [_ROUGE_TOKEN.findall(part) for part in joined.lower().split(separator)]


def _rouge_token_codes(texts: list[str]) -> _Tokens:
    found = _join(texts)
    if found is None:
        return _tokens_one_by_one(texts, lambda text: _ROUGE_TOKEN.findall(text.lower()))
    separator, joined = found
    return _Tokens(_ROUGE_TOKEN_OR_SEPARATOR[separator].findall(joined.lower()), len(texts), separator)


def rouge_l(predictions: list[str], golds: list[list[str]]) -> np.ndarray:
    """Per-item ROUGE-L F-measure, the best over that item's gold answers."""
    n = len(predictions)
    item_of_pair = _flatten_pairs(golds)
    tokens = _rouge_token_codes(list(predictions) + list(chain.from_iterable(golds)))
    sequences = tokens.strings()
    if sequences is None:
        sequences = tokens.lists()
    pred_seq, gold_seq = sequences[:n], sequences[n:]
    lcs_length = LCSseq.similarity
    lcs = np.fromiter(
        (
            lcs_length(pred_seq[i], gold) if pred_seq[i] and gold else 0
            for i, gold in zip(item_of_pair.tolist(), gold_seq, strict=True)
        ),
        dtype=np.float64,
        count=len(gold_seq),
    )
    pred_len = tokens.lengths[:n].astype(np.float64)[item_of_pair]
    gold_len = tokens.lengths[n:].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = lcs / pred_len
        recall = lcs / gold_len
        total = precision + recall
        f = np.where(total > 0, 2 * precision * recall / total, 0.0)
    f = np.where((pred_len == 0) | (gold_len == 0), 0.0, f)
    return _max_per_item(f, item_of_pair, n)


def scores(exact: np.ndarray, f1: np.ndarray, rouge: np.ndarray) -> dict[str, float]:
    """Corpus scores: the means of the per-item values (SQuAD reports them x100; we do not)."""
    n = max(len(f1), 1)
    return {
        "f1": float(f1.sum() / n),
        "exact_match": float(exact.sum() / n),
        "rouge_l": float(rouge.sum() / n),
    }


class AnswerMetric(Metric):
    """SQuAD v1.1 token F1 and exact match, and ROUGE-L F-measure, of one answer per question.

    Equal to the official SQuAD v1.1 evaluation functions (max over the gold answers) and to
    ``rouge_score``'s ROUGE-L with its default tokenizer. Scores are fractions in [0, 1].
    """

    name = "podium_qa"
    version = "1.0.0"
    description = __doc__
    inputs_description = "predictions: one answer per question; references: its gold answers (a list of strings)"
    prediction_type = "string"
    reference_type = "strings"

    def per_item(self, predictions: list[str], references: list[list[str]]) -> tuple[np.ndarray, ...]:
        """Per-item (exact_match, f1, rouge_l) arrays (the scorer's fast path)."""
        predictions, references = list(predictions), [list(r) for r in references]
        exact, f1 = squad_scores(predictions, references)
        return exact, f1, rouge_l(predictions, references)

    def _compute(self, predictions: list, references: list) -> dict:
        return scores(*self.per_item(predictions, references))

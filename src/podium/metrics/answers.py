"""Answer metrics for question answering: SQuAD v1.1 exact match and token F1, and ROUGE-L.

The numbers equal the official SQuAD v1.1 evaluation functions (``normalize_answer``,
``f1_score``, ``exact_match_score``, max over ground truths) and ``rouge_score``'s ROUGE-L
F-measure with its default tokenizer (no stemming; ``score_multi`` picks the best reference).

Speed comes from doing per-item Python work only where it cannot be avoided: the SQuAD
normalisation runs once over all answers joined by a separator, token overlap is counted with
numpy over integer token ids, and the longest common subsequence is rapidfuzz's compiled LCS.
"""

from __future__ import annotations

import re
import string
from itertools import chain

import numpy as np
import pandas as pd
from rapidfuzz.distance import LCSseq

_SEPARATOR = "\x00"  # not punctuation, not whitespace, not a word character, unchanged by lower()
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")


def normalize_answer(text: str) -> str:
    """SQuAD v1.1: lower case, drop punctuation and articles, collapse whitespace."""
    text = _ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION))
    return " ".join(text.split())


def normalize_answers(texts: list[str]) -> list[str]:
    """``normalize_answer`` for many texts at once (identical results)."""
    joined = _SEPARATOR.join(texts)
    if not texts or joined.count(_SEPARATOR) != len(texts) - 1:
        return [normalize_answer(t) for t in texts]
    joined = _ARTICLES.sub(" ", joined.lower().translate(_PUNCTUATION))
    return [" ".join(part.split()) for part in joined.split(_SEPARATOR)]


def _flatten_pairs(golds: list[list[str]]) -> np.ndarray:
    """Item index of each (item, gold answer) pair."""
    counts = np.fromiter(map(len, golds), dtype=np.int64, count=len(golds))
    return np.repeat(np.arange(len(golds)), counts)


def _max_per_item(values: np.ndarray, item_of_pair: np.ndarray, n_items: int) -> np.ndarray:
    best = np.full(n_items, -np.inf)
    np.maximum.at(best, item_of_pair, values)
    return np.where(np.isfinite(best), best, 0.0)


def squad_scores(predictions: list[str], golds: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Per-item exact match (0/1) and token F1, each the max over that item's gold answers."""
    n = len(predictions)
    item_of_pair = _flatten_pairs(golds)
    normalized = normalize_answers(list(predictions) + list(chain.from_iterable(golds)))
    pred_norm, gold_norm = normalized[:n], normalized[n:]
    pred_norm_pairs = [pred_norm[i] for i in item_of_pair]

    exact = np.fromiter(
        (p == g for p, g in zip(pred_norm_pairs, gold_norm, strict=True)),
        dtype=np.float64,
        count=len(gold_norm),
    )

    pred_tokens = [s.split() for s in pred_norm]
    gold_tokens = [s.split() for s in gold_norm]
    n_pairs = len(gold_tokens)
    pred_len = np.fromiter(map(len, pred_tokens), dtype=np.int64, count=n)
    gold_len = np.fromiter(map(len, gold_tokens), dtype=np.int64, count=n_pairs)
    token_ids, _ = pd.factorize(pd.Series(list(chain.from_iterable(pred_tokens + gold_tokens)), dtype=object))
    token_ids = token_ids.astype(np.int64)
    n_pred_tokens = int(pred_len.sum())
    pred_ids, gold_ids = token_ids[:n_pred_tokens], token_ids[n_pred_tokens:]
    vocab = int(token_ids.max()) + 1 if len(token_ids) else 1

    # Prediction tokens repeated for each of the item's gold answers, keyed by (pair, token).
    pred_start = np.concatenate([[0], np.cumsum(pred_len)])
    pair_pred_len = pred_len[item_of_pair]
    pair_of_pred_token = np.repeat(np.arange(n_pairs), pair_pred_len)
    within = np.arange(int(pair_pred_len.sum())) - np.repeat(
        np.concatenate([[0], np.cumsum(pair_pred_len)[:-1]]), pair_pred_len
    )
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
    joined = _SEPARATOR.join(texts)
    if not texts or joined.count(_SEPARATOR) != len(texts) - 1:
        return [_ROUGE_TOKEN.findall(t.lower()) for t in texts]
    return [_ROUGE_TOKEN.findall(part) for part in joined.lower().split(_SEPARATOR)]


def rouge_l(predictions: list[str], golds: list[list[str]]) -> np.ndarray:
    """Per-item ROUGE-L F-measure, the best over that item's gold answers."""
    n = len(predictions)
    item_of_pair = _flatten_pairs(golds)
    tokens = rouge_tokens(list(predictions) + list(chain.from_iterable(golds)))
    pred_tokens, gold_tokens = tokens[:n], tokens[n:]
    lcs_length = LCSseq.similarity
    lcs = np.fromiter(
        (
            lcs_length(pred_tokens[i], gold) if pred_tokens[i] and gold else 0
            for i, gold in zip(item_of_pair.tolist(), gold_tokens, strict=True)
        ),
        dtype=np.float64,
        count=len(gold_tokens),
    )
    pred_len = np.fromiter(map(len, pred_tokens), dtype=np.float64, count=n)[item_of_pair]
    gold_len = np.fromiter(map(len, gold_tokens), dtype=np.float64, count=len(gold_tokens))
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

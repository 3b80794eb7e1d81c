"""Answer metrics for question answering: SQuAD v1.1 exact match and token F1, and ROUGE-L.

The numbers equal the official SQuAD v1.1 evaluation functions (``normalize_answer``,
``f1_score``, ``exact_match_score``, max over ground truths) and ``rouge_score``'s ROUGE-L
F-measure with its default tokenizer (no stemming; ``score_multi`` picks the best reference).

Speed comes from never making a Python object per token. Most answers are *plain* text (printable
ASCII, tabs and line breaks): there Python's ``lower()``, ``split()`` and ``string.punctuation``
are byte rules, which numpy applies to the UTF-8 bytes of all texts at once; the tokens found
become integer codes by Arrow's dictionary encoding. Every other text (any other character:
accents, final sigma, the Kelvin sign, control characters) goes through Python's own string
methods, so its tokens are the reference's by construction. Token overlap is then counted with
numpy, exact match compares code sequences, and the longest common subsequence is rapidfuzz's
compiled LCS over one character per token (``rapidfuzz.process.cpdist``: one call for all pairs).

Answers are arbitrary user text (NUL and every other control character included), so when
Python's methods run over texts joined by a separator, the separator is chosen per call among
characters absent from the texts, and when a (hostile) file contains every candidate the texts
are processed one at a time: slower, identical numbers.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz.distance import LCSseq
from rapidfuzz.process import cpdist

from podium.metrics._factorize import factorize_arrow
from podium.metrics._metric import Metric

# Candidate separators for joining texts: C0 control characters that are not whitespace to
# str.split (\t-\r and \x1c-\x1f are), not punctuation, not word characters (so \b sees a text
# boundary), neither cased nor case-ignorable (so lower()'s final-sigma rule sees one too), never
# produced by lower() and not [a-z0-9]. A separator is only used when no text contains it.
SEPARATORS = tuple(map(chr, (*range(0x00, 0x09), *range(0x0E, 0x1C))))
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")

# Plain text: printable ASCII and \t-\r. There lower() changes A-Z only, str.split() splits at
# \t-\r and space (\x1c-\x1f, which str.split also splits at, are not plain), and every byte is a
# letter, a digit, whitespace or in string.punctuation. So SQuAD's tokens are the runs of letters
# and digits once punctuation is deleted (\b(a|an|the)\b then removes exactly the tokens "a", "an"
# and "the"), rouge_score's the runs of letters and digits, lower-cased: byte rules numpy applies
# to the bytes of all texts at once.
_SQUAD_DROPPED = ("", "a", "an", "the")  # a token of punctuation only is empty once it is deleted


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


def rouge_tokens(texts: list[str]) -> list[list[str]]:
    """rouge_score's default tokenizer: lower case, runs of [a-z0-9] (no stemming)."""
    found = _join(texts)
    if found is None:
        return [_ROUGE_TOKEN.findall(t.lower()) for t in texts]
    separator, joined = found
    return [_ROUGE_TOKEN.findall(part) for part in joined.lower().split(separator)]


def _squad_token_lists(texts: list[str]) -> list[list[str]]:
    """SQuAD's tokens of each text: ``normalize_answer(text).split()``."""
    return [text.split() for text in normalize_answers(texts)]


def _utf8(texts: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """The UTF-8 bytes of all texts, one after the other, and where each starts (n + 1 offsets);
    None if a text cannot be encoded (lone surrogates: never in a UTF-8 file, a direct call may pass them)."""
    try:
        array = pa.array(texts, type=pa.large_string())
    except UnicodeEncodeError:
        return None
    _, offsets, data = array.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[: len(texts) + 1]
    data = np.frombuffer(data, dtype=np.uint8)[: offsets[-1]] if data is not None else np.zeros(0, np.uint8)
    return data, offsets


class _Bytes:
    """What each byte of some plain texts is: a letter or digit (``word``), whitespace (``space``);
    anything else is punctuation. ``plain`` is False for the bytes no plain text holds."""

    def __init__(self, data: np.ndarray):
        # (comparisons of wrapped-around unsigned bytes: a few vector operations, no table lookups)
        self.word = ((data | 0x20) - ord("a") < 26) | (data - ord("0") < 10)
        self.space = (data == ord(" ")) | (data - 0x09 < 5)  # \t \n \v \f \r
        self.plain = (data - 0x20 < 0x5F) | (data - 0x09 < 5)  # printable ASCII, \t-\r


def _runs(data: np.ndarray, offsets: np.ndarray, inside: np.ndarray, kept: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """The maximal runs of bytes where ``inside`` is true in each text, each run's token made of its
    ``kept`` bytes (letters and digits), lower-cased. Returns the tokens (an Arrow string array)
    and, for each text and one past the last, the index of its first run."""
    begins = inside.copy()
    begins[1:] &= ~inside[:-1]
    firsts = offsets[:-1][offsets[:-1] < len(data)]  # a run never goes on into the next text
    begins[firsts] = inside[firsts]
    starts = np.flatnonzero(begins)
    chars = data[kept] | 0x20  # lower case: sets the bit that tells a-z from A-Z; digits have it already
    count = np.int32 if len(data) < 2**31 else np.int64
    kept_before = np.cumsum(kept, dtype=count)[starts] - kept[starts]
    run_offsets = np.append(kept_before, len(chars)).astype(np.int64)
    tokens = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(run_offsets), pa.py_buffer(chars))
    return tokens, _before(np.cumsum(begins, dtype=count), offsets)


def _before(running_total: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``running_total`` (a cumulative sum) just before each of ``positions``: 0 before the first."""
    if len(running_total) == 0:
        return np.zeros(len(positions), dtype=np.int64)
    ahead = running_total[np.maximum(positions - 1, 0)].astype(np.int64)
    return np.where(positions > 0, ahead, 0)


def _squad_runs(data: np.ndarray, kinds: _Bytes, offsets: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """SQuAD's tokens of plain texts, articles and empty tokens included: the runs between
    whitespace, punctuation deleted (``"e-mail"`` is ``"email"``, ``"..."`` is ``""``)."""
    return _runs(data, offsets, ~kinds.space, kinds.word)


def _rouge_runs(data: np.ndarray, kinds: _Bytes, offsets: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """rouge_score's tokens of plain texts: the runs of letters and digits, lower-cased."""
    return _runs(data, offsets, kinds.word, kinds.word)


def _segments(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``starts[i], ..., starts[i] + lengths[i] - 1`` for every i, concatenated."""
    total = int(lengths.sum())
    ends = np.cumsum(lengths)
    return np.repeat(starts - (ends - lengths), lengths) + np.arange(total)


class _Tokens:
    """The tokens of many texts as integer codes: ``codes`` (all texts, in order) and ``lengths``.

    Equal codes are equal tokens. ``strings`` gives each text's tokens as a string with one
    character per token, so that rapidfuzz's LCS runs on plain strings.
    """

    def __init__(self, codes: np.ndarray, lengths: np.ndarray, vocabulary: int):
        self.codes = codes
        self.lengths = lengths
        self.starts = np.cumsum(lengths) - lengths
        self.vocabulary = vocabulary
        self.n_texts = len(lengths)

    def strings(self) -> list[str] | None:
        """One string per text, a character per token; None if the vocabulary is too large."""
        if self.n_texts == 0:
            return []
        points = self.codes + 1  # code point 0 is kept for the end of a text (codes are token ids, not text)
        points = np.where(points >= 0xD800, points + 0x800, points)  # skip surrogates
        if len(points) and points.max() > 0x10FFFF:
            return None
        out = np.zeros(len(points) + self.n_texts - 1, dtype="<u4")
        out[np.arange(len(points)) + np.repeat(np.arange(self.n_texts), self.lengths)] = points
        return out.tobytes().decode("utf-32-le").split("\x00")

    def lists(self) -> list[tuple[int, ...]]:
        bounds = np.concatenate([[0], np.cumsum(self.lengths)])
        flat = self.codes.tolist()
        return [tuple(flat[bounds[i] : bounds[i + 1]]) for i in range(self.n_texts)]


def _tokens(
    texts: list[str],
    plain: Callable[[np.ndarray, _Bytes, np.ndarray], tuple[pa.Array, np.ndarray]],
    other: Callable[[list[str]], list[list[str]]],
    drop: tuple[str, ...] = (),
) -> _Tokens:
    """Every text's tokens as codes, as the reference tokenizer gives them: ``plain`` finds the
    tokens of plain texts in their bytes (with the tokens in ``drop``, which are then removed),
    ``other`` tokenises the other texts with Python's string methods."""
    n = len(texts)
    encoded = _utf8(texts)
    if encoded is None:
        hard = np.ones(n, dtype=bool)
        tokens, first = pa.array([], type=pa.large_string()), np.zeros(n + 1, dtype=np.int64)
    else:
        data, offsets = encoded
        kinds = _Bytes(data)
        hard = np.zeros(n, dtype=bool)
        hard[np.searchsorted(offsets, np.flatnonzero(~kinds.plain), side="right") - 1] = True
        tokens, first = plain(data, kinds, offsets)
    codes, vocabulary = factorize_arrow(tokens)
    keep = np.ones(len(codes), dtype=bool)
    if drop:
        dropped = pc.index_in(pa.array(drop, type=pa.large_string()), value_set=vocabulary).drop_null()
        keep &= ~np.isin(codes, dropped.to_numpy())
    keep[_segments(first[:-1][hard], np.diff(first)[hard])] = False  # the other texts' tokens come from ``other``
    lengths = np.diff(_before(np.cumsum(keep), first))
    codes = codes[keep]
    if not hard.any():
        return _Tokens(codes, lengths, len(vocabulary))
    return _with_other_texts(_Tokens(codes, lengths, len(vocabulary)), vocabulary, hard, texts, other)


def _with_other_texts(tokens: _Tokens, vocabulary: pa.Array, hard: np.ndarray, texts: list[str], other) -> _Tokens:
    """``tokens`` (those of the plain texts; none for the ``hard`` ones) with the tokens ``other``
    gives the hard texts put in their place, coded with the plain texts' codes (new tokens, new codes)."""
    index = {token: code for code, token in enumerate(vocabulary.to_pylist())}
    hard_rows = np.flatnonzero(hard)
    hard_lists = other([texts[i] for i in hard_rows.tolist()])
    hard_tokens = list(chain.from_iterable(hard_lists))
    hard_codes = np.fromiter((index.setdefault(t, len(index)) for t in hard_tokens), np.int64, len(hard_tokens))
    lengths = tokens.lengths.copy()
    lengths[hard_rows] = np.fromiter(map(len, hard_lists), dtype=np.int64, count=len(hard_lists))
    both = np.concatenate([np.flatnonzero(~hard), hard_rows])  # the texts in the order of all_codes
    starts = np.empty(len(texts), dtype=np.int64)
    starts[both] = np.cumsum(lengths[both]) - lengths[both]
    all_codes = np.concatenate([tokens.codes, hard_codes])
    return _Tokens(all_codes[_segments(starts, lengths)], lengths, len(index))


def _flatten_pairs(golds: list[list[str]]) -> np.ndarray:
    """Item index of each (item, gold answer) pair."""
    counts = np.fromiter(map(len, golds), dtype=np.int64, count=len(golds))
    return np.repeat(np.arange(len(golds)), counts)


def _max_per_item(values: np.ndarray, item_of_pair: np.ndarray, n_items: int) -> np.ndarray:
    best = np.full(n_items, -np.inf)
    np.maximum.at(best, item_of_pair, values)
    return np.where(np.isfinite(best), best, 0.0)


def _pairs(tokens: _Tokens, item_of_pair: np.ndarray, n: int):
    """For each (item, gold) pair: where its prediction's and its gold answer's tokens start, and
    how many each has (texts 0..n-1 are the predictions, the golds follow in pair order)."""
    pred_start, pred_len = tokens.starts[:n][item_of_pair], tokens.lengths[:n][item_of_pair]
    return pred_start, pred_len, tokens.starts[n:], tokens.lengths[n:]


def _same_sequences(tokens: _Tokens, pred_start, pred_len, gold_start, gold_len) -> np.ndarray:
    """1.0 where the pair's two token sequences are equal (equal normalised answers), else 0.0."""
    exact = (pred_len == gold_len).astype(np.float64)
    candidates = np.flatnonzero(pred_len == gold_len)
    length = gold_len[candidates]
    codes = tokens.codes
    differ = codes[_segments(pred_start[candidates], length)] != codes[_segments(gold_start[candidates], length)]
    n_differ = np.bincount(np.repeat(np.arange(len(candidates)), length), weights=differ, minlength=len(candidates))
    exact[candidates[n_differ > 0]] = 0.0
    return exact


def _common_tokens(tokens: _Tokens, pred_start, pred_len, gold_start, gold_len) -> np.ndarray:
    """For each pair, ``sum((Counter(prediction) & Counter(gold)).values())``."""
    n_pairs = len(pred_len)
    vocab = max(tokens.vocabulary, 1)
    pair_of_pred = np.repeat(np.arange(n_pairs), pred_len)
    pair_of_gold = np.repeat(np.arange(n_pairs), gold_len)
    pred_keys = pair_of_pred * vocab + tokens.codes[_segments(pred_start, pred_len)]
    gold_keys = pair_of_gold * vocab + tokens.codes[_segments(gold_start, gold_len)]
    pred_keys, pred_counts = np.unique(pred_keys, return_counts=True)
    gold_keys, gold_counts = np.unique(gold_keys, return_counts=True)
    _, in_pred, in_gold = np.intersect1d(pred_keys, gold_keys, assume_unique=True, return_indices=True)
    common = np.minimum(pred_counts[in_pred], gold_counts[in_gold])
    return np.bincount(pred_keys[in_pred] // vocab, weights=common, minlength=n_pairs)


def squad_scores(predictions: list[str], golds: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Per-item exact match (0/1) and token F1, each the max over that item's gold answers."""
    n = len(predictions)
    item_of_pair = _flatten_pairs(golds)
    texts = list(predictions) + list(chain.from_iterable(golds))
    tokens = _tokens(texts, _squad_runs, _squad_token_lists, drop=_SQUAD_DROPPED)
    pred_start, pred_len, gold_start, gold_len = _pairs(tokens, item_of_pair, n)
    exact = _same_sequences(tokens, pred_start, pred_len, gold_start, gold_len)
    same = _common_tokens(tokens, pred_start, pred_len, gold_start, gold_len)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = 1.0 * same / pred_len
        recall = 1.0 * same / gold_len
        f1 = (2 * precision * recall) / (precision + recall)
    f1 = np.where(same == 0, 0.0, f1)
    return _max_per_item(exact, item_of_pair, n), _max_per_item(f1, item_of_pair, n)


def rouge_l(predictions: list[str], golds: list[list[str]]) -> np.ndarray:
    """Per-item ROUGE-L F-measure, the best over that item's gold answers."""
    n = len(predictions)
    item_of_pair = _flatten_pairs(golds)
    texts = list(predictions) + list(chain.from_iterable(golds))
    tokens = _tokens(texts, _rouge_runs, rouge_tokens)
    sequences = tokens.strings()
    if sequences is None:
        sequences = tokens.lists()
    pred_seq, gold_seq = sequences[:n], sequences[n:]
    pair_pred = [pred_seq[i] for i in item_of_pair.tolist()]
    lcs = cpdist(pair_pred, gold_seq, scorer=LCSseq.similarity).astype(np.float64) if gold_seq else np.zeros(0)
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

"""The fast paths give the references' answers exactly: id matching by sorted hashes equals
``pyarrow.compute.index_in``; the byte-level SQuAD and ROUGE-L tokenisation of plain texts, mixed
with Python's for the others, equals the official SQuAD v1.1 functions and rouge_score per item;
classification's outcome rows, shared between equal outcomes, equal ``tolist()``.

Property-based (hypothesis, derandomised) over the inputs that could tell the paths apart: NUL
bytes, unicode, ids longer than the hashed limit, empty and punctuation-only answers, repeated
tokens, very long answers, every kind of whitespace, and plain and other texts in one call.
"""

from __future__ import annotations

import string

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import squad_v1_1 as squad
from rouge_score import rouge_scorer

from podium import predictions
from podium.metrics import answers
from podium.predictions import positions
from podium.tasks.text_classification import outcome_rows

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
ROUGE = rouge_scorer.RougeScorer(["rougeL"])
TOL = 1e-9


def _index_in(ids: pa.Array, item_ids: pa.Array) -> list[int]:
    return pc.fill_null(pc.index_in(ids, value_set=item_ids), -1).to_pylist()


# ------------------------------------------------------------------------------------ id matching

ID_CHARS = st.sampled_from(["a", "b", "Z", "0", "9", "-", "_", " ", "\x00", "é", "東", "\U0001f600", "\n"])
IDS = st.one_of(
    st.text(ID_CHARS, max_size=20),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
    st.integers(0, 10**6).map(lambda i: f"item-{i}"),
    st.integers(60, 80).map(lambda n: "x" * n),  # around the longest hashed id (64 bytes)
)


@st.composite
def id_files(draw) -> tuple[list[str], list[str]]:
    """A benchmark's distinct ids, and a file's: some of them (repeated or not), unknown ones, shuffled."""
    items = draw(st.lists(IDS, min_size=1, max_size=40, unique=True))
    known = draw(st.lists(st.sampled_from(items), max_size=50))
    unknown = draw(st.lists(IDS, max_size=10))
    return items, draw(st.permutations(known + unknown))


@SETTINGS
@given(id_files(), st.sampled_from([pa.string(), pa.large_string()]), st.integers(0, 3))
def test_id_positions_equal_index_in(case, kind, offset):
    items, file = case
    item_ids = pa.array(items, type=kind)
    ids = pa.array(["pad"] * offset + file, type=kind).slice(offset)  # an array that starts inside its buffers
    assert positions(ids, item_ids).tolist() == _index_in(ids, item_ids)


def test_a_permutation_of_a_million_ids_is_matched_by_sorted_hashes():
    n = 1_000_000
    items = np.char.add("item-", np.arange(n).astype(str))
    order = np.random.default_rng(1).permutation(n)
    found = predictions._positions_by_sorted_hashes(pa.array(items[order]), pa.array(items))
    assert found is not None and np.array_equal(found, order)


def test_a_large_file_matched_in_two_halves_equals_index_in():
    """From ``_SPLIT_FROM`` ids a file is matched in two threads: unknown, repeated and missing ids
    on both sides of the split come out as ``index_in`` says."""
    n = predictions._SPLIT_FROM + 1_000
    rng = np.random.default_rng(7)
    items = np.char.add("id-", np.arange(n).astype(str))
    file = items[rng.integers(0, n, size=n)]  # repeats, and items no row names
    file[rng.choice(n, size=500, replace=False)] = np.char.add("other-", np.arange(500).astype(str))
    ids, item_ids = pa.array(file), pa.array(items)
    assert np.array_equal(positions(ids, item_ids), np.array(_index_in(ids, item_ids)))


def test_the_benchmark_side_is_built_once_per_item_array_and_never_reused_for_another():
    item_ids = pa.array([f"item-{i}" for i in range(100)])
    positions(pa.array(["item-3"]), item_ids)
    index = predictions._item_index(item_ids)
    assert predictions._item_index(item_ids) is index  # kept while the array lives
    other = pa.array([f"item-{i}" for i in range(100, 200)])
    assert predictions._item_index(other) is not index
    assert positions(pa.array(["item-150", "item-3"]), other).tolist() == [50, -1]
    for k in range(2 * predictions._KEPT_INDEXES):  # only the last few are kept
        predictions._item_index(pa.array([f"x-{k}"]))
    assert len(predictions._ITEM_INDEXES) <= predictions._KEPT_INDEXES


@pytest.mark.parametrize(
    ("items", "file"),
    [
        (["a", "a\x00", "\x00"], ["a\x00", "\x00", "a", "", "\x00\x00", "a\x00\x00"]),  # NUL bytes: lengths decide
        (["abcdefgh", "abcdefghij"], ["abcdefgh", "abcdefghi", "abcdefghij", "abcdefghijk"]),  # word boundaries
        (["x" * 64, "y"], ["x" * 64, "x" * 63, "y"]),
        (["x" * 65, "y"], ["x" * 65, "y", "z"]),  # past the hashed limit: index_in
    ],
)
def test_ids_that_differ_only_in_length_or_last_word(items, file):
    assert positions(pa.array(file), pa.array(items)).tolist() == _index_in(pa.array(file), pa.array(items))


def test_a_colliding_hash_proposes_an_item_and_the_bytes_refuse_it(monkeypatch):
    """With a hash that sees only the first byte, "ax" is proposed as item "a": the bytes differ."""

    def first_byte(self, seed):
        return (self.columns[0] & np.uint64(0xFF)) << np.uint64(56)  # (the high bits are the ones sorted)

    monkeypatch.setattr(predictions._IdBytes, "hashes", first_byte)
    items, file = pa.array(["a", "b"]), pa.array(["ax", "b", "a", "bb", "c"])
    assert predictions._positions_by_sorted_hashes(file, items).tolist() == [-1, 1, 0, -1, -1]


@pytest.mark.parametrize("hash_bits", [0, 1, 4])
def test_items_whose_hashes_collide_are_told_apart_by_their_bytes(monkeypatch, hash_bits):
    """With a hash of 0, 1 or 4 bits, many items share one: the ids proposing them are looked up among them."""

    def few_bits(self, seed):
        return (
            (self.columns[0] * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - hash_bits) << np.uint64(64 - hash_bits)
        )

    monkeypatch.setattr(predictions._IdBytes, "hashes", few_bits)
    items = [f"item-{i}" for i in range(40)]
    file = [*items[::-3], "item-40", "item-1", "", "item-"]
    found = predictions._positions_by_sorted_hashes(pa.array(file), pa.array(items))
    assert found.tolist() == _index_in(pa.array(file), pa.array(items))


# ------------------------------------------------------------------------------------ answers

WORDS = ["the", "The", "a", "A", "an", "AN", "Paris", "paris", "EUR", "12.5", "1,200", "x", "e-mail", "don't"]
PIECES = st.sampled_from(
    [*WORDS, *string.punctuation, " ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x00", "\x7f", "\x85",
     "\u2028", "\xa0", "é", "É", "Σ", "ΣΑ", "K", "\u212a", "İ", "ß", "ﬁ", "東京", "\u0301", "…", "—", "’", "a\u0301"]
)  # fmt: skip
ANSWERS = st.one_of(
    st.lists(PIECES, max_size=14).map("".join),
    st.lists(st.sampled_from(WORDS + [".", ","]), max_size=14).map(" ".join),  # plain text only
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
    st.text(st.sampled_from(string.punctuation + " "), max_size=8),  # punctuation only
    st.tuples(st.sampled_from(WORDS), st.integers(1, 400)).map(lambda w: " ".join([w[0]] * w[1])),  # repeated tokens
    st.just(""),
)
QA_CASES = st.lists(st.tuples(ANSWERS, st.lists(ANSWERS, min_size=1, max_size=3)), min_size=1, max_size=12)


def _check_squad_and_rouge(cases: list[tuple[str, list[str]]]) -> None:
    preds, golds = [p for p, _ in cases], [g for _, g in cases]
    exact, f1 = answers.squad_scores(preds, golds)
    rouge = answers.rouge_l(preds, golds)
    for i, (pred, gold) in enumerate(cases):
        assert exact[i] == float(squad.metric_max_over_ground_truths(squad.exact_match_score, pred, gold)), (pred, gold)
        assert abs(f1[i] - squad.metric_max_over_ground_truths(squad.f1_score, pred, gold)) <= TOL, (pred, gold)
        assert abs(rouge[i] - ROUGE.score_multi(gold, pred)["rougeL"].fmeasure) <= TOL, (pred, gold)


@SETTINGS
@given(QA_CASES)
def test_answers_mixing_plain_and_other_texts_score_as_the_references(cases):
    _check_squad_and_rouge(cases)


def test_very_long_answers_score_as_the_references():
    rng = np.random.default_rng(3)
    words = np.array(WORDS + ["Zürich", "東京", "ΣΟΦΙΑ"])
    long_plain = " ".join(rng.choice(words[: len(WORDS)], size=3_000))  # (rouge_score's LCS is quadratic, in Python)
    long_other = " ".join(rng.choice(words, size=3_000))
    _check_squad_and_rouge(
        [(long_plain, [long_plain[:2000], "paris"]), (long_other, [long_other[-2000:]]), ("Paris", [long_other])]
    )


def test_texts_python_cannot_encode_take_the_python_path():
    """Lone surrogates (never in a UTF-8 file; a direct call may pass them) are tokenised by Python."""
    _check_squad_and_rouge([("a \ud800 The cat", ["the cat \udfff"]), ("Cat", ["cat"])])


def test_the_plain_path_is_the_one_taken_for_plain_texts(monkeypatch):
    """Plain texts never reach Python's tokenisers (else the fast path would silently be gone)."""

    def refuse(texts):
        raise AssertionError(f"python tokeniser called for {texts!r}")

    monkeypatch.setattr(answers, "_squad_token_lists", refuse)
    monkeypatch.setattr(answers, "rouge_tokens", refuse)
    cases = [("The answer: EUR 12.5 million.", ["EUR 12.5m", "12.5 million"]), ("", ["...", "a an the"])]
    exact, f1 = answers.squad_scores([p for p, _ in cases], [g for _, g in cases])
    assert exact.tolist() == [0.0, 1.0] and f1[0] == pytest.approx(2 * (2 / 4) * (2 / 2) / (2 / 4 + 2 / 2))
    answers.rouge_l([p for p, _ in cases], [g for _, g in cases])


# ------------------------------------------------------------------------------------ outcome rows


@pytest.mark.parametrize("n_labels", [1, 3, 40])
def test_outcome_rows_equal_the_stacked_arrays_rows(n_labels):
    rng = np.random.default_rng(n_labels)
    predicted, truth = rng.integers(0, n_labels, 1000), rng.integers(0, n_labels, 1000)
    rows = outcome_rows(predicted, predicted == truth, n_labels)
    assert rows == np.stack([predicted, (predicted == truth).astype(np.int64)], axis=1).tolist()
    assert all(type(v) is int for row in rows for v in row)  # Python ints, as tolist() gives

"""Answer metrics equal the official SQuAD v1.1 functions and rouge_score on the same inputs."""

import functools
import random

import pytest
from reference import squad_v1_1 as squad
from rouge_score import rouge_scorer

from podium.metrics import answers, load_metric

TOL = 1e-9
SCORER = rouge_scorer.RougeScorer(["rougeL"])

EDGE = [
    ("", [""]),
    ("", ["Paris"]),
    ("Paris", [""]),
    ("!!!", ["?"]),  # punctuation only
    ("...", ["..."]),
    ("The", ["a"]),  # articles only
    ("an apple", ["the apple", "apple pie"]),
    ("Ünïcödé  ΣΟΦΙΑ", ["ünïcödé σοφια"]),  # unicode, final sigma
    ("東京 タワー", ["東京"]),
    ("EUR 12.5 million", ["12.5 million euros", "EUR 12.5m"]),
    ("the the the", ["the"]),
    ("a a b b b", ["b a b"]),
    ("K\u212a", ["kk"]),  # Kelvin sign lowercases to ASCII k
    ("İstanbul", ["istanbul"]),
    ("x\ty\nz", ["x y z"]),
    ("café-au-lait", ["cafe au lait"]),
    ("1,200 people", ["1200"]),
    ("abc\x1fdef", ["abc def"]),
]

WORDS = [
    "the",
    "a",
    "an",
    "Paris",
    "paris",
    "bank",
    "EUR",
    "12.5",
    "million",
    "Ünï",
    "東京",
    "σοφια",
    "!",
    "?",
    "-",
    "'s",
    "Nordic",
    "Steel",
    "Oyj",
    "",
    " ",
    "x",
    "y",
    "an.",
    "the,",
    "İ",
    "ß",
]


def _random_text(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))


@functools.cache
def _cases():
    rng = random.Random(11)
    cases = list(EDGE)
    for _ in range(400):
        pred = _random_text(rng)
        golds = [_random_text(rng) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.3:
            golds[0] = pred
        cases.append((pred, golds))
    return cases


def test_squad_equals_official_script():
    cases = _cases()
    exact, f1 = answers.squad_scores([p for p, _ in cases], [g for _, g in cases])
    for i, (pred, golds) in enumerate(cases):
        assert exact[i] == float(squad.metric_max_over_ground_truths(squad.exact_match_score, pred, golds)), i
        assert abs(f1[i] - squad.metric_max_over_ground_truths(squad.f1_score, pred, golds)) <= TOL, i


def test_rouge_l_equals_rouge_score():
    cases = _cases()
    ours = answers.rouge_l([p for p, _ in cases], [g for _, g in cases])
    for i, (pred, golds) in enumerate(cases):
        ref = SCORER.score_multi(golds, pred)["rougeL"].fmeasure
        assert abs(ours[i] - ref) <= TOL, (i, pred, golds)


@pytest.mark.parametrize("text", [t for t, _ in EDGE] + ["a\x00b", "x\x00"])
def test_batch_normalisation_equals_one_at_a_time(text):
    assert answers.normalize_answers([text, "The End."]) == [squad.normalize_answer(text), "end"]


def test_separator_inside_answers_falls_back_correctly():
    texts = ["a\x00the b", "c"]
    assert answers.normalize_answers(texts) == [squad.normalize_answer(t) for t in texts]
    assert answers.rouge_tokens(texts) == [SCORER._tokenizer.tokenize(t) for t in texts]


def test_evaluate_module_compute_means():
    cases = _cases()[:50]
    metric = load_metric("podium_qa")
    out = metric.compute(predictions=[p for p, _ in cases], references=[g for _, g in cases])
    ref_f1 = sum(squad.metric_max_over_ground_truths(squad.f1_score, p, g) for p, g in cases) / 50
    ref_rouge = sum(SCORER.score_multi(g, p)["rougeL"].fmeasure for p, g in cases) / 50
    assert abs(out["f1"] - ref_f1) <= TOL
    assert abs(out["rouge_l"] - ref_rouge) <= TOL


def test_large_vocabulary_path_gives_the_same_numbers(monkeypatch):
    """Past ~1.1M distinct tokens the one-character-per-token encoding cannot work; tuples are used."""
    cases = _cases()
    preds, golds = [p for p, _ in cases], [g for _, g in cases]
    expected = answers.squad_scores(preds, golds), answers.rouge_l(preds, golds)
    monkeypatch.setattr(answers._Tokens, "strings", lambda self: None)
    exact, f1 = answers.squad_scores(preds, golds)
    assert exact.tolist() == expected[0][0].tolist() and f1.tolist() == expected[0][1].tolist()
    assert answers.rouge_l(preds, golds).tolist() == expected[1].tolist()

"""NER metrics equal seqeval's (default mode) on random and edge-case tag sequences."""

import numpy as np
import pytest
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

from podium.metrics import load_metric, sequence_labeling

TOL = 1e-9


def _ours(gold, pred):
    counts = sequence_labeling.count(sequence_labeling.encode(gold), sequence_labeling.encode(pred))
    return sequence_labeling.scores(counts)


def _check(gold, pred):
    metrics, details = _ours(gold, pred)
    assert abs(metrics["f1"] - f1_score(gold, pred)) <= TOL
    assert abs(metrics["precision"] - precision_score(gold, pred)) <= TOL
    assert abs(metrics["recall"] - recall_score(gold, pred)) <= TOL
    report = classification_report(gold, pred, output_dict=True, zero_division=0)
    types = {k for k in report if not k.endswith(" avg")}
    assert set(details["per_type"]) == types
    for name in types:
        for ours_key, ref_key in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
            assert abs(details["per_type"][name][ours_key] - report[name][ref_key]) <= TOL
        assert details["per_type"][name]["support"] == report[name]["support"]


EDGE_CASES = [
    ([["O", "O"]], [["O", "O"]]),  # no entities at all
    ([["B-PER"]], [["B-PER"]]),  # one-token sentence
    ([["O", "B-ORG"]], [["O", "B-ORG"]]),  # entity at the sentence end
    ([["O", "B-ORG", "I-ORG"]], [["O", "B-ORG", "O"]]),  # boundary error at the end
    ([["I-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]]),  # I- with no B- starts an entity
    ([["O", "I-LOC"]], [["I-LOC", "I-LOC"]]),
    ([["B-ORG-SUB", "I-ORG-SUB"]], [["B-ORG-SUB", "I-ORG-SUB"]]),  # types with hyphens
    ([["B-ORG-SUB", "I-ORG"]], [["B-ORG-SUB", "I-ORG-SUB"]]),
    ([["B-PER", "I-LOC", "I-LOC"]], [["B-PER", "B-LOC", "I-LOC"]]),  # type change inside
    ([["B-PER", "B-PER"], ["I-PER"]], [["B-PER", "I-PER"], ["B-PER"]]),  # across sentences
    ([[], ["B-X"]], [[], ["B-X"]]),  # an empty sentence
    ([["B-X", "I-X"], ["I-X", "O"]], [["B-X", "I-X"], ["I-X", "O"]]),  # no merge across sentences
]


@pytest.mark.parametrize("gold,pred", EDGE_CASES)
def test_edge_cases_equal_seqeval(gold, pred):
    _check(gold, pred)


def _random_tags(rng, n, types):
    tags = []
    for _ in range(n):
        r = rng.random()
        if r < 0.5:
            tags.append("O")
        else:
            tags.append(("B-" if r < 0.75 else "I-") + str(rng.choice(types)))
    return tags


@pytest.mark.parametrize("seed", range(150))
def test_random_sequences_equal_seqeval(seed):
    rng = np.random.default_rng(seed)
    types = ["PER", "ORG", "LOC", "MISC-X", "A-B-C"][: int(rng.integers(1, 6))]
    gold, pred = [], []
    for _ in range(int(rng.integers(1, 30))):
        n = int(rng.integers(0, 15))
        g = _random_tags(rng, n, types)
        p = [t if rng.random() < 0.7 else _random_tags(rng, 1, types)[0] for t in g]
        gold.append(g)
        pred.append(p)
    _check(gold, pred)


def test_evaluate_module_compute_equals_seqeval():
    metric = load_metric("podium_ner")
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["I-ORG", "O"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O"]]
    out = metric.compute(predictions=pred, references=gold)
    assert abs(out["f1"] - f1_score(gold, pred)) <= TOL

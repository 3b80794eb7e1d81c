"""Classification metrics equal scikit-learn's on random and edge-case inputs."""

import functools

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from podium.metrics import classification, load_metric

TOL = 1e-9


def _reference(gold, pred):
    labels = sorted(set(gold) | set(pred))
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, average=None, zero_division=0)
    return {
        "accuracy": accuracy_score(gold, pred),
        "macro_f1": f1_score(gold, pred, average="macro", zero_division=0),
        "per_class": {
            lab: {"precision": p[i], "recall": r[i], "f1": f[i], "support": s[i]} for i, lab in enumerate(labels)
        },
    }


@functools.cache
def _cases():
    rng = np.random.default_rng(7)
    cases = [
        (["a"], ["a"]),
        (["a"], ["b"]),
        (["a", "a", "a"], ["a", "a", "a"]),
        (["x", "y"], ["y", "x"]),
        (["pos", "neg", "neu", "neu"], ["neu", "neu", "neu", "neu"]),  # a class never predicted
        (["é", "日本", "a-b"], ["é", "a-b", "日本"]),  # unicode labels
    ]
    for _ in range(200):
        k = int(rng.integers(2, 12))
        n = int(rng.integers(1, 400))
        labels = [f"c{i}" for i in range(k)]
        gold = list(rng.choice(labels, size=n))
        skill = rng.random()
        pred = [g if rng.random() < skill else str(rng.choice(labels)) for g in gold]
        cases.append((gold, pred))
    return cases


@pytest.mark.parametrize("case", range(len(_cases())))
def test_scores_equal_sklearn(case):
    gold, pred = _cases()[case]
    labels = sorted(set(gold) | set(pred))
    index = {lab: i for i, lab in enumerate(labels)}
    cm = classification.confusion_counts(
        np.array([index[g] for g in gold]), np.array([index[p] for p in pred]), len(labels)
    )
    metrics, details = classification.scores(cm, labels)
    ref = _reference(gold, pred)
    assert abs(metrics["accuracy"] - ref["accuracy"]) <= TOL
    assert abs(metrics["macro_f1"] - ref["macro_f1"]) <= TOL
    assert details["per_class"].keys() == ref["per_class"].keys()
    for lab, stats in ref["per_class"].items():
        for name, value in stats.items():
            assert abs(details["per_class"][lab][name] - value) <= TOL, (lab, name)


def test_macro_f1_from_resampled_cells_equals_matrix_version():
    rng = np.random.default_rng(3)
    cm = rng.integers(0, 30, size=(5, 5))
    cm[2, :] = 0
    cm[:, 2] = 0  # a label absent from gold and predictions
    cells = np.flatnonzero(cm.ravel())
    gold_of, pred_of = np.divmod(cells, 5)
    resampled = rng.multinomial(cm.sum(), cm.ravel()[cells] / cm.sum(), size=50)
    fast = classification.macro_f1_from_cells(resampled, gold_of, pred_of, 5)
    for b in range(50):
        full = np.zeros(25)
        full[cells] = resampled[b]
        assert abs(fast[b] - classification.macro_f1(full.reshape(5, 5))) <= TOL


def test_evaluate_module_compute_equals_sklearn():
    metric = load_metric("podium_classification")
    gold, pred = _cases()[10]
    out = metric.compute(predictions=pred, references=gold)
    ref = _reference(gold, pred)
    assert abs(out["accuracy"] - ref["accuracy"]) <= TOL
    assert abs(out["macro_f1"] - ref["macro_f1"]) <= TOL

"""A benchmark may add any local `evaluate` module as an extra metric (`benchmark add --extra-metric
PATH`): computed through its `compute()`, shown as a column, with a bootstrap interval when the
module returns per-item scores; tried when added, and part of `metric_version` so `rescore` sees a
changed module."""

import json
import textwrap

import numpy as np
import pytest
from conftest import run_podium
from sklearn.metrics import balanced_accuracy_score

from podium.metrics import load_module

QA_SET = "id,question,context,answers\n" + "".join(
    f"{i},What is item {i}?,Item {i} is thing {i % 7},thing {i % 7}\n" for i in range(1, 41)
)
PREDICTIONS = "id,prediction\n" + "".join(
    f"{i},{'thing ' + str(i % 7) if i % 3 else 'a longer wrong answer ' + str(i)}\n" for i in range(1, 41)
)

# One per-item score, one corpus-level number, one key a built-in metric has (f1), and text.
LENGTH_MODULE = """
import datasets
import evaluate

VERSION = "0.1"


class AnswerLength(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description="answer length over the first gold answer's",
            citation="",
            inputs_description="predictions: answers; references: lists of gold answers",
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Sequence(datasets.Value("string"))}
            ),
        )

    def _compute(self, predictions, references):
        ratios = [len(p) / max(len(r[0]), 1) for p, r in zip(predictions, references)]
        longest = max(len(p) for p in predictions)
        return {"length_ratio": ratios, "longest_answer": longest, "f1": RATIO_F1, "note": "not a number"}
"""


def _module(folder, source=LENGTH_MODULE, name="answer_length", f1=0.5):
    path = folder / name
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{name}.py").write_text(textwrap.dedent(source).replace("RATIO_F1", repr(f1)))
    return path


@pytest.fixture()
def qa_home(tmp_path, run_podium_in):
    (tmp_path / "qa.csv").write_text(QA_SET)
    (tmp_path / "predictions.csv").write_text(PREDICTIONS)
    module = _module(tmp_path / "modules")
    added = run_podium_in(tmp_path, "benchmark", "add", "--id", "qa", "--task", "prompting",
                          "--data", str(tmp_path / "qa.csv"), "--extra-metric", str(module))  # fmt: skip
    assert added.returncode == 0, added.stderr
    return tmp_path


@pytest.fixture()
def run_podium_in():
    def run(home, *args):
        return run_podium(*args, home=home / "data")

    return run


def _card(home):
    return json.loads((home / "data" / "benchmarks" / "qa" / "card.json").read_text())


def test_the_module_is_installed_and_its_columns_join_the_card(qa_home, run_podium_in):
    card = _card(qa_home)
    assert card["extra_metrics"] == ["answer_length"]
    # after the task's own metrics; "f1" is taken by the built-in metric, so it is prefixed; text is not shown
    assert card["secondary_metrics"] == ["exact_match", "rouge_l", "length_ratio", "longest_answer", "answer_length.f1"]
    installed = qa_home / "data" / "private" / "_metrics" / "answer_length" / "answer_length.py"
    assert installed.read_text() == (qa_home / "modules" / "answer_length" / "answer_length.py").read_text()
    # the installed copy is what scoring uses: the source folder may go
    (qa_home / "modules" / "answer_length" / "answer_length.py").unlink()
    scored = run_podium_in(qa_home, "score", "qa", str(qa_home / "predictions.csv"), "--json")
    assert scored.returncode == 0, scored.stderr


def test_scores_equal_the_modules_compute_with_an_interval_for_per_item_scores(qa_home, run_podium_in):
    scored = run_podium_in(qa_home, "score", "qa", str(qa_home / "predictions.csv"), "--json")
    assert scored.returncode == 0, scored.stderr
    result = json.loads(scored.stdout)

    # the reference: the module itself, loaded with evaluate.load, on the same items in benchmark order
    module = load_module(qa_home / "modules" / "answer_length")
    gold = {line.split(",")[0]: [line.split(",")[3]] for line in QA_SET.splitlines()[1:]}
    answers = {line.split(",")[0]: line.split(",", 1)[1] for line in PREDICTIONS.splitlines()[1:]}
    ids = [line.split(",")[0] for line in QA_SET.splitlines()[1:]]
    expected = module.compute(predictions=[answers[i] for i in ids], references=[gold[i] for i in ids])

    assert result["metrics"]["length_ratio"] == pytest.approx(np.mean(expected["length_ratio"]), abs=1e-12)
    assert result["metrics"]["longest_answer"] == expected["longest_answer"]
    assert result["metrics"]["answer_length.f1"] == 0.5
    assert result["metrics"]["f1"] != 0.5  # the built-in f1 is untouched
    assert "note" not in result["metrics"]
    interval = result["ci"]["length_ratio"]
    assert interval["low"] < result["metrics"]["length_ratio"] < interval["high"]
    assert "longest_answer" not in result["ci"] and "answer_length.f1" not in result["ci"]  # corpus-level: no interval
    assert result["metric_version"].startswith("podium_qa ") and " + answer_length " in result["metric_version"]

    text = run_podium_in(qa_home, "score", "qa", str(qa_home / "predictions.csv")).stdout
    assert "length_ratio" in text and "longest_answer" in text


def test_the_leaderboard_shows_the_extra_columns(qa_home, run_podium_in):
    submitted = run_podium_in(qa_home, "submit", "qa", str(qa_home / "predictions.csv"), "--model", "acme/qa-1")
    assert submitted.returncode == 0, submitted.stderr
    assert run_podium_in(qa_home, "backend", "--once").returncode == 0
    board = run_podium_in(qa_home, "leaderboard", "qa", "--json")
    assert board.returncode == 0, board.stderr
    row = json.loads(board.stdout)[0]
    assert row["model"] == "acme/qa-1"
    assert row["longest_answer"] == 24 and row["answer_length.f1"] == 0.5 and row["length_ratio"] > 1
    csv = run_podium_in(qa_home, "leaderboard", "qa", "--csv").stdout
    assert "length_ratio" in csv.splitlines()[0]


def test_a_classification_module_gets_label_strings(tmp_path, run_podium_in):
    source = """
    import datasets
    import evaluate
    from sklearn.metrics import balanced_accuracy_score


    class Balanced(evaluate.Metric):
        def _info(self):
            return evaluate.MetricInfo(
                description="balanced accuracy", citation="", inputs_description="labels",
                features=datasets.Features({"predictions": datasets.Value("string"),
                                            "references": datasets.Value("string")}),
            )

        def _compute(self, predictions, references):
            assert all(isinstance(p, str) for p in predictions)
            return {"balanced_accuracy": balanced_accuracy_score(references, predictions)}
    """
    gold = ["positive", "negative", "neutral", "positive", "positive", "negative"] * 5
    predicted = ["positive", "positive", "neutral", "negative", "positive", "negative"] * 5
    (tmp_path / "eval.csv").write_text("id,text,label\n" + "".join(f"{i},t{i},{g}\n" for i, g in enumerate(gold)))
    (tmp_path / "p.csv").write_text("id,prediction\n" + "".join(f"{i},{p}\n" for i, p in enumerate(predicted)))
    module = _module(tmp_path / "modules", source, name="balanced")
    added = run_podium_in(tmp_path, "benchmark", "add", "--id", "tone", "--task", "text_classification",
                          "--data", str(tmp_path / "eval.csv"), "--extra-metric", str(module / "balanced.py"),
                          )  # fmt: skip
    assert added.returncode == 0, added.stderr
    result = json.loads(run_podium_in(tmp_path, "score", "tone", str(tmp_path / "p.csv"), "--json").stdout)
    assert result["metrics"]["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(gold, predicted), abs=1e-12)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("raise RuntimeError('the metric is broken')", "the metric is broken"),
        ("return {'note': 'text only'}", "gave no number"),
        ("return [1, 2]", "not a dict"),
    ],
)
def test_a_module_that_fails_or_gives_no_score_is_refused_and_nothing_is_written(tmp_path, run_podium_in, body, says):
    source = f"""
    import datasets
    import evaluate


    class Broken(evaluate.Metric):
        def _info(self):
            return evaluate.MetricInfo(
                description="", citation="", inputs_description="",
                features=datasets.Features({{"predictions": datasets.Value("string"),
                                             "references": datasets.Sequence(datasets.Value("string"))}}),
            )

        def _compute(self, predictions, references):
            {body}
    """
    (tmp_path / "qa.csv").write_text(QA_SET)
    module = _module(tmp_path / "modules", source, name="broken")
    added = run_podium_in(tmp_path, "benchmark", "add", "--id", "qa", "--task", "prompting",
                          "--data", str(tmp_path / "qa.csv"), "--extra-metric", str(module))  # fmt: skip
    assert added.returncode == 2 and "broken" in added.stderr and says in added.stderr, added.stderr
    data = tmp_path / "data"
    assert not (data / "benchmarks" / "qa").exists() and not (data / "private" / "qa").exists()
    assert not (data / "private" / "_metrics").exists() or not any((data / "private" / "_metrics").iterdir())


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: d / "missing", "no evaluate module there"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "holds empty.py"),
        (lambda d: _module(d, name="Bad-Name"), "is not usable"),
        (lambda d: _module(d, name="podium_mine"), "belong to Podium"),
    ],
)
def test_a_path_that_is_not_a_module_is_refused_with_a_message(tmp_path, run_podium_in, make, says):
    (tmp_path / "qa.csv").write_text(QA_SET)
    path = make(tmp_path)
    added = run_podium_in(tmp_path, "benchmark", "add", "--id", "qa", "--task", "prompting",
                          "--data", str(tmp_path / "qa.csv"), "--extra-metric", str(path))  # fmt: skip
    assert added.returncode == 2 and says in added.stderr, added.stderr
    assert not (tmp_path / "data" / "benchmarks" / "qa").exists()


def test_a_changed_module_makes_results_stale_and_no_extra_metrics_drops_the_columns(qa_home, run_podium_in):
    assert run_podium_in(qa_home, "submit", "qa", str(qa_home / "predictions.csv"), "--model", "qa-1").returncode == 0
    assert run_podium_in(qa_home, "backend", "--once").returncode == 0
    assert "nothing" in run_podium_in(qa_home, "rescore", "--dry-run").stdout.lower()

    changed = _module(qa_home / "modules2", f1=0.25)
    replaced = run_podium_in(qa_home, "benchmark", "add", "--id", "qa", "--data", str(qa_home / "qa.csv"),
                             "--replace", "--extra-metric", str(changed))  # fmt: skip
    assert replaced.returncode == 0, replaced.stderr
    stale = run_podium_in(qa_home, "rescore", "--dry-run").stdout
    assert "qa-1" in stale and "answer_length" in stale
    assert run_podium_in(qa_home, "rescore").returncode == 0
    rows = json.loads(run_podium_in(qa_home, "leaderboard", "qa", "--json").stdout)
    assert rows[0]["answer_length.f1"] == 0.25

    # --replace alone keeps the extra metrics; --no-extra-metrics drops them and their columns
    assert run_podium_in(qa_home, "benchmark", "add", "--id", "qa", "--data", str(qa_home / "qa.csv"),
                         "--replace").returncode == 0  # fmt: skip
    assert _card(qa_home)["extra_metrics"] == ["answer_length"]
    assert run_podium_in(qa_home, "benchmark", "add", "--id", "qa", "--data", str(qa_home / "qa.csv"),
                         "--replace", "--no-extra-metrics").returncode == 0  # fmt: skip
    card = _card(qa_home)
    assert card.get("extra_metrics", []) == [] and card["secondary_metrics"] == ["exact_match", "rouge_l"]

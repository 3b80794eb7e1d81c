"""Metrics load through evaluate's real loading path by absolute path, with no network at all, and
their ``compute`` gives the scorer's numbers."""

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.metrics import METRIC_MODULES, load_metric, load_module, module_path
from podium.predictions import parse_predictions
from podium.schema import BenchmarkCard
from podium.scoring import score_file, score_raw
from podium.tasks import get_task

NETWORK_VARIABLES = (
    "HF_HUB_OFFLINE",
    "HF_EVALUATE_OFFLINE",
    "HF_DATASETS_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_ENDPOINT",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
)

PROGRAM = textwrap.dedent(
    """
    import json, socket, sys
    attempts = []
    def refuse(self, address, *args, **kwargs):
        attempts.append(repr(address))
        raise OSError("network disabled by the test")
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = lambda address, *a, **k: refuse(None, address)
    import evaluate
    out = {}
    for path in sys.argv[1:]:
        metric = evaluate.load(path)
        out[path] = type(metric).__name__
    out["attempts"] = attempts
    print(json.dumps(out))
    """
)


def test_evaluate_load_by_path_never_touches_the_network(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NETWORK_VARIABLES}
    env["HF_HOME"] = str(tmp_path / "hf")  # an empty cache: nothing to fall back on
    paths = [str(module_path(name)) for name in METRIC_MODULES]
    proc = subprocess.run([sys.executable, "-c", PROGRAM, *paths], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["attempts"] == []
    assert [out[p] for p in paths] == ["PodiumClassification", "PodiumNer", "PodiumQa"]


def test_scoring_a_sample_never_touches_the_network(home, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NETWORK_VARIABLES}
    env["HF_HOME"] = str(tmp_path / "hf")
    program = textwrap.dedent(
        f"""
        import socket, sys
        def refuse(self, address, *a, **k):
            raise SystemExit(f"network access attempted: {{address}}")
        socket.socket.connect = refuse
        from podium.cli import main
        sys.exit(main(["--home", {str(home)!r}, "score", "fin-sentiment",
                       {str(home / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl")!r}, "--json"]))
        """
    )
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["benchmark"] == "fin-sentiment"


# ------------------------------------------------------------------------ compute() == the scorer


def _same(computed: dict, scored: dict) -> None:
    """Equal numbers (to the last bits a different summation order may change), same keys."""
    assert set(computed) == set(scored)
    for key, value in scored.items():
        if isinstance(value, dict):
            _same(computed[key], value)
        else:
            assert computed[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key


def _scored(result) -> dict:
    """What the scorer reports, in the shape ``compute`` returns: the metrics and the details."""
    return {**result.metrics, **result.details}


def _read_predictions(path: Path) -> dict[str, object]:
    """id -> prediction, read with the standard library (not Podium's parser)."""
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as fh:
            return {row["id"]: row["prediction"] for row in csv.DictReader(fh)}
    return {r["id"]: r["prediction"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


SAMPLES = sorted((Path(__file__).resolve().parents[1] / "samples/predictions").glob("*/*"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_sample_scores_the_same_through_evaluate_compute(sample_home, path):
    home = Home.from_env(sample_home)
    benchmark = path.parent.name
    gold = BenchmarkStore(home).gold(benchmark)
    task = get_task(gold.card.task_type)
    by_id = _read_predictions(path)
    predictions = [by_id[i] for i in gold.ids.to_pylist()]
    if task.name == "ner":
        predictions = [p.split() if isinstance(p, str) else p for p in predictions]
    kwargs = {"labels": gold.card.labels} if task.name == "text_classification" else {}

    module = load_module(str(module_path(task.metric_module)))
    computed = module.compute(predictions=predictions, references=gold.gold_list(), **kwargs)

    scored = score_file(home, benchmark, path, resamples=10, keep_outcomes=False)
    _same(computed, _scored(scored))
    assert scored.metric_version == f"{task.metric_module} {load_metric(task.metric_module).version}"


# Random benchmarks and predictions: the scorer (parser, validation, task, fast path) against compute().
LABELS = ["negative", "neutral", "positive", "n/a"]
TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-ORG-SUB", "I-ORG-SUB"]
WORDS = ["the", "a", "EUR", "12.5", "million", "Board", "board", "of", "Σοφία", "x\x00y", "İ", ",", "", " "]
TEXT = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
)
RANDOM = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def classification_items(draw):
    n = draw(st.integers(1, 40))
    gold = draw(st.lists(st.sampled_from(LABELS), min_size=n, max_size=n))
    return gold, draw(st.lists(st.sampled_from(LABELS), min_size=n, max_size=n))


@st.composite
def ner_items(draw):
    lengths = draw(st.lists(st.integers(0, 7), min_size=1, max_size=12))
    gold = [draw(st.lists(st.sampled_from(TAGS), min_size=k, max_size=k)) for k in lengths]
    return gold, [draw(st.lists(st.sampled_from(TAGS), min_size=k, max_size=k)) for k in lengths]


@st.composite
def qa_items(draw):
    n = draw(st.integers(1, 15))
    gold = draw(st.lists(st.lists(TEXT, min_size=1, max_size=3), min_size=n, max_size=n))
    return gold, draw(st.lists(TEXT, min_size=n, max_size=n))


@pytest.fixture(scope="module")
def random_home(tmp_path_factory) -> Home:
    return Home.from_env(tmp_path_factory.mktemp("random-home"))


def _scorer_and_compute(home: Home, task_type: str, gold: list, predictions: list, **card) -> tuple[dict, dict]:
    task = get_task(task_type)
    ids = [f"i{k}" for k in range(len(gold))]
    table = pd.DataFrame({"id": ids, **{f: "x" for f in task.input_fields}, task.gold_field: gold})
    if task_type == "ner":
        table["tokens"] = [["w"] * len(tags) for tags in gold]
    metric = task.metrics[0]
    benchmark = BenchmarkCard(id="random", name="random", task_type=task_type, primary_metric=metric, **card)
    store = BenchmarkStore(home)
    store.add(benchmark, table, replace=True)
    lines = [json.dumps({"id": i, "prediction": p}) for i, p in zip(ids, predictions, strict=True)]
    raw = parse_predictions("\n".join(lines).encode("utf-8"), "jsonl")
    result = score_raw(store.gold("random"), raw, seed_material="random", resamples=10, keep_outcomes=False)
    computed = load_module(task.metric_module).compute(predictions=predictions, references=gold)
    return computed, _scored(result)


@RANDOM
@given(classification_items())
def test_random_classification_scores_the_same_through_compute(random_home, items):
    gold, predictions = items
    _same(*_scorer_and_compute(random_home, "text_classification", gold, predictions, labels=LABELS))


@RANDOM
@given(ner_items())
def test_random_ner_scores_the_same_through_compute(random_home, items):
    gold, predictions = items
    types = ["LOC", "ORG", "ORG-SUB", "PER"]  # every type the predictions may use
    _same(*_scorer_and_compute(random_home, "ner", gold, predictions, entity_types=types))


@RANDOM
@given(qa_items())
def test_random_answers_score_the_same_through_compute(random_home, items):
    gold, predictions = items
    _same(*_scorer_and_compute(random_home, "prompting", gold, predictions))


def test_compute_takes_the_label_set_for_the_order_of_its_details():
    module = load_module("podium_classification")
    out = module.compute(predictions=["b", "a", "a"], references=["a", "a", "c"], labels=["c", "b", "a"])
    assert list(out["per_class"]) == ["c", "b", "a"]
    assert out["accuracy"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="not in the label set"):
        module.compute(predictions=["z"], references=["a"], labels=["a"])


# ------------------------------------------------------------------------ extra metrics

PER_ITEM_MODULE = '''
"""A local metric outside Podium: per-item length ratio, and a corpus-level count."""

import datasets
import evaluate

VERSION = "0.1"


class LengthRatio(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=__doc__, citation="", inputs_description="strings",
            features=datasets.Features({"predictions": datasets.Value("string"),
                                        "references": datasets.Value("string")}),
        )

    def _compute(self, predictions, references):
        ratios = [len(p) / max(len(r), 1) for p, r in zip(predictions, references)]
        return {"length_ratio": ratios, "accuracy": sum(p == r for p, r in zip(predictions, references)),
                "note": "not a number", "flag": True}
'''


def test_an_extra_metric_module_is_computed_through_compute(tmp_path):
    from podium.metrics import metric_version
    from podium.metrics.extra import extra_scores

    folder = tmp_path / "length_ratio"
    folder.mkdir()
    (folder / "length_ratio.py").write_text(PER_ITEM_MODULE)
    predictions, references = ["ab", "abcd", "x"], ["ab", "ab", "xyz"]
    scores = {s.name: s for s in extra_scores(folder, predictions, references, taken=["accuracy", "macro_f1"])}
    assert set(scores) == {"length_ratio", "length_ratio.accuracy"}  # "note" and "flag" are not scores
    ratio = scores["length_ratio"]
    assert ratio.per_item.tolist() == [1.0, 2.0, 1 / 3] and ratio.value == pytest.approx((1 + 2 + 1 / 3) / 3)
    assert scores["length_ratio.accuracy"].value == 1.0 and scores["length_ratio.accuracy"].per_item is None
    assert metric_version(load_module(folder)) == "length_ratio 0.1"


def test_extra_metric_output_keeps_numbers_and_per_item_lists_only():
    from podium.metrics.extra import read_output

    output = {"bleu": 0.25, "precisions": [0.5, 0.4, 0.3, 0.2], "per_item": [1, 0, 1], "nan": float("nan"),
              "mixed": [1, "x", 2], "nested": {"a": 1}, "count": 7}  # fmt: skip
    scores = read_output("m", output, n_items=3, taken=["count"])
    assert [(s.name, s.value, s.per_item is not None) for s in scores] == [
        ("bleu", 0.25, False),
        ("per_item", pytest.approx(2 / 3), True),
        ("m.count", 7.0, False),
    ]

"""Hostile predictions files: every input is refused with a clear InvalidPredictions or scored equal
to the references (official SQuAD v1.1, rouge_score, seqeval, scikit-learn); never another exception.

Property-based (hypothesis, derandomised so CI is not flaky) over the four task types: random
bytes, random CSV / JSONL rows, random JSON structures as predictions, random unicode including
control characters, lone surrogates, huge whitespace runs. Plus the known attacks, one by one.
"""

from __future__ import annotations

import csv
import io
import json
import re
import string
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import squad_v1_1 as squad
from rouge_score import rouge_scorer
from seqeval.metrics import f1_score as seqeval_f1
from seqeval.metrics import precision_score as seqeval_precision
from seqeval.metrics import recall_score as seqeval_recall
from sklearn.metrics import accuracy_score
from sklearn.metrics import f1_score as sklearn_f1

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import InvalidPredictions
from podium.metrics import answers
from podium.predictions import RawPredictions, parse_predictions, read_predictions
from podium.schema import BenchmarkCard
from podium.scoring import score_raw
from podium.tasks import GoldSet
from podium.tasks._qa import MAX_ANSWER_CHARS

TOL = 1e-9
ROUGE = rouge_scorer.RougeScorer(["rougeL"])
WHERE = re.compile(r"(file|header|line \d+|row \d+)")
MAX_PROBLEM_CHARS = 500  # a problem quotes at most short prefixes of values
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

# Small benchmarks, so that random files can be complete and get scored, not only refused.
LABELS = ["neg", "neu", "pos", "n/a"]
CLASS_GOLD = ["neg", "pos", "pos", "neu", "n/a", "neg"]
NER_TOKENS = [["Anna", "works", "at", "Acme"], ["Oslo"], ["x", "y", "z"], ["Nordic", "Steel", "Oyj", "in", "Oslo"]]
NER_GOLD = [["B-PER", "O", "O", "B-ORG"], ["B-LOC"], ["O", "O", "O"], ["B-ORG", "I-ORG", "I-ORG", "O", "B-LOC"]]
NER_TYPES = ["LOC", "ORG", "PER"]
QA_GOLD = [["EUR 12.5 million"], ["the Board", "board of directors"], ["x\x00y", "Σοφία"], [""], ["İstanbul  tower"]]
BENCHMARKS = {
    "text_classification": "hx-class",
    "ner": "hx-ner",
    "prompting": "hx-prompt",
    "chatbot": "hx-chat",
}


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile-home")
    store = BenchmarkStore(Home.from_env(root))

    def add(task: str, metric: str, table: pd.DataFrame, **card) -> None:
        name = BENCHMARKS[task]
        store.add(BenchmarkCard(id=name, name=name, task_type=task, primary_metric=metric, **card), table)

    add(
        "text_classification",
        "accuracy",
        pd.DataFrame({"id": [f"c{i}" for i in range(len(CLASS_GOLD))], "text": "t", "label": CLASS_GOLD}),
        labels=LABELS,
    )
    add("ner", "f1", pd.DataFrame({"id": ["n1", "n2", "n3", "n4"], "tokens": NER_TOKENS, "tags": NER_GOLD}))
    qa_ids = [f"q{i}" for i in range(len(QA_GOLD))]
    add("prompting", "f1", pd.DataFrame({"id": qa_ids, "question": "q", "context": "c", "answers": QA_GOLD}))
    add("chatbot", "f1", pd.DataFrame({"id": [f"d{i}" for i in range(4)], "question": "q", "answers": QA_GOLD[:4]}))
    return root


@pytest.fixture(scope="module")
def golds(hostile_home) -> dict[str, GoldSet]:
    store = BenchmarkStore(Home.from_env(hostile_home))
    return {task: store.gold(name) for task, name in BENCHMARKS.items()}


# ---------------------------------------------------------------------------------- strategies

# Any unicode but lone surrogates (no UTF-8 file can hold them): control characters, NUL, every
# separator answers.py might pick, combining marks, whitespace of all kinds.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
HOSTILE_TEXT = st.one_of(
    ANY_TEXT,
    st.lists(st.sampled_from([*answers.SEPARATORS, " ", "\t", "\x1f", "\x85", "\u2028", "a", "The", "Σ"])).map("".join),
    st.lists(st.sampled_from(["the", "a", "EUR", "12.5", "million", "board", "Σοφία", "x\x00y", "İ", ",", " "])).map(
        " ".join
    ),
    st.integers(1, 200).map(lambda n: " " * n + "x" + "\t" * n),  # whitespace runs
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=10,
)
TAGS = st.sampled_from(["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MONEY", "B_ORG", "I-", "o"])


def _task_value(task: str) -> st.SearchStrategy:
    """A prediction value: mostly plausible for the task, sometimes any JSON structure."""
    if task == "text_classification":
        plausible = st.sampled_from([*LABELS, "Pos", "", "neg ", 1])
    elif task == "ner":
        plausible = st.lists(st.one_of(TAGS, TAGS, JSON_VALUES), min_size=0, max_size=6) | st.lists(TAGS).map(" ".join)
    else:
        plausible = HOSTILE_TEXT
    return st.one_of(plausible, plausible, plausible, JSON_VALUES)


def _valid_value(task: str, gold_value) -> st.SearchStrategy:
    """A prediction the validators accept (answers: any text; they are all valid)."""
    if task == "text_classification":
        return st.sampled_from(LABELS)
    if task == "ner":
        return st.lists(st.sampled_from(["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "I-LOC"]), min_size=len(gold_value),
                        max_size=len(gold_value))  # fmt: skip
    return HOSTILE_TEXT


@st.composite
def rows(draw, task: str, gold: GoldSet) -> list[tuple[object, object]]:
    """(id, prediction) rows: every item once in a random order, valid values or not, perhaps damaged."""
    gold_of = dict(zip(gold.ids.to_pylist(), gold.gold_list(), strict=True))
    ids: list[object] = draw(st.permutations(list(gold_of)))
    if draw(st.booleans()):
        return [(i, draw(_valid_value(task, gold_of[i]))) for i in ids]
    if draw(st.booleans()):  # damage: drop, repeat or invent ids
        ids = draw(st.lists(st.sampled_from([*ids, "zz-unknown", 7, None, ["x"]]), max_size=len(ids) + 2))
    return [(i, draw(_task_value(task))) for i in ids]


def _jsonl(rows_: list[tuple[object, object]], draw) -> bytes:
    lines = []
    for item_id, value in rows_:
        record = {"id": item_id, "prediction": value}
        if draw(st.integers(0, 19)) == 0:
            record = draw(st.sampled_from([{"id": item_id}, [item_id, value], value, {"prediction": value}]))
        lines.append(json.dumps(record, ensure_ascii=draw(st.booleans())))
        if draw(st.integers(0, 19)) == 0:
            lines.append(draw(st.sampled_from(["", "   ", "\r", "{", "null", "\u3000"])))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return (draw(st.sampled_from(["", "\ufeff"])) + end.join(lines) + draw(st.sampled_from(["", end]))).encode(
        "utf-8", "surrogatepass"
    )


def _cell(value: object) -> str:
    if isinstance(value, list):
        return " ".join(map(str, value))
    return "" if value is None else str(value)


def _csv(rows_: list[tuple[object, object]], draw) -> bytes:
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    writer = csv.writer(out, quoting=quoting, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    header = draw(st.sampled_from([["id", "prediction"], ["prediction", "id", "extra"], [" id ", "prediction"]]))
    writer.writerow(header)
    for item_id, value in rows_:
        row = {"id": _cell(item_id), "prediction": _cell(value), "extra": "e"}
        writer.writerow([row[name.strip()] for name in header])
    text = out.getvalue()
    if draw(st.integers(0, 4)) == 0:  # raw damage: any characters anywhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(ANY_TEXT) + text[at:]
    return text.encode("utf-8", "surrogatepass")


@st.composite
def files(draw, task: str, gold: GoldSet) -> tuple[str, bytes]:
    """(file name, bytes): random bytes, random text, or rows written as JSONL or CSV."""
    kind = draw(st.sampled_from(["jsonl", "jsonl", "csv", "csv", "bytes", "text"]))
    suffix = draw(st.sampled_from([".csv", ".jsonl", ".txt"]))
    if kind == "bytes":
        return f"p{suffix}", draw(st.binary(max_size=200))
    if kind == "text":
        return f"p{suffix}", draw(ANY_TEXT).encode()
    rows_ = draw(rows(task, gold))
    data = _jsonl(rows_, draw) if kind == "jsonl" else _csv(rows_, draw)
    return f"p.{kind}" if draw(st.booleans()) else "p.txt", data


# ---------------------------------------------------------------------------------- the oracle


def _in_benchmark_order(raw: RawPredictions, gold: GoldSet) -> list:
    by_id = dict(zip(raw.ids.to_pylist(), raw.values_list(), strict=True))
    return [by_id[i] for i in gold.ids.to_pylist()]


def _reference_metrics(task: str, gold: GoldSet, predictions: list) -> dict[str, float]:
    golds = gold.gold_list()
    if task == "text_classification":
        predicted = [str(p) for p in predictions]
        return {"accuracy": accuracy_score(golds, predicted), "macro_f1": sklearn_f1(golds, predicted, average="macro")}
    if task == "ner":
        predicted = [p.split() if isinstance(p, str) else list(p) for p in predictions]
        return {
            "f1": seqeval_f1(golds, predicted),
            "precision": seqeval_precision(golds, predicted),
            "recall": seqeval_recall(golds, predicted),
        }
    n = len(predictions)
    pairs = list(zip(predictions, golds, strict=True))
    return {
        "exact_match": sum(squad.metric_max_over_ground_truths(squad.exact_match_score, p, g) for p, g in pairs) / n,
        "f1": sum(squad.metric_max_over_ground_truths(squad.f1_score, p, g) for p, g in pairs) / n,
        "rouge_l": sum(ROUGE.score_multi(g, p)["rougeL"].fmeasure for p, g in pairs) / n,
    }


def _refused_or_equal(task: str, gold: GoldSet, path: Path) -> str:
    """Read, validate and score ``path``: 'refused' (checked clear) or 'scored' (checked equal)."""
    try:
        raw = read_predictions(path, 1 << 20)
        result = score_raw(gold, raw, seed_material="hostile", resamples=50, keep_outcomes=False)
    except InvalidPredictions as exc:
        assert exc.problems, "a refusal names at least one problem"
        for problem in exc.problems:
            assert WHERE.fullmatch(problem.where), problem
            assert problem.message and len(problem.message) <= MAX_PROBLEM_CHARS, problem
        return "refused"
    expected = _reference_metrics(task, gold, _in_benchmark_order(raw, gold))
    for name, value in expected.items():
        assert abs(result.metrics[name] - value) <= TOL, (name, result.metrics[name], value)
    for interval in result.ci.values():
        assert 0.0 <= interval.low <= interval.high <= 1.0
    return "scored"


@pytest.mark.parametrize("task", list(BENCHMARKS))
def test_any_file_is_refused_clearly_or_scored_equal_to_the_references(task, golds, tmp_path):
    gold = golds[task]
    outcomes: list[str] = []

    @SETTINGS
    @given(files(task, gold))
    def run(file):
        name, data = file
        path = tmp_path / name
        path.write_bytes(data)
        outcomes.append(_refused_or_equal(task, gold, path))

    run()
    # The strategies are meant to reach the scorer, not only the validators.
    assert outcomes.count("scored") >= 10, outcomes.count("scored")


@pytest.mark.parametrize("task", ["prompting", "chatbot"])
def test_any_answers_score_as_the_official_scripts(task, golds, tmp_path):
    """Answers straight from the strategies (no file damage): always scored, always equal."""
    gold = golds[task]

    @SETTINGS
    @given(st.lists(HOSTILE_TEXT, min_size=len(gold), max_size=len(gold)), st.booleans())
    def run(predictions, as_csv):
        path = tmp_path / ("p.csv" if as_csv else "p.jsonl")
        if as_csv:
            out = io.StringIO()
            writer = csv.writer(out)  # "\r\n" rows: a value holding "\r" or "\n" is quoted
            writer.writerow(["id", "prediction"])
            writer.writerows(zip(gold.ids.to_pylist(), predictions, strict=True))
            path.write_bytes(out.getvalue().encode())
        else:
            pairs = zip(gold.ids.to_pylist(), predictions, strict=True)
            lines = [json.dumps({"id": i, "prediction": p}) for i, p in pairs]
            path.write_bytes("\n".join(lines).encode())
        raw = read_predictions(path, 1 << 20)
        assert raw.values_list() == predictions  # values arrive unchanged, NUL and line breaks included
        assert _refused_or_equal(task, gold, path) == "scored"

    run()


# Metric inputs straight from Python may even hold lone surrogates (no UTF-8 file can).
WITH_SURROGATES = st.one_of(
    HOSTILE_TEXT, st.lists(st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\x00", " "]))).map("".join)
)


@SETTINGS
@given(st.lists(st.tuples(WITH_SURROGATES, st.lists(WITH_SURROGATES, min_size=1, max_size=3)), min_size=1, max_size=8))
def test_answer_metrics_equal_the_references_on_any_unicode(cases):
    """The metric functions themselves, lone surrogates included (no file can carry them)."""
    predictions = [p for p, _ in cases]
    gold_lists = [g for _, g in cases]
    exact, f1 = answers.squad_scores(predictions, gold_lists)
    rouge = answers.rouge_l(predictions, gold_lists)
    for i, (p, g) in enumerate(cases):
        assert exact[i] == float(squad.metric_max_over_ground_truths(squad.exact_match_score, p, g))
        assert abs(f1[i] - squad.metric_max_over_ground_truths(squad.f1_score, p, g)) <= TOL
        assert abs(rouge[i] - ROUGE.score_multi(g, p)["rougeL"].fmeasure) <= TOL


# ---------------------------------------------------------------------------------- known attacks


def _qa_file(gold: GoldSet, answer_of: dict[str, str]) -> bytes:
    return "\n".join(json.dumps({"id": i, "prediction": answer_of.get(i, "x")}) for i in gold.ids.to_pylist()).encode()


@pytest.mark.parametrize(
    "answer",
    [
        "x \x00 y",
        "\x00",
        "".join(answers.SEPARATORS) + " the EUR 12.5 million",  # every separator candidate at once
        "EUR\x0012.5 million",
        "\x01\x02 board \x1b of \x7f directors \x9f",
        " " * 10_000 + "EUR" + "\u2028" * 1_000 + "million",
        "ΣΟΦΊΑ\x00",
    ],
)
def test_control_characters_in_answers_score_as_squad(answer, golds):
    gold = golds["prompting"]
    ids = gold.ids.to_pylist()
    raw = parse_predictions(_qa_file(gold, {ids[0]: answer, ids[2]: answer}), "jsonl")
    result = score_raw(gold, raw, seed_material="nul", resamples=50, keep_outcomes=False)
    expected = _reference_metrics("prompting", gold, _in_benchmark_order(raw, gold))
    for name, value in expected.items():
        assert abs(result.metrics[name] - value) <= TOL, name


def test_separator_choice_covers_what_the_metrics_assume():
    """Every candidate separator is invisible to SQuAD normalisation and the ROUGE tokenizer."""
    for separator in answers.SEPARATORS:
        assert not separator.isspace() and separator not in string.punctuation
        assert not re.match(r"\w", separator) and separator.lower() == separator == separator.upper()
        assert not re.match(r"[a-z0-9]", separator)


@pytest.mark.parametrize(
    "tag", [["I-PER"], {"tag": "B-PER"}, 3, None, 1.5, True, [], [["B-PER"]], "B-PER\x00", "B-" + "X" * 10_000]
)
def test_ner_tag_of_any_structure_is_a_problem_naming_the_line(tag, golds):
    gold = golds["ner"]
    rows_ = [{"id": i, "prediction": ["O"] * len(t)} for i, t in zip(gold.ids.to_pylist(), NER_TOKENS, strict=True)]
    rows_[2]["prediction"][1] = tag
    data = "\n".join(json.dumps(r) for r in rows_).encode()
    with pytest.raises(InvalidPredictions) as caught:
        score_raw(gold, parse_predictions(data, "jsonl"), seed_material="x", resamples=10)
    (problem,) = caught.value.problems
    assert problem.where == "line 3" and problem.message.startswith("token 2: ")
    assert len(problem.message) < MAX_PROBLEM_CHARS


@pytest.mark.parametrize("prediction", [{"tags": ["O"]}, 5, None, True, [["O"]]])
def test_ner_prediction_of_another_structure_names_the_line(prediction, golds):
    gold = golds["ner"]
    rows_ = [{"id": i, "prediction": ["O"] * len(t)} for i, t in zip(gold.ids.to_pylist(), NER_TOKENS, strict=True)]
    rows_[1]["prediction"] = prediction
    with pytest.raises(InvalidPredictions) as caught:
        score_raw(gold, parse_predictions("\n".join(json.dumps(r) for r in rows_).encode(), "jsonl"), seed_material="x")
    assert [p.where for p in caught.value.problems] == ["line 2"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_answer_over_the_length_limit_is_refused_naming_the_line_and_not_echoed(fmt, golds):
    gold = golds["prompting"]
    ids = gold.ids.to_pylist()
    huge = "attack " * (MAX_ANSWER_CHARS // 7 + 10)
    if fmt == "jsonl":
        data = _qa_file(gold, {ids[3]: huge})
    else:
        data = ("id,prediction\n" + "".join(f"{i},{huge if n == 3 else 'x'}\n" for n, i in enumerate(ids))).encode()
    with pytest.raises(InvalidPredictions) as caught:
        score_raw(gold, parse_predictions(data, fmt), seed_material="x")
    (problem,) = caught.value.problems
    assert problem.where == ("line 4" if fmt == "jsonl" else "row 4")
    assert f"{len(huge):,} characters" in problem.message and f"{MAX_ANSWER_CHARS:,}" in problem.message
    assert len(str(caught.value)) < 300


def test_an_answer_at_the_limit_is_scored(golds):
    gold = golds["prompting"]
    ids = gold.ids.to_pylist()
    raw = parse_predictions(_qa_file(gold, {ids[0]: "EUR " + "x" * (MAX_ANSWER_CHARS - 4)}), "jsonl")
    assert score_raw(gold, raw, seed_material="x", resamples=10).metrics["f1"] >= 0.0


@pytest.mark.parametrize("task", ["text_classification", "ner", "prompting"])
def test_huge_values_are_quoted_as_a_short_prefix(task, golds):
    """A multi-megabyte value in a bad place is never echoed whole in a message."""
    gold = golds[task]
    big = "\x00" + "v" * 3_000_000
    cases = [
        [{"id": big, "prediction": "x"}],  # unknown id
        [{"id": {"k": [big] * 3}, "prediction": "x"}],  # id of the wrong type
        [{big: 1}],  # missing fields, a huge field name
        [[big, big]],  # not an object
        [{"id": gold.ids[0].as_py(), "prediction": [[big[:1000]] * 1000] * 3}],  # a huge structure
        [{"id": gold.ids[0].as_py(), "prediction": big}],  # a huge label / tag string / answer
    ]
    for records in cases:
        data = "\n".join(json.dumps(r) for r in records).encode()
        with pytest.raises(InvalidPredictions) as caught:
            score_raw(gold, parse_predictions(data, "jsonl"), seed_material="x")
        assert len(str(caught.value)) < 2_000, str(caught.value)[:300]


def test_invalid_utf8_in_a_jsonl_line_names_the_line(golds):
    data = b'{"id": "q0", "prediction": "ok"}\n{"id": "q1", "prediction": "caf\xe9"}\n'
    with pytest.raises(InvalidPredictions, match=r"line 2: not valid UTF-8 \(byte 0xe9\)"):
        parse_predictions(data, "jsonl")


def test_a_quoted_header_spanning_lines_is_a_header_problem(golds):
    data = b'"id,prediction\n",x\nq0,a\n'
    with pytest.raises(InvalidPredictions) as caught:
        score_raw(golds["prompting"], parse_predictions(data, "csv"), seed_material="x")
    assert all(WHERE.fullmatch(p.where) for p in caught.value.problems)


# Run in a fresh process: its peak RSS before and after reading + validating one file.
MEMORY_PROBE = """
import resource, sys
from pathlib import Path
from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import InvalidPredictions
from podium.predictions import read_predictions
from podium.scoring import validate

gold = BenchmarkStore(Home.from_env(sys.argv[1])).gold("hx-prompt")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    validate(gold, read_predictions(Path(sys.argv[2]), 1 << 30))
    outcome = "accepted"
except InvalidPredictions as exc:
    outcome = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) * 1024)
print(outcome)
"""


@pytest.mark.heavy  # a 40 MB file, parsed in a fresh interpreter that measures its peak memory
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_parsing_memory_is_a_small_multiple_of_the_file(fmt, hostile_home, golds, tmp_path):
    """One 40 MB value (the attack took 4.8 GB for 100 MB): peak memory stays under 4x the file."""
    gold = golds["prompting"]
    ids = gold.ids.to_pylist()
    value = "v" * 40_000_000
    path = tmp_path / f"big.{fmt}"
    if fmt == "jsonl":
        path.write_bytes(_qa_file(gold, {ids[0]: value}))
    else:
        path.write_bytes(("id,prediction\n" + "".join(f"{i},{value if i == ids[0] else 'x'}\n" for i in ids)).encode())
    del value
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(hostile_home), str(path)], capture_output=True, text=True, timeout=300
    )
    assert probe.returncode == 0, probe.stderr
    grown, message = probe.stdout.split("\n", 1)
    assert "1: the answer is 40,000,000 characters long; the limit is 100,000" in message
    assert len(message) < 200
    assert int(grown) < 4 * path.stat().st_size, (int(grown), path.stat().st_size)


@SETTINGS
@given(st.lists(st.one_of(JSON_VALUES, st.just(""), HOSTILE_TEXT.map(lambda s: s.replace("\n", " "))), max_size=12))
def test_jsonl_read_in_small_chunks_equals_one_pass(values):
    """Lines are split a few MB at a time, long lines kept as views: the same records, numbered alike."""
    import podium.predictions as predictions

    lines = [json.dumps({"id": str(n), "prediction": v}) if n % 3 else str(v) for n, v in enumerate(values)]
    data = "\n".join(lines).encode("utf-8", "surrogatepass")

    def parse(chunk: int):
        saved, predictions._LINES_CHUNK = predictions._LINES_CHUNK, chunk
        try:
            raw = parse_predictions(data, "jsonl")
            return raw.ids.to_pylist(), raw.values_list(), raw.line_numbers.tolist()
        except InvalidPredictions as exc:
            return [str(p) for p in exc.problems], exc.total
        finally:
            predictions._LINES_CHUNK = saved

    if data.strip():
        assert parse(16) == parse(1 << 30)

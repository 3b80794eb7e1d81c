"""Benchmark cards are built by one function (``podium.benchmarks.build_card``) for `podium benchmark
add`, `POST /api/benchmarks` and the seeds' `add_dataset`: task types in any spelling the registry
accepts, defaults from the task type, and on --replace every field not given again is kept."""

import json

import pytest

from podium.benchmarks import build_card
from podium.cli import main
from podium.errors import BenchmarkError, InvalidField
from podium.schema import BenchmarkCard

EVAL_SET = "id,text,label\n1,profits rose,positive\n2,losses widened,negative\n3,results were flat,neutral\n"


@pytest.fixture()
def data_home(tmp_path):
    (tmp_path / "eval.csv").write_text(EVAL_SET)
    return tmp_path


def _podium(home, *args: str) -> int:
    return main(["--home", str(home), *args])


def _card(home, benchmark: str) -> dict:
    return json.loads((home / "benchmarks" / benchmark / "card.json").read_text())


def test_replace_keeps_the_card_fields_not_given_again(data_home, capsys):
    assert _podium(data_home, "benchmark", "add", "--id", "news", "--task", "Text Classification",
                   "--data", str(data_home / "eval.csv"), "--name", "News tone", "--description", "Tone of news",
                   "--url", "https://example.org/news", "--labels", "positive,neutral,negative",
                   "--license", "CC-BY-4.0") == 0  # fmt: skip
    assert "added benchmark news (text_classification, 3 items, version 1)" in capsys.readouterr().out
    (data_home / "eval.csv").write_text(EVAL_SET.replace("3,results were flat,neutral", "3,results were flat,positive"))

    assert _podium(data_home, "benchmark", "add", "--id", "news", "--task", "text_classification",
                   "--data", str(data_home / "eval.csv"), "--replace") == 0  # fmt: skip
    assert "version 2" in capsys.readouterr().out  # a gold answer changed
    card = _card(data_home, "news")
    assert card["name"] == "News tone" and card["description"] == "Tone of news"
    assert card["url"] == "https://example.org/news" and card["license"] == "CC-BY-4.0"
    assert card["labels"] == ["positive", "neutral", "negative"] and card["task_type"] == "text_classification"

    # no --task this time: the task type is kept too
    assert _podium(data_home, "benchmark", "add", "--id", "news", "--data", str(data_home / "eval.csv"),
                   "--replace", "--description", "Tone of business news") == 0  # fmt: skip
    card = _card(data_home, "news")
    assert card["task_type"] == "text_classification" and card["name"] == "News tone"
    assert card["description"] == "Tone of business news" and card["url"] == "https://example.org/news"
    assert card["version"] == "2"  # same items and answers: the version stays


def test_without_replace_an_existing_benchmark_is_refused(data_home, capsys):
    args = ("benchmark", "add", "--id", "news", "--task", "classification", "--data", str(data_home / "eval.csv"))
    assert _podium(data_home, *args) == 0
    assert _podium(data_home, *args) == 2
    assert "already exists" in capsys.readouterr().err


def test_the_cli_accepts_the_task_spellings_the_api_accepts(data_home, capsys):
    assert _podium(data_home, "benchmark", "add", "--id", "a", "--task", "classification",
                   "--data", str(data_home / "eval.csv")) == 0  # fmt: skip
    assert _card(data_home, "a")["task_type"] == "text_classification"
    with pytest.raises(SystemExit) as exit_info:
        _podium(data_home, "benchmark", "add", "--id", "b", "--task", "sentiment", "--data", "eval.csv")
    assert exit_info.value.code == 2
    assert "unknown task type 'sentiment'; use one of" in capsys.readouterr().err
    assert _podium(data_home, "benchmark", "add", "--id", "c", "--data", str(data_home / "eval.csv")) == 2
    assert "--task is required" in capsys.readouterr().err


def test_build_card_defaults_come_from_the_task_type():
    card = build_card({"name": "Seeds Board", "task_type": "Named Entity Recognition", "url": None})
    assert (card.id, card.name, card.task_type) == ("seeds-board", "Seeds Board", "ner")
    assert card.primary_metric == "f1" and card.secondary_metrics == ["precision", "recall"]
    assert card.languages == ["en"] and card.url is None
    card = build_card({"id": "x", "task_type": "prompting", "languages": "en, de", "primary_metric": "exact_match"})
    assert card.name == "x" and card.languages == ["en", "de"] and card.secondary_metrics == ["f1", "rouge_l"]


def test_build_card_names_what_is_wrong():
    with pytest.raises(InvalidField, match="task_type: unknown task type 'poetry'"):
        build_card({"id": "x", "task_type": "poetry"})
    with pytest.raises(InvalidField, match="task_type: is required"):
        build_card({"id": "x"})
    with pytest.raises(BenchmarkError, match="field 'id'"):
        build_card({"id": "Not A Slug", "task_type": "ner"})


def test_replacing_with_another_task_type_drops_the_old_task_types_fields():
    old = BenchmarkCard(id="x", name="X", task_type="text_classification", primary_metric="macro_f1",
                        secondary_metrics=["accuracy"], labels=["a", "b"], description="d")  # fmt: skip
    same = build_card({"id": "x"}, existing=old)
    assert (same.primary_metric, same.secondary_metrics, same.labels) == ("macro_f1", ["accuracy"], ["a", "b"])
    other = build_card({"id": "x", "task_type": "ner"}, existing=old)
    assert (other.primary_metric, other.labels, other.description, other.name) == ("f1", None, "d", "X")
    metric = build_card({"id": "x", "primary_metric": "accuracy"}, existing=old)
    assert metric.secondary_metrics == ["macro_f1"] and metric.labels == ["a", "b"]

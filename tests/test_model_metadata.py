"""Model metadata (type, size, licence): read as people write it, checked wherever it enters (the
submit service, hand-dropped result files), carried to the leaderboard's rows, the REST API, the
page's columns and its filters."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, run_podium
from pydantic import ValidationError

from podium.config import Home
from podium.errors import InvalidField
from podium.leaderboard import Leaderboard
from podium.model_metadata import SIZES, UNKNOWN, filter_rows, model_type, parameters, size_of
from podium.schema import ModelInfo
from podium.submissions import model_info
from podium.web import leaderboard_tab
from podium.web.state import WebState


@pytest.mark.parametrize(("typed", "stored"), [
    ("open-weights", "open-weights"), ("Open weights", "open-weights"), ("open_weights", "open-weights"),
    ("API", "api"), ("proprietary", "api"), ("Fine-tuned", "fine-tuned"), ("fine_tuned", "fine-tuned"),
    ("finetuned", "fine-tuned"), ("", None), (None, None),
])  # fmt: skip
def test_model_types_are_read_as_people_write_them(typed, stored):
    assert model_type(typed) == stored


@pytest.mark.parametrize(("typed", "billions"), [
    ("7", 7.0), ("7B", 7.0), ("7b", 7.0), (" 70 B ", 70.0), ("350M", 0.35), ("1.8T", 1800.0), ("125k", 0.000125),
    (".5", 0.5), (13, 13.0), (0.35, 0.35), ("", None), (None, None),
])  # fmt: skip
def test_sizes_are_read_as_people_write_them(typed, billions):
    assert parameters(typed) == billions


@pytest.mark.parametrize("typed", ["seven", "7 GB", "-7", "0", "1e3", "nan", "inf", True, float("nan"), 2e5, "7B7",
                                   "0.0000001", "0.4k", "\uff17B", "1" * 400])  # fmt: skip
def test_impossible_sizes_are_refused_naming_the_field(typed):
    with pytest.raises(InvalidField) as info:
        parameters(typed)
    assert info.value.field == "parameters"


def test_a_refused_size_is_quoted_short():
    with pytest.raises(InvalidField) as info:
        parameters("9" * 10_000)
    assert len(str(info.value)) < 200


def test_an_unknown_type_is_refused_naming_the_choices():
    with pytest.raises(InvalidField, match="open-weights, api, fine-tuned") as info:
        model_type("closed weights maybe")
    assert info.value.field == "model type"


def test_the_submit_service_checks_every_field():
    info = model_info("org/m", model_type="Open weights", params="7B", license=" Apache-2.0 ")
    assert (info.model_type, info.params_b, info.license) == ("open-weights", 7.0, "Apache-2.0")
    with pytest.raises(InvalidField) as info:
        model_info("org/m", license="mit\n<script>")
    assert info.value.field == "licence"
    with pytest.raises(InvalidField):
        model_info("org/m", license="x" * 101)


@pytest.mark.parametrize("model", [
    {"model_type": "closed"}, {"model_type": 3}, {"params_b": True}, {"params_b": "7B"}, {"params_b": -1},
    {"params_b": 1e9}, {"license": "a\u0000b"}, {"license": "x" * 101}, {"license": ["mit"]},
])  # fmt: skip
def test_the_file_format_refuses_what_the_service_refuses(model):
    with pytest.raises(ValidationError):
        ModelInfo.model_validate({"name": "m", **model})
    with pytest.raises(ValidationError):
        ModelInfo.model_validate_json(json.dumps({"name": "m", **model}))


def test_size_buckets_cover_every_size_once():
    edges = [0.001, 3, 3.0001, 10, 10.5, 40, 41, 100, 100.01, 99_999]
    assert [size_of(b) for b in edges] == [
        "up-to-3b", "up-to-3b", "3b-10b", "3b-10b", "10b-40b", "10b-40b", "40b-100b", "40b-100b", "over-100b",
        "over-100b",
    ]  # fmt: skip
    assert size_of(None) == size_of(np.nan) == UNKNOWN
    assert set(SIZES) == {"up-to-3b", "3b-10b", "10b-40b", "40b-100b", "over-100b"}


TABLE = pd.DataFrame({
    "model": ["a", "b", "c", "d"],
    "model_type": ["api", "open-weights", None, "fine-tuned"],
    "params_b": [np.nan, 7.0, 70.0, 0.35],
    "license": ["proprietary", "Apache-2.0", None, "mit"],
})  # fmt: skip


@pytest.mark.parametrize(("types", "sizes", "licenses", "kept"), [
    (None, None, None, "abcd"),
    (["api"], None, None, "a"),
    (["open-weights", UNKNOWN], None, None, "bc"),
    (None, ["3b-10b", "up-to-3b"], None, "bd"),
    (None, [UNKNOWN], None, "a"),
    (None, None, ["apache-2.0"], "b"),  # any case
    (None, None, [UNKNOWN, "MIT"], "cd"),
    (["open-weights", "fine-tuned"], ["up-to-3b"], None, "d"),
    (["api"], ["over-100b"], None, ""),
])  # fmt: skip
def test_filters_keep_the_rows_that_match_every_field(types, sizes, licenses, kept):
    assert "".join(filter_rows(TABLE, types, sizes, licenses)["model"]) == kept


def test_equal_filters_are_one_key_and_licences_compare_as_stored():
    from podium.model_metadata import filters

    assert filters(["api", "open-weights", "api"], ["3b-10b"], ["MIT", " mit ", "Llama  3\u00a0Community"]) == (
        ("api", "open-weights"), ("3b-10b",), ("llama 3 community", "mit"))  # fmt: skip
    assert filters(["open-weights", "api"]) == filters(["api", "open-weights"])
    table = TABLE.assign(license=["proprietary", "Llama 3 Community", None, "mit"])
    assert list(filter_rows(table, licenses=["llama   3 community"])["model"]) == ["b"]
    with pytest.raises(InvalidField, match="blank"):
        filters(licenses=[" "])
    with pytest.raises(InvalidField):
        filters(licenses=[f"l{i}" for i in range(201)])


def test_a_licence_that_means_none_is_stored_as_none():
    assert ModelInfo(name="m", license="Unknown").license is None
    assert model_info("org/m", license="n/a").license is None
    assert model_info("org/m", license="none").license is None


def test_a_filter_value_nobody_offers_is_refused_not_silently_empty():
    with pytest.raises(InvalidField) as info:
        filter_rows(TABLE, ["API"])
    assert info.value.field == "model_type"
    with pytest.raises(InvalidField) as info:
        filter_rows(TABLE, sizes=["7b"])
    assert info.value.field == "size"
    with pytest.raises(InvalidField):
        filter_rows(TABLE, licenses=["x" * 101])


def test_the_cli_submits_metadata_that_reaches_the_rows_the_api_form_and_the_page(home):
    predictions = str(REPO / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl")
    described = ["--model", "meta/tiny-llm", "--model-type", "Open weights", "--params", "1.1B", "--license", "MIT"]
    proc = run_podium("submit", "fin-sentiment", predictions, *described, "--json", home=home)
    assert proc.returncode == 0, proc.stderr
    request = json.loads(proc.stdout)
    assert request["model"].items() >= {"model_type": "open-weights", "params_b": 1.1, "license": "MIT"}.items()
    bad = run_podium("submit", "fin-sentiment", predictions, "--model", "meta/x", "--params", "big", home=home)
    assert bad.returncode == 2 and "parameters" in bad.stderr and "big" in bad.stderr
    assert run_podium("backend", "--once", home=home).returncode == 0

    board = Leaderboard(Home.from_env(home))
    board.refresh()
    row = board.row_of("fin-sentiment", "meta/tiny-llm")
    assert (row.model_type, row.params_b, row.license) == ("open-weights", 1.1, "MIT")
    assert row.as_json().items() >= {"model_type": "open-weights", "params_b": 1.1, "license": "MIT"}.items()
    board.save()
    cached = Leaderboard(Home.from_env(home))  # the same from the tables cache
    cached.refresh()
    assert cached.row_of("fin-sentiment", "meta/tiny-llm") == row

    state = WebState(Home.from_env(home))
    try:
        shown, _ = leaderboard_tab.display(*[leaderboard_tab.view(state, "fin-sentiment", "tiny", False)[0]],
                                           ["Type", "Params (B)", "Licence"])  # fmt: skip
        assert shown[["Type", "Params (B)", "Licence"]].values.tolist() == [["Open weights", "1.1", "MIT"]]
        only_small, _ = leaderboard_tab.view(state, "fin-sentiment", "", False, (["open-weights"], ["up-to-3b"], []))
        assert list(only_small["model"]) == ["meta/tiny-llm"]
        overall, _ = leaderboard_tab.view(state, "overall:all", "", False, ([], [], ["mit"]))
        assert set(overall["model"]) == {"meta/tiny-llm", "acme/tfidf-logreg", "acme/crf-tagger",
                                         "northwind/deberta-ner-large"}  # fmt: skip
        values = [value for _, value in leaderboard_tab.licence_choices(state, "fin-sentiment")]
        assert values == ["apache-2.0", "llama3", "mit", UNKNOWN]  # each licence once, whatever its case
    finally:
        state.close()


def test_a_hand_dropped_result_with_bad_metadata_is_a_problem_naming_the_field(home):
    path = home / "eval-results" / "by-hand" / "bad-type.json"
    path.parent.mkdir(parents=True)
    result = {"kind": "result", "benchmark": "fin-sentiment", "primary_metric": "accuracy",
              "metrics": {"accuracy": 0.5}, "source": "reported"}  # fmt: skip
    path.write_text(json.dumps(result | {"model": {"name": "m", "org": "hand", "model_type": "<b>closed</b>"}}))
    (path.parent / "bad-size.json").write_text(json.dumps(result | {"model": {"name": "n", "params_b": "huge"}}))
    board = Leaderboard(Home.from_env(home))
    board.refresh()
    assert "model.model_type" in board.problems["by-hand/bad-type.json"]
    assert "model.params_b" in board.problems["by-hand/bad-size.json"]
    assert not {"hand/m", "n"} & set(board.table("fin-sentiment")["model"])


def test_columns_nobody_filled_in_are_hidden_by_default(home):
    state = WebState(Home.from_env(home))
    try:
        everything, shown = leaderboard_tab.column_choices(state, "fin-sentiment")
        assert {"Type", "Params (B)", "Licence"} <= set(everything)
        assert "Type" in shown and not {"Params (B)", "Licence"} & set(shown)  # sizes and licences on demand
    finally:
        state.close()
    for path in (home / "eval-results" / "fin-sentiment").glob("*.json"):  # results written before metadata
        result = json.loads(path.read_text())
        result["model"] = {k: v for k, v in result["model"].items() if k not in ("model_type", "params_b", "license")}
        path.write_text(json.dumps(result))
    state = WebState(Home.from_env(home))
    state.refresh(force=True)  # (files edited in place are found by the sweep of the refreshes after the start)
    try:
        everything, shown = leaderboard_tab.column_choices(state, "fin-sentiment")
        assert {"Type", "Params (B)", "Licence"} <= set(everything)
        assert not {"Type", "Params (B)", "Licence"} & set(shown)
    finally:
        state.close()


def test_a_models_description_across_benchmarks_is_one_results_never_mixed(home):
    folder = home / "eval-results" / "by-hand"
    folder.mkdir(parents=True)
    for benchmark, metric, when, model in (
        ("biz-news-ner", "f1", "2026-01-01T00:00:00Z", {"model_type": "api", "license": "llama3"}),
        ("company-docs-qa", "f1", "2026-06-01T00:00:00Z", {"model_type": "open-weights", "params_b": 70}),
        ("fin-sentiment", "accuracy", "2026-03-01T00:00:00Z", {}),  # says nothing: never counts
    ):
        (folder / f"{benchmark}.json").write_text(json.dumps({
            "kind": "result", "benchmark": benchmark, "source": "reported", "primary_metric": metric,
            "metrics": {metric: 0.5}, "evaluated_at": when, "model": {"name": "mixed", "org": "lab", **model},
        }))  # fmt: skip
    state = WebState(Home.from_env(home))
    try:
        facts = state.model_facts().set_index("model").loc["lab/mixed"]
        assert (facts["model_type"], facts["params_b"]) == ("open-weights", 70.0)  # the newest description
        assert facts["license"] is None  # not the older result's licence
    finally:
        state.close()


def test_the_terminal_shows_type_and_size_in_words(home):
    table = run_podium("leaderboard", "fin-sentiment", home=home, check=True).stdout
    finbert = next(line for line in table.splitlines() if "finbert-tone-large" in line)
    assert finbert.split()[-2:] == ["Fine-tuned", "0.34"] and "Type" in table and "Params (B)" in table
    overall = run_podium("leaderboard", "--task", "chatbot", home=home, check=True).stdout
    assert "API" in next(line for line in overall.splitlines() if "rag-reader-xl" in line)
    rows = json.loads(run_podium("leaderboard", "--task", "chatbot", "--json", home=home, check=True).stdout)
    assert {r["model"]: r["license"] for r in rows}["northwind/rag-reader-xl"] == "proprietary"

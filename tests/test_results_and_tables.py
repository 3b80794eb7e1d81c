"""Reading result files (verified, reported, template, malformed) and the leaderboard tables."""

import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import run_podium

from podium.config import Home
from podium.leaderboard import Leaderboard, benchmark_table, overall_table, rank_by_upper_bound
from podium.results import ResultIndex
from podium.schema import BenchmarkCard, Interval, ModelInfo, Result


def _result(model: str, score: float, low=None, high=None, benchmark="fin-sentiment", **extra) -> Result:
    org, _, name = model.rpartition("/")
    ci = {"accuracy": Interval(low=low, high=high)} if low is not None else {}
    return Result(
        benchmark=benchmark,
        model=ModelInfo(name=name, org=org or None),
        primary_metric="accuracy",
        metrics={"accuracy": score, "macro_f1": score - 0.01},
        ci=ci,
        **extra,
    )


def _write(home, relative, text):
    path = home / "eval-results" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture()
def results_home(home):
    shutil.rmtree(home / "eval-results")
    shutil.rmtree(home / ".cache", ignore_errors=True)
    (home / "eval-results").mkdir()
    return home


def test_reported_results_template_files_and_malformed_files(results_home):
    home = results_home
    _write(home, "by-hand/acme.json", _result("acme/hand-made", 0.9, source="reported").to_json())
    _write(
        home,
        "template-mapping.json",
        json.dumps({"sentiment": {"benchmark": "fin-sentiment", "metrics": {"acc": "accuracy"}}}),
    )
    _write(home, "org/model_2024.json", json.dumps(
        {"config": {"model_name": "org/legacy-model", "model_sha": "abc123"}, "results": {"sentiment": {"acc": 0.7}}}
    ))  # fmt: skip
    _write(home, "broken.json", '{"benchmark": "fin-sentiment", ')
    _write(home, "not-a-result.json", '{"hello": "world"}')
    _write(home, "unmapped.json", json.dumps({"config": {"model_name": "x/y"}, "results": {"other": {"acc": 1}}}))
    board = Leaderboard(Home.from_env(home))
    board.refresh()
    table = board.table("fin-sentiment")
    assert list(table["model"]) == ["acme/hand-made", "org/legacy-model"]
    assert list(table["source"]) == ["reported", "reported"]
    assert list(table["revision"]) == ["main", "abc123"]
    assert table["ci_low"].isna().all()  # reported numbers come without an interval
    problems = board.problems
    assert set(problems) == {"broken.json", "not-a-result.json", "unmapped.json"}
    assert "not valid JSON" in problems["broken.json"]
    assert "field 'benchmark'" in problems["not-a-result.json"]
    assert "no task is mapped" in problems["unmapped.json"]
    proc = run_podium("leaderboard", "fin-sentiment", home=home)
    assert proc.returncode == 0 and "warning: skipped eval-results/broken.json" in proc.stderr
    assert "acme/hand-made" in proc.stdout


def test_ranks_share_ties_and_rank_ub_counts_models_clearly_ahead():
    card = BenchmarkCard(id="fin-sentiment", name="x", task_type="text_classification", primary_metric="accuracy",
                         secondary_metrics=["macro_f1"])  # fmt: skip
    results = [
        _result("a/one", 0.90, 0.88, 0.92),
        _result("a/two", 0.90, 0.85, 0.95),
        _result("a/three", 0.80, 0.78, 0.82),
        _result("a/four", 0.70, 0.60, 0.89),
    ]
    from podium.results import _row

    frame = pd.DataFrame([_row(f"{i}.json", r, r.metrics) for i, r in enumerate(results)])
    table = benchmark_table(frame, card)
    by_model = table.set_index("model")
    assert by_model.loc["a/one", "rank"] == 1 and by_model.loc["a/two", "rank"] == 1
    assert by_model.loc["a/three", "rank"] == 3 and by_model.loc["a/four", "rank"] == 4
    # a/three's upper bound 0.82 is below a/one's lower bound 0.88 only; a/two's 0.85 > 0.82 too.
    assert by_model.loc["a/three", "rank_ub"] == 3
    assert by_model.loc["a/four", "rank_ub"] == 1  # its interval reaches 0.89, above nobody's lower bound
    assert (by_model.loc["a/one", "ci_low"], by_model.loc["a/one", "ci_high"]) == (0.88, 0.92)
    assert list(table.columns[:8]) == ["rank", "rank_ub", "model", "org", "score", "ci_low", "ci_high", "macro_f1"]
    assert table["rank"].dtype == np.int64 and table["score"].dtype == np.float64  # typed columns


def test_rank_by_upper_bound_against_a_direct_count():
    rng = np.random.default_rng(0)
    low = rng.random(300)
    high = low + rng.random(300) * 0.2
    expected = [1 + int((low > h).sum()) for h in high]
    assert rank_by_upper_bound(low, high).tolist() == expected


def test_latest_result_of_a_model_is_the_one_shown(results_home):
    home = results_home
    old = _result("acme/m", 0.5, evaluated_at="2026-01-01T00:00:00Z")
    old.model.revision = "v1"
    new = _result("acme/m", 0.6, evaluated_at="2026-02-01T00:00:00Z")
    new.model.revision = "v2"
    _write(home, "fin-sentiment/old.json", old.to_json())
    _write(home, "fin-sentiment/new.json", new.to_json())
    table = Leaderboard(Home.from_env(home)).table("fin-sentiment")
    assert list(table["revision"]) == ["v2"] and list(table["score"]) == [0.6]


def test_results_of_an_earlier_benchmark_version_leave_the_table_when_the_items_change(results_home):
    home = results_home
    _write(home, "fin-sentiment/a.json", _result("acme/old-items", 0.9).to_json())  # scored on version 1
    _write(home, "fin-sentiment/r.json", _result("paper/reported", 0.7, source="reported").to_json())
    board = Leaderboard(Home.from_env(home))
    board.refresh()
    assert set(board.table("fin-sentiment")["model"]) == {"acme/old-items", "paper/reported"}
    card_path = home / "benchmarks/fin-sentiment/card.json"
    card = BenchmarkCard.read(card_path)
    card_path.write_text(card.model_copy(update={"version": "2"}).to_json())  # the gold answers changed
    _write(home, "fin-sentiment/b.json", _result("acme/new-items", 0.8, benchmark_version="2").to_json())
    for reader in (board, Leaderboard(Home.from_env(home))):  # the running one, and a new process (caches)
        reader.refresh()
        assert set(reader.table("fin-sentiment")["model"]) == {"acme/new-items", "paper/reported"}
    rows = json.loads(run_podium("leaderboard", "fin-sentiment", "--json", home=home, check=True).stdout)
    assert [r["model"] for r in rows] == ["acme/new-items", "paper/reported"]


def test_incremental_refresh_reads_only_new_changed_and_removed_files(results_home, monkeypatch):
    home = results_home
    for i in range(5):
        _write(home, f"fin-sentiment/r{i}.json", _result(f"org/m{i}", 0.5 + i / 100).to_json())
    index = ResultIndex(Home.from_env(home))
    index.load()
    assert len(index.frame()) == 5

    import podium.results as results_module

    reads = []
    original = results_module.parse_result_file
    monkeypatch.setattr(results_module, "parse_result_file", lambda p, *a: reads.append(p) or original(p, *a))
    assert index.refresh() == set() and reads == []  # nothing changed, nothing read

    _write(home, "fin-sentiment/r5.json", _result("org/m5", 0.99).to_json())
    assert index.refresh() == {"fin-sentiment"}
    assert reads == ["fin-sentiment/r5.json"]
    assert len(index.frame()) == 6

    reads.clear()
    path = home / "eval-results/fin-sentiment/r0.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(_result("org/m0", 0.01).to_json())
    os.replace(tmp, path)  # how the backend and most tools write
    assert index.refresh() == {"fin-sentiment"} and reads == ["fin-sentiment/r0.json"]
    assert index.frame().set_index("model").loc["org/m0", "score"] == 0.01

    (home / "eval-results/fin-sentiment/r1.json").unlink()
    assert index.refresh() == {"fin-sentiment"}
    assert "org/m1" not in set(index.frame()["model"])


def test_a_new_process_starts_from_the_cache_and_notices_changes(results_home):
    home = results_home
    for i in range(3):
        _write(home, f"fin-sentiment/r{i}.json", _result(f"org/m{i}", 0.5).to_json())
    first = Leaderboard(Home.from_env(home))
    first.refresh()
    assert (home / ".cache/results.parquet").is_file()
    _write(home, "fin-sentiment/r3.json", _result("org/m3", 0.7).to_json())  # while nobody runs
    second = Leaderboard(Home.from_env(home))
    second.refresh()
    assert sorted(second.table("fin-sentiment")["model"]) == ["org/m0", "org/m1", "org/m2", "org/m3"]
    frame = second.index.frame().drop(columns=["path"]).sort_values("model").reset_index(drop=True)
    rebuilt = Leaderboard(Home.from_env(home), use_cache=False)
    rebuilt.refresh()
    expected = rebuilt.index.frame().drop(columns=["path"]).sort_values("model").reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False)


def test_overall_table_means_over_the_benchmarks_each_model_has():
    a = pd.DataFrame({"model": ["x", "y"], "score": [0.9, 0.8], "rank": [1, 2]})
    b = pd.DataFrame({"model": ["y", "z"], "score": [0.6, 0.5], "rank": [1, 2]})
    table = overall_table({"a": a, "b": b, "c": a.iloc[:0]}, of=3)
    rows = table.set_index("model")
    assert rows.loc["x", "mean_score"] == 0.9 and rows.loc["x", "benchmarks"] == 1
    assert rows.loc["y", "mean_score"] == pytest.approx(0.7) and rows.loc["y", "mean_rank"] == 1.5
    assert list(table["model"]) == ["x", "y", "z"] and list(table["rank"]) == [1, 2, 3]
    assert set(table["of"]) == {3}  # coverage: each model's count beside the task type's benchmarks


def test_leaderboard_cli_formats(home):
    rows = json.loads(run_podium("leaderboard", "fin-sentiment", "--json", home=home, check=True).stdout)
    assert [r["model"] for r in rows][0] == "northwind/finbert-tone-large"
    assert rows[0]["ci"] and rows[0]["source"] == "verified"
    assert list(rows[0])[:6] == ["rank", "rank_ub", "model", "org", "score", "ci"]  # the API's keys
    csv_text = run_podium("leaderboard", "biz-news-ner", "--csv", home=home, check=True).stdout
    assert csv_text.splitlines()[0].startswith("Rank,Rank (UB),Model,Org,Score,95% CI,CI low,CI high,Precision,")
    overall = run_podium("leaderboard", "--task", "chatbot", home=home, check=True).stdout
    assert "Overall: chatbot" in overall and "Mean score" in overall
    assert run_podium("leaderboard", "--task", "nope", home=home).returncode == 2
    everything = run_podium("leaderboard", home=home, check=True).stdout
    assert "Financial News Sentiment" in everything and "Filing Excerpt QA" in everything


def test_tables_from_the_cache_equal_tables_built_from_the_files(home):
    first = Leaderboard(Home.from_env(home))
    first.refresh()
    first.save()
    assert (home / ".cache/tables.parquet").is_file()
    second = Leaderboard(Home.from_env(home))
    second.refresh()
    assert set(second._tables) == set(second.cards)  # all came from the cache
    fresh = Leaderboard(Home.from_env(home), use_cache=False)
    for benchmark in second.cards:
        cached = json.loads(second.table(benchmark).to_json(orient="records"))
        built = json.loads(fresh.table(benchmark).to_json(orient="records"))
        assert cached == built, benchmark


def test_a_changed_card_is_not_served_from_the_tables_cache(home):
    board = Leaderboard(Home.from_env(home))
    board.refresh()
    board.save()
    card_path = home / "benchmarks/fin-sentiment/card.json"
    card = json.loads(card_path.read_text())
    card["secondary_metrics"] = []
    card_path.write_text(json.dumps(card))
    again = Leaderboard(Home.from_env(home))
    again.refresh()
    assert "fin-sentiment" not in again._tables
    assert "macro_f1" not in again.table("fin-sentiment").columns


def test_model_breakdown_shows_every_metric_with_its_interval_and_the_per_class_scores(home):
    from podium.web.models_tab import model_benchmarks, model_breakdown
    from podium.web.state import WebState

    state = WebState(Home.from_env(home))
    assert model_benchmarks(state, "open-llm/llama-3-8b-instruct") == [
        (card.name, card.id) for card in state.cards.values()
    ]  # the sample LLM answered every benchmark
    path = next((home / "eval-results/biz-news-ner").glob("*northwind-deberta-ner-large*.json"))
    result = Result.read(path)
    metrics, breakdown = model_breakdown(state, "northwind/deberta-ner-large", "biz-news-ner")
    assert list(metrics["Metric"]) == ["F1", "Precision", "Recall"]  # in words
    assert list(metrics["Value"]) == [f"{result.metrics[m]:.4f}" for m in ["f1", "precision", "recall"]]
    from podium.formatting import interval

    # the page's one interval format: an en dash between the bounds
    expected = [interval(result.ci[m].low, result.ci[m].high) for m in ["f1", "precision", "recall"]]
    assert list(metrics["95% CI"]) == expected
    assert all(" \u2013 " in text for text in metrics["95% CI"])
    types = ["LOC", "MONEY", "ORG", "PER"]
    assert list(breakdown["Entity type"]) == types
    assert list(breakdown["F1"]) == [f"{result.details['per_type'][t]['f1']:.4f}" for t in types]
    _, classes = model_breakdown(state, "acme/tfidf-logreg", "fin-sentiment")
    assert list(classes["Class"]) == ["negative", "neutral", "positive"]
    qa_metrics, qa_breakdown = model_breakdown(state, "acme/bm25-extractive", "filing-qa")
    assert list(qa_metrics["Metric"])[0] == "F1" and qa_breakdown.empty  # QA has no classes
    assert model_breakdown(state, "nobody", "fin-sentiment")[0].empty
    from podium.web.models_tab import model_results

    results, _ = model_results(state, "baselines/majority-class")
    assert list(results["Score"]) == ["0.4000"]  # four decimals, as on the leaderboard


def test_the_leaderboard_blurb_shows_a_benchmark_description_as_text(home):
    from podium.web.leaderboard_tab import blurb
    from podium.web.state import OVERALL, WebState

    path = home / "benchmarks/fin-sentiment/card.json"
    card = BenchmarkCard.read(path).model_copy(
        update={"description": "<img src=x onerror=alert(1)> **bold**", "url": "javascript:alert(1)"}
    )
    path.write_text(card.to_json())
    state = WebState(Home.from_env(home))
    text = blurb(state, "fin-sentiment")
    assert "&lt;img src=x onerror=alert\\(1\\)&gt; \\*\\*bold\\*\\*" in text  # escaped: shown as written
    assert "javascript:" not in text  # only http(s) links become links
    from podium.web.submit_tab import benchmark_info

    info = benchmark_info(state, "fin-sentiment")
    assert "&lt;img src=x onerror=alert\\(1\\)&gt; \\*\\*bold\\*\\*" in info and "<img" not in info
    assert "320 items · version 1" in info
    assert "over the 1 text classification benchmarks" in blurb(state, OVERALL + "text_classification")


def test_the_overall_views_cover_every_benchmark_and_honour_verified_only(home):
    """Per task type and across all benchmarks, with coverage; "Verified only" drops reported
    results and ranks each benchmark again without them (the page used to ignore it there)."""
    from podium.web.leaderboard_tab import view
    from podium.web.state import OVERALL, WebState

    reported = home / "eval-results" / "by-hand" / "reported.json"
    reported.parent.mkdir(parents=True, exist_ok=True)
    reported.write_text(json.dumps({
        "benchmark": "fin-sentiment", "model": {"name": "hand-entered", "org": "paper"}, "source": "reported",
        "primary_metric": "accuracy", "metrics": {"accuracy": 0.99},
    }))  # fmt: skip
    state = WebState(Home.from_env(home))
    every, title = view(state, OVERALL + "all", "", False)
    assert title == "Overall: all benchmarks" and set(every["of"]) == {4}
    per_benchmark = {b: set(state.table(b)["model"]) for b in state.cards}
    for model, count in zip(every["model"], every["benchmarks"], strict=True):
        assert count == sum(model in models for models in per_benchmark.values())
    assert "paper/hand-entered" in set(every["model"])
    verified, _ = view(state, OVERALL + "all", "", True)
    assert "paper/hand-entered" not in set(verified["model"])
    first = verified.set_index("model").loc["northwind/finbert-tone-large"]
    fin = state.table("fin-sentiment")
    assert fin.set_index("model").loc["northwind/finbert-tone-large", "rank"] == 2  # behind the reported 0.99
    assert (
        first["benchmarks"] >= 1
        and first["mean_rank"] <= every.set_index("model").loc["northwind/finbert-tone-large", "mean_rank"]
    )  # ranked again among verified results: never worse
    classification, title = view(state, OVERALL + "text_classification", "", True)
    assert title == "Overall: Text classification" and "paper/hand-entered" not in set(classification["model"])
    assert classification.set_index("model").loc["northwind/finbert-tone-large", "mean_rank"] == 1.0

"""Results are validated wherever they come from: hand-dropped files (Podium and template format),
reported rows (podium.reported), and the tables cache gives back exactly the table it stored."""

import json
import os
import shutil
import threading
from datetime import UTC, datetime

import pandas as pd
import pytest

from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.errors import Conflict, InvalidField
from podium.leaderboard import Leaderboard
from podium.reported import add_reported, parse_ci, parse_updated, reported_result, reported_rows, store_reported
from podium.results import ResultIndex, interval_problem, score_problem
from podium.schema import Interval, ModelInfo, Result


def _result(model: str, score, low=None, high=None, source="reported", **extra) -> dict:
    org, _, name = model.rpartition("/")
    data = {
        "kind": "result", "benchmark": "fin-sentiment", "model": {"name": name, "org": org or None},
        "source": source, "primary_metric": "accuracy", "metrics": {"accuracy": score}, **extra,
    }  # fmt: skip
    if low is not None:
        data["ci"] = {"accuracy": {"low": low, "high": high}}
    return data


def _write(home, relative, data) -> None:
    path = home / "eval-results" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))


def _board(home) -> Leaderboard:
    board = Leaderboard(Home.from_env(home))
    board.refresh()
    return board


MAPPING = {
    "sentiment": {"benchmark": "fin-sentiment", "metrics": {"acc": "accuracy"}},
    "percent": {"benchmark": "fin-sentiment", "metrics": {"acc": "accuracy"}, "scale": 0.01},
}


# --------------------------------------------------------------------------- the tables cache


def _assert_same_table(cached: pd.DataFrame, built: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(cached, built, check_dtype=True)
    for column in built.columns:  # None stays None (not NaN), values keep their Python types
        assert [type(v) for v in cached[column]] == [type(v) for v in built[column]], column


def test_a_result_without_a_link_comes_back_from_the_tables_cache_as_none(home):
    _write(home, "reported/fin-sentiment/paper.json", _result("paper/no-link", 0.6))  # no link, no submission
    first = _board(home)
    assert first.table("fin-sentiment").set_index("model").loc["paper/no-link", "link"] is None
    first._dirty = True
    first.save()
    second = _board(home)  # a restart: the tables come from the cache
    assert set(second._tables) == set(second.cards)
    fresh = Leaderboard(Home.from_env(home), use_cache=False)
    for benchmark in second.cards:
        _assert_same_table(second.table(benchmark), fresh.table(benchmark))
    row = second.table("fin-sentiment").set_index("model").loc["paper/no-link"]
    assert row["link"] is None and row["submission"] is None

    from podium.web.leaderboard_tab import display  # what failed on the page for a NaN link

    shown, _ = display(second.table("fin-sentiment"), ["Link", "Submission"])
    # escaped HTML, a link to its page here and none elsewhere
    assert '<a href="?tab=models&amp;model=paper%2Fno-link">paper/no-link</a>' in list(shown["Model"])

    (home / ".cache/tables.parquet").unlink()  # tables rebuilt from the cached rows: the same again
    third = _board(home)
    for benchmark in third.cards:
        _assert_same_table(third.table(benchmark), fresh.table(benchmark))


def test_an_empty_table_round_trips_too(home):
    shutil.rmtree(home / "eval-results/fin-sentiment")
    first = _board(home)
    first._dirty = True
    first.save()
    second = _board(home)
    fresh = Leaderboard(Home.from_env(home), use_cache=False)
    _assert_same_table(second.table("fin-sentiment"), fresh.table("fin-sentiment"))


# --------------------------------------------------------------------------- only regular files


def test_symlinks_directories_and_fifos_named_json_are_problems_and_never_read(home, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(_result("evil/linked", 0.99)))  # a valid result, outside eval-results
    results = home / "eval-results"
    (results / "x.json").symlink_to(outside)
    (results / "loop.json").symlink_to(results / "loop.json")
    (results / "to-dir.json").symlink_to(results / "fin-sentiment", target_is_directory=True)
    (results / "y.json").mkdir()
    (results / "y.json" / "inner.json").write_text(json.dumps(_result("evil/inside-dir", 0.99)))
    os.mkfifo(results / "pipe.json")  # reading a FIFO would block the refresh forever
    linked_folder = results / "linked-folder"
    linked_folder.symlink_to(tmp_path, target_is_directory=True)  # not *.json: not followed, not listed
    board = _board(home)
    problems = board.problems
    for name in ("x.json", "loop.json", "to-dir.json"):
        assert "a symbolic link: only regular files inside eval-results are read" in problems[name], name
    assert "a directory" in problems["y.json"] and "not a regular file" in problems["pipe.json"]
    assert not any(p.startswith(("y.json/", "linked-folder")) for p in problems)
    models = set(board.table("fin-sentiment")["model"])
    assert "evil/linked" not in models and "evil/inside-dir" not in models
    assert "northwind/finbert-tone-large" in models  # the rest of the page is there
    again = _board(home)  # and after a restart (from the cache)
    assert set(again.problems) >= {"x.json", "y.json", "pipe.json"}
    assert "evil/linked" not in set(again.table("fin-sentiment")["model"])


def test_a_symlinked_template_mapping_is_ignored(home, tmp_path):
    elsewhere = tmp_path / "mapping.json"
    elsewhere.write_text(json.dumps(MAPPING))
    (home / "eval-results/template-mapping.json").symlink_to(elsewhere)
    _write(home, "legacy.json", {"config": {"model_name": "org/legacy"}, "results": {"sentiment": {"acc": 0.7}}})
    board = _board(home)
    assert "symbolic link" in board.problems["template-mapping.json"]
    assert "no task is mapped" in board.problems["legacy.json"]


# --------------------------------------------------------------------------- numbers


BAD_FILES = {
    "score-5.json": (_result("evil/five", 5.0), "metrics['accuracy']: 5.0 is outside the range of 'accuracy', [0, 1]"),
    "negative.json": (_result("evil/negative", -0.1), "is outside the range"),
    "nan-text.json": (_result("evil/nan", "NaN"), "nan is not a finite number"),
    "inf-text.json": (_result("evil/inf", "Infinity"), "inf is not a finite number"),
    "secondary.json": ({**_result("evil/secondary", 0.5), "metrics": {"accuracy": 0.5, "macro_f1": 7}},
                       "metrics['macro_f1']: 7.0 is outside"),
    "ci-swapped.json": (_result("evil/swapped", 0.95, 0.99, 0.80), "low bound 0.99 is above high bound 0.8"),
    "ci-misses.json": (_result("evil/misses", 0.95, 0.10, 0.20), "does not contain the score 0.95"),
    "ci-range.json": (_result("evil/ci-range", 0.95, 0.9, 1.5), "high bound 1.5 is outside the range"),
    "verified-too.json": (_result("evil/verified", 3.0, source="verified"), "is outside the range"),
    "negative-n.json": (_result("evil/n", 0.5, n=-3), "n: -3 items is not between 0 and 1,000,000,000,000"),
    "look-alike.json": (_result("\u0430cme/bert", 0.99), "model.org: 'аcme' mixes the Cyrillic and Latin scripts"),
    "control.json": (_result("acme/be\u202ert", 0.99), "model.name:"),
    "t-five.json": ({"config": {"model_name": "evil/t-five"}, "results": {"sentiment": {"acc": 5.0}}},
                    "results['sentiment']['acc']: 5.0 is outside"),
    "t-percent.json": ({"config": {"model_name": "evil/t-pct"}, "results": {"percent": {"acc": 250}}},
                       "results['percent']['acc']: 2.5 is outside"),
    "t-bool.json": ({"config": {"model_name": "evil/t-bool"}, "results": {"sentiment": {"acc": True}}},
                    "True is not a number"),
    "t-huge.json": ({"config": {"model_name": "evil/t-huge"}, "results": {"sentiment": {"acc": 10**30}}},
                    "is outside the range"),
    "t-name.json": ({"config": {"model_name": "n\u03bfrthwind/finbert-tone-large"},
                     "results": {"sentiment": {"acc": 0.99}}}, "mixes the Greek and Latin scripts"),
}  # fmt: skip


def test_out_of_range_non_finite_and_inconsistent_numbers_are_problems_and_never_ranked(home):
    _write(home, "template-mapping.json", MAPPING)
    for name, (data, _) in BAD_FILES.items():
        _write(home, f"by-hand/{name}", data)
    _write(home, "by-hand/fine.json", _result("paper/fine", 0.95, 0.93, 0.97))
    _write(home, "by-hand/t-fine.json", {"config": {"model_name": "org/t-fine"}, "results": {"percent": {"acc": 42}}})
    _write(home, "by-hand/edge.json", _result("paper/edge", 1.0, 1.0 - 1e-12, 1.0))  # rounding at a bound is fine
    for board in (_board(home), _board(home)):  # fresh, then from the cache
        problems = board.problems
        for name, (_, message) in BAD_FILES.items():
            assert message in problems[f"by-hand/{name}"], (name, problems.get(f"by-hand/{name}"))
        table = board.table("fin-sentiment")
        models = set(table["model"])
        assert not any(m.startswith(("evil/", "\u0430cme", "n\u03bfrthwind")) for m in models)
        assert {"paper/fine", "org/t-fine", "paper/edge"} <= models
        assert table.set_index("model").loc["org/t-fine", "score"] == pytest.approx(0.42)
        assert table["score"].between(0, 1).all()
        assert table.iloc[0]["model"] == "paper/edge"  # the real top, not a 5.0


def test_the_sample_results_all_pass_the_checks(home):
    board = _board(home)
    assert board.problems == {}
    assert all(not board.table(b).empty for b in board.cards)


def test_a_broken_mapping_entry_is_a_problem_of_the_file_not_a_crash(home):
    _write(home, "template-mapping.json", {"sentiment": {"benchmark": "fin-sentiment", "metrics": {"acc": "accuracy"},
                                                         "scale": "lots"}, "other": "fin-sentiment"})  # fmt: skip
    _write(home, "a.json", {"config": {"model_name": "org/a"}, "results": {"sentiment": {"acc": 0.5}}})
    _write(home, "b.json", {"config": {"model_name": "org/b"}, "results": {"other": {"acc": 0.5}}})
    _write(home, "c.json", {"config": ["not", "an", "object"], "results": {"sentiment": {"acc": 0.5}}})
    problems = _board(home).problems
    assert "entry 'sentiment': 'scale' must be a positive number" in problems["a.json"]
    assert "entry 'other' needs a 'benchmark'" in problems["b.json"]
    assert "'config' must be an object" in problems["c.json"]


def test_a_file_made_valid_again_is_ranked_again(home):
    index = ResultIndex(Home.from_env(home))
    index.load()
    _write(home, "by-hand/r.json", _result("paper/r", 5.0))
    index.refresh(full=True)
    assert "by-hand/r.json" in index.problems
    _write(home, "by-hand/r.json", _result("paper/r", 0.5, extra_field="changed size"))
    index.refresh(full=True)
    assert "by-hand/r.json" not in index.problems
    assert "paper/r" in set(index.frame_for("fin-sentiment")["model"])


def test_score_and_interval_checks():
    assert score_problem("accuracy", 0.5) is None and score_problem("accuracy", 1.0 + 1e-12) is None
    assert "outside" in score_problem("f1", 1.01)
    assert "not a number" in score_problem("accuracy", "0.5")
    assert "not a number" in score_problem("accuracy", True)
    assert score_problem("some_unknown_metric", 42.0) is None  # no range known: only finiteness
    assert "finite" in score_problem("some_unknown_metric", float("inf"))
    assert interval_problem("accuracy", 0.5, 0.4, 0.6) is None
    assert interval_problem("accuracy", None, 0.4, 0.6) is None
    assert "does not contain" in interval_problem("accuracy", 0.7, 0.4, 0.6)
    assert "above" in interval_problem("accuracy", 0.5, 0.6, 0.4)
    assert "finite" in interval_problem("accuracy", 0.5, float("nan"), 0.6)


# --------------------------------------------------------------------------- reported rows


@pytest.fixture()
def card(home):
    return BenchmarkStore(Home.from_env(home)).card("fin-sentiment")


def test_parse_ci_accepts_the_seeds_forms_and_refuses_the_rest():
    assert parse_ci(None) is None and parse_ci("  ") is None
    for text in ("0.93 - 0.97", "0.93-0.97", " .93 – .97 ", "0.93 to 0.97"):
        interval = parse_ci(text)
        assert (interval.low, interval.high) == (0.93, 0.97), text
    for text in ("1.2.3 - 4", "0.9", "- 0.9", "-0.1 - 0.2", "abc", "0.9 - 0.8 - 0.7", "nan - nan", "0.93 - 0.97" * 20):
        with pytest.raises(InvalidField, match="^ci: ") as caught:
            parse_ci(text)
        assert len(str(caught.value)) < 200
    with pytest.raises(InvalidField, match="low bound 0.97 is above high bound 0.93"):
        parse_ci("0.97 - 0.93")
    with pytest.raises(InvalidField, match="outside the range"):
        parse_ci("93 - 97", "accuracy")  # percentages: out of the metric's range
    assert parse_ci("93 - 97").high == 97  # no metric given: no range to check


def test_parse_updated():
    assert parse_updated("Sep 2024") == datetime(2024, 9, 1, tzinfo=UTC)
    assert parse_updated("September 2024") == datetime(2024, 9, 1, tzinfo=UTC)
    assert parse_updated("2024-09-15") == datetime(2024, 9, 15, tzinfo=UTC)
    assert parse_updated("2024-09-15T12:00:00+02:00") == datetime(2024, 9, 15, 10, tzinfo=UTC)
    assert parse_updated(None).tzinfo is not None
    for text in ("yesterday", "2024-13-01", "9999-01-01", "x" * 10_000):
        with pytest.raises(InvalidField, match="^updated: ") as caught:
            parse_updated(text)
        assert len(str(caught.value)) < 200


def test_add_reported_checks_every_field_and_names_it(home, card):
    data = Home.from_env(home)
    cases = [
        (dict(score=float("nan")), "score", "not a finite number"),
        (dict(score=float("inf")), "score", "not a finite number"),
        (dict(score=5.0), "score", "outside the range of 'accuracy'"),
        (dict(score=0.5, ci="0.6 - 0.7"), "ci", "does not contain the score 0.5"),
        (dict(score=0.5, ci="0.7 - 0.4"), "ci", "above high bound"),
        (dict(score=0.5, ci="1.2.3 - 4"), "ci", "must look like"),
        (dict(score=0.5, updated="soon"), "updated", "must look like"),
        (dict(score=0.5, rank=0), "rank", "whole number"),
        (dict(model="\u0430cme/bert", score=0.5), "model", "mixes the Cyrillic and Latin scripts"),
        (dict(model="acme/", score=0.5), "model", "both sides of '/'"),
        (dict(model="a\x00b", score=0.5), "model", "control character"),
    ]
    for fields, field, fragment in cases:
        arguments = {"model": "paper/model", **fields}
        with pytest.raises(InvalidField) as caught:
            add_reported(data, card, **arguments)
        assert caught.value.field == field and fragment in str(caught.value), (fields, str(caught.value))
    assert not (home / "eval-results/reported").exists() or not list((home / "eval-results/reported").rglob("*.json"))


def test_add_reported_writes_a_row_that_the_leaderboard_shows_and_replaces_it_on_re_adding(home, card):
    data = Home.from_env(home)
    path = add_reported(data, card, "Paper/Model", 0.95, "0.93 - 0.97", "Sep 2024", 4)
    stored = Result.read(path)
    assert stored.model == ModelInfo(name="Model", org="Paper") and stored.ci["accuracy"] == Interval(
        low=0.93, high=0.97, method="reported"
    )
    assert stored.model_extra["reported_rank"] == 4 and stored.model_extra["updated"] == "Sep 2024"
    again = add_reported(data, card, "Paper/Model", 0.5)  # the same model: its row is replaced
    assert again == path and Result.read(path).score == 0.5
    board = _board(home)
    assert board.problems == {}
    rows = board.table("fin-sentiment").set_index("model")
    assert rows.loc["Paper/Model", "score"] == 0.5 and rows.loc["Paper/Model", "source"] == "reported"
    unicode = add_reported(data, card, "Модель", 0.4)  # no ASCII letters: its own file, not 'item.json'
    other = add_reported(data, card, "Другая", 0.3)
    assert unicode != other and unicode.name.startswith("u-")
    assert {"Модель", "Другая"} <= set(_board(home).table("fin-sentiment")["model"])


def test_two_names_that_share_a_file_name_are_a_conflict_naming_the_existing_one(home, card):
    data = Home.from_env(home)
    path = add_reported(data, card, "Acme/X", 0.9)
    for other in ("acme/x", "ACME/X", "acme-x", "Acme/X!"):
        with pytest.raises(Conflict, match="with 'Acme/X'"):
            add_reported(data, card, other, 0.1)
    assert Result.read(path).score == 0.9  # untouched
    assert add_reported(data, card, "Acme/X", 0.8) == path  # the owner can still replace it
    (path.parent / "broken.json").write_text("{")
    with pytest.raises(Conflict, match="move it away"):
        add_reported(data, card, "broken", 0.5)


def test_concurrent_slug_alike_names_never_merge(home, card):
    data = Home.from_env(home)
    names = ["Acme/Y", "acme/y", "ACME/Y", "acme-y"] * 4
    outcomes = []
    barrier = threading.Barrier(len(names))

    def add(name):
        barrier.wait()
        try:
            add_reported(data, card, name, 0.5)
            outcomes.append(("ok", name))
        except Conflict:
            outcomes.append(("conflict", name))

    threads = [threading.Thread(target=add, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = {name for status, name in outcomes if status == "ok"}
    assert len(winners) == 1  # one name owns the file; every other name was refused
    assert Result.read(home / "eval-results/reported/fin-sentiment/acme-y.json").model.full_name in winners


def test_a_batch_is_checked_whole_before_anything_is_written(home, card):
    rows = [{"model": "Gemini", "score": 0.95, "ci": "0.93 - 0.97", "updated": "Sep 2024", "rank": 1},
            {"model": "Llama3", "score": 0.92}]  # fmt: skip
    results = reported_rows(card, rows)
    assert [r.model.full_name for r in results] == ["Gemini", "Llama3"]
    with pytest.raises(InvalidField) as caught:
        reported_rows(card, [*rows, {"model": "Bad", "score": float("nan")}])
    assert caught.value.field == "models[2].score" and str(caught.value).startswith("models[2].score: ")
    with pytest.raises(Conflict, match="models\\[2\\]: 'gemini' and 'Gemini'"):
        reported_rows(card, [*rows, {"model": "gemini", "score": 0.5}])
    paths = [store_reported(Home.from_env(home), card, r) for r in results]
    assert all(p.is_file() for p in paths)
    assert reported_result(card, "X", 0.5).source == "reported"

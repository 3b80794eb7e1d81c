"""The results index at scale: readers never wait for a refresh, a refresh is bounded work, edits
are found by the sweep, the caches give back what was built, and the quick ways of reading (the
validation straight from the bytes, worker processes) give exactly what the slow ones give."""

import json
import os
import socket
import threading

import httpx
import pandas as pd
import pytest

import podium.leaderboard as leaderboard_module
import podium.results as results_module
from podium.config import Home
from podium.leaderboard import Leaderboard, rows_of
from podium.results import ResultFileError, ResultIndex, parse_result_file
from podium.schema import Interval, ModelInfo, Result

WAIT = 60  # seconds: only a hang waits this long


def _result(model: str, score: float, benchmark: str = "fin-sentiment", **extra) -> Result:
    org, _, name = model.rpartition("/")
    return Result(
        benchmark=benchmark, model=ModelInfo(name=name, org=org or None, link=f"https://example.org/{name}"),
        primary_metric="accuracy", metrics={"accuracy": score, "macro_f1": score / 2},
        ci={"accuracy": Interval(low=score / 2, high=min(1.0, score * 1.1))}, n=320, submission_id=f"s-{name}",
        **extra,
    )  # fmt: skip


def _write(home, relative: str, result: Result | dict | str):
    path = home / "eval-results" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    text = result.to_json() if isinstance(result, Result) else result if isinstance(result, str) else json.dumps(result)
    path.write_text(text)
    return path


def _models(rows) -> list[str]:
    return [row.model for row in rows]


class _Gate:
    """Holds up the refresh that reads ``name`` until ``open()``; ``entered`` is set once it waits."""

    def __init__(self, monkeypatch, name: str):
        self.name, self.entered, self._open = name, threading.Event(), threading.Event()
        original = results_module.parse_result_file

        def parse(path, *args):
            if path.endswith(self.name):
                self.entered.set()
                assert self._open.wait(WAIT), "the gate was never opened"
            return original(path, *args)

        monkeypatch.setattr(results_module, "parse_result_file", parse)

    def open(self) -> None:
        self._open.set()


def _in_thread(fn, *args) -> tuple[threading.Thread, dict]:
    out: dict = {}
    thread = threading.Thread(target=lambda: out.setdefault("value", fn(*args)), daemon=True)
    thread.start()
    return thread, out


# --------------------------------------------------------------------------- readers never wait


def test_a_read_during_a_refresh_answers_from_the_last_snapshot(home, monkeypatch):
    from podium.web.state import WebState

    state = WebState(Home.from_env(home))
    before = _models(state.rows("fin-sentiment"))
    _write(home, "fin-sentiment/late.json", _result("late/model", 0.99))
    gate = _Gate(monkeypatch, "late.json")
    refresher, _ = _in_thread(state.refresh, True)
    assert gate.entered.wait(WAIT)  # the refresh is now reading the new file, and stays there
    reader, out = _in_thread(state.rows, "fin-sentiment")
    reader.join(WAIT)
    assert not reader.is_alive(), "a read waited for the refresh"
    assert _models(out["value"]) == before  # the last published snapshot
    assert state.overall("text_classification") is not None and state.card("fin-sentiment").id == "fin-sentiment"
    gate.open()
    refresher.join(WAIT)
    assert "late/model" == state.rows("fin-sentiment")[0].model  # published once the refresh is done


def test_a_request_to_a_real_server_is_answered_while_a_refresh_is_held_up(home, monkeypatch):
    import uvicorn
    from fastapi import FastAPI

    from podium.api import add_api
    from podium.web.state import WebState

    state = WebState(Home.from_env(home), refresh_seconds=0.0, watch_seconds=0.05)
    app = FastAPI()
    add_api(app, Home.from_env(home), lambda force=False: state)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{port}/api/leaderboard/fin-sentiment"
    try:
        with httpx.Client(timeout=WAIT) as http:
            while True:  # the server is up
                try:
                    before = http.get(url).json()["rows"]
                    break
                except httpx.TransportError:
                    assert serving.is_alive()
            gate = _Gate(monkeypatch, "late.json")
            state.watch()
            _write(home, "fin-sentiment/late.json", _result("late/model", 0.99))
            assert gate.entered.wait(WAIT)  # the watcher is held up inside its refresh
            for _ in range(3):
                response = http.get(url)
                assert response.status_code == 200 and response.json()["rows"] == before
            gate.open()
            while http.get(url).json()["rows"][0]["model"] != "late/model":
                pass  # the watcher publishes the new file (a hang fails on the client's time-out)
    finally:
        server.should_exit = True
        serving.join(WAIT)
        state.close()


def test_the_overall_table_is_made_once_per_results_version_not_per_read(home, monkeypatch):
    from podium.web.state import WebState

    made = []
    original = leaderboard_module.overall_table
    monkeypatch.setattr(leaderboard_module, "overall_table", lambda *a, **k: made.append(1) or original(*a, **k))
    state = WebState(Home.from_env(home))
    after_start = len(made)
    first = state.overall("text_classification")
    for _ in range(5):
        assert state.overall("text_classification") is first
        state.standings("text_classification")
    assert len(made) == after_start  # reading made nothing
    _write(home, "fin-sentiment/late.json", _result("late/model", 0.99))
    state.refresh(force=True)
    assert len(made) == after_start + 1  # one new results version: the overall table of its task type, once
    assert "late/model" in set(state.overall("text_classification")["model"])


# --------------------------------------------------------------------------- bounded refreshes


def _many(home, folders: int, files: int) -> None:
    for f in range(folders):
        for i in range(files):
            _write(home, f"bulk-{f:02d}/r{i:02d}.json", _result(f"org/m{f:02d}-{i:02d}", 0.5))


def test_a_refresh_stats_a_bounded_share_of_the_files_and_reads_none_that_did_not_change(home, monkeypatch):
    _many(home, folders=10, files=20)
    index = ResultIndex(Home.from_env(home), sweep_files=30)
    index.load()
    statted, reads = [], []
    real_lstat = os.lstat

    def lstat(path, *args):
        if str(path).endswith(".json") and str(path).startswith(str(home)):
            statted.append(str(path))  # a file (folders are stat-ed too: one each per refresh)
        return real_lstat(path, *args)

    monkeypatch.setattr(results_module.os, "lstat", lstat)
    original = results_module.parse_result_file
    monkeypatch.setattr(results_module, "parse_result_file", lambda p, *a: reads.append(p) or original(p, *a))
    total = sum(1 for _ in (home / "eval-results").rglob("*.json"))
    largest = 20
    swept: set[str] = set()
    for _ in range(total):  # every file is stat-ed within a bounded number of refreshes
        statted.clear()
        assert index.refresh() == set()
        assert 0 < len(statted) < 30 + largest  # the budget, overshot by less than one folder
        swept |= set(statted)
        if len(swept) == total:
            break
    assert len(swept) == total and reads == []


def test_a_file_edited_in_place_is_found_within_a_few_refreshes(home):
    _many(home, folders=6, files=20)
    index = ResultIndex(Home.from_env(home), sweep_files=25)
    index.load()
    path = home / "eval-results/bulk-03/r05.json"
    folder_time = os.stat(path.parent).st_mtime_ns
    with open(path, "r+") as fh:  # in place: same inode, the folder's time does not change
        fh.write(_result("org/m03-05", 0.875).to_json())
        fh.truncate()
    assert os.stat(path.parent).st_mtime_ns == folder_time
    total = sum(1 for _ in (home / "eval-results").rglob("*.json"))
    refreshes = 1
    while not index.refresh():  # the sweep goes round: 25 files a refresh
        refreshes += 1
        assert refreshes <= total // 25 + 2, "the sweep went all the way round without finding the edit"
    assert index.frame_for("fin-sentiment").set_index("model").loc["org/m03-05", "score"] == 0.875


def test_a_new_replaced_or_removed_file_is_found_by_the_next_refresh(home):
    index = ResultIndex(Home.from_env(home), sweep_files=0)  # no sweep: the folder listing alone
    index.load()
    _write(home, "fin-sentiment/new.json", _result("org/new", 0.6))
    assert index.refresh() == {"fin-sentiment"}
    temporary = _write(home, "fin-sentiment/.new.json.tmp", _result("org/new", 0.7))
    os.replace(temporary, home / "eval-results/fin-sentiment/new.json")  # replaced, as the backend writes
    assert index.refresh() == {"fin-sentiment"}
    assert index.frame_for("fin-sentiment").set_index("model").loc["org/new", "score"] == 0.7
    (home / "eval-results/fin-sentiment/new.json").unlink()
    assert index.refresh() == {"fin-sentiment"} and "org/new" not in set(index.frame_for("fin-sentiment")["model"])


# --------------------------------------------------------------------------- the caches


def test_a_start_from_the_caches_gives_the_same_rows_tables_and_problems(home):
    _write(home, "by-hand/broken.json", "{not json")
    _write(home, "by-hand/paper.json", _result("paper/reported", 0.77, source="reported"))
    first = Leaderboard(Home.from_env(home))
    first.refresh()
    first.save()
    _write(home, "fin-sentiment/while-away.json", _result("org/while-away", 0.66))  # while nobody runs
    again = Leaderboard(Home.from_env(home))
    again.refresh()
    fresh = Leaderboard(Home.from_env(home), use_cache=False)
    fresh.refresh()
    assert again.problems == fresh.problems and "by-hand/broken.json" in again.problems
    for benchmark in fresh.cards:
        pd.testing.assert_frame_equal(again.table(benchmark), fresh.table(benchmark))
        assert again.rows(benchmark) == fresh.rows(benchmark) == rows_of(fresh.table(benchmark))
        for metric in fresh.card(benchmark).secondary_metrics:
            assert again.rows(benchmark, metric) == rows_of(fresh.table(benchmark, metric))
    assert "org/while-away" in set(again.table("fin-sentiment")["model"])
    pd.testing.assert_frame_equal(again.overall("text_classification"), fresh.overall("text_classification"))


def test_a_start_from_the_cache_reads_no_file_again_with_a_template_mapping(home, monkeypatch):
    mapping = {"sentiment": {"benchmark": "fin-sentiment", "metrics": {"acc": "accuracy"}}}
    _write(home, "template-mapping.json", mapping)
    _write(
        home, "legacy/org_model.json", {"config": {"model_name": "org/legacy"}, "results": {"sentiment": {"acc": 0.7}}}
    )
    Leaderboard(Home.from_env(home)).refresh()  # builds and saves the caches
    reads = []
    original = results_module.parse_result_file
    monkeypatch.setattr(results_module, "parse_result_file", lambda p, *a: reads.append(p) or original(p, *a))
    again = Leaderboard(Home.from_env(home))
    again.refresh()
    assert reads == [] and "org/legacy" in set(again.table("fin-sentiment")["model"])
    mapping["sentiment"]["scale"] = 0.5  # a changed mapping: template files are read again
    _write(home, "template-mapping.json", mapping)
    again.refresh()
    assert "legacy/org_model.json" in reads
    assert again.table("fin-sentiment").set_index("model").loc["org/legacy", "score"] == pytest.approx(0.35)


def test_a_lost_cache_file_means_reading_the_files_again_not_a_wrong_table(home):
    Leaderboard(Home.from_env(home)).refresh()  # builds and saves the caches
    items = home / ".cache/index"
    next(items.glob("f-*.arrow")).unlink()  # lost before a start: the cache is not used
    board = Leaderboard(Home.from_env(home))
    board.refresh()
    for path in items.glob("*.arrow"):  # lost while running: found when a folder changes
        path.unlink()
    _write(home, "fin-sentiment/new.json", _result("org/new", 0.61))
    assert "fin-sentiment" in board.refresh()
    fresh = Leaderboard(Home.from_env(home), use_cache=False)
    for benchmark in fresh.cards:
        pd.testing.assert_frame_equal(board.table(benchmark), fresh.table(benchmark))
    assert "org/new" in set(board.table("fin-sentiment")["model"])


def test_rows_from_the_arrow_table_equal_rows_from_the_dataframe(home):
    board = Leaderboard(Home.from_env(home), use_cache=False)
    for benchmark in board.cards:
        table = board.table(benchmark)
        assert board.rows(benchmark) == rows_of(table)
        assert board.rows(benchmark, limit=2) == rows_of(table.head(2))
        model = table["model"].iloc[-1]
        assert board.row_of(benchmark, model) == rows_of(table.tail(1))[0]
        assert board.result_path(benchmark, model) == table["path"].iloc[-1]
    assert board.row_of("fin-sentiment", "nobody/at-all") is None


# --------------------------------------------------------------------------- quick reading, same answers

_BASE = json.loads(_result("org/base", 0.8, task_type="text_classification").to_json())
_VARIANTS = {
    "as written": {},
    "no interval": {"ci": {}},
    "reported": {"source": "reported"},
    "without org": {"model": {"name": "solo"}},
    "int metric": {"metrics": {"accuracy": 1, "macro_f1": 0}, "ci": {}},
    "unknown metric": {"metrics": {"accuracy": 0.5, "my_metric": 42.0}},
    "offset time": {"evaluated_at": "2026-01-02T03:04:05+02:00"},
    "naive time": {"evaluated_at": "2026-01-02T03:04:05"},
    "fractional time": {"evaluated_at": "2026-01-02T03:04:05.25Z"},
    "epoch time": {"evaluated_at": 1700000000},
    "bad day": {"evaluated_at": "2026-02-30T00:00:00Z"},
    "text score": {"metrics": {"accuracy": "0.5"}},
    "bool score": {"metrics": {"accuracy": True}},
    "out of range": {"metrics": {"accuracy": 1.5}},
    "interval misses": {"ci": {"accuracy": {"low": 0.1, "high": 0.2}}},
    "no primary": {"primary_metric": "f1"},
    "bad n": {"n": -1},
    "float n": {"n": 320.0},
    "bad link": {"model": {"name": "x", "link": "javascript:alert(1)"}},
    "look-alike org": {"model": {"name": "bert", "org": "\u0430cme"}},
    "spaced name": {"model": {"name": "  my   model ", "org": "acme"}},
    "unknown task": {"task_type": "nope"},
    "bad details": {"details": {"per_class": {"a": {"f1": "high"}}}},
    "bad seed": {"seed": "x"},
    "bad kind": {"kind": "request"},
    "bad source": {"source": "guessed"},
    "null version": {"benchmark_version": None},
    "model params": {"model": {"name": "x", "params_b": 7}},
    "bad params": {"model": {"name": "x", "params_b": "7B"}},
    "extra field": {"notes": {"anything": [1, 2]}},
    "outcomes file": {"outcomes_file": "r.outcomes.parquet", "outcomes_sha256": "a" * 64},
    "outcomes file elsewhere": {"outcomes_file": "../private/gold.parquet"},
    "inline outcomes": {"outcomes": {"fields": ["correct"], "values": [[1], [0]]}},
}


@pytest.mark.parametrize("variant", list(_VARIANTS))
def test_validating_from_the_bytes_gives_the_rows_and_the_errors_of_the_full_path(variant, monkeypatch):
    document = {**_BASE, **_VARIANTS[variant]}
    data = json.dumps(document).encode()

    def parsed():
        try:
            return parse_result_file("b/r.json", data, {}, 0.0)
        except ResultFileError as exc:
            return f"error: {exc}"

    quick = parsed()
    monkeypatch.setattr(results_module, "_quick_row", lambda path, data: None)
    assert quick == parsed()


def _bulk_home(home, count: int) -> None:
    for i in range(count):
        _write(home, f"fin-sentiment/bulk-{i:03d}.json", _result(f"org/bulk-{i:03d}", (i % 97) / 100))
    _write(home, "fin-sentiment/broken.json", "{")
    _write(home, "fin-sentiment/bad.json", _result("org/bad", 0.5).model_dump(mode="json") | {"n": -5})


@pytest.mark.heavy  # starts worker processes
def test_worker_processes_read_the_same_rows_and_problems_as_this_process(home):
    _bulk_home(home, 150)
    in_process = ResultIndex(Home.from_env(home), cache_path=home / "a/results.parquet")
    in_process.load()
    workers = ResultIndex(Home.from_env(home), cache_path=home / "b/results.parquet", parallel_from=1)
    workers.load()
    assert workers.problems == in_process.problems and "fin-sentiment/broken.json" in workers.problems

    def ordered(index):
        return index.frame().sort_values("path").reset_index(drop=True)

    pd.testing.assert_frame_equal(ordered(workers), ordered(in_process))


@pytest.mark.heavy  # starts worker processes
def test_a_failed_worker_process_leaves_the_reading_to_this_process(home, monkeypatch):
    _bulk_home(home, 60)
    plain = ResultIndex(Home.from_env(home), cache_path=home / "a/results.parquet")
    plain.load()

    def broken(self, job):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(results_module._Worker, "run", broken)
    fallback = ResultIndex(Home.from_env(home), cache_path=home / "b/results.parquet", parallel_from=1)
    fallback.load()
    assert fallback.problems == plain.problems
    pd.testing.assert_frame_equal(
        fallback.frame().sort_values("path").reset_index(drop=True),
        plain.frame().sort_values("path").reset_index(drop=True),
    )

"""The results layout: small result files, per-item outcomes in a file of their own beside each,
read only by compare; result files with inline outcomes (the older layout) still read and compare."""

import json
import shutil
import socket
import threading
import time

import httpx
import numpy as np
import pytest

from podium import atomic, outcomes
from podium import compare as comparison
from podium.config import Home
from podium.leaderboard import Leaderboard
from podium.private_part import Scores, private_score_path, write_scores
from podium.schema import Outcomes, Result

BENCHMARKS = ("fin-sentiment", "biz-news-ner", "filing-qa", "company-docs-qa")
FIRST, SECOND = "northwind/finbert-tone-large", "open-llm/llama-3-8b-instruct"


def _result_paths(home, benchmark=None):
    root = home / "eval-results"
    return sorted((root / benchmark).glob("*.json") if benchmark else root.glob("*/*.json"))


def _to_sidecars(home) -> None:
    """Rewrite every result of the home in the new layout (as the backend writes them)."""
    for path in _result_paths(home):
        outcomes.write_result(path, outcomes.read_result(path))


@pytest.fixture()
def inline_home(home):
    """The sample home with every result in the older layout: outcomes inline, no outcomes file."""
    for path in _result_paths(home):
        atomic.write_text(
            path,
            outcomes.read_result(path).model_copy(update={"outcomes_file": None, "outcomes_sha256": None}).to_json(),
        )
    for path in (home / "eval-results").rglob(f"*{outcomes.SUFFIX}"):
        path.unlink()
    return home


def _board(home) -> Leaderboard:
    board = Leaderboard(Home.from_env(home), use_cache=False)
    board.refresh()
    return board


def _compare_all(home) -> dict:
    board, h = _board(home), Home.from_env(home)
    answers = {}
    for benchmark in BENCHMARKS:
        models = list(board.table(benchmark)["model"])
        card = board.card(benchmark)
        for metric in (card.primary_metric, *card.secondary_metrics):
            try:
                answers[benchmark, metric] = comparison.compare_models(h, board, benchmark, models, metric)
            except ValueError as exc:  # a metric without per-item outcomes (macro-F1): the same message
                answers[benchmark, metric] = str(exc)
    return answers


def _sidecar_of(home, model: str, benchmark: str = "fin-sentiment"):
    path = next(p for p in _result_paths(home, benchmark) if Result.read(p).model.full_name == model)
    return path, path.with_name(outcomes.file_name(path.name))


# --------------------------------------------------------------------------- writing


def test_a_result_is_written_small_with_its_outcomes_beside_it(inline_home):
    home = inline_home
    for path in _result_paths(home):
        inline = Result.read(path)
        assert inline.outcomes is not None
        before = path.stat().st_size
        outcomes.write_result(path, inline)
        document = json.loads(path.read_text())
        sidecar = path.with_name(f"{path.stem}.outcomes.parquet")
        assert "outcomes" not in document and document["outcomes_file"] == sidecar.name
        assert document["outcomes_sha256"] == outcomes._sha256(sidecar.read_bytes())
        assert path.stat().st_size < before / 1.5  # e.g. 3.6 KB -> 1.7 KB on 320 classification items
        assert path.stat().st_size + sidecar.stat().st_size < before  # and smaller together, too
        again = outcomes.read_result(path)
        assert again.outcomes.fields == inline.outcomes.fields
        assert np.array_equal(np.asarray(again.outcomes.values, float), np.asarray(inline.outcomes.values, float))
        assert again.model_copy(update={"outcomes": None, "outcomes_file": None, "outcomes_sha256": None}) == (
            inline.model_copy(update={"outcomes": None})
        )
        assert outcomes.encode(again.outcomes) == sidecar.read_bytes()  # the same outcomes, the same bytes
    assert not list((home / "eval-results").rglob("*.tmp"))


def test_each_column_is_stored_in_the_narrowest_exact_type():
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = [[1, 0, -3, 0.5, 0.123457, 70000], [0, 1, 120, 0.25, 1.0, 3]]
    data = outcomes.encode(Outcomes(fields=["correct", "flag", "count", "half", "f1", "big"], values=values))
    types = pq.ParquetFile(pa.BufferReader(data)).schema_arrow.types
    assert [str(t) for t in types] == ["uint8", "uint8", "int8", "float", "double", "uint32"]
    back = outcomes.decode(data)
    assert back.values == values  # exact: 0.123457 is not a float32, so it stays a double
    with_ids = Outcomes(fields=["correct"], values=[[1], [0]], ids=["b", "a"], note="kept")
    assert outcomes.decode(outcomes.encode(with_ids)) == with_ids
    with pytest.raises(ValueError, match="2 number"):
        outcomes.encode(Outcomes(fields=["a", "b"], values=[["x", "y"]]))


def test_rescoring_and_the_private_part_write_outcomes_files_too(inline_home):
    """``write_scores`` (rescore, reveal, the in-process backend): each result written beside its outcomes."""
    home = inline_home
    h = Home.from_env(home)
    path = _result_paths(home, "fin-sentiment")[0]
    public = outcomes.read_result(path)
    private = public.model_copy(update={"benchmark": "fin-sentiment-private"})
    write_scores(h, f"fin-sentiment/{path.name}", Scores(public, private, revealed=True))
    for written in (path, home / "eval-results/fin-sentiment-private" / path.name,
                    private_score_path(h, "fin-sentiment", path.name)):  # fmt: skip
        assert "outcomes" not in json.loads(written.read_text())
        assert outcomes.read_result(written).outcomes == public.outcomes


# --------------------------------------------------------------------------- compare and the index


def test_compare_gives_the_same_answers_from_either_layout_and_the_index_lists_no_problem(inline_home):
    home = inline_home
    inline = _compare_all(home)
    tables = {b: _board(home).table(b) for b in BENCHMARKS}
    _to_sidecars(home)
    assert not list((home / "eval-results").rglob("*.json.*"))
    assert _compare_all(home) == inline  # every pair, metric and number identical
    board = _board(home)
    assert board.problems == {}  # an outcomes file is never read (or listed) as a result
    for benchmark in BENCHMARKS:
        assert board.table(benchmark).equals(tables[benchmark])


def test_a_result_in_either_layout_compares_with_one_in_the_other(inline_home):
    home = inline_home
    before = comparison.compare_models(Home.from_env(home), _board(home), "filing-qa",
                                       ["acme/bm25-extractive", "northwind/rag-reader-xl"])  # fmt: skip
    path = next(p for p in _result_paths(home, "filing-qa") if "acme" in p.name)
    outcomes.write_result(path, outcomes.read_result(path))  # one new-layout file beside older ones
    after = comparison.compare_models(Home.from_env(home), _board(home), "filing-qa",
                                      ["acme/bm25-extractive", "northwind/rag-reader-xl"])  # fmt: skip
    assert after == before


def _break(sidecar, other, how: str) -> None:
    if how == "missing":
        sidecar.unlink()
    elif how == "damaged":
        sidecar.write_bytes(sidecar.read_bytes()[:-40])
    elif how == "swapped":  # a valid outcomes file, of another model
        shutil.copyfile(other, sidecar)
    elif how == "a link":  # to the very file it should be
        target = sidecar.with_name("elsewhere.parquet")
        sidecar.rename(target)
        sidecar.symlink_to(target)


BREAKS = {"missing": "missing", "damaged": "SHA-256 differs", "swapped": "SHA-256 differs",
          "a link": "not a regular file|symbolic link"}  # fmt: skip


@pytest.mark.parametrize("how", BREAKS)
def test_a_broken_outcomes_file_is_a_clear_error_for_that_model_only(home, how):
    _to_sidecars(home)
    _, sidecar = _sidecar_of(home, SECOND)
    _, other = _sidecar_of(home, FIRST)
    _break(sidecar, other, how)
    board, h = _board(home), Home.from_env(home)
    with pytest.raises(comparison.NotComparable, match=BREAKS[how]) as raised:
        comparison.compare_models(h, board, "fin-sentiment", [FIRST, SECOND])
    assert SECOND in str(raised.value) and str(home) not in str(raised.value)  # the model; no server path
    assert SECOND in list(board.table("fin-sentiment")["model"]) and board.problems == {}  # still ranked
    others = [m for m in board.table("fin-sentiment")["model"] if m != SECOND]
    assert comparison.compare_models(h, board, "fin-sentiment", others)["pairs"]  # the others still compare


def test_a_result_naming_an_outcomes_file_elsewhere_is_refused(home):
    path, _ = _sidecar_of(home, SECOND)
    outcomes.write_result(path, outcomes.read_result(path))
    document = json.loads(path.read_text())
    for name in ("../../private/fin-sentiment/gold.parquet", ".hidden.outcomes.parquet"):
        path.write_text(json.dumps({**document, "outcomes_file": name}))
        problems = _board(home).problems
        assert "outcomes_file" in problems[f"fin-sentiment/{path.name}"]  # listed, never ranked
    other = outcomes.file_name(_sidecar_of(home, FIRST)[0].name)
    path.write_text(json.dumps({**document, "outcomes_file": other}))
    with pytest.raises(outcomes.OutcomesError, match="as its outcomes file"):
        outcomes.read_result(path)


def test_an_outcomes_file_without_its_result_is_swept_once_old(tmp_path):
    folder = tmp_path / "eval-results" / "b"
    folder.mkdir(parents=True)
    data = outcomes.encode(Outcomes(fields=["correct"], values=[[1]]))
    orphan, kept, staged = (folder / f"{n}.outcomes.parquet" for n in ("orphan", "kept", ".staged"))
    for path in (orphan, kept, staged):
        path.write_bytes(data)
    (folder / "kept.json").write_text("{}")
    assert outcomes.remove_orphans(tmp_path / "eval-results", 3600) == []  # too recent: a writer may be at work
    assert outcomes.remove_orphans(tmp_path / "eval-results", -60) == [orphan]  # as if an hour had passed
    assert kept.exists() and staged.exists()  # its result is there; staged files are the backend's to settle


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture()
def api(home):
    """The REST API on a real loopback server (uvicorn in a thread), over the sample home."""
    import uvicorn
    from fastapi import FastAPI

    from podium.api import add_api
    from podium.web.state import WebState

    state = WebState(Home.from_env(home))  # what `podium serve` gives the API (no watcher thread here)
    app = FastAPI()
    add_api(app, Home.from_env(home), lambda force=False: state)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):  # until it answers (generous: a loaded machine)
        try:
            httpx.get(url + "/api/benchmarks", timeout=5)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield url, home
    server.should_exit = True
    thread.join(30)
    shutil.rmtree(state.files, ignore_errors=True)


def test_the_api_answers_a_broken_outcomes_file_with_a_message_never_a_500(api):
    url, home = api
    _to_sidecars(home)
    body = {"benchmark": "fin-sentiment", "models": [FIRST, SECOND]}
    good = httpx.post(url + "/api/compare", json=body, timeout=60)
    assert good.status_code == 200, good.text
    _sidecar_of(home, SECOND)[1].write_bytes(b"not parquet")
    broken = httpx.post(url + "/api/compare", json=body, timeout=60)
    assert broken.status_code == 404 and SECOND in broken.json()["detail"] and "SHA-256" in broken.json()["detail"]
    board = httpx.get(url + "/api/leaderboard/fin-sentiment", timeout=60)
    assert board.status_code == 200 and SECOND in board.text

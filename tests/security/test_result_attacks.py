"""Attack: get a row onto the leaderboard, or take the page down, with result numbers nobody checked.

Against a real `podium serve` on a copy of the sample data: files dropped by hand into
eval-results (symbolic links, directories named *.json, impossible scores, inverted intervals, in
Podium's and the demo-leaderboard template's format), and the seeds' add_model with NaN, out of
range or malformed values. Every attack must fail: the page answers 200 and the rows are not ranked;
the API answers 422 naming the field.
"""

import json
import os
import time

import httpx
import pytest
from conftest import copy_sample_home, run_podium, start_podium_serve

pytestmark = pytest.mark.heavy

BENCHMARK = "fin-sentiment"
TOP = "northwind/finbert-tone-large"
MAPPING = {"sentiment": {"benchmark": BENCHMARK, "metrics": {"acc": "accuracy"}}}


def _result(model: str, score, ci=None, source="reported") -> dict:
    org, _, name = model.rpartition("/")
    data = {"kind": "result", "benchmark": BENCHMARK, "model": {"name": name, "org": org},
            "source": source, "primary_metric": "accuracy", "metrics": {"accuracy": score}}  # fmt: skip
    if ci:
        data["ci"] = {"accuracy": {"low": ci[0], "high": ci[1]}}
    return data


def _template(model: str, acc) -> dict:
    return {"config": {"model_name": model, "model_sha": "abc"}, "results": {"sentiment": {"acc": acc}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("result-attacks")
    home = copy_sample_home(root)
    (home / "eval-results" / "template-mapping.json").write_text(json.dumps(MAPPING))
    admin = run_podium("token", "create", "--name", "boss", "--role", "admin", home=home, check=True).stdout.strip()
    process, url, _ = start_podium_serve(home, {}, "--no-backend")
    yield {"url": url, "home": home, "admin": admin, "outside": root}
    process.terminate()
    process.wait(timeout=30)


def _rows(server) -> list[dict]:
    response = httpx.get(f"{server['url']}/api/leaderboard/{BENCHMARK}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def _until_listed(server, model: str) -> list[dict]:
    """The rows once ``model`` (a valid row dropped beside the attack) is on the board: from then on
    the server has read the attack's files too."""
    deadline = time.monotonic() + 180  # only a hang waits this long
    while True:
        rows = _rows(server)
        if any(r["model"] == model for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.3)


def test_symlinks_and_directories_named_json_do_not_take_the_leaderboard_down(server):
    results = server["home"] / "eval-results"
    outside = server["outside"] / "stolen.json"
    outside.write_text(json.dumps(_result("evil/linked", 0.999)))  # a valid result, outside eval-results
    (results / "x.json").symlink_to(outside)
    (results / "to-folder.json").symlink_to(results / BENCHMARK, target_is_directory=True)
    (results / "y.json").mkdir()
    (results / "y.json" / "inner.json").write_text(json.dumps(_result("evil/in-folder", 0.999)))
    os.mkfifo(results / "pipe.json")  # reading it would hang the refresh
    (results / "control-1.json").write_text(json.dumps(_result("paper/control-1", 0.5)))
    rows = _until_listed(server, "paper/control-1")
    models = [r["model"] for r in rows]
    assert "paper/control-1" in models and models[0] == TOP
    assert "evil/linked" not in models and "evil/in-folder" not in models
    page = httpx.get(server["url"] + "/", timeout=30)
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("five.json", _result("evil/five", 5.0)),
        ("five-verified.json", _result("evil/five-verified", 5.0, source="verified")),
        ("nan.json", _result("evil/nan", "NaN")),
        ("inverted-ci.json", _result("evil/inverted", 0.99, ci=(0.99, 0.10))),
        ("ci-misses.json", _result("evil/misses", 0.99, ci=(0.10, 0.20))),
        ("template-five.json", _template("evil/template-five", 5.0)),
        ("template-bool.json", _template("evil/template-bool", True)),
    ],
)
def test_impossible_numbers_in_hand_dropped_files_are_never_ranked(server, name, document):
    results = server["home"] / "eval-results" / "by-hand"
    results.mkdir(exist_ok=True)
    (results / name).write_text(json.dumps(document))
    control = f"paper/control-{name.removesuffix('.json')}"
    (results / f"control-{name}").write_text(json.dumps(_result(control, 0.4)))
    rows = _until_listed(server, control)
    models = [r["model"] for r in rows]
    assert control in models
    assert not any(m.startswith("evil/") for m in models)
    assert rows[0]["model"] == TOP and all(0 <= r["score"] <= 1 for r in rows)


def _add_model(server, **fields):
    body = {"dataset_name": BENCHMARK, "model": "paper/reported", "score": 0.5, **fields}
    headers = {"Authorization": f"Bearer {server['admin']}", "Content-Type": "application/json"}
    # json.dumps writes NaN as the bare token NaN, which Python's JSON parser (FastAPI's) accepts
    url = server["url"] + "/api/leaderboard/add_model"
    return httpx.post(url, content=json.dumps(body), headers=headers, timeout=30)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"score": float("nan")}, "score"),
        ({"score": float("inf")}, "score"),
        ({"score": 5.0}, "score"),
        ({"score": -1.0}, "score"),
        ({"ci": "1.2.3 - 4"}, "ci"),
        ({"ci": "0.9.9-1"}, "ci"),
        ({"ci": "0.9 - 0.1"}, "ci"),
        ({"ci": "0.1 - 0.2"}, "ci"),  # does not contain the score 0.5
        ({"ci": "50 - 60"}, "ci"),
        ({"updated": "the year 3000"}, "updated"),
        ({"updated": "3000-01-01"}, "updated"),
    ],
)
def test_add_model_with_impossible_values_is_a_422_naming_the_field(server, fields, field):
    response = _add_model(server, model=f"paper/bad-{field}", **fields)
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["detail"])
    assert all(not r["model"].startswith("paper/bad-") for r in _rows(server))


def test_add_model_with_two_names_that_slug_alike_is_a_409_naming_the_existing_one(server):
    assert _add_model(server, model="Paper/Twin", score=0.3).status_code == 200
    response = _add_model(server, model="paper/twin", score=0.9)
    assert response.status_code == 409, response.text
    assert "Paper/Twin" in response.json()["detail"]
    rows = {r["model"]: r["score"] for r in _rows(server)}
    assert rows.get("Paper/Twin") == 0.3 and "paper/twin" not in rows


def test_a_huge_item_count_or_a_script_link_is_refused_and_the_board_stays_up(server):
    results = server["home"] / "eval-results" / BENCHMARK
    huge = {**_result("evil/huge-n", 0.6), "n": 18446744073709551615}
    (results / "huge-n.json").write_text(json.dumps(huge))
    script = _result("evil/script-link", 0.6)
    script["model"]["link"] = "javascript:alert(1)"
    (results / "script-link.json").write_text(json.dumps(script))
    (results / "control-3.json").write_text(json.dumps(_result("paper/control-3", 0.5)))
    rows = _until_listed(server, "paper/control-3")
    models = [r["model"] for r in rows]
    assert "paper/control-3" in models and "evil/huge-n" not in models and "evil/script-link" not in models
    for task_type in ("text_classification", "prompting"):
        overall = httpx.get(f"{server['url']}/api/leaderboard", params={"task_type": task_type}, timeout=30)
        assert overall.status_code == 200

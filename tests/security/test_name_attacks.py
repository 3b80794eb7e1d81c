"""Attack: pass one model or benchmark off as another with a name that looks the same.

Against a real `podium serve` on a copy of the sample data: mixed-script look-alikes (a Cyrillic
'о' in "northwind"), invisible and bidi characters, names that differ only in case or punctuation
(they share a file name), and names without ASCII letters (which all used to become the id "item").
Every attack must fail: a 4xx naming the field, or, for a hand-dropped file, a row never ranked.
"""

import json
import time

import httpx
import pytest
from conftest import REPO, copy_sample_home, run_podium, start_podium_serve

pytestmark = pytest.mark.heavy

BENCHMARK = "fin-sentiment"
REAL = "northwind/finbert-tone-large"
LOOK_ALIKE = "n\u043erthwind/finbert-tone-large"  # Cyrillic о
PREDICTIONS = REPO / "samples/predictions/fin-sentiment/baselines--majority-class.csv"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = copy_sample_home(tmp_path_factory.mktemp("name-attacks"))
    admin = run_podium("token", "create", "--name", "boss", "--role", "admin", home=home, check=True).stdout.strip()
    process, url, _ = start_podium_serve(home, {}, "--no-backend")
    yield {"url": url, "home": home, "admin": admin}
    process.terminate()
    process.wait(timeout=30)


def _post(server, path, body):
    headers = {"Authorization": f"Bearer {server['admin']}"}
    return httpx.post(server["url"] + path, json=body, headers=headers, timeout=30)


def _rows(server, benchmark=BENCHMARK) -> list[dict]:
    response = httpx.get(f"{server['url']}/api/leaderboard/{benchmark}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def _reported(org: str, name: str, score: float) -> str:
    return json.dumps({"kind": "result", "benchmark": BENCHMARK, "model": {"name": name, "org": org},
                       "source": "reported", "primary_metric": "accuracy", "metrics": {"accuracy": score}})  # fmt: skip


def test_a_hand_dropped_look_alike_of_the_top_model_is_never_ranked(server):
    folder = server["home"] / "eval-results" / "by-hand"
    folder.mkdir()
    spoofs = [("n\u043erthwind", "finbert-tone-large"), ("northwind", "finbert\u200b-tone-large"),
              ("northwind", "\u202eegral-enot-trebnif")]  # fmt: skip
    for i, (org, name) in enumerate(spoofs):
        (folder / f"spoof-{i}.json").write_text(_reported(org, name, 0.999))
    (folder / "control.json").write_text(_reported("paper", "control", 0.3))
    deadline = time.monotonic() + 180  # only a hang waits this long
    rows = _rows(server)
    while not any(r["model"] == "paper/control" for r in rows) and time.monotonic() < deadline:
        time.sleep(0.3)
        rows = _rows(server)
    models = [r["model"] for r in rows]
    assert "paper/control" in models and models[0] == REAL
    assert models.count(REAL) == 1 and LOOK_ALIKE not in models
    assert all(r["score"] < 0.999 for r in rows)


def test_names_without_ascii_letters_get_distinct_ids_not_one_shared_item(server):
    ids = []
    for name in ("Финансы", "Новости", "金融"):
        body = {"name": name, "task_type": "text_classification", "models": [{"model": "Модель", "score": 0.5}]}
        response = _post(server, "/api/leaderboard/add_dataset", body)
        assert response.status_code == 200, response.text
        ids.append(response.json()["dataset_id"])
    assert len(set(ids)) == 3 and "item" not in ids
    for benchmark in ids:
        assert [r["model"] for r in _rows(server, benchmark)] == ["Модель"]


@pytest.mark.parametrize("model", [LOOK_ALIKE, "northwind/finbert\u200b-tone-large", "acme/\u202eevil", "a\x00b"])
def test_add_model_with_a_look_alike_or_invisible_name_is_a_422(server, model):
    response = _post(server, "/api/leaderboard/add_model", {"dataset_name": BENCHMARK, "model": model, "score": 0.99})
    assert response.status_code == 422, response.text
    assert "model" in response.json()["detail"]
    assert all(r["score"] < 0.99 for r in _rows(server))


def test_add_model_names_that_share_a_file_name_are_a_409_naming_the_first(server):
    body = {"dataset_name": BENCHMARK, "model": "Paper/Same", "score": 0.2}
    first = _post(server, "/api/leaderboard/add_model", body)
    assert first.status_code == 200
    body = {"dataset_name": BENCHMARK, "model": "paper/same", "score": 0.9}
    second = _post(server, "/api/leaderboard/add_model", body)
    assert second.status_code == 409 and "Paper/Same" in second.json()["detail"]
    rows = {r["model"]: r["score"] for r in _rows(server)}
    assert rows["Paper/Same"] == 0.2 and "paper/same" not in rows


def test_add_dataset_with_a_look_alike_name_or_a_slug_twin_is_refused(server):
    body = {"name": "Seeds Board", "task_type": "text_classification", "models": []}
    assert _post(server, "/api/leaderboard/add_dataset", body).status_code == 200
    twin = _post(server, "/api/leaderboard/add_dataset", {**body, "name": "seeds board!"})
    assert twin.status_code == 409 and "Seeds Board" in twin.json()["detail"]
    spoof = _post(server, "/api/leaderboard/add_dataset", {**body, "name": "S\u0435eds Board"})  # Cyrillic е
    assert spoof.status_code == 422 and "mixes" in spoof.json()["detail"]
    rows = _post(server, "/api/leaderboard/add_dataset", {**body, "name": "Other", "models": [
        {"model": "Gemini", "score": 0.9}, {"model": "gemini", "score": 0.1}]})  # fmt: skip
    assert rows.status_code == 409
    assert httpx.get(server["url"] + "/api/benchmarks/other", timeout=30).status_code == 404  # nothing half-stored


def test_submitting_under_a_look_alike_of_another_model_is_refused(server):
    with open(PREDICTIONS, "rb") as fh:
        response = httpx.post(
            server["url"] + "/api/submissions",
            data={"benchmark": BENCHMARK, "model_name": LOOK_ALIKE},
            files={"predictions": ("p.csv", fh, "text/csv")},
            headers={"Authorization": f"Bearer {server['admin']}"},
            timeout=60,
        )
    assert 400 <= response.status_code < 500 and response.status_code != 404, response.text
    assert "mixes" in response.text

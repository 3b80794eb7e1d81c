"""The REST API over a real HTTP server (`podium serve` on loopback), the Python client and the CLI."""

import json
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import REPO, copy_sample_home, run_podium, start_podium_serve
from scipy.stats import binomtest

from podium import outcomes
from podium.client import ApiError, Client

PODIUM = str(Path(sys.executable).with_name("podium"))
SEED_DATASET = {
    "name": "Financial Phrasebank - Classification Accuracy",
    "url": "https://huggingface.co/datasets/takala/financial_phrasebank",
    "task_type": "text_classification",
    "description": "A dataset for financial sentiment classification.",
    "models": [{"rank": 1, "model": "Gemini", "score": 0.95, "ci": "0.93 - 0.97", "updated": "Sep 2024"}],
}
SEED_MODEL = {
    "dataset_name": "Financial Phrasebank - Classification Accuracy",
    "model": "Llama3",
    "rank": 4,
    "score": 0.92,
    "ci": "0.90 - 0.94",
    "updated": "Sep 2024",
}


def start_api(root: Path, env: dict) -> dict:
    home = copy_sample_home(root)
    tokens = {}
    for name, role, extra in (("boss", "admin", []), ("alice", "submitter", ["--org", "api", "--org", "pipeline"]),
                              ("bob", "submitter", []),
                              ("brief", "submitter", ["--expires-days", "0.00001"]), ("carol", "submitter", []),
                              ("dave", "submitter", []), ("frank", "submitter", [])):  # fmt: skip
        proc = run_podium("token", "create", "--name", name, "--role", role, *extra, home=home, check=True)
        tokens[name] = proc.stdout.strip()
    run_podium("token", "revoke", "bob", home=home, check=True)
    process, url, _ = start_podium_serve(home, env, "--interval", "0.3")
    return {"url": url, "home": home, "tokens": tokens, "log": home / "serve.log", "process": process}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    env = {"PODIUM_MAX_PREDICTIONS_MB": "0.05", "PODIUM_RATE_LIMIT_PER_MINUTE": "40", "PODIUM_DAILY_SUBMISSIONS": "3"}
    server = start_api(tmp_path_factory.mktemp("api"), env)
    yield server
    server["process"].terminate()
    server["process"].wait(timeout=30)


def _post(api, path, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(api["url"] + path, json=body, headers=headers, timeout=30)


def test_the_seeds_payloads_posted_verbatim_give_the_seeds_responses(api):
    admin = api["tokens"]["boss"]
    response = _post(api, "/api/leaderboard/add_dataset", SEED_DATASET, admin)
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "success", "message": "Dataset added to leaderboard.", "dataset_id": body["dataset_id"]}
    response = _post(api, "/api/leaderboard/add_model", SEED_MODEL, admin)
    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "Model added to dataset on leaderboard."}
    response = _post(api, "/api/leaderboard/add_model", {**SEED_MODEL, "dataset_name": "Nope"}, admin)
    assert response.status_code == 404
    assert response.json()["status"] == "error" and response.json()["message"] == "Dataset not found."
    rows = Client(api["url"]).get_leaderboard(body["dataset_id"])
    assert [(r["rank"], r["model"], r["score"], r["ci"]) for r in rows] == [
        (1, "Gemini", 0.95, "0.93 - 0.97"),
        (2, "Llama3", 0.92, "0.90 - 0.94"),  # the shown rank comes from the scores, not the given 4
    ]
    assert all(r["source"] == "reported" for r in rows)
    long_name = {**SEED_DATASET, "name": "Second", "task_type": "Named Entity Recognition", "models": []}
    assert _post(api, "/api/leaderboard/add_dataset", long_name, admin).status_code == 200
    assert _post(api, "/api/leaderboard/add_dataset", SEED_DATASET, admin).status_code == 409


@pytest.mark.parametrize(
    "token,status",
    [(None, 401), ("not-a-token", 401), ("alice", 403), ("bob", 401), ("brief", 401)],
    ids=["no token", "wrong token", "wrong role", "revoked", "expired"],
)
def test_auth_errors(api, token, status):
    time.sleep(1)  # the "brief" token has expired by now
    value = api["tokens"].get(token, token)
    response = _post(api, "/api/leaderboard/add_model", SEED_MODEL, value)
    assert response.status_code == status, response.text
    assert "detail" in response.json()


def test_client_submits_waits_and_reads_the_leaderboard(api):
    client = Client(api["url"], token=api["tokens"]["alice"])
    assert {b["id"] for b in client.list_benchmarks()} >= {"fin-sentiment", "biz-news-ner"}
    submission = client.submit_predictions(
        "biz-news-ner", "client-model", REPO / "samples/predictions/biz-news-ner/acme--crf-tagger.csv", org="api"
    )
    assert submission["created"] and submission["submitter"] == "alice"
    final = client.wait(submission["id"], timeout=60, poll=0.3)
    assert final["status"] == "FINISHED"
    assert final["result"]["ci"]["f1"]["display"]
    rows = client.get_leaderboard("biz-news-ner")
    mine = next(r for r in rows if r["model"] == "api/client-model")
    assert mine["ci"] == final["result"]["ci"]["f1"]["display"] and mine["submission"] == submission["id"]
    assert client.list_submissions(model_name="api/client-model")[0]["id"] == submission["id"]
    history = httpx.get(api["url"] + "/api/history", params={"model_name": "api/client-model", "days": 1}).json()
    assert history[0]["score"] == pytest.approx(final["result"]["metrics"]["f1"])
    with pytest.raises(ApiError) as info:
        client.cancel(submission["id"])
    assert info.value.status == 409


def test_bad_input_and_limits_get_their_status_codes(api, tmp_path):
    client = Client(api["url"], token=api["tokens"]["alice"])
    bad = tmp_path / "bad.csv"
    bad.write_text("id,prediction\nfs-0001,Positve\n")
    with pytest.raises(ApiError) as info:
        client.submit_predictions("fin-sentiment", "m", bad)
    assert info.value.status == 422 and "label 'Positve'" in info.value.detail
    big = tmp_path / "big.csv"
    big.write_text("id,prediction\n" + "x,y\n" * 20_000)
    with pytest.raises(ApiError) as info:
        client.submit_predictions("fin-sentiment", "m", big)
    assert info.value.status == 413
    with pytest.raises(ApiError) as info:
        client.submit_predictions("no-such-benchmark", "m", bad)
    assert info.value.status == 404
    assert httpx.get(api["url"] + "/api/submissions/nope").status_code == 404
    assert httpx.get(api["url"] + "/api/leaderboard/nope").status_code == 404


def test_compare_gives_scipys_exact_binomial_p_value_on_the_disguised_counts(api):
    from podium.compare import phantoms_for
    from podium.config import Home
    from podium.secrets_store import server_secret

    home = api["home"]
    first, second = "northwind/finbert-tone-large", "open-llm/llama-3-8b-instruct"
    out = Client(api["url"]).compare("fin-sentiment", [first, second])
    pair = out["pairs"][0]
    results = {}
    for path in (home / "eval-results/fin-sentiment").glob("*.json"):
        result = outcomes.read_result(path)
        results[result.model.full_name] = result
    ra, rb = results[pair["model_a"]], results[pair["model_b"]]
    a, b = ([row[1] for row in r.outcomes.values] for r in (ra, rb))
    only_a = sum(1 for x, y in zip(a, b, strict=True) if x and not y)
    only_b = sum(1 for x, y in zip(a, b, strict=True) if y and not x)
    k = phantoms_for(server_secret(Home.from_env(home)), ra, rb)  # the pair's secret phantoms (docs/metrics.md)
    exact = binomtest(only_a + k, only_a + only_b + 2 * k, 0.5).pvalue
    assert pair["p_value"] == float(f"{exact:.2g}")
    assert pair["test"] == "exact McNemar" and out["best"] == first
    assert pair["ci_low"] <= pair["difference"] <= pair["ci_high"]
    three = Client(api["url"]).compare("fin-sentiment", [first, second, "baselines/majority-class"])
    assert len(three["pairs"]) == 3 and all(p["p_holm"] >= p["p_value"] for p in three["pairs"])


def test_cli_submit_over_http_with_wait(api, tmp_path):
    env = {"PODIUM_URL": api["url"], "PODIUM_TOKEN": api["tokens"]["alice"]}
    predictions = str(REPO / "samples/predictions/filing-qa/acme--bm25-extractive.csv")
    proc = run_podium("submit", "filing-qa", predictions, "--model", "ci-model", "--org", "pipeline", "--wait",
                      env=env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[1].startswith("f1 0.6984  95% CI ") and "rank " in lines[1]
    request_id = lines[0]

    # status, leaderboard and cancel over HTTP print what the same commands print on the server's folders
    remote = run_podium("status", request_id, env=env)
    local = run_podium("status", request_id, home=api["home"])
    assert remote.returncode == 0 and "FINISHED" in remote.stdout and "score       f1 0.6984" in remote.stdout
    assert remote.stdout == local.stdout
    remote = json.loads(run_podium("leaderboard", "filing-qa", "--json", env=env, check=True).stdout)
    local = json.loads(run_podium("leaderboard", "filing-qa", "--json", home=api["home"], check=True).stdout)
    assert remote == local and any(r["submission"] == request_id for r in remote)
    text = run_podium("leaderboard", "filing-qa", env=env, check=True).stdout
    assert text == run_podium("leaderboard", "filing-qa", home=api["home"], check=True).stdout
    overall = run_podium("leaderboard", "--task", "prompting", "--json", env=env, check=True).stdout
    assert any(r["model"] == "pipeline/ci-model" for r in json.loads(overall))
    remote = run_podium("queue", "--model", "ci-model", env=env, check=True).stdout.splitlines()
    local = run_podium("queue", "--model", "ci-model", home=api["home"], check=True).stdout.splitlines()
    assert remote[0].startswith("pending ") and "finished " in remote[0]
    assert remote[1:] == local[1:] and request_id in remote[1] and "FINISHED" in remote[1]
    summary = Client(api["url"]).queue_summary()
    assert set(summary["counts"]) == {"PENDING", "RUNNING", "FINISHED", "FAILED", "CANCELLED"}
    assert summary["counts"]["FINISHED"] >= 1 and summary["unreadable"] == 0
    finished = run_podium("cancel", request_id, env=env)
    assert finished.returncode == 2 and "already FINISHED" in finished.stderr
    anonymous = run_podium("cancel", request_id, env={"PODIUM_URL": api["url"]})
    assert anonymous.returncode == 2 and "token" in anonymous.stderr.lower()
    assert run_podium("status", "no-such-id", env=env).returncode == 2
    assert run_podium("status", request_id, env={"PODIUM_URL": "http://127.0.0.1:9"}).returncode == 3

    bad = tmp_path / "bad.csv"
    bad.write_text("id,prediction\nnope,x\n")
    assert run_podium("submit", "filing-qa", str(bad), "--model", "m", env=env).returncode == 2
    unreachable = {**env, "PODIUM_URL": "http://127.0.0.1:9"}
    assert run_podium("submit", "filing-qa", predictions, "--model", "m", env=unreachable).returncode == 3


def test_tokens_never_appear_in_logs_or_responses(api):
    log = api["log"].read_text()
    for token in api["tokens"].values():
        assert token not in log
    listing = run_podium("token", "list", home=api["home"], check=True).stdout
    assert all(token not in listing for token in api["tokens"].values())
    stored = (api["home"] / "private/tokens.json").read_text()
    assert all(token not in stored for token in api["tokens"].values())  # only hashes
    body = json.dumps(httpx.get(api["url"] + "/api/submissions").json())
    assert all(token not in body for token in api["tokens"].values())


def test_openapi_is_served(api):
    spec = httpx.get(api["url"] + "/openapi.json").json()
    assert "/api/leaderboard/add_dataset" in spec["paths"] and "/api/compare" in spec["paths"]
    assert httpx.get(api["url"] + "/docs").status_code == 200


def test_rate_limit_per_token_answers_429_with_retry_after(api):
    headers = {"Authorization": f"Bearer {api['tokens']['dave']}"}
    statuses = [httpx.post(api["url"] + "/api/submissions/nope/cancel", headers=headers).status_code for _ in range(41)]
    assert statuses[:40] == [404] * 40
    last = httpx.post(api["url"] + "/api/submissions/nope/cancel", headers=headers)
    assert last.status_code == 429 and int(last.headers["Retry-After"]) >= 1
    assert "requests a minute" in last.json()["detail"]
    other = {"Authorization": f"Bearer {api['tokens']['carol']}"}
    assert httpx.post(api["url"] + "/api/submissions/nope/cancel", headers=other).status_code == 404  # per token


def test_daily_submissions_per_benchmark_are_limited(api):
    client = Client(api["url"], token=api["tokens"]["carol"])
    predictions = REPO / "samples/predictions/company-docs-qa/acme--bm25-extractive.csv"
    for revision in ("r1", "r2", "r3"):
        assert client.submit_predictions("company-docs-qa", "quota-model", predictions, revision=revision)["created"]
    with pytest.raises(ApiError) as info:
        client.submit_predictions("company-docs-qa", "quota-model", predictions, revision="r4")
    assert info.value.status == 429 and "the limit is 3" in info.value.detail
    other = client.submit_predictions(
        "filing-qa", "quota-model", REPO / "samples/predictions/filing-qa/acme--bm25-extractive.csv"
    )
    assert other["created"]  # another benchmark is fine


def test_the_web_form_takes_its_identity_from_a_token(home):
    from podium.config import Home
    from podium.web.state import WebState
    from podium.web.submit_tab import token_label, web_submit

    state = WebState(Home.from_env(home))
    assert "has none yet" in token_label(state)
    predictions = str(REPO / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl")
    before = state.queue.ids()
    request_id, text = web_submit(state, "fin-sentiment", predictions, "open-mode", None, None, None, None)
    assert request_id is None and "podium token create" in text  # fails closed: no tokens, no page submissions
    assert state.queue.ids() == before
    token = run_podium("token", "create", "--name", "erin", "--role", "submitter", home=home, check=True).stdout.strip()
    assert "needed: a maintainer creates one" in token_label(state)
    request_id, text = web_submit(state, "fin-sentiment", predictions, "m2", None, None, None, "wrong")
    assert request_id is None and "valid API token" in text
    request_id, text = web_submit(state, "fin-sentiment", predictions, "m2", None, None, None, token)
    assert state.queue.get(request_id).submitter == "erin" and state.queue.get(request_id).model.org == "erin"


def test_admin_creates_a_benchmark_with_an_eval_set_and_metric_sorting(api, tmp_path):
    data = tmp_path / "eval.csv"
    data.write_text("id,text,label\n1,good,pos\n2,bad,neg\n3,fine,pos\n")
    admin = {"Authorization": f"Bearer {api['tokens']['boss']}"}
    form = {"id": "api-bench", "task_type": "Text Classification", "name": "API bench", "labels": "neg,pos"}
    with open(data, "rb") as fh:
        response = httpx.post(api["url"] + "/api/benchmarks", data=form, files={"data": ("eval.csv", fh)},
                              headers=admin)  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["n_items"] == 3 and response.json()["labels"] == ["neg", "pos"]
    with open(data, "rb") as fh:
        again = httpx.post(api["url"] + "/api/benchmarks", data=form, files={"data": ("eval.csv", fh)}, headers=admin)
    assert again.status_code == 409
    data.write_text("id,text,label\n1,good,pos\n2,bad,neg\n3,fine,neg\n")  # a gold answer corrected
    with open(data, "rb") as fh:  # only the id: the name, task type and label set are kept
        replaced = httpx.post(api["url"] + "/api/benchmarks", data={"id": "api-bench", "task_type": "classification",
                              "replace": "true"}, files={"data": ("eval.csv", fh)}, headers=admin)  # fmt: skip
    assert replaced.status_code == 201 and replaced.json()["version"] == "2", replaced.text
    assert replaced.json()["name"] == "API bench" and replaced.json()["labels"] == ["neg", "pos"]
    with open(data, "rb") as fh:
        wrong = httpx.post(api["url"] + "/api/benchmarks", data={**form, "id": "x"}, files={"data": ("eval.txt", fh)},
                           headers=admin)  # fmt: skip
    assert wrong.status_code == 400 and "the eval set must be a" in wrong.json()["detail"]
    submitter = {"Authorization": f"Bearer {api['tokens']['frank']}"}  # a fresh token: not rate-limited here
    with open(data, "rb") as fh:
        assert httpx.post(api["url"] + "/api/benchmarks", data=form, files={"data": ("eval.csv", fh)},
                          headers=submitter).status_code == 403  # fmt: skip
    inputs = httpx.get(api["url"] + "/api/benchmarks/api-bench/inputs").text
    assert "pos" not in inputs and '"text": "good"' in inputs
    by_precision = httpx.get(api["url"] + "/api/leaderboard/biz-news-ner", params={"metric": "precision"}).json()
    rows = by_precision["rows"]
    assert by_precision["metric"] == "precision" and "precision" not in rows[0] and "f1" in rows[0]
    precisions = [r["score"] for r in rows]  # score, interval, rank and rank UB all follow the metric asked for
    ranks = [r["rank"] for r in rows]
    assert precisions == sorted(precisions, reverse=True) and ranks == sorted(ranks) and ranks[0] == 1
    assert all(r["ci_low"] <= r["score"] <= r["ci_high"] for r in rows)
    primary = {r["model"]: r for r in httpx.get(api["url"] + "/api/leaderboard/biz-news-ner").json()["rows"]}
    assert all(r["f1"] == primary[r["model"]]["score"] for r in rows)
    assert all(r["ci_low"] != primary[r["model"]]["ci_low"] for r in rows)  # precision's own interval
    bad = httpx.get(api["url"] + "/api/leaderboard/biz-news-ner", params={"metric": "nope"})
    assert bad.status_code == 422 and "precision" in bad.json()["detail"]


def test_cli_wait_exits_1_when_scoring_fails(tmp_path):
    home = copy_sample_home(tmp_path)
    token = run_podium("token", "create", "--name", "t", "--role", "submitter", home=home, check=True).stdout.strip()
    process, url, _ = start_podium_serve(home, None, "--interval", "0.2", "--timeout", "0.001")  # nothing can finish
    try:
        env = {"PODIUM_URL": url, "PODIUM_TOKEN": token}
        predictions = str(REPO / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl")
        proc = run_podium("submit", "fin-sentiment", predictions, "--model", "slow", "--wait", env=env)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "FAILED" in proc.stderr and "took longer than" in proc.stderr
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_typed_errors_get_their_status_codes_from_one_table():
    from podium import errors as e
    from podium.api.errors import answer
    from podium.private_part import BenchmarkClosed
    from podium.queue import InvalidTransition, RequestNotFound
    from podium.slugs import UnsafeNameError

    expected = {e.UnknownBenchmark("no benchmark 'x'"): 404, RequestNotFound("no submission 'x'"): 404,
                e.Forbidden("not yours"): 403, e.Conflict("taken"): 409, BenchmarkClosed("closed"): 409,
                InvalidTransition("already FINISHED"): 409, e.InvalidField("model", "empty"): 422,
                UnsafeNameError("not a slug"): 422, e.TooLarge("too big"): 413, e.UsageError("bad"): 400,
                e.BenchmarkError("unreadable eval set"): 400, e.QuotaExceeded("the limit is 3", retry_after=60): 429,
                e.InvalidPredictions([e.Problem("row 2", "label 'x' is not one of a, b")]): 422,
                e.Unauthenticated("this operation needs a token"): 401}  # fmt: skip
    for error, status in expected.items():
        response = answer(error)
        assert response.status_code == status, error
        assert json.loads(response.body)["detail"] == str(error)
    assert answer(e.QuotaExceeded("the limit is 3", retry_after=60)).headers["Retry-After"] == "60"
    assert answer(e.Unauthenticated("no token")).headers["WWW-Authenticate"] == "Bearer"


def test_filters_of_the_submission_listing(api):
    rows = httpx.get(api["url"] + "/api/submissions", params={"status": "finished", "limit": 2}).json()
    assert len(rows) == 2 and all(r["status"] == "FINISHED" for r in rows)
    assert rows[0]["created_at"] >= rows[1]["created_at"]  # newest first
    bad = httpx.get(api["url"] + "/api/submissions", params={"status": "done"})
    assert bad.status_code == 422 and "PENDING, RUNNING, FINISHED, FAILED, CANCELLED" in bad.json()["detail"]
    by_name = httpx.get(api["url"] + "/api/submissions", params={"model_name": "FINBERT-tone-large"}).json()
    assert by_name and {r["model"]["name"] for r in by_name} == {"finbert-tone-large"}


def test_leaderboard_answers_carry_an_etag_and_a_changed_table_gets_a_new_one(api):
    """One serialisation per results version: the same bytes and ETag until the table changes; a
    client sending the ETag back gets 304 with no body."""
    url = api["url"] + "/api/leaderboard/fin-sentiment"
    first = httpx.get(url)
    etag = first.headers["etag"]
    assert first.status_code == 200 and etag.startswith('"') and first.json()["rows"]
    again = httpx.get(url)
    assert again.headers["etag"] == etag and again.content == first.content
    unchanged = httpx.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert httpx.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    admin = api["tokens"]["boss"]
    added = _post(api, "/api/leaderboard/add_model",
                  {"dataset_name": "fin-sentiment", "model": "etag/probe", "score": 0.5}, admin)  # fmt: skip
    assert added.status_code == 200
    changed = httpx.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert "etag/probe" in {r["model"] for r in changed.json()["rows"]}
    overall = httpx.get(api["url"] + "/api/leaderboard", params={"task_type": "Text Classification"})
    assert overall.status_code == 200 and httpx.get(
        api["url"] + "/api/leaderboard", params={"task_type": "text_classification"},
        headers={"If-None-Match": overall.headers["etag"]},
    ).status_code == 304  # fmt: skip


def test_model_metadata_is_submitted_shown_and_filtered_over_http(api):
    client = Client(api["url"], token=api["tokens"]["carol"])
    predictions = REPO / "samples/predictions/fin-sentiment/northwind--finbert-tone-large.csv"
    submission = client.submit_predictions("fin-sentiment", "small-open", predictions, model_type="open weights",
                                           params="1.5B", license="MIT")  # fmt: skip
    assert submission["model"]["model_type"] == "open-weights" and submission["model"]["params_b"] == 1.5
    assert client.wait(submission["id"], timeout=60, poll=0.3)["status"] == "FINISHED"
    url = api["url"] + "/api/leaderboard/fin-sentiment"
    everything = httpx.get(url).json()["rows"]
    mine = next(r for r in everything if r["model"] == "carol/small-open")
    assert (mine["model_type"], mine["params_b"], mine["license"]) == ("open-weights", 1.5, "MIT")
    small = httpx.get(url, params=[("model_type", "open-weights"), ("size", "up-to-3b")]).json()["rows"]
    assert [r["model"] for r in small] == ["carol/small-open"] and small[0]["rank"] == mine["rank"]  # ranks kept
    api_models = httpx.get(url, params={"model_type": "api"}).json()["rows"]
    assert api_models == []
    licensed = httpx.get(url, params=[("license", "mit"), ("license", "unknown")]).json()["rows"]
    assert {r["model"] for r in licensed} >= {"carol/small-open", "acme/tfidf-logreg", "baselines/majority-class"}
    assert all(r["license"] in ("mit", "MIT", None) for r in licensed)
    wrong = httpx.get(url, params={"size": "7b"})
    assert wrong.status_code == 422 and "size" in wrong.text
    refused = _post_form(api, {"benchmark": "fin-sentiment", "model_name": "x", "params": "huge"}, "carol")
    assert refused.status_code == 422 and "parameters" in refused.text


def _post_form(api, fields, token_name):
    with open(REPO / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl", "rb") as fh:
        return httpx.post(api["url"] + "/api/submissions", data=fields, files={"predictions": ("p.jsonl", fh)},
                          headers={"Authorization": f"Bearer {api['tokens'][token_name]}"}, timeout=30)  # fmt: skip


def test_the_overall_table_carries_and_filters_by_the_models_facts(api):
    url = api["url"] + "/api/leaderboard"
    rows = httpx.get(url, params={"task_type": "chatbot"}).json()["rows"]
    facts = {r["model"]: (r["model_type"], r["params_b"], r["license"]) for r in rows}
    assert facts["northwind/rag-reader-xl"] == ("api", None, "proprietary")
    assert facts["open-llm/llama-3-8b-instruct"] == ("open-weights", 8.0, "llama3")
    api_only = httpx.get(url, params={"task_type": "chatbot", "model_type": "api"}).json()["rows"]
    assert [r["model"] for r in api_only] == ["northwind/rag-reader-xl"]
    assert api_only[0]["rank"] == next(r["rank"] for r in rows if r["model"] == "northwind/rag-reader-xl")
    assert httpx.get(url, params={"task_type": "chatbot", "size": "huge"}).status_code == 422

"""Attacks 5 and 7: crash the scorer, crash validation, exhaust memory (real `podium serve`, real HTTP).

Before: a QA answer holding NUL (Podium's internal separator) crashed the scorer three times, then
the submission FAILED with "your file passed validation"; an NER tag that is a nested JSON list
answered 500 with a traceback; one 100 MB JSONL value took 4.8 GB of server memory and came back
whole in the 422 body. Now the NUL answer is scored as the official SQuAD script scores it, every
malformed structure is a 422 naming its line, and a huge value is refused in a short message.
"""

import json
import time

import httpx
import pandas as pd
import pytest
from conftest import REPO, copy_sample_home, run_podium, start_podium_serve
from reference import squad_v1_1 as squad
from rouge_score import rouge_scorer

pytestmark = pytest.mark.heavy

QA_SAMPLE = REPO / "samples/predictions/filing-qa/open-llm--llama-3-8b-instruct.jsonl"
NER_SAMPLE = REPO / "samples/predictions/biz-news-ner/northwind--deberta-ner-large.jsonl"
MAX_PREDICTIONS_MB = 8


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = copy_sample_home(tmp_path_factory.mktemp("scoring-attacks"))
    token = run_podium("token", "create", "--name", "acme", "--role", "submitter", home=home, check=True).stdout.strip()
    env = {"PODIUM_MAX_PREDICTIONS_MB": str(MAX_PREDICTIONS_MB), "PODIUM_DAILY_SUBMISSIONS": "100"}
    process, url, _ = start_podium_serve(home, env, "--interval", "0.3")
    yield {"url": url, "home": home, "token": token}
    process.terminate()
    process.wait(timeout=60)


def _records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _jsonl(records: list[dict]) -> bytes:
    return ("\n".join(json.dumps(r) for r in records) + "\n").encode()


def _submit(server, benchmark: str, model: str, data: bytes, name: str = "p.jsonl") -> httpx.Response:
    return httpx.post(
        server["url"] + "/api/submissions",
        data={"benchmark": benchmark, "model_name": model},
        files={"predictions": (name, data)},
        headers={"Authorization": f"Bearer {server['token']}"},
        timeout=120,
    )


def _wait_until_ended(server, submission_id: str, timeout: float = 300.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = httpx.get(f"{server['url']}/api/submissions/{submission_id}", timeout=30).json()
        if body["status"] in ("FINISHED", "FAILED", "CANCELLED"):
            return body
        time.sleep(0.3)
    raise AssertionError(f"submission {submission_id} did not end within {timeout:g} s")


def test_an_answer_holding_nul_is_scored_as_the_official_squad_script_scores_it(server):
    records = _records(QA_SAMPLE)
    # NUL alone, between words, inside a word, beside the other control characters the scorer
    # could have picked as a separator instead.
    hostile = ["x \x00 y", "\x00", "EUR\x0033.6 million", "\x01\x02\x00 the \x1b answer \x7f", "Elena\x00Virtanen"]
    for record, answer in zip(records[::7], hostile * 100, strict=False):
        record["prediction"] = answer + " " + record["prediction"] if answer != "\x00" else answer
    response = _submit(server, "filing-qa", "acme/nul-answers", _jsonl(records))
    assert response.status_code == 201, response.text
    final = _wait_until_ended(server, response.json()["id"])
    assert final["status"] == "FINISHED", final
    assert final["attempts"] == 1  # scored on its first claim: no scoring run crashed on the NULs

    gold_table = pd.read_parquet(server["home"] / "private/filing-qa/gold.parquet")
    gold = dict(zip(gold_table["id"], (list(a) for a in gold_table["answers"]), strict=True))
    pairs = [(r["prediction"], gold[r["id"]]) for r in records]
    n = len(pairs)
    scorer = rouge_scorer.RougeScorer(["rougeL"])
    expected = {
        "f1": sum(squad.metric_max_over_ground_truths(squad.f1_score, p, g) for p, g in pairs) / n,
        "exact_match": sum(squad.metric_max_over_ground_truths(squad.exact_match_score, p, g) for p, g in pairs) / n,
        "rouge_l": sum(scorer.score_multi(g, p)["rougeL"].fmeasure for p, g in pairs) / n,
    }
    metrics = final["result"]["metrics"]
    for name, value in expected.items():
        assert metrics[name] == pytest.approx(value, abs=1e-9), name


@pytest.mark.parametrize("tag", [["I-PER"], {"tag": "B-PER"}, [["B-ORG"]], None, 7])
def test_an_ner_tag_of_another_structure_is_a_422_naming_the_line(server, tag):
    records = _records(NER_SAMPLE)
    records[4]["prediction"][1] = tag
    response = _submit(server, "biz-news-ner", "acme/nested-tags", _jsonl(records))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "line 5: token 2: tag" in detail and "is not a string" in detail
    assert "Traceback" not in response.text


def test_an_ner_prediction_that_is_no_list_is_a_422_naming_the_line(server):
    records = _records(NER_SAMPLE)
    records[9]["prediction"] = {"tags": records[9]["prediction"]}
    response = _submit(server, "biz-news-ner", "acme/object-prediction", _jsonl(records))
    assert response.status_code == 422, response.text
    assert "line 10: prediction must be a list of tags" in response.json()["detail"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_one_huge_value_is_a_short_422_naming_the_line(server, fmt):
    records = _records(QA_SAMPLE)
    huge = "A" * (3 * 1024 * 1024)  # 3 MB: under the 8 MB upload limit, over the 100,000-character answer limit
    records[2]["prediction"] = huge
    if fmt == "jsonl":
        data, name, where = _jsonl(records), "p.jsonl", "line 3"
    else:
        rows = "".join(f"{r['id']},{r['prediction'].replace(',', ' ')}\n" for r in records)
        data, name, where = ("id,prediction\n" + rows).encode(), "p.csv", "row 3"
    assert len(data) < MAX_PREDICTIONS_MB * 1024 * 1024
    response = _submit(server, "filing-qa", "acme/huge-answer", data, name)
    assert response.status_code == 422, response.text[:300]
    assert len(response.text) < 2_000
    assert f"{where}: the answer is 3,145,728 characters long; the limit is 100,000" in response.json()["detail"]


@pytest.mark.parametrize(
    "records",
    [
        [{"id": "A" * 3_000_000, "prediction": "x"}],  # a huge unknown id
        [{"id": {"nested": ["A" * 3_000_000]}, "prediction": "x"}],  # a huge id of the wrong type
        [{"A" * 3_000_000: "x"}],  # a huge field name
        [["A" * 3_000_000]],  # a huge line that is not an object
    ],
)
def test_a_huge_value_anywhere_is_never_echoed(server, records):
    good = _records(QA_SAMPLE)
    response = _submit(server, "filing-qa", "acme/huge-elsewhere", _jsonl(good + records))
    assert response.status_code == 422, response.text[:300]
    assert len(response.text) < 2_000
    assert f"line {len(good) + 1}: " in response.json()["detail"]

"""Rescoring stored submissions when a benchmark's gold answers are corrected or a metric changes."""

import json

from conftest import run_podium

from podium import outcomes
from podium.schema import Result

ORIGINAL = "id,text,label\n1,x,a\n2,y,b\n3,z,a\n4,w,b\n"
CORRECTED = ORIGINAL.replace("4,w,b", "4,w,a")  # a mislabelled item fixed: same ids, new gold


def _add(home, tmp_path, text, *extra):
    data = tmp_path / "tiny.csv"
    data.write_text(text)
    run_podium("benchmark", "add", "--id", "tiny", "--task", "text_classification", "--data", str(data),
               "--labels", "a,b", *extra, home=home, check=True)  # fmt: skip


def _submit(home, tmp_path, model, labels):
    path = tmp_path / f"{model.replace('/', '-')}.csv"
    path.write_text("id,prediction\n" + "".join(f"{i},{label}\n" for i, label in enumerate(labels, 1)))
    return path, run_podium("submit", "tiny", str(path), "--model", model, home=home, check=True).stdout.strip()


def _models(home):
    rows = json.loads(run_podium("leaderboard", "tiny", "--json", home=home, check=True).stdout)
    return {r["model"]: r["score"] for r in rows}


def test_corrected_gold_answers_then_rescore_brings_the_results_back_with_new_scores(home, tmp_path):
    _add(home, tmp_path, ORIGINAL)
    first, first_id = _submit(home, tmp_path, "acme/one", "abab")
    second, _ = _submit(home, tmp_path, "acme/two", "aaaa")
    run_podium("backend", "--once", home=home, check=True)
    assert _models(home) == {"acme/one": 1.0, "acme/two": 0.5}

    _add(home, tmp_path, CORRECTED, "--replace")  # version 2: the old results leave the table
    assert _models(home) == {}
    result_path = home / "eval-results/tiny" / f"{first_id}.json"
    before = result_path.read_bytes()
    dry = run_podium("rescore", "tiny", "--dry-run", home=home, check=True).stdout
    assert dry.count("(benchmark version 1 -> 2)") == 2 and "would be rescored" in dry
    assert result_path.read_bytes() == before  # a dry run changes nothing

    done = run_podium("rescore", "tiny", home=home, check=True).stdout
    assert "acme/one  tiny  (benchmark version 1 -> 2)  1.0000 -> 0.7500" in done
    assert "acme/two  tiny  (benchmark version 1 -> 2)  0.5000 -> 0.7500" in done
    assert _models(home) == {"acme/one": 0.75, "acme/two": 0.75}
    rescored = outcomes.read_result(result_path)
    direct = json.loads(run_podium("score", "tiny", str(first), "--json", home=home, check=True).stdout)
    assert rescored.benchmark_version == "2" and rescored.metrics == direct["metrics"]
    assert rescored.submission_id == first_id and len(rescored.outcomes.values) == 4
    again = run_podium("rescore", home=home, check=True).stdout
    assert again.startswith("nothing to rescore")


def test_a_result_from_another_metric_version_is_stale(home, tmp_path):
    _add(home, tmp_path, ORIGINAL)
    _, request_id = _submit(home, tmp_path, "acme/one", "abab")
    run_podium("backend", "--once", home=home, check=True)
    path = home / "eval-results/tiny" / f"{request_id}.json"
    current = Result.read(path).metric_version
    path.write_text(Result.read(path).model_copy(update={"metric_version": "podium_classification 0.9.0"}).to_json())
    out = run_podium("rescore", home=home, check=True).stdout
    assert f"(metric podium_classification 0.9.0 -> {current})" in out
    assert Result.read(path).metric_version == current


def test_predictions_that_no_longer_fit_are_reported_and_their_result_kept(home, tmp_path):
    _add(home, tmp_path, ORIGINAL)
    _, request_id = _submit(home, tmp_path, "acme/one", "abab")
    run_podium("backend", "--once", home=home, check=True)
    path = home / "eval-results/tiny" / f"{request_id}.json"
    before = path.read_bytes()
    _add(home, tmp_path, ORIGINAL.replace("4,w,b", "5,v,b"), "--replace")  # different items
    proc = run_podium("rescore", "tiny", home=home)
    assert proc.returncode == 1
    assert "not rescored: invalid predictions" in proc.stdout and "'5'" in proc.stdout
    assert path.read_bytes() == before
    assert run_podium("rescore", "nope", home=home).returncode == 2

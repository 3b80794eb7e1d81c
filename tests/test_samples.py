"""The bundled sample data is what the generator makes, and scores as the reference libraries say."""

import json
import subprocess
import sys

import numpy as np
import pyarrow.parquet as pq
from conftest import REPO, run_podium
from reference import squad_v1_1 as squad
from rouge_score import rouge_scorer
from seqeval.metrics import classification_report
from sklearn.metrics import accuracy_score, f1_score

from podium.samples import sample_files

TOL = 1e-9


def test_generator_is_deterministic_and_matches_the_committed_files():
    files = sample_files()
    assert files == sample_files()
    for relative, text in files.items():
        assert (REPO / "samples" / relative).read_text(encoding="utf-8") == text, relative


def test_generator_in_a_fresh_process_builds_the_same_benchmarks(tmp_path):
    env_home = tmp_path / "fresh"
    proc = subprocess.run(
        [sys.executable, "-m", "podium.samples"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PODIUM_HOME": str(env_home), "PYTHONHASHSEED": "123"},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for benchmark in ("fin-sentiment", "biz-news-ner", "company-docs-qa", "filing-qa"):
        for sub, name in (("benchmarks", "inputs.parquet"), ("private", "gold.parquet")):
            fresh = pq.read_table(env_home / sub / benchmark / name)
            committed = pq.read_table(REPO / sub / benchmark / name)
            assert fresh.equals(committed), (benchmark, name)


def _models(benchmark):
    models = json.loads((REPO / "samples/models.json").read_text())
    return [m for m in models if m["benchmark"] == benchmark]


def _gold(benchmark, field):
    rows = [json.loads(x) for x in (REPO / f"samples/data/{benchmark}.jsonl").read_text().splitlines()]
    return [r["id"] for r in rows], [r[field] for r in rows]


def _predictions(path):
    path = REPO / "samples" / path
    if path.suffix == ".csv":
        import csv

        with open(path, newline="") as fh:
            return {r["id"]: r["prediction"] for r in csv.DictReader(fh)}
    return {r["id"]: r["prediction"] for r in map(json.loads, path.read_text().splitlines())}


def _score(benchmark, path):
    proc = run_podium("score", benchmark, str(REPO / "samples" / path), "--json", home=REPO, check=True)
    return json.loads(proc.stdout)


def test_sample_classification_scores_equal_sklearn():
    ids, gold = _gold("fin-sentiment", "label")
    for model in _models("fin-sentiment"):
        preds = _predictions(model["predictions"])
        pred = [preds[i] for i in ids]
        out = _score("fin-sentiment", model["predictions"])
        assert abs(out["metrics"]["accuracy"] - accuracy_score(gold, pred)) <= TOL
        assert abs(out["metrics"]["macro_f1"] - f1_score(gold, pred, average="macro", zero_division=0)) <= TOL
        ci = out["ci"]["accuracy"]
        assert ci["low"] <= out["metrics"]["accuracy"] <= ci["high"]
        assert ci["display"] == f"{ci['low']:.2f} - {ci['high']:.2f}"
        assert out["n"] == 320


def test_sample_ner_scores_equal_seqeval():
    ids, gold = _gold("biz-news-ner", "tags")
    for model in _models("biz-news-ner"):
        preds = _predictions(model["predictions"])
        pred = [preds[i].split() if isinstance(preds[i], str) else preds[i] for i in ids]
        out = _score("biz-news-ner", model["predictions"])
        report = classification_report(gold, pred, output_dict=True, zero_division=0)
        assert abs(out["metrics"]["f1"] - report["micro avg"]["f1-score"]) <= TOL
        assert abs(out["metrics"]["precision"] - report["micro avg"]["precision"]) <= TOL
        for name, stats in out["details"]["per_type"].items():
            assert abs(stats["f1"] - report[name]["f1-score"]) <= TOL


def test_sample_qa_scores_equal_squad_and_rouge_score():
    scorer = rouge_scorer.RougeScorer(["rougeL"])
    for benchmark in ("company-docs-qa", "filing-qa"):
        ids, gold = _gold(benchmark, "answers")
        for model in _models(benchmark):
            preds = _predictions(model["predictions"])
            pred = [preds[i] for i in ids]
            out = _score(benchmark, model["predictions"])
            f1 = np.mean(
                [squad.metric_max_over_ground_truths(squad.f1_score, p, g) for p, g in zip(pred, gold, strict=True)]
            )
            em = np.mean(
                [
                    squad.metric_max_over_ground_truths(squad.exact_match_score, p, g)
                    for p, g in zip(pred, gold, strict=True)
                ]
            )
            rl = np.mean([scorer.score_multi(g, p)["rougeL"].fmeasure for p, g in zip(pred, gold, strict=True)])
            assert abs(out["metrics"]["f1"] - f1) <= TOL
            assert abs(out["metrics"]["exact_match"] - em) <= TOL
            assert abs(out["metrics"]["rouge_l"] - rl) <= TOL


def test_rescoring_gives_the_same_interval():
    model = _models("filing-qa")[0]
    assert _score("filing-qa", model["predictions"])["ci"] == _score("filing-qa", model["predictions"])["ci"]


def test_demo_prints_every_sample_leaderboard(home):
    proc = run_podium("demo", home=home, check=True)
    for name in ("Financial News Sentiment", "Business News Entities", "Company Documents QA", "Filing Excerpt QA"):
        assert name in proc.stdout
    assert "northwind/finbert-tone-large" in proc.stdout

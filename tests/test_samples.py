"""The bundled sample data is what the generator makes, and scores as the reference libraries say."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
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


SAMPLE_BENCHMARKS = ("fin-sentiment", "biz-news-ner", "company-docs-qa", "filing-qa")
SUBMISSION_ID = re.compile(r"\d{8}t\d{6}z-[a-z0-9-]+-[0-9a-f]{8}")


def _comparable_card(path: Path) -> dict:
    card = json.loads(path.read_text(encoding="utf-8"))
    del card["created_at"], card["updated_at"]
    return card


def _comparable_results(root: Path, benchmark: str) -> dict:
    """The results of a benchmark by model, without what a new submission changes by design.

    The submission id holds the submission time and a random suffix, and the bootstrap is seeded
    from it, so the id, the times, the seed and the interval ends differ from run to run."""
    results = {}
    for path in sorted((root / "eval-results" / benchmark).glob("*.json")):
        doc = json.loads(SUBMISSION_ID.sub("ID", path.read_text(encoding="utf-8")))
        for field in ("seed", "evaluated_at"):
            doc.pop(field, None)
        for interval in doc.get("ci", {}).values():
            del interval["low"], interval["high"]
        results[f"{doc['model']['org']}/{doc['model']['name']}"] = doc
    return results


def test_regenerating_in_a_fresh_process_writes_the_committed_files(tmp_path):
    """`python -m podium.samples` into an empty home writes what is committed (another hash seed: no set order)."""
    fresh = tmp_path / "fresh"
    proc = subprocess.run(
        [sys.executable, "-m", "podium.samples"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PODIUM_HOME": str(fresh), "PYTHONHASHSEED": "123"},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    committed = [REPO / "samples" / relative for relative in sample_files()]
    for benchmark in SAMPLE_BENCHMARKS:
        committed += (REPO / "benchmarks" / benchmark).glob("*.parquet")
        committed += (REPO / "private" / benchmark).glob("*.parquet")
    assert len(committed) == 23 + 5 + 4  # samples/, inputs and documents, gold: none missed by a glob
    for path in committed:
        relative = path.relative_to(REPO)
        assert (fresh / relative).read_bytes() == path.read_bytes(), f"{relative} differs from what the generator makes"
    for benchmark in SAMPLE_BENCHMARKS:
        card = f"benchmarks/{benchmark}/card.json"
        assert _comparable_card(fresh / card) == _comparable_card(REPO / card), card
        results = _comparable_results(REPO, benchmark)
        assert results, benchmark
        assert _comparable_results(fresh, benchmark) == results, benchmark


def _install_as_setuptools_would(site: Path, pyproject: Path = REPO / "pyproject.toml") -> None:
    """Copy the podium package into ``site`` as an installation holds it: its modules, plus the
    package data that pyproject.toml declares (nothing else from the source tree)."""
    source = REPO / "src"
    shipped = {p for p in (source / "podium").rglob("*.py") if "__pycache__" not in p.parts}
    package_data = tomllib.loads(pyproject.read_text())["tool"]["setuptools"].get("package-data", {})
    for package, patterns in package_data.items():
        for pattern in patterns:
            shipped.update(p for p in (source / package.replace(".", "/")).glob(pattern) if p.is_file())
    for path in shipped:
        target = site / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


READ_FROM_SITE = """
import json, sys
from pathlib import Path
site, source = Path(sys.argv[1]), Path(sys.argv[2])
sys.path[:] = [str(site)] + [p for p in sys.path if Path(p).resolve() != source]  # not the editable checkout
from importlib.resources import files
import podium.samples
print(json.dumps({
    "module": podium.samples.__file__,
    "data": str(files("podium.sample_data")),
    "files": podium.samples.sample_files(),
}))
"""


def test_sample_data_is_found_in_an_installed_package(tmp_path):
    site = tmp_path / "site-packages"
    _install_as_setuptools_would(site)
    proc = subprocess.run(
        [sys.executable, "-I", "-c", READ_FROM_SITE, str(site), str(REPO / "src")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"the sample data is not shipped as package data (pyproject.toml):\n{proc.stderr}"
    out = json.loads(proc.stdout)
    assert Path(out["module"]).is_relative_to(site) and Path(out["data"]).is_relative_to(site), out
    assert out["files"] == sample_files()  # which equal the committed files (the first test)


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

"""Bounded disclosure: compare's secret, stable perturbation and coarse output; the stored inputs file."""

import json
import os

import numpy as np
import pytest
from scipy.stats import binomtest

from podium import compare as comparison
from podium import outcomes
from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.leaderboard import Leaderboard
from podium.schema import Result
from podium.secrets_store import server_secret

FIRST, SECOND, THIRD = "northwind/finbert-tone-large", "open-llm/llama-3-8b-instruct", "acme/tfidf-logreg"


def _board(home) -> Leaderboard:
    board = Leaderboard(Home.from_env(home), use_cache=False)
    board.refresh()
    return board


def _results(home, benchmark="fin-sentiment") -> dict[str, Result]:
    results = [outcomes.read_result(p) for p in (home / "eval-results" / benchmark).glob("*.json")]
    return {r.model.full_name: r for r in results}


def test_the_server_secret_is_private_created_once_and_owner_only(home):
    secret = server_secret(Home.from_env(home))
    path = home / "private" / "server-secret"
    assert len(secret) == 32 and path.is_file() and (path.stat().st_mode & 0o777) == 0o600
    assert server_secret(Home.from_env(home)) == secret  # read back, not drawn again
    assert not any(p.name.endswith(".tmp") for p in path.parent.iterdir())
    assert not list((home / "benchmarks").rglob("*secret*")) and not list((home / "eval-results").rglob("*secret*"))


def test_answers_are_stable_symmetric_and_independent_of_the_other_models(home):
    board, h = _board(home), Home.from_env(home)
    two = comparison.compare_models(h, board, "fin-sentiment", [FIRST, SECOND])
    assert comparison.compare_models(h, board, "fin-sentiment", [FIRST, SECOND]) == two
    pair = two["pairs"][0]
    swapped = comparison.compare_models(h, board, "fin-sentiment", [SECOND, FIRST])["pairs"][0]
    assert (swapped["p_value"], swapped["ci_low"], swapped["ci_high"]) == (
        pair["p_value"], -pair["ci_high"], -pair["ci_low"],
    )  # fmt: skip
    three = comparison.compare_models(h, board, "fin-sentiment", [FIRST, SECOND, THIRD])["pairs"]
    same = next(p for p in three if {p["model_a"], p["model_b"]} == {FIRST, SECOND})
    assert (same["p_value"], same["ci_low"], same["ci_high"]) == (pair["p_value"], pair["ci_low"], pair["ci_high"])
    for p in three:  # coarse: two significant digits, intervals to 3 decimals around the exact difference
        assert float(f"{p['p_value']:.2g}") == p["p_value"] and float(f"{p['p_holm']:.2g}") == p["p_holm"]
        assert round(p["ci_low"], 3) == p["ci_low"] and round(p["ci_high"], 3) == p["ci_high"]
        assert p["ci_low"] <= p["difference"] <= p["ci_high"] and p["p_holm"] >= p["p_value"]


def test_the_perturbation_and_the_seeds_come_from_the_secret(home):
    board, h = _board(home), Home.from_env(home)
    models = [FIRST, SECOND, THIRD, "baselines/majority-class"]
    before = comparison.compare_models(h, board, "fin-sentiment", models)
    path = home / "private" / "server-secret"
    path.unlink()
    assert server_secret(h) != bytes(32)  # a new secret, drawn on first use
    after = comparison.compare_models(h, board, "fin-sentiment", models)
    assert [(p["p_value"], p["ci_low"], p["ci_high"]) for p in before["pairs"]] != [
        (p["p_value"], p["ci_low"], p["ci_high"]) for p in after["pairs"]
    ]
    # the public parts never move
    assert [(p["score_a"], p["score_b"], p["difference"]) for p in before["pairs"]] == [
        (p["score_a"], p["score_b"], p["difference"]) for p in after["pairs"]
    ]


def test_the_test_is_exact_mcnemar_on_the_disguised_counts(home):
    results = _results(home)
    a, b = results[FIRST], results[SECOND]
    x = np.array([v[1] for v in a.outcomes.values])
    y = np.array([v[1] for v in b.outcomes.values])
    only_a, only_b = int(((x == 1) & (y == 0)).sum()), int(((x == 0) & (y == 1)).sum())
    for k in (0, 3, 8):  # with k phantoms per side: scipy's exact binomial test on (b + k, c + k)
        pair = comparison.compare_pair(a, b, "accuracy", seed=1, phantoms=k)
        assert pair.p_value == pytest.approx(binomtest(only_a + k, only_a + only_b + 2 * k).pvalue, rel=1e-12)
        assert pair.difference == pytest.approx(a.score - b.score)
    secret = server_secret(Home.from_env(home))
    k = comparison.phantoms_for(secret, a, b)
    assert 0 <= k <= comparison.NOISE_MAX and k == comparison.phantoms_for(secret, b, a)
    shown = comparison.compare_models(Home.from_env(home), _board(home), "fin-sentiment", [FIRST, SECOND])
    exact = binomtest(only_a + k, only_a + only_b + 2 * k).pvalue
    assert shown["pairs"][0]["p_value"] == float(f"{exact:.2g}")


@pytest.mark.parametrize(
    "benchmark,metric", [("biz-news-ner", "f1"), ("filing-qa", "f1"), ("filing-qa", "exact_match")]
)
def test_bootstrap_comparisons_keep_their_centre_and_widen_with_phantoms(home, benchmark, metric):
    found = _results(home, benchmark)  # a fixed pair (the folder's listing order is the file system's)
    results = [found[name] for name in sorted(found)[-2:]]
    plain = comparison.compare_pair(*results, metric, seed=7, phantoms=0)
    widened = comparison.compare_pair(*results, metric, seed=7, phantoms=8)
    assert widened.difference == plain.difference
    assert widened.ci_high - widened.ci_low > plain.ci_high - plain.ci_low
    centre = (widened.ci_low + widened.ci_high) / 2
    assert abs(centre - plain.difference) < 0.25 * (widened.ci_high - widened.ci_low)


def test_compare_refuses_a_row_whose_file_is_not_its_result(home):
    board, h = _board(home), Home.from_env(home)
    table = board.table("fin-sentiment")
    submission = table[table["model"] == SECOND]["submission"].iloc[0]
    path = home / "eval-results" / "fin-sentiment" / f"{submission}.json"
    data = json.loads(path.read_text())
    data["submission_id"] = "someone-else"
    path.write_text(json.dumps(data))
    with pytest.raises(comparison.NotComparable, match="not a verified result"):
        comparison.compare_models(h, board, "fin-sentiment", [FIRST, SECOND])


# --------------------------------------------------------------------------- the stored inputs file


def test_inputs_jsonl_is_export_inputs_stored_once(home, tmp_path):
    store = BenchmarkStore(Home.from_env(home))
    for card in store.list():
        path = store.inputs_jsonl(card.id)
        assert path == home / "benchmarks" / card.id / "inputs.jsonl"
        exported = tmp_path / f"{card.id}.jsonl"
        store.export_inputs(card.id, exported)
        assert path.read_bytes() == exported.read_bytes()
        gold_field = {"text_classification": "label", "ner": "tags", "chatbot": "answers", "prompting": "answers"}
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert len(rows) == card.n_items and not any(gold_field[card.task_type] in row for row in rows)
        stamp = path.stat().st_mtime_ns
        assert store.inputs_jsonl(card.id) == path and path.stat().st_mtime_ns == stamp  # not written again
    leftovers = [p for p in (home / "benchmarks").rglob("*") if p.name.startswith(".")]
    assert leftovers == []


def test_inputs_jsonl_follows_a_replaced_benchmark(home, tmp_path):
    from conftest import REPO

    store = BenchmarkStore(Home.from_env(home))
    card = store.card("fin-sentiment")
    rows = [json.loads(line) for line in (REPO / "samples/data/fin-sentiment.jsonl").read_text().splitlines()]
    smaller = tmp_path / "smaller.jsonl"
    smaller.write_text("".join(json.dumps(r) + "\n" for r in rows[:10]))
    store.inputs_jsonl("fin-sentiment")
    store.add(card, smaller, replace=True)
    lines = store.inputs_jsonl("fin-sentiment").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in rows[:10]]
    # an inputs.parquet newer than the stored file (edited by hand) is exported again
    path = store.inputs_jsonl("fin-sentiment")
    path.write_text("stale\n")
    os.utime(path, ns=(0, 0))
    assert store.inputs_jsonl("fin-sentiment").read_text().splitlines() == lines

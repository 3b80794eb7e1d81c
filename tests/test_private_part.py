"""A benchmark with a private part (public/private split): scoring, what is stored where, reveal, rescore."""

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import REPO, run_podium
from sklearn.metrics import accuracy_score, f1_score

from podium import outcomes
from podium.backend import Backend, BackendSettings
from podium.benchmarks import BenchmarkStore
from podium.compare import compare_models
from podium.config import Home
from podium.leaderboard import Leaderboard
from podium.private_part import BenchmarkClosed, check_open, reveal
from podium.queue import RequestQueue
from podium.rescoring import rescore
from podium.schema import BenchmarkCard, ModelInfo, Result
from podium.submissions import submit

DATA = REPO / "samples/data/fin-sentiment.jsonl"
PREDICTIONS = REPO / "samples/predictions/fin-sentiment"
MODELS = {
    "northwind/finbert-tone-large": "northwind--finbert-tone-large.csv",
    "open-llm/llama-3-8b-instruct": "open-llm--llama-3-8b-instruct.csv",
    "baselines/majority-class": "baselines--majority-class.csv",
}
BENCHMARK = "fin-closed"


def _gold() -> dict[str, str]:
    return {row["id"]: row["label"] for row in map(json.loads, DATA.read_text().splitlines())}


def _predicted(file: str) -> dict[str, str]:
    with open(PREDICTIONS / file, newline="") as fh:
        return {row["id"]: row["prediction"] for row in csv.DictReader(fh)}


def _card(**extra) -> BenchmarkCard:
    fields = {"id": BENCHMARK, "name": "Closed sentiment", "task_type": "text_classification",
              "primary_metric": "accuracy", "labels": ["negative", "neutral", "positive"]}  # fmt: skip
    return BenchmarkCard(**fields, **extra)


def _private_ids(home: Path) -> set[str]:
    return set(pq.read_table(home / "private" / BENCHMARK / "private-items.parquet").column("id").to_pylist())


def _submit_all(home: Path) -> dict[str, str]:
    """Queue the three sample models and score them; their submission ids by model."""
    ids = {}
    for model, file in MODELS.items():
        org, name = model.split("/")
        submitted = submit(Home.from_env(home), BENCHMARK, PREDICTIONS / file, ModelInfo(name=name, org=org))
        ids[model] = submitted.request.id
    Backend(Home.from_env(home), BackendSettings(workers=2)).run_once()
    return ids


def _direct(items: set[str], file: str) -> tuple[float, float]:
    gold, predicted = _gold(), _predicted(file)
    order = sorted(items)
    truth, guess = [gold[i] for i in order], [predicted[i] for i in order]
    return accuracy_score(truth, guess), f1_score(truth, guess, average="macro")


@pytest.fixture()
def closed(home):
    """The sample home plus a 320-item benchmark with half of it private, three models scored."""
    card = BenchmarkStore(Home.from_env(home)).add(_card(private_fraction=0.5), DATA)
    assert card.private_fraction == 0.5 and card.n_items == 320
    return home, _submit_all(home)


def test_results_cover_the_public_part_and_equal_a_direct_computation(closed):
    home, ids = closed
    private = _private_ids(home)
    public = set(_gold()) - private
    assert len(private) == len(public) == 160
    for model, file in MODELS.items():
        result = outcomes.read_result(home / "eval-results" / BENCHMARK / f"{ids[model]}.json")
        accuracy, macro_f1 = _direct(public, file)
        assert result.n == 160 and len(result.outcomes.values) == 160 and result.outcomes.ids is None
        assert result.metrics["accuracy"] == pytest.approx(accuracy, abs=1e-12)
        assert result.metrics["macro_f1"] == pytest.approx(macro_f1, abs=1e-12)
        assert result.ci["accuracy"].low <= accuracy <= result.ci["accuracy"].high
        hidden = Result.read(home / "private" / BENCHMARK / "private-scores" / f"{ids[model]}.json")
        assert hidden.benchmark == f"{BENCHMARK}-private" and hidden.n == 160
        assert hidden.metrics["accuracy"] == pytest.approx(_direct(private, file)[0], abs=1e-12)

    board = Leaderboard(Home.from_env(home), use_cache=False)
    board.refresh()
    table = board.table(BENCHMARK)
    assert list(table["n"]) == [160, 160, 160]
    assert f"{BENCHMARK}-private" not in board.cards  # nothing of the private part is on the board
    out = compare_models(Home.from_env(home), board, BENCHMARK, list(MODELS)[:2])
    assert out["pairs"][0]["score_a"] == pytest.approx(_direct(public, MODELS[out["pairs"][0]["model_a"]])[0])


def test_no_private_part_information_outside_the_private_folder(closed):
    home, ids = closed
    private = _private_ids(home)
    public_files = sorted(p for p in (home / "benchmarks" / BENCHMARK).iterdir())
    assert [p.name for p in public_files] == ["card.json", "inputs.jsonl", "inputs.parquet"]
    card = json.loads((home / "benchmarks" / BENCHMARK / "card.json").read_text())
    assert card["private_fraction"] == 0.5 and "revealed_at" not in card
    # The public inputs keep every item (submitters predict the private ones too), and no answer.
    lines = [json.loads(line) for line in (home / "benchmarks" / BENCHMARK / "inputs.jsonl").read_text().splitlines()]
    assert {row["id"] for row in lines} == set(_gold()) and all(set(row) == {"id", "text"} for row in lines)
    assert not (home / "eval-results" / f"{BENCHMARK}-private").exists()
    for path in (home / "eval-results" / BENCHMARK).glob("*.outcomes.parquet"):  # no ids, the public items only
        kept = outcomes.decode(path.read_bytes())
        assert kept.ids is None and len(kept.values) == 160
    for path in (home / "eval-results" / BENCHMARK).glob("*.json"):
        text = path.read_text()
        assert not any(f'"{item}"' in text for item in private)  # no item ids at all, so none private
        assert "private" not in text  # neither the private result nor a reference to it
    # Which items are private is decided under the server secret, not by anything public.
    assert (home / "private" / "server-secret").stat().st_mode & 0o077 == 0


def test_reveal_publishes_the_private_standings_and_closes_the_benchmark(closed):
    home, ids = closed
    private = _private_ids(home)
    revealed = reveal(Home.from_env(home), BENCHMARK)
    assert revealed.card.id == f"{BENCHMARK}-private" and revealed.results == 3 and revealed.rescored == 0
    store = BenchmarkStore(Home.from_env(home))
    card = store.card(BENCHMARK)
    assert card.revealed_at is not None
    with pytest.raises(BenchmarkClosed, match="closed on"):
        check_open(card)
    with pytest.raises(BenchmarkClosed, match="takes no submissions"):
        check_open(store.card(f"{BENCHMARK}-private"))
    board = Leaderboard(Home.from_env(home), use_cache=False)
    board.refresh()
    table = board.table(f"{BENCHMARK}-private")
    assert len(table) == 3 and list(table["n"]) == [160, 160, 160]
    for model, file in MODELS.items():
        row = table[table["model"] == model].iloc[0]
        assert row["score"] == pytest.approx(_direct(private, file)[0], abs=1e-12)
        assert row["submission"] == ids[model]
    first = {p.name: p.read_bytes() for p in (home / "eval-results" / f"{BENCHMARK}-private").iterdir()}
    again = reveal(Home.from_env(home), BENCHMARK)  # idempotent: same files, same reveal time
    assert again.card.revealed_at == revealed.card.revealed_at
    assert first == {p.name: p.read_bytes() for p in (home / "eval-results" / f"{BENCHMARK}-private").iterdir()}
    # compare works on the private table too, from its own result files
    out = compare_models(Home.from_env(home), board, f"{BENCHMARK}-private", list(MODELS)[:2])
    assert out["pairs"][0]["score_a"] == pytest.approx(_direct(private, MODELS[out["pairs"][0]["model_a"]])[0])

    # A submission queued before the reveal (scored after it) lands in both tables.
    request, _ = RequestQueue(Home.from_env(home)).add(
        BENCHMARK, card.version, ModelInfo(name="late", org="acme"),
        (PREDICTIONS / "open-llm--llama-3-8b-instruct.csv").read_bytes(), ".csv",
    )  # fmt: skip
    Backend(Home.from_env(home)).run_once()
    late = Result.read(home / "eval-results" / f"{BENCHMARK}-private" / f"{request.id}.json")
    assert late.score == pytest.approx(_direct(private, "open-llm--llama-3-8b-instruct.csv")[0])
    assert (home / "eval-results" / BENCHMARK / f"{request.id}.json").is_file()


def test_replace_and_rescore_keep_the_split_and_move_results_to_the_new_version(home):
    store = BenchmarkStore(Home.from_env(home))
    store.add(_card(), DATA)
    ids = _submit_all(home)
    whole = Result.read(home / "eval-results" / BENCHMARK / f"{ids['northwind/finbert-tone-large']}.json")
    assert whole.n == 320 and whole.benchmark_version == "1"

    card = store.add(_card(private_fraction=0.5), DATA, replace=True)
    assert card.version == "2"  # same items and answers, but results now cover other items
    private = _private_ids(home)
    assert store.add(_card(), DATA, replace=True).version == "2"  # kept: same split, same version
    assert _private_ids(home) == private and store.card(BENCHMARK).private_fraction == 0.5
    board = Leaderboard(Home.from_env(home), use_cache=False)
    board.refresh()
    assert board.table(BENCHMARK).empty  # version-1 results no longer count

    done = rescore(Home.from_env(home), [BENCHMARK])
    assert len(done) == 3 and not any(entry.error for entry in done)
    for model, file in MODELS.items():
        result = Result.read(home / "eval-results" / BENCHMARK / f"{ids[model]}.json")
        assert result.benchmark_version == "2" and result.n == 160
        assert result.score == pytest.approx(_direct(set(_gold()) - private, file)[0], abs=1e-12)
        hidden = Result.read(home / "private" / BENCHMARK / "private-scores" / f"{ids[model]}.json")
        assert hidden.benchmark_version == "2" and hidden.score == pytest.approx(_direct(private, file)[0])

    # A larger fraction keeps every private item private (an item's side comes from its id).
    store.add(_card(private_fraction=0.75), DATA, replace=True)
    assert _private_ids(home) > private and len(_private_ids(home)) == 240
    card = store.add(_card(), DATA, replace=True, keep_private_part=False)
    assert card.private_fraction is None and not (home / "private" / BENCHMARK / "private-items.parquet").exists()


def test_a_fraction_leaving_a_part_empty_is_refused(home):
    from podium.errors import BenchmarkError

    with pytest.raises(BenchmarkError, match="both parts need at least one"):
        BenchmarkStore(Home.from_env(home)).add(_card(private_fraction=0.001), DATA)
    assert not (home / "benchmarks" / BENCHMARK).exists()


def test_cli_adds_a_private_part_and_reveals_it(home):
    """Needs `add_private_part_options` wired into `podium.cli.build_parser`."""
    added = run_podium("benchmark", "add", "--id", BENCHMARK, "--task", "text_classification", "--data", str(DATA),
                       "--private-fraction", "0.25", home=home, check=True)  # fmt: skip
    assert "25% of the items form a secret private part" in added.stdout
    assert len(_private_ids(home)) == 80
    proc = run_podium("benchmark", "reveal", BENCHMARK, home=home, check=True)
    assert f"closed {BENCHMARK}" in proc.stdout and f"{BENCHMARK}-private (80 items, 0 results)" in proc.stdout
    refused = run_podium("benchmark", "reveal", "fin-sentiment", home=home)
    assert refused.returncode == 2 and "has no private part" in refused.stderr

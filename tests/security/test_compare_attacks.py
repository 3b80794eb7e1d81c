"""Attack: recover gold answers from compare, by pairing crafted submissions whose scores are public.

Two submissions' scores fix b - c (the difference of their discordant counts); an exact paired test
also gives b + c, i.e. on how many items exactly one of them is right. The attacker makes pairs
that differ on a block of items where the public scores are the same whichever way the hidden bit
goes (B right on item u, or on item v), so only b + c tells the bit: (b, c) = (5, 0) or (6, 1).
Against the exact test (and the old seeds, derived from public names) this recovers every bit;
against Podium's compare (phantom discordant items fixed per pair by the server secret, coarse
p-values) it must do no better than a coin, and asking again must not help.
"""

import random

import httpx
import numpy as np
import pytest
from conftest import copy_sample_home, start_podium_serve
from scipy.stats import binomtest

from podium import bootstrap, outcomes
from podium import compare as comparison
from podium.config import Home
from podium.leaderboard import Leaderboard
from podium.schema import Interval, ModelInfo, Outcomes, Result
from podium.secrets_store import server_secret

BENCHMARK = "fin-sentiment"
TARGETS = 200
LEAD = 5  # items where A alone is right: makes the p-value informative (b - c = 5)
FIRST, SECOND = "northwind/finbert-tone-large", "open-llm/llama-3-8b-instruct"


def _outcomes(home) -> np.ndarray:
    """A real model's per-item correctness: the background both crafted submissions share."""
    path = next((home / "eval-results" / BENCHMARK).glob("*finbert-tone-large*.json"))
    return np.array([row[1] for row in outcomes.read_result(path).outcomes.values])


def _result(name: str, correct: np.ndarray) -> Result:
    score = float(correct.mean())
    return Result(
        benchmark=BENCHMARK, benchmark_version="1", task_type="text_classification",
        model=ModelInfo(name=name, org="attacker"), source="verified", submission_id=f"attack-{name}",
        primary_metric="accuracy", metrics={"accuracy": score, "macro_f1": score},
        ci={"accuracy": Interval(low=max(score - 0.05, 0), high=min(score + 0.05, 1))}, n=len(correct),
        outcomes=Outcomes(fields=["predicted_label_index", "correct"], values=[[0, int(c)] for c in correct]),
    )  # fmt: skip


def _craft(home, bits: list[int]) -> list[tuple[Result, Result]]:
    """For each hidden bit, two crafted results (written to eval-results) that differ on a block."""
    background = _outcomes(home)
    rng = np.random.default_rng(20261124)
    pairs = []
    for k, bit in enumerate(bits):
        block = rng.choice(len(background), LEAD + 2, replace=False)
        lead, u, v = block[:LEAD], block[LEAD], block[LEAD + 1]
        a, b = background.copy(), background.copy()
        a[lead], b[lead] = 1, 0
        a[u], a[v] = 1, 0  # A: right on u, wrong on v, either way
        b[u], b[v] = (0, 1) if bit else (1, 0)  # B: the hidden bit; its score is the same either way
        pair = (_result(f"a{k}", a), _result(f"b{k}", b))
        for result in pair:
            (home / "eval-results" / BENCHMARK / f"{result.submission_id}.json").write_text(result.to_json())
        pairs.append(pair)
    return pairs


def _guess(p_value: float, noise_max: int, coin: random.Random, digits: int | None) -> int:
    """The attacker's best guess, knowing the mechanism but not the secret: which hidden counts
    (5 + j, j) reproduce the p-value, and which hypothesis allows them (j = k or j = k + 1)."""

    def shown(j: int) -> float:
        p = binomtest(LEAD + j, LEAD + 2 * j).pvalue
        return float(f"{p:.{digits}g}") if digits else p

    fits = {j for j in range(noise_max + 2) if np.isclose(shown(j), p_value, rtol=1e-9, atol=0)}
    zero, one = bool(fits & set(range(noise_max + 1))), bool(fits & set(range(1, noise_max + 2)))
    if zero != one:
        return int(one)
    return coin.randint(0, 1)


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """A home holding 200 crafted pairs of results, one hidden bit each (the tests only read it)."""
    home = copy_sample_home(tmp_path_factory.mktemp("attacked"))
    (home / "private").mkdir(exist_ok=True)
    (home / "private" / "server-secret").write_text("5e" * 32 + "\n")  # a fixed secret: a reproducible test
    (home / "private" / "server-secret").chmod(0o600)
    rng = random.Random(7)
    bits = [rng.randint(0, 1) for _ in range(TARGETS)]
    pairs = _craft(home, bits)
    board = Leaderboard(Home.from_env(home), use_cache=False)
    board.refresh()
    return home, board, bits, pairs


def test_the_attack_recovers_every_bit_from_an_exact_test(attacked):
    _, _, bits, pairs = attacked
    coin = random.Random(1)
    guesses = []
    for a, b in pairs:  # what compare answered before: exact counts, seeds from public names
        seed = bootstrap.seed_for(a.benchmark, a.model.full_name, b.model.full_name, "accuracy")
        pair = comparison.compare_pair(a, b, "accuracy", seed=seed, phantoms=0)
        guesses.append(_guess(float(f"{pair.p_value:.4g}"), 0, coin, digits=4))
    assert guesses == bits


def test_the_attack_does_no_better_than_a_coin_against_compare(attacked):
    home, board, bits, pairs = attacked
    coin = random.Random(1)
    right = 0
    for (a, b), bit in zip(pairs, bits, strict=True):
        out = comparison.compare_models(Home.from_env(home), board, BENCHMARK, [a.model.full_name, b.model.full_name])
        pair = out["pairs"][0]
        assert pair["difference"] == pytest.approx(LEAD / len(a.outcomes.values))  # the public part is exact
        right += _guess(pair["p_value"], comparison.NOISE_MAX, coin, digits=comparison.P_DIGITS) == bit
    # A lucky pair (no phantoms or the most) gives its bit away: at best 1/2 + 1/(2 (NOISE_MAX + 1)) = 56%.
    assert right / TARGETS <= 0.65, f"recovered {right} of {TARGETS}"


def test_asking_again_in_other_company_gives_the_same_answer(attacked):
    home, board, _, pairs = attacked
    (a, b), others = pairs[0], [r.model.full_name for pair in pairs[1:4] for r in pair]
    names = [a.model.full_name, b.model.full_name]
    seen = set()
    for extra in ([], others[:1], others[:3], others):
        for order in (names, names[::-1]):
            out = comparison.compare_models(Home.from_env(home), board, BENCHMARK, order + extra)
            pair = next(p for p in out["pairs"] if {p["model_a"], p["model_b"]} == set(names))
            flip = pair["model_a"] != names[0]
            low, high = (-pair["ci_high"], -pair["ci_low"]) if flip else (pair["ci_low"], pair["ci_high"])
            seen.add((pair["p_value"], low, high))
    assert len(seen) == 1  # nothing to average


def test_copies_under_new_names_get_the_same_answer(attacked):
    """Submitting the same two files again under other names must not buy fresh noise: with five
    copies of each, the 25 cross pairs would otherwise show the whole range of phantom counts, and
    the narrowest interval would give b + c away."""
    home, _, _, pairs = attacked
    secret = server_secret(Home.from_env(home))
    a, b = pairs[0]
    copies_a = [a.model_copy(update={"submission_id": f"copy-a-{i}", "model": ModelInfo(name=f"a{i}", org="x")})
                for i in range(5)]  # fmt: skip
    copies_b = [b.model_copy(update={"submission_id": f"copy-b-{i}", "model": ModelInfo(name=f"b{i}", org="y")})
                for i in range(5)]  # fmt: skip
    answers = set()
    for copy_a in copies_a:
        for copy_b in copies_b:
            pair = comparison.disguised_pair(copy_a, copy_b, "accuracy", secret)
            answers.add((pair.p_value, pair.ci_low, pair.ci_high))
    assert len(answers) == 1
    assert comparison.phantoms_for(secret, copies_a[0], copies_b[3]) == comparison.phantoms_for(secret, a, b)


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = copy_sample_home(tmp_path_factory.mktemp("compare-attacks"))
    process, url, _ = start_podium_serve(home, {}, "--no-backend")
    yield {"url": url, "home": home}
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.heavy
def test_api_compare_answers_the_disguised_test_and_the_same_on_every_call(server):
    def ask(models):
        body = {"benchmark": BENCHMARK, "models": models}
        response = httpx.post(f"{server['url']}/api/compare", json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    first = ask([FIRST, SECOND])
    assert all(ask([FIRST, SECOND]) == first for _ in range(3))
    home = Home.from_env(server["home"])
    board = Leaderboard(home, use_cache=False)
    board.refresh()
    assert comparison.compare_models(home, board, BENCHMARK, [FIRST, SECOND]) == first
    results = {}
    for path in (server["home"] / "eval-results" / BENCHMARK).glob("*.json"):
        result = outcomes.read_result(path)
        results[result.model.full_name] = result
    a, b = results[first["pairs"][0]["model_a"]], results[first["pairs"][0]["model_b"]]
    x = np.array([row[1] for row in a.outcomes.values])
    y = np.array([row[1] for row in b.outcomes.values])
    only_a, only_b = int(((x == 1) & (y == 0)).sum()), int(((x == 0) & (y == 1)).sum())
    k = comparison.phantoms_for(server_secret(home), a, b)
    served = first["pairs"][0]["p_value"]
    assert served == float(f"{binomtest(only_a + k, only_a + only_b + 2 * k).pvalue:.2g}")
    assert served == float(f"{served:.2g}")  # never the exact p-value's digits
    secret = (server["home"] / "private" / "server-secret").read_text().strip()
    for path in ("/private/server-secret", "/server-secret", "/api/benchmarks/..%2Fprivate%2Fserver-secret/inputs"):
        response = httpx.get(server["url"] + path, timeout=30)
        assert secret not in response.text

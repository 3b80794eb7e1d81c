"""Attack 1: a submitter overwrites another org's leaderboard row (real `podium serve`, real HTTP).

Before: any token could submit `northwind/finbert-tone-large` and the newest result counted, so a
second identity replaced northwind's 0.881 (rank 1) with its own 0.400. Now a token submits only
for the orgs it holds, whichever edge it comes through (REST, Python client, CLI, web form).
"""

import shutil

import httpx
import pytest
from conftest import REPO, copy_sample_home, run_podium, start_podium_serve

from podium.cli import main as podium_main
from podium.client import ApiError, Client
from podium.config import Home

VICTIM = "northwind/finbert-tone-large"
WEAK = REPO / "samples/predictions/fin-sentiment/baselines--majority-class.csv"
# Every test talks to the module's real `podium serve`; the group keeps that one server on one xdist worker.
pytestmark = pytest.mark.heavy


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = copy_sample_home(tmp_path_factory.mktemp("ownership"))
    tokens = {}
    for name, role, orgs in (("mallory", "submitter", []), ("nw-bot", "submitter", ["northwind"]),
                             ("boss", "admin", []), ("erin", "submitter", [])):  # fmt: skip
        extra = [a for org in orgs for a in ("--org", org)]
        tokens[name] = run_podium("token", "create", "--name", name, "--role", role, *extra, home=home,
                                  check=True).stdout.strip()  # fmt: skip
    process, url, _ = start_podium_serve(home, {}, "--interval", "0.3")
    yield {"url": url, "home": home, "tokens": tokens}
    process.terminate()
    process.wait(timeout=60)


def _victim_row(url: str) -> dict:
    rows = Client(url).get_leaderboard("fin-sentiment")
    return next(r for r in rows if r["model"] == VICTIM)


def test_another_orgs_model_is_refused_with_403_and_the_row_stays(server):
    before = _victim_row(server["url"])
    for spelling in (VICTIM, "NorthWind/finbert-tone-large", " northwind /finbert-tone-large"):
        with open(WEAK, "rb") as fh:
            response = httpx.post(
                server["url"] + "/api/submissions",
                data={"benchmark": "fin-sentiment", "model_name": spelling},
                files={"predictions": ("p.csv", fh)},
                headers={"Authorization": f"Bearer {server['tokens']['mallory']}"},
                timeout=60,
            )
        assert response.status_code == 403, response.text
        assert "podium token grant mallory --org northwind" in response.json()["detail"]
    with open(WEAK, "rb") as fh:  # the org given apart from the name is checked the same way
        response = httpx.post(
            server["url"] + "/api/submissions",
            data={"benchmark": "fin-sentiment", "model_name": "finbert-tone-large", "org": "northwind"},
            files={"predictions": ("p.csv", fh)},
            headers={"Authorization": f"Bearer {server['tokens']['mallory']}"},
            timeout=60,
        )
    assert response.status_code == 403
    assert _victim_row(server["url"]) == before
    assert not list((server["home"] / "eval-queue/predictions/fin-sentiment").glob("*mallory*"))


def test_the_python_client_and_the_cli_get_the_same_refusal(server, capsys):
    client = Client(server["url"], token=server["tokens"]["mallory"])
    with pytest.raises(ApiError) as info:
        client.submit_predictions("fin-sentiment", VICTIM, WEAK)
    assert info.value.status == 403
    code = podium_main(["submit", "fin-sentiment", str(WEAK), "--model", VICTIM, "--url", server["url"],
                        "--token", server["tokens"]["mallory"]])  # fmt: skip
    assert code == 2
    assert "may submit for mallory, not for 'northwind'" in capsys.readouterr().err


def test_a_model_without_an_org_is_the_tokens_own_and_a_holder_of_the_org_may_submit(server):
    mine = Client(server["url"], token=server["tokens"]["mallory"]).submit_predictions("fin-sentiment", "solo", WEAK)
    assert mine["model"]["org"] == "mallory" and mine["submitter"] == "mallory"
    held = Client(server["url"], token=server["tokens"]["nw-bot"]).submit_predictions(
        "fin-sentiment", "northwind/other-model", WEAK
    )
    assert held["created"] and held["model"]["org"] == "northwind"
    admin = Client(server["url"], token=server["tokens"]["boss"]).submit_predictions(
        "fin-sentiment", "anyone/at-all", WEAK
    )
    assert admin["created"]


def test_a_grant_takes_effect_at_once_and_a_revocation_too(server):
    client = Client(server["url"], token=server["tokens"]["erin"])
    with pytest.raises(ApiError):
        client.submit_predictions("fin-sentiment", "labs/granted", WEAK)
    run_podium("token", "grant", "erin", "--org", "labs", home=server["home"], check=True)
    assert client.submit_predictions("fin-sentiment", "labs/granted", WEAK)["created"]
    run_podium("token", "revoke", "erin", "--org", "labs", home=server["home"], check=True)
    with pytest.raises(ApiError) as info:
        client.submit_predictions("fin-sentiment", "labs/granted-again", WEAK)
    assert info.value.status == 403


def test_the_web_form_applies_the_same_rule(server, tmp_path):
    from podium.web.state import WebState
    from podium.web.submit_tab import web_submit

    state = WebState(Home.from_env(server["home"]))
    upload = tmp_path / "p.csv"
    shutil.copy(WEAK, upload)
    request_id, text = web_submit(state, "fin-sentiment", str(upload), VICTIM, None, None, None,
                                  server["tokens"]["mallory"])  # fmt: skip
    assert request_id is None and "not for 'northwind'" in text
    request_id, text = web_submit(state, "fin-sentiment", str(upload), "finbert-tone-large", "northwind", None,
                                  None, server["tokens"]["mallory"])  # fmt: skip
    assert request_id is None and "podium token grant" in text

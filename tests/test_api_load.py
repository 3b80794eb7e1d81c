"""Load from a second process on loopback: 50 concurrent clients submitting and reading at once.

The load runs 10 s, long enough for every client to submit and read while the other 49 do (about
80 submissions on a 2-core machine); how many requests a second the server sustains is bench/'s
concern (bench/load_api.py), not this test's."""

import json
import re
import subprocess
import sys
import time

import pytest
from conftest import REPO, copy_sample_home, start_podium_serve

from podium.config import Home
from podium.queue import RequestQueue
from podium.tokens import TokenStore

pytestmark = pytest.mark.heavy


def test_50_concurrent_clients_get_no_errors_but_429s_and_every_submission_is_scored_once(tmp_path):
    home = copy_sample_home(tmp_path)
    store = TokenStore(Home.from_env(home))
    tokens = [store.create(f"client-{i}", "submitter") for i in range(50)]
    (tmp_path / "tokens.txt").write_text("\n".join(tokens))
    env = {"PODIUM_DAILY_SUBMISSIONS": "6", "PODIUM_MAX_QUEUED": "3"}
    process, url, _ = start_podium_serve(home, env, "--interval", "0.2", "--workers", "2")
    try:
        load = subprocess.run(
            [sys.executable, str(REPO / "bench/load_api.py"), url, str(tmp_path / "tokens.txt"), "fin-sentiment",
             str(REPO / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl"), "--clients", "50",
             "--seconds", "10"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert load.returncode == 0, load.stderr
        report = json.loads(load.stdout)
        allowed = {"POST 201", "POST 429", "GET 200"}
        assert set(report["statuses"]) <= allowed, report["statuses"]
        assert report["statuses"].get("POST 201", 0) >= 50 and report["statuses"].get("GET 200", 0) >= 50
        queue = RequestQueue(Home.from_env(home))
        accepted = report["accepted"]
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            states = [queue.get(i).status.value for i in accepted]
            if all(s == "FINISHED" for s in states):
                break
            time.sleep(1)
        assert all(queue.get(i).status.value == "FINISHED" for i in accepted)
    finally:
        process.terminate()
        process.wait(timeout=60)
    scored = re.findall(r"scored (\S+) in", (home / "serve.log").read_text())
    assert sorted(set(scored) & set(accepted)) == sorted(accepted)
    assert all(scored.count(i) == 1 for i in accepted)  # exactly once

"""Crashes, races and limits: nothing lost, nothing stuck, nothing scored twice."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_podium

from podium import backend as backend_module
from podium import outcomes
from podium.backend import Backend, BackendSettings
from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.queue import RequestQueue
from podium.schema import BenchmarkCard, ModelInfo, Result

PODIUM = str(Path(sys.executable).with_name("podium"))
BIG = 300_000  # answers: scoring takes a couple of seconds, long enough to be interrupted


@pytest.fixture(scope="module")
def slow_home_template(tmp_path_factory) -> Path:
    """A home with a large QA benchmark and a predictions file for it."""
    root = tmp_path_factory.mktemp("slow-home")
    ids = [f"q{i}" for i in range(BIG)]
    answers = [f"answer number {i % 997} of the {i % 13} reports" for i in range(BIG)]
    table = pd.DataFrame({"id": ids, "question": "q?", "context": "ctx", "answers": answers})
    card = BenchmarkCard(id="big-qa", name="Big QA", task_type="prompting", primary_metric="f1")
    BenchmarkStore(Home.from_env(root)).add(card, table)
    predictions = pd.DataFrame({"id": ids, "prediction": [a if i % 3 else "no idea" for i, a in enumerate(answers)]})
    predictions.to_csv(root / "big.csv", index=False)
    tiny = pd.DataFrame({"id": [f"t{i}" for i in range(10)], "text": "x", "label": ["a", "b"] * 5})
    BenchmarkStore(Home.from_env(root)).add(
        BenchmarkCard(id="tiny", name="Tiny", task_type="text_classification", primary_metric="accuracy"), tiny
    )
    (root / "tiny.csv").write_text("id,prediction\n" + "".join(f"t{i},a\n" for i in range(10)))
    return root


@pytest.fixture()
def slow_home(tmp_path, slow_home_template) -> Path:
    home = tmp_path / "home"
    shutil.copytree(slow_home_template, home)
    return home


def _start_backend(home: Path, *args: str, log: Path) -> subprocess.Popen:
    with open(log, "w") as fh:
        return subprocess.Popen(
            [PODIUM, "--home", str(home), "backend", *args], stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _status(home: Path, request_id: str) -> str:
    return RequestQueue(Home.from_env(home)).get(request_id).status.value


def _result_files(home: Path) -> list[str]:
    """Every file under eval-results, hidden (staged, temporary) ones included."""
    root = home / "eval-results"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def _add_tiny(home: Path, name: str = "m") -> str:
    queue = RequestQueue(Home.from_env(home))
    return queue.add("tiny", "1", ModelInfo(name=name), (home / "tiny.csv").read_bytes(), ".csv")[0].id


def test_kill_9_of_the_backend_mid_scoring_then_restart_scores_exactly_once(slow_home, tmp_path):
    request_id = run_podium("submit", "big-qa", str(slow_home / "big.csv"), "--model", "m", home=slow_home, check=True)
    request_id = request_id.stdout.strip()
    # A lease long enough that a loaded CI machine still renews it in time, short enough to expire soon.
    first = _start_backend(slow_home, "--interval", "0.2", "--lease", "5", log=tmp_path / "first.log")
    _wait_for(lambda: _status(slow_home, request_id) == "RUNNING", 60, "the first backend to claim")
    time.sleep(0.5)  # mid-scoring
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert _status(slow_home, request_id) == "RUNNING"  # stuck with a dead owner's lease ...

    second = _start_backend(slow_home, "--interval", "0.2", "--lease", "20", log=tmp_path / "second.log")
    try:
        _wait_for(lambda: _status(slow_home, request_id) == "FINISHED", 120, "the restarted backend to finish")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    request = RequestQueue(Home.from_env(slow_home)).get(request_id)
    # ... until its lease expired: back to PENDING, each claim the first backend lost still counted
    # (once, unless a stalled machine let a renewal lapse before the kill), then claimed and scored once.
    first_claims = (tmp_path / "first.log").read_text().count(f"claimed {request_id}")
    assert first_claims >= 1
    assert request.attempts == first_claims + 1
    results = list((slow_home / "eval-results").rglob("*.json"))
    assert [p.name for p in results] == [f"{request_id}.json"]
    assert not list((slow_home / "eval-results").rglob("*.tmp"))
    assert Result.read(results[0]).submission_id == request_id
    second_log = (tmp_path / "second.log").read_text()
    assert second_log.count(f"claimed {request_id}") == 1
    assert second_log.count(f"scored {request_id}") == 1


def test_two_backends_on_the_same_folders_score_200_requests_exactly_once(slow_home, tmp_path):
    queue = RequestQueue(Home.from_env(slow_home))
    logs = [tmp_path / f"backend{k}.log" for k in range(2)]
    backends = [_start_backend(slow_home, "--interval", "0.2", "--workers", "2", log=log) for log in logs]
    try:
        # Both are polling before the requests arrive, so both compete for them (on a slow machine a
        # backend that starts late could otherwise find the queue already drained).
        _wait_for(lambda: all("polling" in log.read_text() for log in logs), 60, "both backends to start")
        data = (slow_home / "tiny.csv").read_bytes()
        ids = [queue.add("tiny", "1", ModelInfo(name=f"model-{i}"), data, ".csv")[0].id for i in range(200)]
        _wait_for(lambda: all(queue.get(i).status == "FINISHED" for i in ids), 300, "all 200 to be scored")
    finally:
        for backend in backends:
            backend.send_signal(signal.SIGTERM)
        for backend in backends:
            assert backend.wait(timeout=60) == 0
    scored = []
    for log in logs:
        scored += re.findall(r"scored (\S+) in", log.read_text())
    assert sorted(scored) == sorted(ids)  # every request once, none twice
    assert all(scored.count(i) == 1 for i in ids)
    assert len(list((slow_home / "eval-results/tiny").glob("*.json"))) == 200
    per_backend = [len(re.findall(r"scored ", log.read_text())) for log in logs]
    assert all(n > 0 for n in per_backend), per_backend  # both really worked


def test_concurrent_submit_processes_each_create_their_request(slow_home):
    n = 24  # processes racing for the queue's lock at once (100 only loaded the machine for minutes)
    procs = [
        subprocess.Popen(
            [PODIUM, "--home", str(slow_home), "submit", "tiny", str(slow_home / "tiny.csv"), "--model", "m",
             "--revision", f"r{i}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for i in range(n)
    ]  # fmt: skip
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outputs if o[1]][:3]
    ids = {out.strip() for out, _ in outputs}
    assert len(ids) == n
    queue = RequestQueue(Home.from_env(slow_home))
    assert set(queue.ids()) == ids
    assert sorted(queue.get(i).model.revision for i in ids) == sorted(f"r{i}" for i in range(n))
    assert len(list((slow_home / "eval-queue/predictions/tiny").iterdir())) == n


def test_concurrent_duplicates_are_merged_into_one_request(slow_home):
    procs = [
        subprocess.Popen(
            [PODIUM, "--home", str(slow_home), "submit", "tiny", str(slow_home / "tiny.csv"), "--model", "same"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(10)
    ]  # fmt: skip
    ids = {p.communicate(timeout=120)[0].strip() for p in procs}
    assert len(ids) == 1
    assert len(RequestQueue(Home.from_env(slow_home)).ids()) == 1
    assert len(list((slow_home / "eval-queue/predictions/tiny").iterdir())) == 1


def test_expired_leases_requeue_with_attempts_then_fail_with_a_message(slow_home):
    queue = RequestQueue(Home.from_env(slow_home))
    request, _ = queue.add("tiny", "1", ModelInfo(name="crashy"), (slow_home / "tiny.csv").read_bytes(), ".csv")
    for attempt in range(1, 4):
        claimed = queue.claim("dead-worker", lease_seconds=-1, max_attempts=3)  # a lease that has already expired
        assert claimed is not None and claimed.id == request.id
        queue.requeue_expired(max_attempts=3)
        current = queue.get(request.id)
        assert current.attempts == attempt
        assert current.status == ("FAILED" if attempt == 3 else "PENDING")
    assert "scoring crashed 3 times" in queue.get(request.id).error
    assert queue.claim("anyone", 30) is None


def test_scoring_timeout_fails_the_request_with_a_message(slow_home, tmp_path):
    request_id = run_podium("submit", "big-qa", str(slow_home / "big.csv"), "--model", "m", home=slow_home, check=True)
    request_id = request_id.stdout.strip()
    proc = run_podium("backend", "--once", "--timeout", "0.3", home=slow_home)
    assert proc.returncode == 0, proc.stderr
    request = RequestQueue(Home.from_env(slow_home)).get(request_id)
    assert request.status == "FAILED" and "took longer than 0.3 s" in request.error
    assert _result_files(slow_home) == []  # nothing published, nothing staged left behind
    status = run_podium("status", request_id, home=slow_home).stdout
    assert "took longer than" in status


def test_sigterm_stops_the_backend_cleanly_and_returns_the_request(slow_home, tmp_path):
    request_id = run_podium("submit", "big-qa", str(slow_home / "big.csv"), "--model", "m", home=slow_home, check=True)
    request_id = request_id.stdout.strip()
    backend = _start_backend(slow_home, "--interval", "0.2", log=tmp_path / "backend.log")
    _wait_for(lambda: _status(slow_home, request_id) == "RUNNING", 60, "the backend to claim")
    backend.send_signal(signal.SIGTERM)
    assert backend.wait(timeout=120) == 0
    request = RequestQueue(Home.from_env(slow_home)).get(request_id)
    assert request.status == "PENDING" and request.attempts == 0 and request.lease is None
    assert "stopping" in (tmp_path / "backend.log").read_text()


def test_cancel_while_running_discards_the_result(slow_home, tmp_path):
    request_id = run_podium("submit", "big-qa", str(slow_home / "big.csv"), "--model", "m", home=slow_home, check=True)
    request_id = request_id.stdout.strip()
    backend = _start_backend(slow_home, "--interval", "0.2", "--lease", "3", log=tmp_path / "backend.log")
    try:
        _wait_for(lambda: _status(slow_home, request_id) == "RUNNING", 60, "the backend to claim")
        assert run_podium("cancel", request_id, home=slow_home).returncode == 0
        # Stopped mid-scoring at the next lease renewal, or (on a slow machine) scored and then discarded.
        _wait_for(
            lambda: re.search(r"dropped|result not recorded", (tmp_path / "backend.log").read_text()),
            30,
            "the backend to drop it",
        )
    finally:
        backend.send_signal(signal.SIGTERM)
        backend.wait(timeout=30)
    assert _status(slow_home, request_id) == "CANCELLED"
    assert _result_files(slow_home) == []


def test_benchmark_changed_after_submission_fails_with_the_validation_message(slow_home):
    request_id = run_podium("submit", "tiny", str(slow_home / "tiny.csv"), "--model", "m", home=slow_home, check=True)
    request_id = request_id.stdout.strip()
    table = pd.DataFrame({"id": [f"t{i}" for i in range(11)], "text": "x", "label": ["a", "b"] * 5 + ["a"]})
    card = BenchmarkCard(id="tiny", name="Tiny", task_type="text_classification", primary_metric="accuracy")
    BenchmarkStore(Home.from_env(slow_home)).add(card, table, replace=True)
    run_podium("backend", "--once", home=slow_home, check=True)
    request = RequestQueue(Home.from_env(slow_home)).get(request_id)
    assert request.status == "FAILED" and "1 benchmark item has no prediction: ids 't10'" in request.error
    assert json.loads(run_podium("status", request_id, "--json", home=slow_home).stdout)["status"] == "FAILED"


def test_leftovers_of_crashes_are_swept_and_nothing_else(slow_home):
    queue = RequestQueue(Home.from_env(slow_home))
    kept, _ = queue.add("tiny", "1", ModelInfo(name="kept"), (slow_home / "tiny.csv").read_bytes(), ".csv")
    hour_ago = time.time() - 2 * 3600
    orphan = slow_home / "eval-queue/predictions/tiny/20260101t000000z-killed-mid-submit-0badf00d.csv"
    fresh_orphan = slow_home / "eval-queue/predictions/tiny/20261124t000000z-being-submitted-1234abcd.csv"
    temporaries = [slow_home / "eval-queue/requests/.x.json.abc123.tmp", slow_home / "eval-results/tiny/.r.json.9f.tmp"]
    for path in [orphan, fresh_orphan, *temporaries]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("id,prediction\n")
    old_stored = queue.predictions_path(kept)
    for path in [orphan, *temporaries, old_stored]:
        os.utime(path, (hour_ago, hour_ago))
    proc = run_podium("backend", "--once", home=slow_home)
    assert proc.returncode == 0, proc.stderr
    assert not orphan.exists() and not any(p.exists() for p in temporaries)
    assert fresh_orphan.exists()  # young: its request may be on its way
    assert old_stored.exists() and queue.get(kept.id).status == "FINISHED"  # a request's file is never touched
    assert proc.stderr.count("left behind by an interrupted write") == 3


# --------------------------------------------------------------------------- results and leases


def test_a_result_is_published_only_when_its_owner_finishes_the_request(slow_home):
    """Scored, but the lease was lost (taken over after a stall) before the backend recorded it:
    the result must not show up, since another backend now owns the request."""
    home = Home.from_env(slow_home)
    request_id = _add_tiny(slow_home)
    backend = Backend(home, BackendSettings(workers=1))
    queue = RequestQueue(home)
    finish = backend.queue.finish
    files_when_done = []

    def taken_over_first(rid, owner, result_file):
        files_when_done.extend(_result_files(slow_home))
        queue.release(rid, owner, crashed=True)  # its lease lapsed ...
        assert queue.claim("another-backend", 30).id == rid  # ... and another backend claimed it
        return finish(rid, owner, result_file)

    backend.queue.finish = taken_over_first
    try:
        assert backend.run_once() == 1
    finally:
        backend.stop()
    assert len(files_when_done) == 2 and all(f.endswith(".staged") for f in files_when_done)  # result and outcomes
    request = queue.get(request_id)
    assert request.status == "RUNNING" and request.lease.owner == "another-backend"
    assert _result_files(slow_home) == []  # never published, and the staged file is gone


def test_a_backend_killed_between_finishing_and_publishing_leaves_a_result_the_next_sweep_publishes(
    slow_home, monkeypatch
):
    home = Home.from_env(slow_home)
    request_id = _add_tiny(slow_home)
    final = f"tiny/{request_id}.json"
    with monkeypatch.context() as patch:
        patch.setattr(backend_module, "publish", lambda staged: None)  # it "dies" right after FINISHED
        first = Backend(home, BackendSettings(workers=1))
        try:
            assert first.run_once() == 1
        finally:
            first.stop()
    assert _status(slow_home, request_id) == "FINISHED"
    staged, outcomes_staged = _result_files(slow_home)  # the result and its outcomes file
    assert staged.startswith(f"tiny/.{request_id}.json.") and staged.endswith(".staged")
    assert outcomes_staged.startswith(f"tiny/.{request_id}.outcomes.parquet.") and outcomes_staged.endswith(".staged")

    second = Backend(home, BackendSettings(workers=1))
    try:
        assert second.run_once() == 0  # its sweep publishes; nothing is scored again
    finally:
        second.stop()
    assert _result_files(slow_home) == [final, f"tiny/{request_id}.outcomes.parquet"]
    assert outcomes.read_result(slow_home / "eval-results" / final).submission_id == request_id  # with its outcomes


def test_scoring_processes_are_warm_and_reused_across_submissions(slow_home, tmp_path):
    """A long interval: only the watch on the requests folder and the claim-when-free can start work."""
    queue = RequestQueue(Home.from_env(slow_home))
    log = tmp_path / "backend.log"
    backend = _start_backend(slow_home, "--interval", "3600", "--workers", "1", log=log)
    try:
        _wait_for(lambda: "polling" in log.read_text(), 120, "the backend to start")
        ids = [_add_tiny(slow_home, f"model-{i}") for i in range(3)]
        _wait_for(lambda: all(queue.get(i).status == "FINISHED" for i in ids), 120, "all three to be scored")
    finally:
        backend.send_signal(signal.SIGTERM)
        assert backend.wait(timeout=60) == 0
    text = log.read_text()
    assert text.index("polling") < text.index("claimed")  # warm before the first claim
    scorers = re.findall(r"scored \S+ in [\d.]+ s \(scoring process (\d+)\)", text)
    assert len(scorers) == 3 and len(set(scorers)) == 1  # one process scored all three


def test_a_submission_scored_on_its_first_claim_shows_attempts_1(slow_home):
    request_id = _add_tiny(slow_home)
    run_podium("backend", "--once", home=slow_home, check=True)
    assert RequestQueue(Home.from_env(slow_home)).get(request_id).attempts == 1
    status = json.loads(run_podium("status", request_id, "--json", home=slow_home, check=True).stdout)
    assert status["status"] == "FINISHED" and status["attempts"] == 1
    assert re.search(r"attempts\s+1\b", run_podium("status", request_id, home=slow_home, check=True).stdout)

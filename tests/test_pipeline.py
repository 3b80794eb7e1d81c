"""Submitting, queueing, scoring and reading results through the real CLI and folders."""

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import PODIUM, run_podium, run_podium_process

from podium import outcomes
from podium.config import Home
from podium.queue import RequestQueue

SAMPLE = "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl"


def _fresh_queue(home: Path) -> None:
    """The sample home without its queue and results, as a user who starts from scratch."""
    shutil.rmtree(home / "eval-queue", ignore_errors=True)
    shutil.rmtree(home / "eval-results", ignore_errors=True)
    shutil.rmtree(home / ".cache", ignore_errors=True)


def _submit(home, *extra, predictions=SAMPLE, benchmark="fin-sentiment"):
    proc = run_podium("submit", benchmark, str(home / predictions), *extra, home=home)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.heavy
def test_the_console_script_submits_scores_and_prints_the_leaderboard(home):
    """The real `podium` processes end to end: exit codes, stdout, and the backend's log on stderr."""
    _fresh_queue(home)
    proc = run_podium_process("submit", "fin-sentiment", str(home / SAMPLE), "--model", "acme/smoke", home=home)
    assert proc.returncode == 0, proc.stderr
    request_id = proc.stdout.strip()
    assert f"`podium status {request_id}`" in proc.stderr
    backend = run_podium_process("backend", "--once", home=home, check=True)
    assert f"scored {request_id}" in backend.stderr and "processed 1 submissions" in backend.stderr
    table = json.loads(run_podium_process("leaderboard", "fin-sentiment", "--json", home=home, check=True).stdout)
    assert [(row["model"], row["submission"]) for row in table] == [("acme/smoke", request_id)]
    direct = json.loads(run_podium_process("score", "fin-sentiment", str(home / SAMPLE), "--json", home=home).stdout)
    assert table[0]["score"] == direct["metrics"]["accuracy"]


def test_submit_score_and_read_back(home):
    _fresh_queue(home)
    request_id = _submit(home, "--model", "acme/tfidf-logreg", "--revision", "v1", "--link", "https://example.org/m")
    status = json.loads(run_podium("status", request_id, "--json", home=home, check=True).stdout)
    assert status["status"] == "PENDING" and status["attempts"] == 0
    assert status["model"] == {"name": "tfidf-logreg", "org": "acme", "link": "https://example.org/m", "revision": "v1"}

    proc = run_podium("backend", "--once", home=home, check=True)
    assert f"claimed {request_id}" in proc.stderr and f"scored {request_id}" in proc.stderr

    status = json.loads(run_podium("status", request_id, "--json", home=home, check=True).stdout)
    assert status["status"] == "FINISHED" and status["result_file"] == f"fin-sentiment/{request_id}.json"
    result = outcomes.read_result(home / "eval-results" / status["result_file"])
    direct = json.loads(run_podium("score", "fin-sentiment", str(home / SAMPLE), "--json", home=home).stdout)
    assert result.metrics == direct["metrics"]
    assert result.source == "verified" and result.submission_id == request_id
    assert len(result.outcomes.values) == 320 and result.metric_version.startswith("podium_classification")

    table = json.loads(run_podium("leaderboard", "fin-sentiment", "--json", home=home, check=True).stdout)
    assert [row["model"] for row in table] == ["acme/tfidf-logreg"]
    assert table[0]["ci"] == result.ci_display and table[0]["submission"] == request_id
    assert table[0]["n"] == 320 and isinstance(table[0]["n"], int)
    human = run_podium("status", request_id, home=home, check=True).stdout
    assert "FINISHED" in human and "95% CI" in human


def test_duplicate_is_recognised_and_a_new_revision_is_a_new_request(home):
    _fresh_queue(home)
    first = _submit(home, "--model", "m", "--revision", "r1")
    again = run_podium("submit", "fin-sentiment", str(home / SAMPLE), "--model", "m", "--revision", "r1", home=home)
    assert again.returncode == 0 and again.stdout.strip() == first
    assert "already submitted" in again.stderr
    second = _submit(home, "--model", "m", "--revision", "r2")
    assert second != first
    queue = RequestQueue(Home.from_env(home))
    assert len(queue.ids()) == 2
    assert queue.get(first).model.revision == "r1" and queue.get(second).model.revision == "r2"
    assert len(list((home / "eval-queue/predictions/fin-sentiment").iterdir())) == 2


def test_a_cancelled_or_failed_submission_can_be_sent_again(home):
    _fresh_queue(home)
    first = _submit(home, "--model", "m")
    assert run_podium("cancel", first, home=home, check=True).stdout.strip() == f"{first} CANCELLED"
    assert run_podium("cancel", first, home=home).returncode == 2  # already cancelled
    second = _submit(home, "--model", "m")
    assert second != first
    run_podium("backend", "--once", home=home, check=True)
    assert RequestQueue(Home.from_env(home)).get(first).status == "CANCELLED"  # never claimed
    assert RequestQueue(Home.from_env(home)).get(second).status == "FINISHED"


def test_invalid_file_creates_no_request(home, tmp_path):
    _fresh_queue(home)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,prediction\nfs-0001,Positve\n")
    proc = run_podium("submit", "fin-sentiment", str(bad), "--model", "m", home=home)
    assert proc.returncode == 2 and "label 'Positve'" in proc.stderr
    assert RequestQueue(Home.from_env(home)).ids() == []
    assert not (home / "eval-queue/predictions").exists() or not any((home / "eval-queue/predictions").rglob("*.*"))


def test_queue_lists_with_filters_and_counts(home):
    _fresh_queue(home)
    ids = [_submit(home, "--model", f"model-{i}") for i in range(3)]
    run_podium("cancel", ids[0], home=home, check=True)
    listing = run_podium("queue", home=home, check=True).stdout
    assert listing.splitlines()[0] == "pending 2  running 0  finished 0  failed 0  cancelled 1"
    assert listing.splitlines()[1].startswith(ids[2])  # newest first
    only = json.loads(run_podium("queue", "--status", "cancelled", "--json", home=home, check=True).stdout)
    assert [r["id"] for r in only] == [ids[0]]
    assert len(json.loads(run_podium("queue", "--model", "MODEL-1", "--json", home=home).stdout)) == 1
    assert len(json.loads(run_podium("queue", "--limit", "1", "--json", home=home).stdout)) == 1


@pytest.mark.parametrize(
    "name,expected",
    [
        ("../../etc/passwd", "ok"),
        ("a/b/c", "ok"),
        ("/etc/passwd", "needs text on both sides"),
        ("bad\x01name", "a control character"),
        ("tab\tname", "a control character"),
        ("x" * 300, "the limit is 200"),
    ],
)
def test_hostile_model_names_never_escape_the_dataset_folders(name, expected, home, tmp_path):
    _fresh_queue(home)
    before = {p for p in tmp_path.rglob("*")}
    proc = run_podium("submit", "fin-sentiment", str(home / SAMPLE), "--model", name, home=home)
    if expected == "ok":
        assert proc.returncode == 0, proc.stderr
        assert "file names use" in proc.stderr  # slugged, and the submitter is told
        request = RequestQueue(Home.from_env(home)).get(proc.stdout.strip())
        assert request.model.full_name == name  # kept as text
        created = {p for p in tmp_path.rglob("*")} - before
        queue_root = (home / "eval-queue").resolve()
        assert created and all(p.resolve().is_relative_to(queue_root) or p == home / "eval-queue" for p in created)
    else:
        assert proc.returncode == 2 and expected in proc.stderr, proc.stderr
        assert RequestQueue(Home.from_env(home)).ids() == []


def test_a_plain_org_and_name_needs_no_note(home):
    _fresh_queue(home)
    proc = run_podium("submit", "fin-sentiment", str(home / SAMPLE), "--model", "Acme/tone-v2", home=home)
    assert proc.returncode == 0, proc.stderr
    assert "file names use" not in proc.stderr
    assert "acme-tone-v2" in proc.stdout


def test_model_name_with_nul_is_refused(home):
    _fresh_queue(home)
    # A NUL cannot pass through argv; the service refuses it for the web form and the API.
    from podium.errors import InvalidField
    from podium.submissions import model_info

    with pytest.raises(InvalidField, match="a control character"):
        model_info("evil\x00name")


@pytest.mark.heavy
def test_serve_picks_up_a_submission_without_restart(home):
    """The acceptance path: start command running, `podium submit`, the result shows up without a restart."""
    _fresh_queue(home)
    command = [PODIUM, "--home", str(home), "serve", "--interval", "0.5", "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        request_id = _submit(home, "--model", "live/model")
        deadline = time.monotonic() + 180  # a generous bound on the wait, not a speed requirement
        rows = []
        while time.monotonic() < deadline:
            proc = run_podium("leaderboard", "fin-sentiment", "--json", home=home)
            rows = json.loads(proc.stdout) if proc.returncode == 0 else []
            if rows:
                break
            time.sleep(0.3)
        assert rows and rows[0]["model"] == "live/model" and rows[0]["submission"] == request_id
        assert rows[0]["ci"]
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert server.returncode == 0, output
    assert f"scored {request_id}" in output


@pytest.mark.heavy
def test_serve_on_a_taken_port_says_so_and_starts_nothing(home):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run_podium_process("serve", "--port", str(port), home=home)  # returns: nothing was left running
    assert proc.returncode == 2 and f"port {port} on 127.0.0.1 is already in use" in proc.stderr
    assert "--port" in proc.stderr and "backend" not in proc.stderr  # refused before the backend started


def test_the_server_socket_is_tcp_so_asyncio_turns_nagle_off():
    import socket

    from podium.web.server import _listen

    sock = _listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # with proto 0, connections keep Nagle: +100 ms per update
    finally:
        sock.close()


@pytest.mark.heavy
def test_submit_wait_follows_the_local_backend_and_prints_score_ci_and_rank(home, tmp_path):
    no_backend = run_podium("submit", "fin-sentiment", str(home / SAMPLE), "--model", "me/alone", "--wait",
                            "--wait-timeout", "1", home=home)  # fmt: skip
    assert no_backend.returncode == 3 and "is `podium serve` or `podium backend` running" in no_backend.stderr
    run_podium("cancel", no_backend.stdout.strip(), home=home, check=True)  # still queued: taken back
    with open(tmp_path / "backend.log", "w") as log:
        backend = subprocess.Popen(
            [PODIUM, "--home", str(home), "backend", "--interval", "0.2"], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        proc = run_podium("submit", "fin-sentiment", str(home / SAMPLE), "--model", "me/waiting", "--wait",
                          "--wait-timeout", "120", home=home)  # fmt: skip
    finally:
        backend.terminate()
        backend.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr
    request_id, score = proc.stdout.strip().splitlines()
    assert RequestQueue(Home.from_env(home)).get(request_id).status == "FINISHED"
    assert score.startswith("accuracy 0.6844  95% CI 0.")
    assert score.endswith("rank 3 of 5")  # tied with the sample model that sent the same file

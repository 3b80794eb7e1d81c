"""The queue's policies, defined once: listing and filtering (``RequestQueue.find``), counts per
state, the request states and their groups, the locks (filelock), splitting "org/name", and quotas
inside ``submit``. In-process, on real files; one real `podium serve` for the CLI over HTTP."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import REPO, start_podium_serve
from filelock import FileLock, Timeout

from podium import atomic
from podium.benchmarks import BenchmarkStore
from podium.cli import main as podium_main
from podium.client import ApiError, Client
from podium.config import Home
from podium.errors import InvalidField, QuotaExceeded
from podium.limits import Limits, submission_quota
from podium.queue import ACTIVE, STATES, TERMINAL, RequestQueue, new_request_id, parse_status
from podium.reported import add_reported, reported_result
from podium.schema import ModelInfo, RequestStatus, SubmissionRequest, utcnow
from podium.submissions import model_info, submit
from podium.tokens import TokenStore

PREDICTIONS = REPO / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl"
GIVE_UP = 120.0  # seconds; only reached when something hangs


def _fresh(home: Path) -> RequestQueue:
    shutil.rmtree(home / "eval-queue", ignore_errors=True)
    return RequestQueue(Home.from_env(home))


def _put(queue: RequestQueue, minutes_ago: int, name: str, org: str | None, benchmark: str, status: str,
         submitter: str) -> str:  # fmt: skip
    """A request file as the queue writes it, created ``minutes_ago`` (ids carry the creation time)."""
    when = utcnow() - timedelta(minutes=minutes_ago)
    model = ModelInfo(name=name, org=org)
    request = SubmissionRequest(
        id=new_request_id(model, when), benchmark=benchmark, model=model, submitter=submitter,
        predictions_file=f"predictions/{benchmark}/x.csv", predictions_sha256="0" * 64,
        status=RequestStatus(status), created_at=when, updated_at=when,
    )  # fmt: skip
    atomic.write_text(queue.requests_dir / f"{request.id}.json", request.to_json())
    return request.id


@pytest.fixture()
def five(home):
    """Five requests, one per state, a few minutes apart; ``ids[m]`` is the one made ``m`` minutes ago."""
    queue = _fresh(home)
    ids = {
        50: _put(queue, 50, "BERT-base", "acme", "fin-sentiment", "FINISHED", "alice"),
        40: _put(queue, 40, "bert-base", "northwind", "filing-qa", "FAILED", "bob"),
        30: _put(queue, 30, "roberta-base", None, "fin-sentiment", "PENDING", "alice"),
        20: _put(queue, 20, "roberta-base", "acme", "fin-sentiment", "RUNNING", "bob"),
        10: _put(queue, 10, "bert-base/v2", "acme", "fin-sentiment", "CANCELLED", "alice"),
    }
    return queue, ids


def _ids(requests) -> list[str]:
    return [r.id for r in requests]


# --------------------------------------------------------------------------- find and counts


def test_find_lists_newest_first_and_matches_a_model_by_full_name_or_by_name_exactly(five):
    queue, ids = five
    assert _ids(queue.find()) == [ids[10], ids[20], ids[30], ids[40], ids[50]]
    # a name without an org matches the name part, whatever the org, in any case; never a substring
    assert _ids(queue.find(model="bert-base")) == [ids[40], ids[50]]
    assert _ids(queue.find(model=" BERT-BASE ")) == [ids[40], ids[50]]
    assert _ids(queue.find(model="roberta-base")) == [ids[20], ids[30]]
    assert queue.find(model="bert") == [] and queue.find(model="base") == []
    # org/name matches that full name only
    assert _ids(queue.find(model="ACME/bert-base")) == [ids[50]]
    assert _ids(queue.find(model="acme/bert-base/v2")) == [ids[10]]
    assert queue.find(model="bert-base/v2") == []  # has a '/': read as org 'bert-base'
    assert queue.find(model="other/bert-base") == []
    assert _ids(queue.find(model="acme / ＢＥＲＴ-base")) == [ids[50]]  # read as names are: NFKC, spaces around '/'
    assert queue.find(model="/bert-base") == [] and queue.find(model="acme//bert-base") == []


def test_find_filters_by_state_benchmark_submitter_time_and_count(five):
    queue, ids = five
    assert _ids(queue.find(status="pending")) == [ids[30]]
    assert _ids(queue.find(status="Failed")) == [ids[40]]
    assert _ids(queue.find(status=RequestStatus.RUNNING)) == [ids[20]]
    assert _ids(queue.find(benchmark="filing-qa")) == [ids[40]]
    assert _ids(queue.find(benchmark="FILING-QA")) == [ids[40]]
    assert queue.find(benchmark="no-such-benchmark") == []
    assert _ids(queue.find(submitter="alice")) == [ids[10], ids[30], ids[50]]
    assert _ids(queue.find(since=utcnow() - timedelta(minutes=35))) == [ids[10], ids[20], ids[30]]
    naive = (utcnow() - timedelta(minutes=35)).replace(tzinfo=None)  # read as UTC
    assert _ids(queue.find(since=naive)) == [ids[10], ids[20], ids[30]]
    assert _ids(queue.find(limit=2)) == [ids[10], ids[20]]
    assert queue.find(limit=0) == []
    assert _ids(queue.find(model="roberta-base", submitter="bob")) == [ids[20]]
    assert _ids(queue.find(model="bert-base", status="finished", benchmark="fin-sentiment", limit=5)) == [ids[50]]


def test_find_refuses_an_unknown_state_naming_the_states(five):
    queue, _ = five
    with pytest.raises(InvalidField) as caught:
        queue.find(status="done")
    assert caught.value.field == "status"
    assert "'done'" in str(caught.value) and all(s.value in str(caught.value) for s in STATES)


def test_counts_give_every_state_in_order_and_the_unreadable_files(five):
    queue, ids = five
    summary = queue.counts()
    assert summary == {"counts": dict.fromkeys(["PENDING", "RUNNING", "FINISHED", "FAILED", "CANCELLED"], 1),
                       "unreadable": 0}  # fmt: skip
    assert list(summary["counts"]) == [s.value for s in STATES]
    (queue.requests_dir / "20990101t000000z-broken-00000000.json").write_text("{not json")
    queue.cancel(ids[30])
    summary = queue.counts()
    assert summary["unreadable"] == 1 and summary["counts"]["PENDING"] == 0 and summary["counts"]["CANCELLED"] == 2
    assert len(queue.find()) == 5  # the unreadable file is skipped, never an error
    assert _fresh(queue.root.parent).counts() == {"counts": dict.fromkeys(summary["counts"], 0), "unreadable": 0}


def test_the_states_and_their_groups_are_defined_once():
    assert list(STATES) == [RequestStatus.PENDING, RequestStatus.RUNNING, RequestStatus.FINISHED,
                            RequestStatus.FAILED, RequestStatus.CANCELLED]  # fmt: skip
    assert ACTIVE | TERMINAL == set(STATES) and not ACTIVE & TERMINAL
    assert "PENDING" in ACTIVE and "FINISHED" in TERMINAL and "RUNNING" not in TERMINAL  # plain strings too
    assert parse_status(" cancelled ") is RequestStatus.CANCELLED
    with pytest.raises(InvalidField, match="status: 'finish' is not a submission state"):
        parse_status("finish")


# --------------------------------------------------------------------------- the CLI on the same service


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = podium_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_podium_queue_lists_through_the_service(five, home, capsys):
    queue, ids = five
    code, out, err = _cli(capsys, "--home", str(home), "queue")
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0] == "pending 1  running 1  finished 1  failed 1  cancelled 1"
    assert [line.split()[0] for line in lines[1:]] == [ids[10], ids[20], ids[30], ids[40], ids[50]]

    def listed(*filters: str) -> list[str]:
        code, out, _ = _cli(capsys, "--home", str(home), "queue", *filters, "--json")
        assert code == 0
        return [r["id"] for r in json.loads(out)]

    assert listed("--model", "BERT-BASE") == [ids[40], ids[50]]  # the name part, exactly: not roberta-base
    assert listed("--model", "acme/roberta-base") == [ids[20]]
    assert listed("--status", "cancelled") == [ids[10]]
    assert listed("--benchmark", "filing-qa") == [ids[40]]
    assert listed("--limit", "2") == [ids[10], ids[20]]
    (queue.requests_dir / "20990101t000000z-broken-00000000.json").write_text("[]")
    code, out, err = _cli(capsys, "--home", str(home), "queue")
    assert code == 0 and "warning: 1 request file(s) in eval-queue/requests cannot be read" in err
    assert len(out.splitlines()) == 6


def test_podium_queue_over_http_filters_on_the_server_and_prints_what_it_prints_locally(five, home, capsys):
    queue, ids = five
    process, url, _ = start_podium_serve(home, None, "--no-backend")
    try:
        for filters in ([], ["--model", "bert-base"], ["--model", "BERT-BASE"], ["--model", "acme/roberta-base"],
                        ["--status", "failed"], ["--benchmark", "filing-qa"], ["--limit", "2"],
                        ["--model", "roberta-base", "--status", "running"]):  # fmt: skip
            code, remote, err = _cli(capsys, "queue", "--url", url, *filters)
            assert code == 0, err
            _, local, _ = _cli(capsys, "--home", str(home), "queue", *filters)
            assert remote == local, filters
        code, remote, _ = _cli(capsys, "queue", "--url", url, "--limit", "1")
        assert remote.splitlines()[0] == "pending 1  running 1  finished 1  failed 1  cancelled 1"  # from /api/queue
        assert len(remote.splitlines()) == 2
        with pytest.raises(ApiError) as caught:  # the service's refusal, as the API's 422
            Client(url).list_submissions(status="done")
        assert caught.value.status == 422 and "CANCELLED" in str(caught.value.detail)
    finally:
        process.kill()
        process.wait(timeout=GIVE_UP)


# --------------------------------------------------------------------------- locks


_HOLD = """
import sys, time
from pathlib import Path
from podium.config import Home
home = Home.from_env(sys.argv[2])
kind = sys.argv[1]
if kind == "queue":
    from podium.queue import RequestQueue
    lock = RequestQueue(home).locked()
elif kind == "tokens":
    from podium.tokens import TokenStore
    lock = TokenStore(home)._locked()
else:
    from podium.reported import _locked
    lock = _locked(home)
with lock:
    print("held", flush=True)
    time.sleep(3600)
"""


def _lock_file(kind: str, home: Home) -> Path:
    return {
        "queue": home.queue_dir / ".lock",
        "tokens": home.private_dir / "tokens.lock",
        "reported": home.results_dir / "reported" / ".lock",
    }[kind]


def _in_thread(action) -> dict:
    """Run ``action`` in a thread; its outcome (``result`` or ``error``) once done, {} if it never ends."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = action()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GIVE_UP)
    return outcome


@pytest.mark.parametrize("kind", ["queue", "tokens", "reported"])
def test_a_lock_held_by_a_killed_process_blocks_no_one(kind, home):
    """Another process holding the lock excludes us; once it is killed (kill -9), its lock file stays
    on disk but the next change goes through."""
    data = Home.from_env(home)
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, kind, str(home)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Timeout):
            FileLock(_lock_file(kind, data), timeout=0).acquire()  # held across processes
    finally:
        holder.kill()
        holder.wait(timeout=GIVE_UP)
    assert _lock_file(kind, data).exists()
    if kind == "queue":
        action = lambda: RequestQueue(data).add("fin-sentiment", "1", ModelInfo(name="m"), b"x", ".csv")  # noqa: E731
    elif kind == "tokens":
        action = lambda: TokenStore(data).create("after-kill", "submitter")  # noqa: E731
    else:
        card = BenchmarkStore(data).card("fin-sentiment")
        action = lambda: add_reported(data, card, "paper/after-kill", 0.5)  # noqa: E731
    outcome = _in_thread(action)
    assert "result" in outcome, outcome or "still waiting for the dead process's lock"


def test_the_queue_admits_under_its_lock_so_concurrent_submissions_never_pass_a_quota_together(home):
    """Threads sharing one queue (as a server's do) and threads with their own queue: exactly the quota."""
    shared = _fresh(home)
    data = Home.from_env(home)
    admit = submission_quota(Limits(daily_submissions=5, max_queued=100), "alice", "fin-sentiment")
    start = threading.Barrier(16)
    created, refused = [], []

    def one(i: int) -> None:
        queue = shared if i % 2 else RequestQueue(data)
        start.wait(GIVE_UP)
        try:
            request, _ = queue.add("fin-sentiment", "1", ModelInfo(name=f"m{i}"), f"{i}".encode(), ".csv", "alice",
                                   admit=admit)  # fmt: skip
            created.append(request.id)
        except QuotaExceeded:
            refused.append(i)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(GIVE_UP)
    assert len(created) == 5 and len(refused) == 11
    assert len(shared.find(submitter="alice")) == 5
    assert sorted(p.name for p in (shared.predictions_dir / "fin-sentiment").iterdir()) == sorted(
        f"{i}.csv" for i in created
    )  # a refused submission leaves no predictions behind


def _add_in_child(queue: RequestQueue) -> None:
    queue.add("fin-sentiment", "1", ModelInfo(name="from-child"), b"child", ".csv")


def test_a_queue_made_before_a_fork_still_locks_in_the_child(home):
    """filelock refuses a lock object inherited across fork; the queue makes one per use."""
    queue = _fresh(home)
    with queue.locked():  # the parent has used its lock before forking
        pass
    child = multiprocessing.get_context("fork").Process(target=_add_in_child, args=(queue,))
    child.start()
    child.join(GIVE_UP)
    assert child.exitcode == 0
    assert [r.model.name for r in queue.find()] == ["from-child"]


def test_token_changes_from_many_threads_are_all_kept(tmp_path):
    """Read-modify-write of tokens.json under the lock: concurrent grants never lose one another."""
    data = Home.from_env(tmp_path)
    TokenStore(data).create("ci-bot", "submitter")
    start = threading.Barrier(8)

    def grant(i: int) -> None:
        start.wait(GIVE_UP)
        TokenStore(data).grant("ci-bot", [f"org-{i}"])

    threads = [threading.Thread(target=grant, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(GIVE_UP)
    assert sorted(TokenStore(data).orgs_of("ci-bot")[1:]) == sorted(f"org-{i}" for i in range(8))


# --------------------------------------------------------------------------- one split of "org/name"


@pytest.mark.parametrize(
    ("given", "org", "name"),
    [("tfidf", None, "tfidf"), ("acme/tfidf", "acme", "tfidf"), ("a/b/c", "a", "b/c"), (" acme / x ", "acme", "x")],
)
def test_submissions_and_reported_rows_split_org_and_name_alike(given, org, name, home):
    card = BenchmarkStore(Home.from_env(home)).card("fin-sentiment")
    submitted = model_info(given)
    reported = reported_result(card, given, 0.5).model
    assert (submitted.org, submitted.name) == (reported.org, reported.name) == (org, name)


@pytest.mark.parametrize("given", ["/x", "x/", "a//b", "/"])
def test_a_slash_without_text_on_both_sides_is_refused_by_both(given, home):
    card = BenchmarkStore(Home.from_env(home)).card("fin-sentiment")
    with pytest.raises(InvalidField, match="needs text on both sides of '/'") as caught:
        model_info(given)
    assert caught.value.field == "model name"
    with pytest.raises(InvalidField, match="needs text on both sides of '/'") as caught:
        reported_result(card, given, 0.5)
    assert caught.value.field == "model"


# --------------------------------------------------------------------------- quotas inside submit


def test_submit_applies_the_environments_quotas_when_an_edge_passes_none(home, monkeypatch):
    _fresh(home)
    data = Home.from_env(home)
    store = TokenStore(data)
    store.create("q", "submitter")
    who = store.list()[0]
    monkeypatch.setenv("PODIUM_DAILY_SUBMISSIONS", "1")
    first = home / "first.jsonl"
    first.write_text(PREDICTIONS.read_text())
    assert submit(data, "fin-sentiment", first, ModelInfo(name="m1"), identity=who).created
    second = home / "second.jsonl"
    second.write_text(PREDICTIONS.read_text() + "\n")
    with pytest.raises(QuotaExceeded, match="the limit is 1"):
        submit(data, "fin-sentiment", second, ModelInfo(name="m2"), identity=who)
    # without an identity (the maintainer on the data folder) there is no quota
    assert submit(data, "fin-sentiment", second, ModelInfo(name="m2")).created

"""A backend drains its queue: while requests wait, each worker hands the next one to its warm scoring
process the moment it replies, without a poll or the dispatcher in between; claims in a row do not
list the requests folder each time. Asserted on log lines, counts and events, never on time."""

import logging
import re
import threading

import pandas as pd
import pytest

from podium import backend as backend_module
from podium import webhooks
from podium.backend import Backend, BackendSettings
from podium.benchmarks import BenchmarkStore
from podium.config import Home
from podium.queue import RequestQueue
from podium.schema import BenchmarkCard, ModelInfo

PREDICTIONS = ("id,prediction\n" + "".join(f"t{i},{'ab'[i % 3 == 0]}\n" for i in range(10))).encode()


@pytest.fixture()
def home(tmp_path) -> Home:
    home = Home.from_env(tmp_path / "home")
    table = pd.DataFrame({"id": [f"t{i}" for i in range(10)], "text": "x", "label": ["a", "b"] * 5})
    card = BenchmarkCard(id="tiny", name="Tiny", task_type="text_classification", primary_metric="accuracy")
    BenchmarkStore(home).add(card, table)
    return home


def _add(home: Home, n: int, submitter: str | None = None, first: int = 0) -> list[str]:
    queue = RequestQueue(home)
    version = BenchmarkStore(home).card("tiny").version
    return [
        queue.add("tiny", version, ModelInfo(name=f"model-{i}"), PREDICTIONS, ".csv", submitter=submitter)[0].id
        for i in range(first, first + n)
    ]


def _events(caplog) -> list[tuple[str, str, str | None]]:
    """("claimed" | "scored", request id, scoring process) in the order the backend logged them."""
    events = []
    for record in caplog.records:
        message = record.getMessage()
        if m := re.match(r"claimed (\S+):", message):
            events.append(("claimed", m.group(1), None))
        elif m := re.match(r"scored (\S+) in [\d.]+ s \(scoring process (\d+)\)", message):
            events.append(("scored", m.group(1), m.group(2)))
    return events


def _scored_exactly_once(home: Home, ids: list[str]) -> None:
    queue = RequestQueue(home)
    for request_id in ids:
        request = queue.get(request_id)
        assert (request.status, request.attempts) == ("FINISHED", 1), request_id
    assert sorted(p.stem for p in (home.results_dir / "tiny").glob("*.json")) == sorted(ids)
    assert not list(home.results_dir.glob("tiny/.*"))  # nothing staged or half-written left


def test_a_worker_hands_the_next_request_over_before_recording_the_one_just_scored(home, caplog):
    caplog.set_level(logging.INFO, logger="podium.backend")
    ids = _add(home, 6)
    backend = Backend(home, BackendSettings(workers=1))
    try:
        assert backend.run_once() == 6
    finally:
        backend.stop()
    events = _events(caplog)
    claimed = [request_id for kind, request_id, _ in events if kind == "claimed"]
    assert sorted(claimed) == sorted(ids)  # each claimed once
    # claim 1, then for each next request: claim it, and only then record the one before it.
    expected = [("claimed", claimed[0])]
    for previous, following in zip(claimed[:-1], claimed[1:], strict=True):
        expected += [("claimed", following), ("scored", previous)]
    expected.append(("scored", claimed[-1]))
    assert [(kind, request_id) for kind, request_id, _ in events] == expected
    assert len({process for kind, _, process in events if kind == "scored"}) == 1  # one warm process, reused
    _scored_exactly_once(home, ids)


def test_a_scheduled_backend_drains_the_queue_with_no_poll_and_no_dispatcher_between_requests(
    home, caplog, monkeypatch
):
    """No poll (an hour apart) and no folder watch (an hour too): only the workers can go on from one
    request to the next, and the dispatcher is woken only when a worker runs out of work."""
    caplog.set_level(logging.INFO, logger="podium.backend")
    monkeypatch.setattr(backend_module, "WATCH_SECONDS", 3600.0)
    ids = _add(home, 20)
    done, heard = threading.Event(), set()

    def on_event(event: str, data: dict) -> None:
        if event == "result.added" and data["submission_id"] in ids:
            heard.add(data["submission_id"])
            if len(heard) == len(ids):
                done.set()

    webhooks.listen(on_event)
    backend = Backend(home, BackendSettings(workers=2, interval_seconds=3600))
    ticks = []
    tick = backend.tick
    backend.tick = lambda: (ticks.append(1), tick())[1]
    backend.start()
    try:
        assert done.wait(300), f"{len(heard)} of {len(ids)} scored"
    finally:
        backend.stop()
    assert len(ticks) <= 1 + backend.settings.workers  # the first, then one per worker that ran dry
    events = _events(caplog)
    assert sorted(request_id for kind, request_id, _ in events if kind == "claimed") == sorted(ids)
    assert len({process for kind, _, process in events if kind == "scored"}) == 2  # the two warm processes
    _scored_exactly_once(home, ids)


def test_a_scoring_process_is_replaced_after_its_share_even_while_requests_wait(home, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="podium.backend")
    monkeypatch.setattr(backend_module, "REQUESTS_PER_PROCESS", 2)
    ids = _add(home, 5)
    backend = Backend(home, BackendSettings(workers=1))
    try:
        assert backend.run_once() == 5
    finally:
        backend.stop()
    processes = [process for kind, _, process in _events(caplog) if kind == "scored"]
    assert len(processes) == 5
    assert [processes.count(p) for p in dict.fromkeys(processes)] == [2, 2, 1]  # in turn, never more than 2
    _scored_exactly_once(home, ids)


# --------------------------------------------------------------------------- the queue's listing


def _count_listings(queue: RequestQueue) -> list[int]:
    listings = []
    ids = queue.ids
    queue.ids = lambda: (listings.append(1), ids())[1]
    return listings


def test_claims_in_a_row_list_the_requests_folder_once(home):
    listed = _add(home, 5)
    queue = RequestQueue(home)
    queue.listing_seconds = 3600.0  # the listing never gets old in this test
    listings = _count_listings(queue)
    claimed = []
    for k in range(5):
        request = queue.claim(f"worker#{k}", 30)
        assert queue.finish(request.id, request.lease.owner, f"tiny/{request.id}.json")
        claimed.append(request.id)
    assert sorted(claimed) == sorted(listed) and claimed == sorted(claimed)  # oldest first, each once
    assert len(listings) == 1


def test_a_claim_lists_the_folder_again_before_saying_nothing_waits(home):
    queue = RequestQueue(home)
    queue.listing_seconds = 3600.0
    listings = _count_listings(queue)
    [first] = _add(home, 1)
    assert queue.claim("worker#1", 30).id == first
    assert len(listings) == 1
    [added_later] = _add(home, 1, first=1)  # not in that listing
    assert queue.claim("worker#2", 30).id == added_later
    assert len(listings) == 2
    assert queue.claim("worker#3", 30) is None  # answered only after looking at the folder again
    assert len(listings) == 3


def test_a_request_given_back_is_claimed_again_before_newer_ones_from_the_same_listing(home):
    ids = sorted(_add(home, 3))
    queue = RequestQueue(home)
    queue.listing_seconds = 3600.0
    listings = _count_listings(queue)
    oldest = queue.claim("worker#1", 30)
    assert oldest.id == ids[0]
    queue.release(oldest.id, "worker#1")  # its backend stopped: back to PENDING, unharmed
    again = queue.claim("worker#2", 30)
    assert again.id == ids[0] and again.attempts == 1
    assert len(listings) == 1


def test_the_waiting_requests_a_quota_counts_are_listed_fresh_whatever_a_claim_listed(home):
    queue = RequestQueue(home)
    queue.listing_seconds = 3600.0
    _add(home, 1, submitter="alice")
    queue.claim("worker#1", 30)  # lists the folder: one request
    later = _add(home, 2, submitter="alice", first=1)
    assert {r.id for r in queue.waiting("alice")} >= set(later)
    assert len(queue.waiting("alice")) == 3

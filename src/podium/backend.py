"""The scheduled scorer: claims PENDING requests, scores them, writes result files.

Each claimed request is scored in a child process (started from a ``forkserver`` that has the
scoring code and metric modules already loaded, so a child starts in milliseconds). The worker
thread that claimed it renews the lease while the child runs, stops the child when the scoring
timeout passes or the request is cancelled, and records the outcome:

- scored: the child writes ``eval-results/<benchmark>/<request-id>.json`` atomically; the request
  becomes FINISHED. Result file names come from the request id, so a rescore after a crash
  replaces the file instead of adding a second one.
- invalid predictions (e.g. the benchmark changed since submission): FAILED with the message.
- timeout: FAILED, saying how long it was allowed.
- the child crashed: back to PENDING with ``attempts + 1``; FAILED after ``max_attempts``.

If the backend itself dies (``kill -9``), its leases expire and another backend (or this one,
restarted) takes the requests again.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from podium import webhooks
from podium.config import Home
from podium.queue import DEFAULT_MAX_ATTEMPTS, RequestQueue
from podium.schema import SubmissionRequest

log = logging.getLogger("podium.backend")


SWEEP_SECONDS = 600.0  # how often leftovers of crashes are looked for
SWEEP_AGE_SECONDS = 3600.0  # and how old they must be (no live writer holds a file that long)


@dataclass(frozen=True)
class BackendSettings:
    workers: int = 2
    interval_seconds: float = 2.0
    lease_seconds: float = 30.0
    timeout_seconds: float = 600.0
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


def result_relative_path(request: SubmissionRequest) -> str:
    return f"{request.benchmark}/{request.id}.json"


def score_in_child(root: str, private_root: str | None, max_bytes: int, request_id: str, conn) -> None:
    """Runs in the child process: score one request and write its result file."""
    try:
        from podium.errors import PodiumError
        from podium.private_part import score_submission, write_scores

        home = Home(Path(root), Path(private_root) if private_root else None, max_bytes)
        queue = RequestQueue(home)
        request = queue.get(request_id)
        try:
            # A benchmark with a private part gets two results: the public part's (the result file)
            # and the private part's, kept under the private folder until `podium benchmark reveal`.
            scores = score_submission(
                home,
                request.benchmark,
                queue.predictions_path(request),
                model=request.model,
                submission_id=request.id,
            )
        except PodiumError as exc:
            conn.send(("invalid", str(exc)))
            return
        relative = result_relative_path(request)
        write_scores(home, relative, scores)
        result = scores.public
        interval = result.ci.get(result.primary_metric)
        summary = f"{result.primary_metric} {result.score:.4f}" + (
            f" [{interval.low:.4f}, {interval.high:.4f}]" if interval else ""
        )
        conn.send(("ok", relative, summary))
    except BaseException:  # noqa: BLE001  (reported to the parent, which decides)
        conn.send(("error", traceback.format_exc(limit=5)))
    finally:
        conn.close()


_CONTEXT = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(["podium.backend_preload"])
    return _CONTEXT


class Backend:
    """Scores the requests dataset into the results dataset."""

    def __init__(self, home: Home, settings: BackendSettings | None = None, owner: str | None = None):
        self.home = home
        self.settings = settings or BackendSettings()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"
        self.queue = RequestQueue(home)
        self._pool = ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="podium-score")
        self._slots = threading.Semaphore(self.settings.workers)
        self._stopping = threading.Event()
        self._children: dict[str, multiprocessing.Process] = {}
        self._lock = threading.Lock()
        self._scheduler = None
        self._claim_lock = threading.Lock()
        self._claims = 0

    # ------------------------------------------------------------------ running

    def run_once(self) -> int:
        """Score everything pending now (and anything submitted meanwhile), then return the count."""
        self.sweep()
        done = 0
        futures = []
        while not self._stopping.is_set():
            self._slots.acquire()
            request = self._claim()
            if request is None:
                self._slots.release()
                if not any(not f.done() for f in futures):
                    break
                time.sleep(0.05)
                continue
            futures.append(self._pool.submit(self._process, request))
            done += 1
        for future in futures:
            future.result()
        return done

    def start(self) -> None:
        """Poll the queue every ``interval_seconds`` in an apscheduler ``BackgroundScheduler``."""
        from apscheduler.schedulers.background import BackgroundScheduler

        _context()  # start the forkserver before the first request arrives
        self._scheduler = BackgroundScheduler(daemon=True)
        self._scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.settings.interval_seconds,
            max_instances=1,
            coalesce=True,
            id="podium-backend",
            next_run_time=None,
        )
        self._scheduler.add_job(
            self.sweep, "interval", seconds=SWEEP_SECONDS, max_instances=1, coalesce=True, id="podium-sweep",
            next_run_time=_now(),
        )  # fmt: skip
        self._scheduler.start()
        self._scheduler.modify_job("podium-backend", next_run_time=_now())
        log.info(
            "backend %s polling %s every %.1f s with %d workers",
            self.owner,
            self.home.queue_dir,
            self.settings.interval_seconds,
            self.settings.workers,
        )

    def sweep(self) -> None:
        """Remove what crashes left behind in both datasets (see ``RequestQueue.sweep``)."""
        from podium import atomic

        try:
            removed = self.queue.sweep(SWEEP_AGE_SECONDS)
            removed += atomic.remove_stale_temporaries(self.home.results_dir, SWEEP_AGE_SECONDS)
        except OSError:
            log.exception("sweeping failed")
            return
        for path in removed:
            log.info("removed %s, left behind by an interrupted write", path)

    def tick(self) -> None:
        """Claim as many requests as there are free workers."""
        while not self._stopping.is_set() and self._slots.acquire(blocking=False):
            request = self._claim()
            if request is None:
                self._slots.release()
                return
            self._pool.submit(self._process, request)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; stop running children and give their requests back (no attempt counted)."""
        self._stopping.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        with self._lock:
            children = list(self._children.items())
        for request_id, child in children:
            log.info("stopping: returning %s to the queue", request_id)
            child.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)
        webhooks.flush()

    # ------------------------------------------------------------------ one request

    def _claim(self) -> SubmissionRequest | None:
        with self._claim_lock:
            # Each claim has its own lease owner, so a worker whose lease lapsed can never act on
            # the request again, even when this same backend has claimed it anew.
            self._claims += 1
            owner = f"{self.owner}#{self._claims}"
            try:
                request = self.queue.claim(owner, self.settings.lease_seconds, self.settings.max_attempts)
            except Exception:  # a broken queue file must not kill the scheduler
                log.exception("claiming failed")
                return None
        if request is not None:
            log.info(
                "claimed %s: %s on %s (attempt %d)",
                request.id,
                request.model.full_name,
                request.benchmark,
                request.attempts + 1,
            )
        return request

    def _process(self, request: SubmissionRequest) -> None:
        try:
            self._score(request)
        except Exception:
            log.exception("scoring %s failed unexpectedly", request.id)
            owner = request.lease.owner
            self.queue.release(request.id, owner, crashed=True, max_attempts=self.settings.max_attempts)
        finally:
            self._slots.release()

    @staticmethod
    def _failed(request: SubmissionRequest, error: str) -> None:
        webhooks.notify(
            "submission.failed",
            f"submission of {request.model.full_name} to {request.benchmark} failed: {error}",
            {"submission_id": request.id, "benchmark": request.benchmark, "model": request.model.full_name,
             "error": error},
        )  # fmt: skip

    def _score(self, request: SubmissionRequest) -> None:
        settings = self.settings
        owner = request.lease.owner
        started = time.monotonic()
        parent, child_end = _context().Pipe(duplex=False)
        child = _context().Process(
            target=score_in_child,
            args=(
                str(self.home.root),
                str(self.home.private_root) if self.home.private_root else None,
                self.home.max_predictions_bytes,
                request.id,
                child_end,
            ),
            daemon=True,
        )
        child.start()
        child_end.close()
        with self._lock:
            self._children[request.id] = child
        message = None
        try:
            renew_every = max(settings.lease_seconds / 3, 0.05)
            next_renewal = started + renew_every
            while True:
                remaining = settings.timeout_seconds - (time.monotonic() - started)
                if parent.poll(max(0.0, min(renew_every, 0.5, remaining))):
                    try:
                        message = parent.recv()
                    except EOFError:
                        message = None
                    break
                if not child.is_alive() and not parent.poll():
                    break
                now = time.monotonic()
                if self._stopping.is_set():
                    child.kill()
                    self.queue.release(request.id, owner, crashed=False)
                    return
                if now - started > settings.timeout_seconds:
                    child.kill()
                    error = (
                        f"scoring took longer than {settings.timeout_seconds:g} s and was stopped; "
                        "a file of this size may need a larger limit: ask the maintainers"
                    )
                    if self.queue.fail(request.id, owner, error):
                        self._failed(request, error)
                    log.warning("timed out %s after %.1f s", request.id, now - started)
                    return
                if now >= next_renewal:
                    next_renewal = now + renew_every
                    if not self.queue.renew(request.id, owner, settings.lease_seconds):
                        child.kill()
                        log.info("dropped %s: cancelled or taken over while scoring", request.id)
                        return
            child.join(timeout=5)
        finally:
            with self._lock:
                self._children.pop(request.id, None)
            parent.close()
        seconds = time.monotonic() - started
        if message is not None and message[0] == "ok":
            _, relative, summary = message
            if self.queue.finish(request.id, owner, relative):
                log.info("scored %s in %.2f s: %s", request.id, seconds, summary)
                webhooks.notify(
                    "result.added",
                    f"{request.model.full_name} scored on {request.benchmark}: {summary}",
                    {"submission_id": request.id, "benchmark": request.benchmark,
                     "model": request.model.full_name, "result_file": relative, "summary": summary},
                )  # fmt: skip
            else:
                current = self.queue.get(request.id)
                if current.status.value == "CANCELLED":
                    (self.home.results_dir / relative).unlink(missing_ok=True)
                log.info("scored %s but it is now %s; result not recorded", request.id, current.status.value)
        elif message is not None and message[0] == "invalid":
            if self.queue.fail(request.id, owner, message[1]):
                self._failed(request, message[1])
            log.warning("failed %s: %s", request.id, message[1])
        else:
            detail = message[1] if message else f"the scoring process exited with code {child.exitcode}"
            log.error("scoring crashed for %s: %s", request.id, detail)
            self.queue.release(request.id, owner, crashed=True, max_attempts=settings.max_attempts)


def _now():
    from datetime import datetime

    return datetime.now().astimezone()

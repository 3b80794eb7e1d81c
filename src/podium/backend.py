"""The scheduled scorer: claims PENDING requests, scores them, publishes result files.

Scoring runs in warm scoring processes, started before the first claim from a ``forkserver`` that
has the scorer loaded (``podium.backend_preload``); each one scores request after request. Each of
the ``workers`` worker threads claims a request, hands it to its scoring process and, while it runs,
renews the lease; it stops the process when the scoring timeout passes, the request is cancelled or
taken over (the lease is lost) or the backend stops. When the process replies, the worker claims the
next waiting request and hands it over at once, then records the previous outcome while the next one
is scored; it goes on so until nothing is waiting. The outcomes:

- scored: the scoring process writes the result file *staged*, under a hidden name of this claim
  (``eval-results/<benchmark>/.<request-id>.json.<claim>.staged``); the worker marks the request
  FINISHED under its lease and only then renames the staged file onto
  ``eval-results/<benchmark>/<request-id>.json``. So a result becomes visible only when its owner
  finishes the request, never after a timeout, a cancellation or a lost lease (the staged file is
  removed). Result file names come from the request id, so a rescore replaces the file.
- invalid predictions (e.g. the benchmark changed since submission): FAILED with the message.
- timeout: FAILED, saying how long it was allowed.
- the scoring process crashed: back to PENDING; FAILED after ``max_attempts`` crashes.

If the backend itself dies (``kill -9``), its leases expire and another backend (or this one,
restarted) takes the requests again; its scoring processes notice the hang-up and stage nothing.
A death between FINISHED and the rename leaves a staged file, which the next sweep publishes.

Nothing sleeps while requests wait. An idle backend notices a new request within ``WATCH_SECONDS``
(the requests folder is watched); apscheduler runs the schedule: a full poll every
``interval_seconds`` (expired leases, a change the folder's stamp missed) and the sweep of crash
leftovers every ``SWEEP_SECONDS``.
"""

from __future__ import annotations

import hashlib
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

from podium import atomic, outcomes, webhooks
from podium.config import Home
from podium.queue import DEFAULT_MAX_ATTEMPTS, RequestNotFound, RequestQueue
from podium.schema import FormatError, RequestStatus, SubmissionRequest

log = logging.getLogger("podium.backend")


SWEEP_SECONDS = 600.0  # how often leftovers of crashes are looked for
SWEEP_AGE_SECONDS = 3600.0  # and how old they must be (no live writer holds a file that long)
WATCH_SECONDS = 0.1  # how often the requests folder is checked for a change (one stat)
REQUESTS_PER_PROCESS = 200  # a scoring process is replaced after this many (bounds what a long run keeps)
STAGED_SUFFIX = ".staged"


@dataclass(frozen=True)
class BackendSettings:
    workers: int = 2
    interval_seconds: float = 2.0
    lease_seconds: float = 30.0
    timeout_seconds: float = 600.0
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


def result_relative_path(request: SubmissionRequest) -> str:
    return f"{request.benchmark}/{request.id}.json"


# --------------------------------------------------------------------------- staged result files


def claim_tag(owner: str) -> str:
    """A short name for one claim (its lease owner), safe in a file name."""
    return hashlib.blake2b(owner.encode("utf-8"), digest_size=6).hexdigest()


def staged_path(final: Path, claim: str) -> Path:
    """Where ``claim`` stages the result file ``final``: hidden, so no reader lists it."""
    return final.with_name(f".{final.name}.{claim}{STAGED_SUFFIX}")


def _final_path(staged: Path) -> tuple[str, Path]:
    """(request id, result file or its outcomes file) of a staged file."""
    name = staged.name[1 : -len(STAGED_SUFFIX)].rsplit(".", 1)[0]  # "<request-id>.json" or "...outcomes.parquet"
    return name.removesuffix(".json").removesuffix(outcomes.SUFFIX), staged.with_name(name)


def stage_scores(home: Home, relative: str, scores, claim: str) -> list[Path]:
    """Write a scored submission's files for ``claim``; the staged ones' paths.

    The public result (and, once the benchmark's private part is revealed, the companion table's) is
    staged, each after its outcomes file (``podium.outcomes``), so ``publish`` renames that first; the
    private part's score is written in place, first: it is never shown by itself.
    """
    from podium.private_part import private_score_path

    name = Path(relative).name
    public = [(home.results_dir / relative, scores.public)]
    if scores.private is not None:
        outcomes.write_result(private_score_path(home, scores.public.benchmark, name), scores.private)
        if scores.revealed:
            public.append((home.results_dir / scores.private.benchmark / name, scores.private))
    staged = []
    for final, result in public:
        shown, data = outcomes.detach(result, final.name)
        if data is not None:
            path = staged_path(final.with_name(shown.outcomes_file), claim)
            atomic.write_bytes(path, data)
            staged.append(path)
        path = staged_path(final, claim)
        atomic.write_text(path, shown.to_json())
        staged.append(path)
    return staged


def _staged_of(home: Home, request_id: str, claim: str) -> list[Path]:
    """The files ``claim`` staged for ``request_id`` (in any benchmark's folder): results and outcomes files."""
    names = (f"{request_id}.json", outcomes.file_name(f"{request_id}.json"))
    return [path for name in names for path in home.results_dir.glob(f"*/.{name}.{claim}{STAGED_SUFFIX}")]


def _staged_outcomes(staged: Path) -> list[Path]:
    """The outcomes file staged by the same claim as the staged result file ``staged`` (if any)."""
    final = _final_path(staged)[1]
    claim = staged.name[1 : -len(STAGED_SUFFIX)].rsplit(".", 1)[1]
    path = staged_path(final.with_name(outcomes.file_name(final.name)), claim)
    return [path] if final.name.endswith(".json") and path.exists() else []


def publish(staged: list[Path]) -> None:
    """Rename staged files onto their result files (a sweep may have done it already)."""
    for path in staged:
        try:
            os.replace(path, _final_path(path)[1])
        except FileNotFoundError:
            pass


def _remove(paths) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)


# --------------------------------------------------------------------------- scoring processes


def _scoring_process(root: str, private_root: str | None, max_bytes: int, conn) -> None:
    """A scoring process's life: score each ``(request id, claim)`` the backend sends, reply, repeat,
    until the backend hangs up. Only the backend stops it: a Ctrl-C or a SIGTERM sent to the whole
    process group must not look like a crash (which would count against the request)."""
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    home = Home(Path(root), Path(private_root) if private_root else None, max_bytes)
    while True:
        try:
            request_id, claim = conn.recv()
        except (EOFError, OSError):
            return
        # The backend sends nothing while it waits for a reply: anything readable is its hang-up.
        reply = _score_request(home, request_id, claim, backend_gone=conn.poll)
        try:
            conn.send(reply)
        except OSError:
            return


def _score_request(home: Home, request_id: str, claim: str, backend_gone) -> tuple:
    """Score one request and stage its files: ("ok", relative, staged paths, summary),
    ("invalid", message), ("gone",) when the backend died meanwhile, or ("error", traceback)."""
    try:
        from podium.errors import PodiumError
        from podium.private_part import score_submission

        queue = RequestQueue(home)
        request = queue.get(request_id)
        try:
            # A benchmark with a private part gets two results: the public part's (the result file)
            # and the private part's, kept under the private folder until `podium benchmark reveal`.
            scores = score_submission(
                home, request.benchmark, queue.predictions_path(request), model=request.model, submission_id=request.id
            )
        except PodiumError as exc:
            return ("invalid", str(exc))
        if backend_gone():  # its lease will expire and the request be scored again: leave nothing
            return ("gone",)
        relative = result_relative_path(request)
        staged = stage_scores(home, relative, scores, claim)
        result = scores.public
        interval = result.ci.get(result.primary_metric)
        summary = f"{result.primary_metric} {result.score:.4f}" + (
            f" [{interval.low:.4f}, {interval.high:.4f}]" if interval else ""
        )
        return ("ok", relative, [str(p) for p in staged], summary)
    except Exception:  # reported to the backend, which decides
        return ("error", traceback.format_exc(limit=5))


_CONTEXT = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(["podium.backend_preload"])
    return _CONTEXT


class _ScoringProcess:
    """One scoring process and the backend's end of its pipe."""

    def __init__(self, home: Home):
        context = _context()
        self.conn, child_end = context.Pipe()
        root, private_root = str(home.root), str(home.private_root) if home.private_root else None
        self.process = context.Process(
            target=_scoring_process,
            args=(root, private_root, home.max_predictions_bytes, child_end),
            name="podium-scoring",
            daemon=True,
        )
        self.process.start()
        child_end.close()
        self.served = 0

    def send(self, request_id: str, claim: str) -> None:
        self.served += 1
        self.conn.send((request_id, claim))

    def ready(self, timeout: float) -> bool:
        """Whether a reply (or the process's end) can be read, waiting up to ``timeout`` seconds."""
        try:
            return self.conn.poll(timeout)
        except OSError:
            return True

    def reply(self) -> tuple | None:
        """The reply; None if the process died before giving one."""
        try:
            return self.conn.recv()
        except Exception:  # EOF, a closed pipe, half a message from a killed process
            return None

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        self.process.kill()

    def close(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class _ScoringPool:
    """Warm scoring processes: ``size`` started by ``fill`` (before the first claim), each reused for
    request after request until it is stopped (timeout, lost lease), fails or has served
    ``REQUESTS_PER_PROCESS``. A replacement forks from the warm forkserver in milliseconds."""

    def __init__(self, home: Home, size: int):
        self.home = home
        self.size = size
        self._idle: list[_ScoringProcess] = []
        self._lock = threading.Lock()
        self._closed = False

    def fill(self) -> None:
        with self._lock:
            missing = self.size - len(self._idle)
        started = [_ScoringProcess(self.home) for _ in range(max(missing, 0))]
        for process in started:
            self.give_back(process)

    def take(self) -> _ScoringProcess:
        with self._lock:
            while self._idle:
                process = self._idle.pop()
                if process.alive:
                    return process
                process.close()
        return _ScoringProcess(self.home)

    def give_back(self, process: _ScoringProcess) -> None:
        with self._lock:
            if not self._closed and process.alive and process.served < REQUESTS_PER_PROCESS:
                self._idle.append(process)
                return
        process.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for process in idle:
            process.close()


# --------------------------------------------------------------------------- the backend


class Backend:
    """Scores the requests dataset into the results dataset."""

    def __init__(self, home: Home, settings: BackendSettings | None = None, owner: str | None = None):
        self.home = home
        self.settings = settings or BackendSettings()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"
        self.queue = RequestQueue(home)
        self._pool = ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="podium-score")
        self._slots = threading.Semaphore(self.settings.workers)
        self._scoring = _ScoringPool(home, self.settings.workers)
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._running: dict[str, _ScoringProcess] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._scheduler = None
        self._claim_lock = threading.Lock()
        self._claims = 0

    # ------------------------------------------------------------------ running

    def run_once(self) -> int:
        """Score everything pending now (and anything submitted meanwhile), then return the count."""
        self.sweep()
        self._scoring.fill()
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
            futures.append(self._pool.submit(self._work, request))
        return sum(future.result() for future in futures)

    def start(self) -> None:
        """Score in a background thread: warm the scoring processes, then claim whenever the requests
        folder changes, a worker becomes free, or ``interval_seconds`` have passed."""
        from apscheduler.schedulers.background import BackgroundScheduler

        self._thread = threading.Thread(target=self._dispatch, name="podium-backend", daemon=True)
        self._thread.start()
        # The schedule: a full poll every interval (a request whose lease expired, a change the
        # folder's stamp missed) and the sweep of crash leftovers every SWEEP_SECONDS.
        self._scheduler = BackgroundScheduler(daemon=True, job_defaults={"coalesce": True, "max_instances": 1})
        self._scheduler.add_job(self.wake, "interval", seconds=self.settings.interval_seconds, id="poll")
        self._scheduler.add_job(self.sweep, "interval", seconds=SWEEP_SECONDS, id="sweep")
        self._scheduler.start()

    def wake(self) -> None:
        """Claim now (e.g. a request was just submitted in this process)."""
        self._wake.set()

    def _dispatch(self) -> None:
        started = time.perf_counter()
        try:
            self.sweep()  # first: it publishes what a backend that died left staged
            self._scoring.fill()  # before the first claim
        except Exception:  # the workers start scoring processes as they need them
            log.exception("starting the backend failed; going on")
        log.info(
            "backend %s polling %s (on every change, and every %.1f s) with %d workers; warm in %.2f s",
            self.owner,
            self.home.queue_dir,
            self.settings.interval_seconds,
            self.settings.workers,
            time.perf_counter() - started,
        )
        seen = None
        while not self._stopping.is_set():
            stamp = self._requests_stamp()
            try:
                if self._wake.is_set() or stamp != seen:
                    self._wake.clear()
                    seen = stamp
                    self.tick()
            except Exception:  # a broken file must not stop the scheduler
                log.exception("the backend's loop failed; going on")
            self._wake.wait(WATCH_SECONDS)

    def _requests_stamp(self) -> tuple[int, int] | None:
        """Changes whenever a request file is added, replaced or removed (one ``stat``)."""
        try:
            st = os.stat(self.queue.requests_dir)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns

    def sweep(self) -> None:
        """Remove what crashes left behind in both datasets (see ``RequestQueue.sweep``), and settle
        staged result files (see ``settle_staged``)."""
        try:
            removed = self.queue.sweep(SWEEP_AGE_SECONDS)
            removed += atomic.remove_stale_temporaries(self.home.results_dir, SWEEP_AGE_SECONDS)
            removed += self.settle_staged()
            removed += outcomes.remove_orphans(self.home.results_dir, SWEEP_AGE_SECONDS)
            removed += outcomes.remove_orphans(self.home.private_dir, SWEEP_AGE_SECONDS)
        except OSError:
            log.exception("sweeping failed")
            return
        for path in removed:
            log.info("removed %s, left behind by an interrupted write", path)

    def settle_staged(self) -> list[Path]:
        """Staged result files whose owner died: publish the newest of a FINISHED request that has no
        result file (its owner died between FINISHED and the rename); remove the others once their
        request has ended, or once old. Returns the paths removed."""
        removed: list[Path] = []
        root = self.home.results_dir
        if not root.is_dir():
            return removed
        staged = sorted(root.glob(f"*/.*{STAGED_SUFFIX}"), key=_mtime, reverse=True)  # newest first
        cutoff = time.time() - SWEEP_AGE_SECONDS
        for path in staged:
            request_id, final = _final_path(path)
            try:
                status = self.queue.get(request_id).status
            except (RequestNotFound, FormatError):
                status = None
            if status == RequestStatus.FINISHED and not final.exists():
                publish([*_staged_outcomes(path), path])  # a result's outcomes file before it
                log.info("published %s, staged by a backend that stopped before renaming it", final)
            elif status in (RequestStatus.FINISHED, RequestStatus.FAILED, RequestStatus.CANCELLED):
                path.unlink(missing_ok=True)
                removed.append(path)
            elif atomic.remove_if_older(path, cutoff):  # still PENDING or RUNNING: an owner may publish it
                removed.append(path)
        return removed

    def tick(self) -> None:
        """Put every free worker to work on a waiting request (each then goes on while work waits)."""
        while not self._stopping.is_set() and self._slots.acquire(blocking=False):
            request = self._claim()
            if request is None:
                self._slots.release()
                return
            self._pool.submit(self._work, request)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; stop running scoring processes and give their requests back (no attempt counted)."""
        self._stopping.set()
        self._wake.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        with self._lock:
            running = list(self._running.items())
        for request_id, process in running:
            log.info("stopping: returning %s to the queue", request_id)
            process.kill()
        if self._thread is not None:
            self._thread.join(timeout)  # first: it may be handing a request to a worker
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._scoring.close()
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
                request.attempts,
            )
        return request

    def _work(self, request: SubmissionRequest) -> int:
        """One worker, holding one of the ``workers`` slots: score ``request``, then the next waiting
        request, and so on until none is waiting (or the backend stops); the slot is then free again.
        The next request is claimed and handed to the scoring process the moment it replies, and the
        previous one is recorded while the next is scored: between two submissions a scoring process
        waits for one claim only. Returns how many requests it took."""
        taken = 0
        process: _ScoringProcess | None = None
        sent_at: float | None = None  # when ``request`` was handed to ``process``; None: not yet
        try:
            while request is not None:
                taken += 1
                current = request
                try:
                    request, process, sent_at = self._score(current, process, sent_at)
                except Exception:
                    log.exception("scoring %s failed unexpectedly", current.id)
                    with self._lock:
                        self._running.pop(current.id, None)
                    if process is not None:
                        process.close()
                    self._release_crashed(current)
                    request, process, sent_at = None, None, None
        finally:
            if process is not None:
                self._scoring.give_back(process)
            self._slots.release()
            self._wake.set()  # the dispatcher looks again (e.g. a request submitted meanwhile)
        return taken

    def _score(self, request: SubmissionRequest, process: _ScoringProcess | None, sent_at: float | None):
        """Score ``request`` (already handed to ``process`` at ``sent_at``, unless that is None) and
        record the outcome. Returns what the worker does next: ``(next request, its scoring process,
        when it was handed over)``; no next request when none is waiting; no process when it had to
        be stopped (a fresh one is taken for the next request)."""
        owner = request.lease.owner
        if sent_at is None:
            process = process or self._scoring.take()
            sent_at = time.monotonic()
            sent = self._send(request, process)
        else:
            sent = True
        if sent:
            outcome, reply = self._watch(request, owner, process, sent_at)
        else:  # it died while idle: not this request's fault
            outcome, reply = ("stopping" if self._stopping.is_set() else "lost process"), None
        seconds = time.monotonic() - sent_at
        with self._lock:
            self._running.pop(request.id, None)
        scorer = process
        following, following_sent_at = None, None
        if outcome == "reply" and reply[0] in ("ok", "invalid") and process.served < REQUESTS_PER_PROCESS:
            following = self._claim_next()  # the process is free: give it the next request first
            if following is not None:
                following_sent_at = time.monotonic()
                if not self._send(following, process):
                    process.close()
                    process, following_sent_at = None, None
        else:
            if outcome == "reply" and reply[0] in ("ok", "invalid"):
                self._scoring.give_back(process)  # served its share: the pool replaces it
            else:
                process.close()  # killed and waited for: it writes nothing more
                _remove(_staged_of(self.home, request.id, claim_tag(owner)))
            process = None
            following = self._claim_next()
        try:
            self._record(request, owner, outcome, reply, seconds, scorer)
        except Exception:  # the next request is already being scored: this one goes back, not both
            log.exception("recording %s failed unexpectedly", request.id)
            self._release_crashed(request)
        return following, process, following_sent_at

    def _send(self, request: SubmissionRequest, process: _ScoringProcess) -> bool:
        """Hand ``request`` to ``process`` (which ``stop`` then stops); False if the process has died."""
        with self._lock:
            self._running[request.id] = process
        try:
            process.send(request.id, claim_tag(request.lease.owner))
        except OSError:
            return False
        return True

    def _claim_next(self) -> SubmissionRequest | None:
        return None if self._stopping.is_set() else self._claim()

    def _release_crashed(self, request: SubmissionRequest) -> None:
        try:
            self.queue.release(request.id, request.lease.owner, crashed=True, max_attempts=self.settings.max_attempts)
        except Exception:  # its lease expires and it is requeued then
            log.exception("could not give %s back to the queue", request.id)

    def _watch(self, request: SubmissionRequest, owner: str, process: _ScoringProcess, started: float):
        """Wait for the scoring process's reply, renewing the lease: ``("reply", reply)``, or
        ``("stopping" | "timeout" | "lost" | "died", None)``."""
        settings = self.settings
        renew_every = max(settings.lease_seconds / 3, 0.05)
        next_renewal = started + renew_every
        while True:
            remaining = settings.timeout_seconds - (time.monotonic() - started)
            if process.ready(max(0.0, min(renew_every, 0.5, remaining))):
                reply = process.reply()
                # While stopping, only a finished outcome is recorded; anything else goes back unharmed.
                if reply is not None and (not self._stopping.is_set() or reply[0] in ("ok", "invalid")):
                    return "reply", reply
                return ("stopping" if self._stopping.is_set() else "died"), None
            if self._stopping.is_set():
                return "stopping", None
            now = time.monotonic()
            if now - started > settings.timeout_seconds:
                return "timeout", None
            if now >= next_renewal:
                next_renewal = now + renew_every
                if not self.queue.renew(request.id, owner, settings.lease_seconds):
                    return "lost", None

    def _record(self, request, owner, outcome, reply, seconds, process) -> None:
        settings = self.settings
        if outcome == "reply" and reply[0] == "ok":
            self._finish(request, owner, *reply[1:], seconds=seconds, pid=process.process.pid)
        elif outcome == "reply" and reply[0] == "invalid":
            if self.queue.fail(request.id, owner, reply[1]):
                self._failed(request, reply[1])
            log.warning("failed %s: %s", request.id, reply[1])
        elif outcome == "timeout":
            error = (
                f"scoring took longer than {settings.timeout_seconds:g} s and was stopped; "
                "a file of this size may need a larger limit: ask the maintainers"
            )
            if self.queue.fail(request.id, owner, error):
                self._failed(request, error)
            log.warning("timed out %s after %.1f s", request.id, seconds)
        elif outcome == "lost":
            log.info("dropped %s: cancelled or taken over while scoring", request.id)
        elif outcome in ("stopping", "lost process"):
            self.queue.release(request.id, owner, crashed=False)
        else:
            detail = reply[1] if reply else f"the scoring process exited with code {process.process.exitcode}"
            log.error("scoring crashed for %s: %s", request.id, detail)
            self.queue.release(request.id, owner, crashed=True, max_attempts=settings.max_attempts)

    def _finish(self, request, owner: str, relative: str, staged, summary: str, *, seconds: float, pid: int) -> None:
        staged = [Path(p) for p in staged]
        if not self.queue.finish(request.id, owner, relative):
            _remove(staged)
            current = self.queue.get(request.id)
            log.info("scored %s but it is now %s; result not recorded", request.id, current.status.value)
            return
        publish(staged)
        log.info("scored %s in %.2f s (scoring process %d): %s", request.id, seconds, pid, summary)
        webhooks.notify(
            "result.added",
            f"{request.model.full_name} scored on {request.benchmark}: {summary}",
            {"submission_id": request.id, "benchmark": request.benchmark,
             "model": request.model.full_name, "result_file": relative, "summary": summary},
        )  # fmt: skip

    @staticmethod
    def _failed(request: SubmissionRequest, error: str) -> None:
        webhooks.notify(
            "submission.failed",
            f"submission of {request.model.full_name} to {request.benchmark} failed: {error}",
            {"submission_id": request.id, "benchmark": request.benchmark, "model": request.model.full_name,
             "error": error},
        )  # fmt: skip


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0

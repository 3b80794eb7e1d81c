"""The requests dataset (``eval-queue/``): submission requests and their lifecycle.

Layout::

    eval-queue/requests/<request-id>.json              one SubmissionRequest per file
    eval-queue/predictions/<benchmark>/<request-id>.*  the stored predictions
    eval-queue/dedupe/<key>                             request id of a (benchmark, model, revision, file)
    eval-queue/.lock                                    serialises state changes

A request moves PENDING -> RUNNING -> FINISHED | FAILED, or PENDING/RUNNING -> CANCELLED. Every
change is a read-check-write of one request file under an exclusive ``flock`` on ``.lock`` (held
for microseconds; the kernel releases it if the holder dies, so a ``kill -9`` never leaves it
stuck), and every write is atomic (temp file + rename), so a crash never leaves half a file.
A RUNNING request holds a lease (owner, expiry) that its worker renews; a request whose lease has
expired goes back to PENDING with ``attempts + 1``, and after ``max_attempts`` crashes it is FAILED
with a message saying so — never FAILED merely because a result file is missing.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from podium import atomic
from podium.config import Home
from podium.errors import PodiumError
from podium.schema import FormatError, Lease, ModelInfo, RequestStatus, SubmissionRequest, utcnow
from podium.slugs import check_slug, slugify

TERMINAL = {RequestStatus.FINISHED, RequestStatus.FAILED, RequestStatus.CANCELLED}
DEFAULT_MAX_ATTEMPTS = 3


class RequestNotFound(PodiumError):
    exit_code = 2


class InvalidTransition(PodiumError):
    exit_code = 2


def new_request_id(model: ModelInfo, now: datetime) -> str:
    """``20261124t081500z-acme-tfidf-logreg-3f2a9c1d``: sortable by time, unique, a safe slug."""
    stem = slugify(model.full_name, fallback="model")[:60].strip("-._") or "model"
    return f"{now:%Y%m%dt%H%M%Sz}-{stem}-{secrets.token_hex(4)}"


def dedupe_key(benchmark: str, model: ModelInfo, sha256: str) -> str:
    text = "\x1f".join([benchmark, model.full_name, model.revision, sha256])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RequestQueue:
    """Submission requests in a local folder. Safe for many processes on one machine."""

    def __init__(self, home: Home):
        self.root = home.queue_dir
        self.requests_dir = self.root / "requests"
        self.predictions_dir = self.root / "predictions"
        self.dedupe_dir = self.root / "dedupe"
        self._terminal: set[str] = set()  # ids whose state can no longer change (a per-process cache)
        self._cache: dict[str, tuple[tuple[int, int, int], SubmissionRequest]] = {}
        self._last_expiry_check = 0.0
        self.expiry_check_seconds = 1.0

    # ------------------------------------------------------------------ locking and files

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _path(self, request_id: str) -> Path:
        return self.requests_dir / f"{check_slug(request_id, what='submission id')}.json"

    def get(self, request_id: str) -> SubmissionRequest:
        try:
            path = self._path(request_id)
        except PodiumError:
            raise RequestNotFound(f"no submission {request_id!r}") from None
        try:
            return SubmissionRequest.read(path)
        except FileNotFoundError:
            raise RequestNotFound(f"no submission {request_id!r}") from None

    def _peek(self, request_id: str) -> SubmissionRequest:
        """``get`` through a cache keyed by the file's identity: unchanged files are not re-parsed.

        Only for scanning; every decision is re-checked with ``get`` under the lock.
        """
        path = self._path(request_id)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise RequestNotFound(f"no submission {request_id!r}") from None
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        cached = self._cache.get(request_id)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        request = self.get(request_id)
        self._cache[request_id] = (stamp, request)
        if request.status in TERMINAL:
            self._terminal.add(request_id)
        return request

    def _live(self) -> Iterator[tuple[str, SubmissionRequest]]:
        """Requests whose state can still change, oldest first, as last seen (re-check under the lock)."""
        for request_id in self.ids():
            if request_id in self._terminal:
                continue
            try:
                yield request_id, self._peek(request_id)
            except (FormatError, RequestNotFound):
                continue

    def _write(self, request: SubmissionRequest) -> None:
        atomic.write_text(self._path(request.id), request.to_json())

    def predictions_path(self, request: SubmissionRequest) -> Path:
        return self.root / request.predictions_file

    def ids(self) -> list[str]:
        """All request ids, oldest first (ids start with their creation time)."""
        if not self.requests_dir.is_dir():
            return []
        names = [e.name[:-5] for e in os.scandir(self.requests_dir) if e.name.endswith(".json") and e.is_file()]
        return sorted(names)

    def all(self) -> tuple[list[SubmissionRequest], list[tuple[str, str]]]:
        """Every readable request, and (file, problem) for each unreadable one. Unchanged files are
        not parsed again (the queue tab, the API and the CLI list often; the folder grows)."""
        requests, problems = [], []
        for request_id in self.ids():
            try:
                requests.append(self._peek(request_id))
            except (FormatError, RequestNotFound) as exc:
                problems.append((request_id, str(exc)))
        return requests, problems

    def submitted_since(self, since: datetime, submitter: str) -> list[SubmissionRequest]:
        """``submitter``'s requests created at or after ``since`` (ids start with their creation time,
        so older files are not even opened)."""
        first = f"{since:%Y%m%dt%H%M%Sz}"
        found = []
        for request_id in self.ids():
            if request_id < first:
                continue
            try:
                request = self._peek(request_id)
            except (FormatError, RequestNotFound):
                continue
            if request.submitter == submitter and request.created_at >= since:
                found.append(request)
        return found

    def waiting(self, submitter: str) -> list[SubmissionRequest]:
        """``submitter``'s requests that are PENDING or RUNNING."""
        return [
            r for _, r in self._live() if r.submitter == submitter and r.status not in TERMINAL
        ]

    # ------------------------------------------------------------------ submitting

    def add(
        self,
        benchmark: str,
        benchmark_version: str,
        model: ModelInfo,
        predictions: bytes,
        suffix: str,
        submitter: str | None = None,
        admit: Callable[[RequestQueue], None] | None = None,
    ) -> tuple[SubmissionRequest, bool]:
        """Store validated predictions and a PENDING request; ``(request, False)`` for a duplicate.

        A duplicate is the same benchmark, model, revision and file content as a request that is
        pending, running or finished. A failed or cancelled one may be submitted again.
        ``admit(queue)`` runs under the lock, after the duplicate check and before the write: a quota
        check there (raising to refuse) and the write are one critical section, so concurrent
        submissions can never pass it together.
        """
        sha256 = hashlib.sha256(predictions).hexdigest()
        key = dedupe_key(benchmark, model, sha256)
        now = utcnow()
        request_id = new_request_id(model, now)
        relative = f"predictions/{check_slug(benchmark, what='benchmark id')}/{request_id}{suffix}"
        # The predictions are written first: a request is only ever visible with its file.
        atomic.write_bytes(self.root / relative, predictions)
        with self.locked():
            existing = self._dedupe_lookup(key)
            if existing is not None:
                (self.root / relative).unlink(missing_ok=True)
                return existing, False
            if admit is not None:
                try:
                    admit(self)
                except BaseException:
                    (self.root / relative).unlink(missing_ok=True)
                    raise
            request = SubmissionRequest(
                id=request_id,
                benchmark=benchmark,
                benchmark_version=benchmark_version,
                model=model,
                submitter=submitter,
                predictions_file=relative,
                predictions_sha256=sha256,
                created_at=now,
                updated_at=now,
            )
            self._write(request)
            atomic.write_text(self.dedupe_dir / key, request_id)
        return request, True

    def _dedupe_lookup(self, key: str) -> SubmissionRequest | None:
        path = self.dedupe_dir / key
        if not path.is_file():
            return None
        try:
            request = self.get(path.read_text().strip())
        except (PodiumError, FormatError):
            return None
        if request.status in (RequestStatus.FAILED, RequestStatus.CANCELLED):
            return None
        return request

    def sweep(self, older_than_seconds: float = 3600.0) -> list[Path]:
        """Remove what crashes left behind: stored predictions whose request was never written (a
        submitter killed between the two writes) and interrupted writes' temporary files. Only files
        older than ``older_than_seconds`` are touched, so a submission in progress is never raced."""
        removed = atomic.remove_stale_temporaries(self.root, older_than_seconds)
        if not self.predictions_dir.is_dir():
            return removed
        cutoff = time.time() - older_than_seconds
        with self.locked():  # a request written meanwhile is seen by ids()
            known = set(self.ids())
            for path in self.predictions_dir.glob("*/*"):
                if not path.name.startswith(".") and path.stem not in known and atomic.remove_if_older(path, cutoff):
                    removed.append(path)
        return removed

    # ------------------------------------------------------------------ transitions

    def cancel(self, request_id: str) -> SubmissionRequest:
        with self.locked():
            request = self.get(request_id)
            if request.status in TERMINAL:
                raise InvalidTransition(f"submission {request_id} is already {request.status.value}")
            request = request.model_copy(
                update={"status": RequestStatus.CANCELLED, "lease": None, "updated_at": utcnow()}
            )
            self._write(request)
            return request

    def claim(self, owner: str, lease_seconds: float, max_attempts: int = DEFAULT_MAX_ATTEMPTS):
        """Take the oldest PENDING request (after requeueing expired leases); None if there is none."""
        if time.monotonic() - self._last_expiry_check >= self.expiry_check_seconds:
            self.requeue_expired(max_attempts)
        for request_id, request in self._live():
            if request.status != RequestStatus.PENDING:
                continue
            with self.locked():
                request = self.get(request_id)  # it may have changed since we looked
                if request.status != RequestStatus.PENDING:
                    continue
                now = utcnow()
                request = request.model_copy(
                    update={
                        "status": RequestStatus.RUNNING,
                        "lease": Lease(owner=owner, expires_at=now + timedelta(seconds=lease_seconds)),
                        "updated_at": now,
                        "error": None,
                    }
                )
                self._write(request)
                return request
        return None

    def _owned(self, request_id: str, owner: str) -> SubmissionRequest | None:
        request = self.get(request_id)
        if request.status != RequestStatus.RUNNING or request.lease is None or request.lease.owner != owner:
            return None
        return request

    def _update_owned(self, request_id: str, owner: str, **update) -> bool:
        """Change a RUNNING request held by ``owner``; False when it is no longer theirs."""
        with self.locked():
            request = self._owned(request_id, owner)
            if request is None:
                return False
            self._write(request.model_copy(update=update))
            return True

    def renew(self, request_id: str, owner: str, lease_seconds: float) -> bool:
        """Extend the lease; False when the request is no longer ours (cancelled, expired and retaken)."""
        lease = Lease(owner=owner, expires_at=utcnow() + timedelta(seconds=lease_seconds))
        return self._update_owned(request_id, owner, lease=lease)

    def finish(self, request_id: str, owner: str, result_file: str) -> bool:
        return self._update_owned(
            request_id, owner, status=RequestStatus.FINISHED, lease=None, result_file=result_file, updated_at=utcnow()
        )

    def fail(self, request_id: str, owner: str, error: str) -> bool:
        return self._update_owned(
            request_id, owner, status=RequestStatus.FAILED, lease=None, error=error, updated_at=utcnow()
        )

    def release(self, request_id: str, owner: str, *, crashed: bool = False, max_attempts: int = DEFAULT_MAX_ATTEMPTS):
        """Give a RUNNING request back: to PENDING (attempts + 1 if it crashed), or FAILED past the bound."""
        with self.locked():
            request = self._owned(request_id, owner)
            if request is not None:
                self._write(self._requeued(request, crashed, max_attempts))

    def requeue_expired(self, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> list[str]:
        """Return RUNNING requests whose lease expired (their worker died) to PENDING."""
        self._last_expiry_check = time.monotonic()
        now = utcnow()
        expired = []
        for request_id, request in self._live():
            if request.status == RequestStatus.RUNNING and request.lease and request.lease.expires_at < now:
                with self.locked():
                    request = self.get(request_id)
                    if request.status == RequestStatus.RUNNING and request.lease and request.lease.expires_at < now:
                        self._write(self._requeued(request, True, max_attempts))
                        expired.append(request_id)
        return expired

    @staticmethod
    def _requeued(request: SubmissionRequest, crashed: bool, max_attempts: int) -> SubmissionRequest:
        attempts = request.attempts + (1 if crashed else 0)
        update: dict = {"lease": None, "attempts": attempts, "updated_at": utcnow()}
        if crashed and attempts >= max_attempts:
            update |= {
                "status": RequestStatus.FAILED,
                "error": f"scoring crashed {attempts} times; the maintainers need to look at this submission "
                "(your file passed validation, so there is nothing to fix on your side)",
            }
        else:
            update["status"] = RequestStatus.PENDING
        return request.model_copy(update=update)

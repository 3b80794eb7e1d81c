"""The requests dataset (``eval-queue/``): submission requests and their lifecycle.

Layout::

    eval-queue/requests/<request-id>.json              one SubmissionRequest per file
    eval-queue/predictions/<benchmark>/<request-id>.*  the stored predictions
    eval-queue/dedupe/<key>                             request id of a (benchmark, model, revision, file)
    eval-queue/.lock                                    serialises state changes

A request moves PENDING -> RUNNING -> FINISHED | FAILED, or PENDING/RUNNING -> CANCELLED (the states
and their groups, ``ACTIVE`` and ``TERMINAL``, are defined below, once). Every change is a
read-check-write of one request file under an exclusive ``filelock`` on ``.lock`` (an ``flock``,
held for milliseconds at most; the kernel releases it if the holder dies, so the file a ``kill -9``
leaves behind never blocks anyone), and every write is atomic (temp file + rename), so a crash never
leaves half a file.
A RUNNING request holds a lease (owner, expiry) that its worker renews; a request whose lease has
expired goes back to PENDING (``attempts`` counts claims, and keeps the lost one), and after
``max_attempts`` crashes it is FAILED
with a message saying so — never FAILED merely because a result file is missing.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from filelock import FileLock

from podium import atomic
from podium.config import Home
from podium.errors import InvalidField, PodiumError, quote
from podium.names import split_model_name
from podium.schema import FormatError, Lease, ModelInfo, RequestStatus, SubmissionRequest, utcnow
from podium.slugs import check_slug, slugify

# The request states, once: in the order a request passes through them (and lists show them), and
# in their two groups. ``RequestStatus`` is a ``StrEnum``, so ``"PENDING" in ACTIVE`` holds too.
STATES: tuple[RequestStatus, ...] = tuple(RequestStatus)
ACTIVE = frozenset({RequestStatus.PENDING, RequestStatus.RUNNING})  # may still change
TERMINAL = frozenset({RequestStatus.FINISHED, RequestStatus.FAILED, RequestStatus.CANCELLED})  # never changes again
DEFAULT_MAX_ATTEMPTS = 3
# The lock is held for milliseconds at most; a waiter polls it this often (filelock's default, 50 ms,
# would add that much to a submission that meets a claim).
LOCK_POLL_SECONDS = 0.005
# A claim lists the requests folder again only when its last listing is this old, or offered nothing
# waiting: listing a folder of n requests on every claim made draining it O(n^2).
LISTING_SECONDS = 1.0


def parse_status(value: RequestStatus | str) -> RequestStatus:
    """A request state from any spelling of its name ("failed", "FAILED"); ``InvalidField("status",
    ...)`` naming the states for anything else."""
    if isinstance(value, RequestStatus):
        return value
    try:
        return RequestStatus(str(value).strip().upper())
    except ValueError:
        names = ", ".join(s.value for s in STATES)
        raise InvalidField("status", f"{quote(value)} is not a submission state; use one of {names}") from None


def model_matcher(model: str) -> Callable[[ModelInfo], bool]:
    """Whether a request's model is ``model``, in the user's words: ``org/name`` matches that full
    name, a name without an org matches the name part (whatever the org). The query is read as names
    are (NFKC, split by ``split_model_name``, spaces around '/' dropped) and case is ignored. Exact,
    never a substring: "bert" does not match "roberta"."""
    try:
        org, name = split_model_name(unicodedata.normalize("NFKC", model).casefold())
    except InvalidField:  # "/x", "a//b": no model is named so
        return lambda m: False
    if org is None:
        return lambda m: m.name.casefold() == name
    full = f"{org}/{name}"
    return lambda m: m.full_name.casefold() == full


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
        self.listing_seconds = LISTING_SECONDS
        self._listing: list[str] | None = None  # ids of live requests at the last listing, oldest first
        self._listed_at = 0.0

    # ------------------------------------------------------------------ locking and files

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive use of the queue across threads and processes. A lock object per use: each opens
        its own descriptor, so two threads exclude each other through the file as two processes do, and
        nothing is shared across a fork (filelock refuses an instance inherited by a child)."""
        with FileLock(self.root / ".lock", poll_interval=LOCK_POLL_SECONDS):
            yield

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

        Only for scanning ``ids()``'s names (file names of the folder: no check needed, and a plain
        string path is a third of the cost of a checked ``Path``); every decision is re-checked with
        ``get`` under the lock.
        """
        try:
            st = os.stat(os.path.join(self.requests_dir, f"{request_id}.json"))
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

    def _live_ids(self, max_age: float = 0.0) -> tuple[list[str], bool]:
        """Ids of the requests whose state can still change, oldest first, and whether the folder was
        listed for this answer. It is listed again only when the last listing is ``max_age`` seconds
        old (0: always); a request added since is not in an older listing, and the list shrinks as
        its requests end (``_peek`` learns that)."""
        now = time.monotonic()
        listed = self._listing is None or now - self._listed_at >= max_age
        if listed:
            self._listing = [i for i in self.ids() if i not in self._terminal]
            self._listed_at = now
        else:  # requests end oldest first, mostly: drop the ended ones at the head (others are skipped)
            listing, ended = self._listing, 0
            while ended < len(listing) and listing[ended] in self._terminal:
                ended += 1
            if ended:
                self._listing = listing[ended:]
        return self._listing, listed

    def _live(self, ids: list[str] | None = None) -> Iterator[tuple[str, SubmissionRequest]]:
        """Requests whose state can still change (of ``ids``, else of a fresh listing), oldest first, as
        last seen (re-check under the lock)."""
        for request_id in self._live_ids()[0] if ids is None else ids:
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

    def find(
        self,
        *,
        model: str | None = None,
        benchmark: str | None = None,
        status: RequestStatus | str | None = None,
        submitter: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[SubmissionRequest]:
        """Submissions, newest first, that pass every filter given (``None`` or "" means any).

        - ``model``: ``org/name`` matches that full name; a name without an org matches the name part,
          whatever the org. Case-insensitive and exact (see ``model_matcher``).
        - ``benchmark``: the benchmark id, case-insensitive; an unknown one yields nothing.
        - ``status``: a state in any case; an unknown state raises ``InvalidField("status", ...)``.
        - ``submitter``: the submitter's name, exactly.
        - ``since``: created at or after this time (naive times are UTC).
        - ``limit``: at most this many (the newest); files older than what is needed are not read.

        Unreadable request files are skipped (``counts()`` reports how many there are).
        """
        wanted_status = parse_status(status) if status else None
        matches_model = model_matcher(model) if model and model.strip() else None
        wanted_benchmark = benchmark.strip().lower() if benchmark else None
        if since is not None:  # ids carry their UTC creation time; a naive ``since`` is taken as UTC
            since = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
        first = f"{since:%Y%m%dt%H%M%Sz}" if since is not None else ""
        found: list[SubmissionRequest] = []
        if limit is not None and limit <= 0:
            return found
        for request_id in reversed(self.ids()):
            if request_id < first:  # ids start with their creation time: everything further is older
                break
            try:
                r = self._peek(request_id)
            except (FormatError, RequestNotFound):
                continue
            if (
                (wanted_status is None or r.status == wanted_status)
                and (wanted_benchmark is None or r.benchmark == wanted_benchmark)
                and (not submitter or r.submitter == submitter)
                and (since is None or r.created_at >= since)
                and (matches_model is None or matches_model(r.model))
            ):
                found.append(r)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def counts(self) -> dict:
        """``{"counts": {"PENDING": n, "RUNNING": n, "FINISHED": n, "FAILED": n, "CANCELLED": n},
        "unreadable": n}``: how many requests are in each state, and how many files cannot be read."""
        requests, problems = self.all()
        counts = dict.fromkeys((s.value for s in STATES), 0)
        for r in requests:
            counts[r.status.value] += 1
        return {"counts": counts, "unreadable": len(problems)}

    def waiting(self, submitter: str) -> list[SubmissionRequest]:
        """``submitter``'s requests that are PENDING or RUNNING (ended ones are not even looked at)."""
        return [r for _, r in self._live() if r.submitter == submitter and r.status in ACTIVE]

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
        """Take the oldest PENDING request (after requeueing expired leases); None if there is none.

        Claims in a row reuse one listing of the folder for up to ``listing_seconds`` (a request
        submitted meanwhile waits at most that long behind the ones listed); None is only answered
        after listing the folder anew."""
        if time.monotonic() - self._last_expiry_check >= self.expiry_check_seconds:
            self.requeue_expired(max_attempts, listing_seconds=self.listing_seconds)
        while True:
            ids, listed = self._live_ids(self.listing_seconds)
            request = self._claim_first_pending(ids, owner, lease_seconds)
            if request is not None or listed:
                return request
            self._listing = None  # nothing waiting in the last listing: look at the folder again

    def _claim_first_pending(self, ids: list[str], owner: str, lease_seconds: float) -> SubmissionRequest | None:
        for request_id, request in self._live(ids):
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
                        "attempts": request.attempts + 1,  # attempts counts claims: 1 once first claimed
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
        """Give a RUNNING request back: to PENDING (its claim stays counted in ``attempts`` if it crashed,
        not if it is given back unharmed), or FAILED past the bound."""
        with self.locked():
            request = self._owned(request_id, owner)
            if request is not None:
                self._write(self._requeued(request, crashed, max_attempts))

    def requeue_expired(self, max_attempts: int = DEFAULT_MAX_ATTEMPTS, *, listing_seconds: float = 0.0) -> list[str]:
        """Return RUNNING requests whose lease expired (their worker died) to PENDING. The folder is
        listed anew unless the last listing is younger than ``listing_seconds``."""
        self._last_expiry_check = time.monotonic()
        now = utcnow()
        expired = []
        for request_id, request in self._live(self._live_ids(listing_seconds)[0]):
            if request.status == RequestStatus.RUNNING and request.lease and request.lease.expires_at < now:
                with self.locked():
                    request = self.get(request_id)
                    if request.status == RequestStatus.RUNNING and request.lease and request.lease.expires_at < now:
                        self._write(self._requeued(request, True, max_attempts))
                        expired.append(request_id)
        return expired

    @staticmethod
    def _requeued(request: SubmissionRequest, crashed: bool, max_attempts: int) -> SubmissionRequest:
        # A crashed claim stays counted; a claim given back unharmed (its backend stopped) does not.
        attempts = request.attempts if crashed else max(request.attempts - 1, 0)
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

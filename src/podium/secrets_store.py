"""The server secret: random bytes under the private folder that salt what callers must not predict.

Used for: the per-pair perturbation and bootstrap seeds of comparisons (``podium.compare``) and
which items of a benchmark form its private part (``podium.private_part``). It lives at
``<private>/server-secret`` (``Home.private_dir``, never served), is created on first use with
owner-only permissions, and must be kept (and backed up) with the gold answers: losing it changes
every comparison's perturbation, and a new private split could only be drawn with a new version.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

from podium.config import Home
from podium.errors import PodiumError

SECRET_FILE = "server-secret"
SECRET_BYTES = 32

_cache: dict[Path, tuple[tuple[int, int, int], bytes]] = {}
_lock = threading.Lock()


class SecretProblem(PodiumError):
    """The server secret exists but cannot be used (too short, unreadable)."""


def secret_path(home: Home) -> Path:
    return home.private_dir / SECRET_FILE


def server_secret(home: Home) -> bytes:
    """The server secret of ``home``, created atomically (mode 0600) the first time it is asked for."""
    path = secret_path(home)
    with _lock:
        try:
            st = path.stat()
        except FileNotFoundError:
            _create(path)
            st = path.stat()
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        text = path.read_text(encoding="ascii", errors="replace").strip()
        try:
            secret = bytes.fromhex(text)
        except ValueError:
            raise SecretProblem(f"{path}: not a hex string; remove it to create a new secret") from None
        if len(secret) < 16:
            raise SecretProblem(f"{path}: {len(secret)} bytes; a secret needs at least 16 (remove it to create one)")
        _cache[path] = (stamp, secret)
        return secret


def _create(path: Path) -> None:
    """Write a new secret beside ``path`` and hard-link it into place: of two processes racing, the
    first link wins and the other one reads the winner's file (a rename would overwrite it)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(SECRET_BYTES) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def keyed_digest(secret: bytes, *parts: str) -> bytes:
    """HMAC-SHA256 of the parts (separated by a unit separator) under ``secret``."""
    return hmac.new(secret, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).digest()


def keyed_int(secret: bytes, *parts: str) -> int:
    """A 63-bit integer only the holder of ``secret`` can compute from the parts."""
    return int.from_bytes(keyed_digest(secret, *parts)[:8], "big") >> 1

"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is flushed and renamed onto it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def remove_stale_temporaries(folder: Path, older_than_seconds: float) -> list[Path]:
    """Delete the temporary files of writes that a crash interrupted (``.<name>.*.tmp``, old enough
    that no live writer can own them) below ``folder``; the paths removed."""
    import time

    folder = Path(folder)
    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than_seconds
    return [path for path in folder.rglob(".*.tmp") if remove_if_older(path, cutoff)]


def remove_if_older(path: Path, cutoff: float) -> bool:
    """Delete the file ``path`` if it was last modified before ``cutoff`` (a ``time.time()``)."""
    try:
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink()
            return True
    except FileNotFoundError:  # removed meanwhile
        pass
    return False

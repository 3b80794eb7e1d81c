"""Uploaded files, saved to a temporary folder in chunks under a byte limit.

The file name is the client's: only its suffix is used, and only when it is one the caller allows.
"""

import contextlib
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

from fastapi import UploadFile

from podium.errors import TooLarge, UsageError

CHUNK_BYTES = 1 << 20


@contextlib.contextmanager
def upload_folder(prefix: str) -> Iterator[Path]:
    """A fresh temporary folder for one request's uploads, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield Path(folder)


def suffix_of(upload: UploadFile, allowed: Collection[str], default: str | None = None, what: str = "the file") -> str:
    """The upload's file-name suffix (lowercase) when it is one of ``allowed``, else ``default``;
    without a default, ``UsageError`` naming the allowed ones."""
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix in allowed:
        return suffix
    if default is None:
        *others, last = sorted(allowed)
        raise UsageError(f"{what} must be a {', '.join(others)} or {last} file")
    return default


def save_upload(upload: UploadFile, target: Path, max_bytes: int) -> Path:
    """Copy an upload to ``target`` in 1 MB chunks; ``TooLarge`` past ``max_bytes``."""
    size = 0
    with open(target, "wb") as fh:
        while chunk := upload.file.read(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"the file is over the {max_bytes} byte limit")
            fh.write(chunk)
    return target

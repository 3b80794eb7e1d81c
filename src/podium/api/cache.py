"""JSON answers serialised once per version of what they show, with ETags.

A table's answer is the same bytes for every reader until its results change: it is built and
serialised once per ``(key, version)`` and kept (at most ``MAX_ENTRIES`` answers, least recently
used dropped first). The ``ETag`` is a digest of the bytes; a request whose ``If-None-Match`` names
it gets ``304 Not Modified`` with no body.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from fastapi import Request, Response

MAX_ENTRIES = 512

_answers: "OrderedDict[tuple, tuple[str, bytes]]" = OrderedDict()
_lock = threading.Lock()


def cached_json(request: Request, key: Hashable, version: Hashable, build: Callable[[], object]) -> Response:
    """The answer of ``build()`` for ``key`` at ``version``, built at most once per version."""
    slot = (id(request.app), key, version)
    with _lock:
        found = _answers.get(slot)
        if found is not None:
            _answers.move_to_end(slot)
    if found is None:
        body = json.dumps(build(), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
        found = (f'"{hashlib.sha256(body).hexdigest()[:32]}"', body)
        with _lock:
            _answers[slot] = found
            while len(_answers) > MAX_ENTRIES:
                _answers.popitem(last=False)
    etag, body = found
    headers = {"ETag": etag, "Cache-Control": "no-cache"}  # may be stored, but ask again (cheap: a 304)
    if etag in _tags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _tags(header: str) -> set[str]:
    """The entity tags of an ``If-None-Match`` header (weak ones compare by their opaque part)."""
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
    return tags

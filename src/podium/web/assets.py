"""The page's script and style files served from memory, cached by the browser.

Gradio's files under ``/assets/`` are named by their content (``Index-DAx5Uzyn2.js``), so a name
always means the same bytes: the first answer for a name (and ``Accept-Encoding``) is kept and
given again without passing through Gradio's routes (about 3 ms of the server's one thread per
file, and a first visit loads about 80 of them), and browsers are told to keep them for a year.
Only successful answers of at most ``MAX_BYTES`` are kept, at most ``MAX_FILES`` of them and
``MAX_TOTAL`` bytes in all (all of Gradio's files are 21 MB before compression): a name that is
not one of Gradio's files is answered by Gradio each time, and no request can grow the memory
kept beyond that.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

PREFIX = "/assets/"
MAX_BYTES = 4 << 20
MAX_FILES = 1024
MAX_TOTAL = 64 << 20
KEPT_HEADERS = {b"content-type", b"content-encoding", b"etag", b"last-modified", b"vary"}
IMMUTABLE = (b"cache-control", b"public, max-age=31536000, immutable")


class AssetCache:
    """Pure ASGI middleware (see the module docstring)."""

    def __init__(self, app):
        self.app = app
        self._kept: dict[tuple[str, bool, bool], tuple[list, bytes]] = {}
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        encoding = dict(scope["headers"]).get(b"accept-encoding", b"")
        key = (scope["path"], b"br" in encoding, b"gzip" in encoding)  # (what Gradio's choice of encoding reads)
        found = self._kept.get(key)
        if found is not None:
            headers, body = found
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict = {}
        parts: list[bytes] = []

        async def keep(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if message["status"] == 200:  # (the browser keeps it: the name is the content)
                    message = {**message, "headers": [*message.get("headers", []), IMMUTABLE]}
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        body = b"".join(parts)
        fits = len(body) <= MAX_BYTES and len(self._kept) < MAX_FILES and self._bytes + len(body) <= MAX_TOTAL
        if start.get("status") == 200 and fits and key not in self._kept:
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() in KEPT_HEADERS]
            headers += [(b"content-length", str(len(body)).encode()), IMMUTABLE]
            self._kept[key] = (headers, body)
            self._bytes += len(body)

"""The page's script and style files served from memory, cached by the browser.

Gradio's files under ``/assets/`` are named by their content (``Index-DAx5Uzyn2.js``), so a name
always means the same bytes: a complete first answer for a name (and the encodings the client
accepts, read as Gradio reads them) is kept and given again without passing through Gradio's
routes (about 3 ms of the server's one thread per file, and a first visit loads about 80 of
them), and browsers are told to keep it for a year.

What is kept is checked: only a 200 whose body arrived whole (the last part sent, and as long as
its ``content-length`` says), in an encoding the key allows, at most ``MAX_BYTES``; a body that
cannot be kept is not collected. At most ``MAX_FILES`` files and ``MAX_TOTAL`` bytes are kept, the
least recently used going first, so a client asking for files the page never uses costs the
page's own files only a trip through Gradio again. Requests with an ``Origin`` (cross-origin
embedding, whose answers carry CORS headers for that origin) always go to Gradio.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import Headers

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
        self._kept: OrderedDict[tuple[str, bool, bool], tuple[list, bytes]] = OrderedDict()
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "origin" in headers:
            await self.app(scope, receive, send)
            return
        accepted = headers.get("accept-encoding", "")  # (the first such header, as Gradio's compression reads it)
        key = (scope["path"], "br" in accepted, "gzip" in accepted)
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
            kept_headers, body = found
            await send({"type": "http.response.start", "status": 200, "headers": kept_headers})
            await send({"type": "http.response.body", "body": body})
            return
        answer = _Answer(key)
        await self.app(scope, receive, answer.watching(send))
        if answer.complete():
            self._keep(key, answer.headers(), answer.body())

    def _keep(self, key: tuple, headers: list, body: bytes) -> None:
        if key in self._kept:
            return
        self._kept[key] = (headers, body)
        self._bytes += len(body)
        while len(self._kept) > MAX_FILES or self._bytes > MAX_TOTAL:
            _, (_, dropped) = self._kept.popitem(last=False)
            self._bytes -= len(dropped)


class _Answer:
    """One answer from Gradio, passed on as it comes and collected while it may still be kept."""

    def __init__(self, key: tuple):
        self.key = key
        self.start: dict = {}
        self.parts: list[bytes] = []
        self.size = 0
        self.keepable = True
        self.finished = False

    def watching(self, send: Send) -> Send:
        async def watched(message: dict) -> None:
            if message["type"] == "http.response.start":
                self.start = message
                self.keepable = message["status"] == 200 and self._encoding_allowed(message)
                if self.keepable:  # (the browser keeps it: the name is the content)
                    message = {**message, "headers": [*message.get("headers", []), IMMUTABLE]}
            elif message["type"] == "http.response.body":
                if self.keepable:
                    chunk = message.get("body", b"")
                    self.size += len(chunk)
                    if self.size > MAX_BYTES:
                        self.keepable, self.parts = False, []
                    else:
                        self.parts.append(chunk)
                if not message.get("more_body", False):
                    self.finished = True
            await send(message)

        return watched

    def _encoding_allowed(self, start: dict) -> bool:
        encoding = dict(start.get("headers", [])).get(b"content-encoding", b"").decode("latin-1").lower()
        _, br, gzip = self.key
        return encoding == "" or (encoding == "br" and br) or (encoding == "gzip" and gzip)

    def complete(self) -> bool:
        """A 200 whose body came whole: its last part sent, as long as ``content-length`` said."""
        if not (self.keepable and self.finished):
            return False
        declared = dict(self.start.get("headers", [])).get(b"content-length")
        return declared is None or declared == str(self.size).encode()

    def headers(self) -> list:
        kept = [(k, v) for k, v in self.start.get("headers", []) if k.lower() in KEPT_HEADERS]
        return [*kept, (b"content-length", str(self.size).encode()), IMMUTABLE]

    def body(self) -> bytes:
        return b"".join(self.parts)

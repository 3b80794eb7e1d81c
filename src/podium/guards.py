"""The server's front door: who is calling, how much, how big, before any body is read.

An ASGI middleware in front of the whole app. For every request under ``/api/`` and every request
with a body anywhere (the page's events and uploads included) it, in this order and before a
single body byte is read:

1. resolves the caller: a valid ``Authorization: Bearer`` token (its record goes to
   ``request.state.identity``), else the client address. A request that writes (any method but
   GET/HEAD/OPTIONS under ``/api/``, except the read-only ``POST /api/compare``) without a valid
   token is answered 401 at once, so an anonymous client cannot make the server spool a large
   upload;
2. counts the request against the caller's per-minute limit (per token; per client address for
   anonymous REST callers; per address, apart and more generous, for the page's own calls) and,
   for REST, its in-flight limit (429 with ``Retry-After``);
3. checks the declared size (``Content-Length``) against the route's limit (413: predictions
   uploads, eval sets, else 1 MB), and refuses any ``Transfer-Encoding`` (411), so the server
   reads no more than the declared length. Uploads to the
   page also spend the client's hourly upload budget (429), and the page deletes them after 30
   minutes, so one client cannot fill the disk.

Uvicorn takes the client address from ``X-Forwarded-For`` only when the proxy is trusted
(``--forwarded-allow-ips``; loopback by default): behind another proxy every client shares its
address, so deploy with the proxy's address trusted (docs/security.md).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from podium.config import Home
from podium.limits import ByteBudget, InFlight, Limits, RateLimiter
from podium.tokens import TokenRecord, TokenStore

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
READ_ONLY_POSTS = {"/api/compare"}
JSON_BODY_LIMIT = 1 << 20  # seeds' JSON, compare requests: far below this
MULTIPART_OVERHEAD = 64 * 1024  # form fields and part headers beside the predictions file

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


class RequestGuard:
    """Pure ASGI middleware (never buffers a body); see the module docstring."""

    def __init__(self, app, home: Home, limits: Limits | None = None):
        self.app = app
        self.home = home
        self.limits = limits or Limits.from_env()
        self.tokens = TokenStore(home)
        self.per_token = RateLimiter(self.limits.requests_per_minute)
        self.per_address = RateLimiter(self.limits.anonymous_requests_per_minute)
        self.page = RateLimiter(self.limits.page_requests_per_minute)
        self.in_flight = InFlight(self.limits.max_concurrent_per_client)
        self.uploads = ByteBudget(self.limits.upload_bytes_per_hour)

    def body_limit(self, path: str) -> int:
        if path.startswith("/api/submissions") or is_page_upload(path):
            return self.home.max_predictions_bytes + MULTIPART_OVERHEAD
        if path.rstrip("/") == "/api/benchmarks":
            return self.home.max_benchmark_bytes + MULTIPART_OVERHEAD
        return JSON_BODY_LIMIT

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path: str = scope.get("path", "")
        method = scope.get("method", "GET").upper()
        api = path.startswith("/api/") or path == "/api"
        has_body = method not in READ_METHODS
        if not (api or has_body):  # the page's assets and event streams
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        writes = api and has_body and path.rstrip("/") not in READ_ONLY_POSTS
        who = self.identity(headers.get("authorization", "") if api else "", writes)
        if isinstance(who, Refusal):
            return await _refuse(send, *who)
        client = (scope.get("client") or ("unknown", 0))[0]
        key, refusal = self.rate(who, api, client)
        if refusal is None and has_body:
            refusal = self.body(path, headers, key)
        if refusal is not None:
            return await _refuse(send, *refusal)
        if not api:
            return await self.app(scope, receive, send)
        if not self.in_flight.enter(key):
            limit = self.limits.max_concurrent_per_client
            message = f"more than {limit} requests at once from one client; retry shortly"
            return await _refuse(send, 429, message, {"Retry-After": "1"})
        try:
            if who is not None:
                scope.setdefault("state", {})["identity"] = who
            await self.app(scope, receive, send)
        finally:
            self.in_flight.leave(key)

    def identity(self, authorization: str, writes: bool) -> TokenRecord | None | Refusal:
        """The caller's token record (None: anonymous), or why the request is refused."""
        bearer = {"WWW-Authenticate": "Bearer"}
        if not authorization:
            return Refusal(401, "this operation needs a token", bearer) if writes else None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return Refusal(401, "use 'Authorization: Bearer <token>'", bearer)
        who = self.tokens.lookup_usable(token)
        return who if who is not None else Refusal(401, "invalid, expired or revoked token", bearer)

    def rate(self, who: TokenRecord | None, api: bool, client: str) -> tuple[str, Refusal | None]:
        """(the key the caller is counted under, a refusal when over its rate)."""
        if who is not None:
            key, wait = f"token:{who.name}", self.per_token.hit(who.name)
            limit, whom = self.limits.requests_per_minute, "with this token"
        elif api:
            key, wait = f"address:{client}", self.per_address.hit(client)
            limit, whom = self.limits.anonymous_requests_per_minute, "from this address without a token"
        else:  # the page's own calls (events, uploads): counted apart, an open page makes many
            key, wait = f"address:{client}", self.page.hit(client)
            limit, whom = self.limits.page_requests_per_minute, "to the page from this address"
        if wait is None:
            return key, None
        return key, Refusal(429, f"more than {limit} requests a minute {whom}; retry in {wait:g} s",
                            {"Retry-After": str(int(wait))})  # fmt: skip

    def body(self, path: str, headers: dict[str, str], key: str) -> Refusal | None:
        """A body's declared size against its limit and, for page uploads, the hourly budget."""
        # With Transfer-Encoding the server reads the body as chunks whatever Content-Length says:
        # only a declared length can be checked before reading, so nothing else is accepted.
        if "transfer-encoding" in headers:
            return Refusal(411, "send the body with a Content-Length (no Transfer-Encoding)")
        declared = headers.get("content-length")
        if declared is None:
            return None
        try:
            size = int(declared)
        except ValueError:
            return Refusal(400, "Content-Length must be a number")
        limit_bytes = self.body_limit(path)
        if size > limit_bytes:
            return Refusal(413, f"the request body is {size} bytes, over the {limit_bytes} byte limit")
        wait = self.uploads.take(key, size) if is_page_upload(path) else None
        if wait is None:
            return None
        mb = self.limits.upload_bytes_per_hour // (1024 * 1024)
        return Refusal(429, f"more than {mb} MB of uploads in an hour from one client; retry in {wait:g} s",
                       {"Retry-After": str(int(wait))})  # fmt: skip


class Refusal(NamedTuple):
    status: int
    detail: str
    headers: dict[str, str] | None = None


def is_page_upload(path: str) -> bool:
    return path.startswith("/gradio_api/upload")


async def _refuse(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    # The body is not read: tell the client the connection ends here.
    raw.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})

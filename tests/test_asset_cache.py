"""The page's script files kept in memory (``podium.web.assets.AssetCache``), at the ASGI level: only
whole answers are kept, in the encoding the client asked for, within bounds. (The real server's
answers are checked in tests/test_web.py.)"""

import asyncio

import pytest

from podium.web import assets
from podium.web.assets import AssetCache


class Files:
    """Gradio's asset route as the cache sees it: answers a path in parts, and counts the calls."""

    def __init__(self, body=b"x" * 1000, status=200, cut=False, encoding=None, declared=None):
        self.body, self.status, self.cut, self.encoding, self.declared = body, status, cut, encoding, declared
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        headers = [
            (b"content-type", b"text/javascript"),
            (b"content-length", str(self.declared or len(self.body)).encode()),
        ]
        if self.encoding:
            headers.append((b"content-encoding", self.encoding))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        half = len(self.body) // 2
        await send({"type": "http.response.body", "body": self.body[:half], "more_body": True})
        if not self.cut:  # (a client that went away: the file response stops without its last part)
            await send({"type": "http.response.body", "body": self.body[half:], "more_body": False})


def get(app, path="/assets/Index-abc12345.js", headers=()):
    scope = {"type": "http", "method": "GET", "path": path,
             "headers": [(k.encode(), v.encode()) for k, v in headers]}  # fmt: skip
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], dict(start["headers"]), body


def test_a_whole_answer_is_kept_and_given_again_from_memory():
    files = Files()
    cache = AssetCache(files)
    first, again = get(cache), get(cache)
    assert first[2] == again[2] == files.body and files.calls == 1
    assert again[1][b"cache-control"] == b"public, max-age=31536000, immutable"
    assert again[1][b"content-length"] == b"1000" and again[1][b"content-type"] == b"text/javascript"


@pytest.mark.parametrize("files", [Files(cut=True), Files(declared=5000), Files(status=404), Files(status=304)])
def test_a_cut_short_mismatched_or_unsuccessful_answer_is_never_kept(files):
    cache = AssetCache(files)
    status, headers, _ = get(cache)
    get(cache)
    assert files.calls == 2 and not cache._kept
    if status != 200:
        assert b"cache-control" not in headers  # (browsers are told to keep only what is right)


def test_compressed_bytes_go_only_to_clients_that_asked_for_them():
    files = Files(encoding=b"gzip")
    cache = AssetCache(files)
    # Gradio's compression reads the first Accept-Encoding header: so does the cache's key
    get(cache, headers=[("accept-encoding", "gzip"), ("accept-encoding", "identity")])
    status, headers, _ = get(cache, headers=[("accept-encoding", "")])
    assert files.calls == 2  # the gzip answer was not kept for a client that accepts no encoding
    identity = AssetCache(Files(encoding=b"gzip"))
    get(identity)  # a compressed answer to a request that accepted none is never kept
    assert not identity._kept


def test_cross_origin_requests_go_to_gradio_each_time():
    files = Files()
    cache = AssetCache(files)
    for _ in range(2):
        get(cache, headers=[("origin", "https://blog.example.com")])
    assert files.calls == 2 and not cache._kept


def test_what_is_kept_is_bounded_least_recently_used_first(monkeypatch):
    monkeypatch.setattr(assets, "MAX_FILES", 3)
    monkeypatch.setattr(assets, "MAX_BYTES", 1500)
    cache = AssetCache(Files())
    for name in "abcd":
        get(cache, f"/assets/{name}-12345678.js")
    assert [key[0] for key in cache._kept] == [
        "/assets/b-12345678.js",
        "/assets/c-12345678.js",
        "/assets/d-12345678.js",
    ]
    assert cache._bytes == 3000
    big = AssetCache(Files(body=b"y" * 2000))
    get(big)
    assert not big._kept  # over MAX_BYTES: passed on, never collected


def test_other_paths_and_methods_pass_through():
    files = Files()
    cache = AssetCache(files)
    get(cache, "/gradio_api/info")
    get(cache, "/gradio_api/info")
    assert files.calls == 2 and not cache._kept

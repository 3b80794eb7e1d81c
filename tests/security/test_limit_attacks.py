"""Attacks 3, 7 and 8: quotas raced by concurrent submissions, unbounded uploads and temporary
files, and anonymous readers starving everyone (real `podium serve`, real HTTP on loopback).

Before: 40 of 40 concurrent submissions passed a daily limit of 5 (check and write were not one
critical section); a 1 GB anonymous upload was spooled to disk before the 401; every inputs
download left a temporary folder behind; anonymous readers were not limited at all.
"""

import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import REPO, copy_sample_home, run_podium, start_podium_serve

PREDICTIONS = REPO / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl"
ANONYMOUS_PER_MINUTE = 40
# Every test talks to the module's real `podium serve`; the group keeps that one server on one xdist worker.
pytestmark = pytest.mark.heavy


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = copy_sample_home(tmp_path_factory.mktemp("limits"))
    (home / "tmp").mkdir()
    tokens = {
        name: run_podium("token", "create", "--name", name, "--role", "submitter", home=home, check=True).stdout.strip()
        for name in ("racer", "reader")
    }
    env = {
        "PODIUM_DAILY_SUBMISSIONS": "5",
        "PODIUM_MAX_QUEUED": "100",
        "PODIUM_MAX_CONCURRENT_PER_CLIENT": "100",  # the quota itself must hold, not the in-flight cap
        "PODIUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE": str(ANONYMOUS_PER_MINUTE),
        "PODIUM_MAX_PREDICTIONS_MB": "1",
        "PODIUM_UPLOAD_MB_PER_HOUR": "2",
        "TMPDIR": str(home / "tmp"),  # the server's own temporary folder, watched below
    }
    process, url, _ = start_podium_serve(home, env, "--no-backend")
    yield {"url": url, "home": home, "tokens": tokens}
    process.terminate()
    process.wait(timeout=60)


def test_40_concurrent_submissions_against_a_daily_limit_of_5_accept_exactly_5(server, tmp_path):
    files = []
    for i in range(40):  # 40 different files: none is a duplicate of another
        path = tmp_path / f"p{i}.jsonl"
        path.write_text(PREDICTIONS.read_text() + "\n" * i)
        files.append(path)
    barrier = threading.Barrier(40)

    def post(path: Path) -> int:
        data = path.read_bytes()
        barrier.wait(timeout=120)
        response = httpx.post(
            server["url"] + "/api/submissions",
            data={"benchmark": "fin-sentiment", "model_name": f"racer/model-{path.stem}"},
            files={"predictions": (path.name, data)},
            headers={"Authorization": f"Bearer {server['tokens']['racer']}"},
            timeout=180,
        )
        assert response.status_code in (201, 429), response.text
        if response.status_code == 429:
            assert "the limit is 5" in response.json()["detail"] and int(response.headers["Retry-After"]) > 0
        return response.status_code

    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(post, files))
    assert statuses.count(201) == 5 and statuses.count(429) == 35
    stored = list((server["home"] / "eval-queue/predictions/fin-sentiment").glob("*racer*"))
    assert len(stored) == 5  # refused submissions leave no predictions behind


def _send_headers_only(url: str, path: str, headers: dict[str, str]) -> str:
    """Declare a huge body, send none of it, and read the answer: a server that waited for (or
    spooled) the body would not answer at all."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: multipart/form-data; boundary=x"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        while chunk := sock.recv(4096):  # the server closes the connection after its answer
            answer += chunk
        return answer.decode("latin-1")


def test_a_1_gb_anonymous_upload_is_refused_before_its_body_is_read(server):
    answer = _send_headers_only(server["url"], "/api/submissions", {"Content-Length": str(1 << 30)})
    assert answer.startswith("HTTP/1.1 401")


def test_a_too_large_upload_with_a_token_is_refused_before_its_body_is_read(server):
    headers = {"Content-Length": str(1 << 30), "Authorization": f"Bearer {server['tokens']['reader']}"}
    answer = _send_headers_only(server["url"], "/api/submissions", headers)
    assert answer.startswith("HTTP/1.1 413") and "byte limit" in answer
    answer = _send_headers_only(server["url"], "/gradio_api/upload", {"Content-Length": str(1 << 30)})
    assert answer.startswith("HTTP/1.1 413")


def test_a_chunked_body_cannot_hide_behind_a_small_content_length(server):
    """With Transfer-Encoding the server would read every chunk whatever Content-Length says."""
    token = server["tokens"]["reader"]
    for path, extra in (("/gradio_api/upload", {}), ("/api/submissions", {"Authorization": f"Bearer {token}"}),
                        ("/api/compare", {})):  # fmt: skip
        headers = {"Content-Length": "10", "Transfer-Encoding": "chunked", **extra}
        assert _send_headers_only(server["url"], path, headers).startswith("HTTP/1.1 411"), path


def test_the_pages_own_routes_have_a_size_limit_too(server):
    answer = _send_headers_only(server["url"], "/gradio_api/queue/join", {"Content-Length": str(300 << 20)})
    assert answer.startswith("HTTP/1.1 413")
    big = httpx.post(server["url"] + "/gradio_api/queue/join", content=b"{" + b" " * (2 << 20) + b"}",
                     headers={"Content-Type": "application/json"}, timeout=60)  # fmt: skip
    assert big.status_code == 413


def test_page_uploads_spend_a_per_client_budget(server):
    chunk = b"id,prediction\n" + b"x" * (900 * 1024)
    statuses = []
    for i in range(4):  # 4 x 0.9 MB against 2 MB an hour
        response = httpx.post(server["url"] + "/gradio_api/upload", files={"files": (f"u{i}.csv", chunk)}, timeout=60)
        statuses.append(response.status_code)
    assert statuses[:2] == [200, 200] and statuses[2:] == [429, 429]


def test_inputs_downloads_leave_no_temporary_files(server):
    temporary = server["home"] / "tmp"
    before = {p for p in temporary.rglob("*")}
    for _ in range(5):
        response = httpx.get(server["url"] + "/api/benchmarks/fin-sentiment/inputs", timeout=60)
        assert response.status_code == 200 and response.text.count("\n") == 320
    assert {p for p in temporary.rglob("*")} - before == set()


def test_an_anonymous_flood_is_limited_per_address_and_others_are_still_served(server):
    def get(address: str) -> int:
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(transport=transport, timeout=60) as client:
            return client.get(server["url"] + "/api/leaderboard/fin-sentiment").status_code

    with ThreadPoolExecutor(8) as pool:
        flood = list(pool.map(get, ["127.0.0.2"] * (ANONYMOUS_PER_MINUTE + 20)))
    assert flood.count(200) <= ANONYMOUS_PER_MINUTE and flood.count(429) >= 20
    assert set(flood) <= {200, 429}
    assert get("127.0.0.3") == 200  # another client is not starved
    with httpx.Client(timeout=60) as client:  # a token holder is counted apart from anonymous callers
        headers = {"Authorization": f"Bearer {server['tokens']['reader']}"}
        answer = client.get(server["url"] + "/api/leaderboard/fin-sentiment", headers=headers)
        assert answer.status_code == 200

"""The Space's entry point, `python frontend/app.py`, run as a real process: it serves the same app as
`podium serve` (page, REST API, OpenAPI and docs) on $PORT of $PODIUM_HOST, without the backend."""

import os
import socket
import subprocess
import sys
import time

import httpx
from conftest import REPO, copy_sample_home

ANSWER_WITHIN = 180.0  # seconds: a generous bound on start-up on a loaded machine, not a timing target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_answering(url: str, process: subprocess.Popen, log_path) -> None:
    deadline = time.monotonic() + ANSWER_WITHIN
    while True:
        try:
            httpx.get(url + "/healthz", timeout=2)
            return
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"frontend/app.py did not answer:\n{log_path.read_text()}") from None
            time.sleep(0.2)


def test_the_space_entry_point_serves_the_page_the_api_and_its_docs(tmp_path):
    home = copy_sample_home(tmp_path)
    port = _free_port()
    env = {**os.environ, "PODIUM_HOME": str(home), "PORT": str(port), "PODIUM_HOST": "127.0.0.1"}
    log_path = tmp_path / "frontend.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, str(REPO / "frontend/app.py")], stdout=log,
                                   stderr=subprocess.STDOUT, env=env, cwd=tmp_path)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url, process, log_path)
        benchmarks = httpx.get(url + "/api/benchmarks", timeout=30)
        assert benchmarks.status_code == 200
        assert {card["id"] for card in benchmarks.json()} >= {"fin-sentiment", "biz-news-ner"}
        spec = httpx.get(url + "/openapi.json", timeout=30).json()
        assert {"/api/submissions", "/api/leaderboard/{benchmark}", "/api/compare"} <= set(spec["paths"])
        rows = httpx.get(url + "/api/leaderboard/fin-sentiment", timeout=30).json()["rows"]
        assert rows[0]["rank"] == 1
        docs = httpx.get(url + "/docs", timeout=30)
        assert docs.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in docs.text
        page = httpx.get(url + "/", timeout=30)
        assert page.status_code == 200 and "gradio" in page.text.lower()
    finally:
        process.terminate()
        process.wait(timeout=60)
    assert "backend started" not in log_path.read_text()  # scoring runs apart (backend/app.py)

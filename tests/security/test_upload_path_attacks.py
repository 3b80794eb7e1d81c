"""Attack 2: a crafted call to the page's functions names a server path as an "uploaded" file.

Before: `podium serve` mounts the Gradio Blocks into FastAPI, where Gradio's "only files uploaded
to this app" check never ran. A crafted call made the server read any CSV (its first line echoed),
copy `private/<benchmark>/gold.parquet` and `private/tokens.json` into Gradio's cache (then served
by `/gradio_api/file=`), and submit another user's stored predictions under a new name.
Now every such call is refused before the callback runs, and the callbacks check again.
"""

import json

import httpx
import pytest
from conftest import copy_sample_home, start_podium_serve

SECRET = "secret-first-line-7f3a"
# Every test talks to the module's real `podium serve`; the group keeps that one server on one xdist worker.
pytestmark = pytest.mark.heavy


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = copy_sample_home(tmp_path_factory.mktemp("uploads"))
    (home / "private" / "leak.csv").write_text(f"id,prediction\n{SECRET},x\n")
    process, url, _ = start_podium_serve(home, {}, "--interval", "0.3")
    yield {"url": url, "home": home}
    process.terminate()
    process.wait(timeout=60)


def _call(url: str, api_name: str, data: list) -> str:
    """Call a page function the way gradio_client does (POST, then read the event stream)."""
    start = httpx.post(f"{url}/gradio_api/call/{api_name}", json={"data": data}, timeout=60)
    assert start.status_code == 200, start.text
    event = start.json()["event_id"]
    return httpx.get(f"{url}/gradio_api/call/{api_name}/{event}", timeout=120).text


def _file(path) -> dict:
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}}


def _endpoints(url: str) -> set[str]:
    # (the page's functions are undocumented: not in the page's API description, still callable)
    return set(
        httpx.get(url + "/gradio_api/info", params={"all_endpoints": "true"}, timeout=30).json()["named_endpoints"]
    )


@pytest.mark.parametrize("target", ["private/leak.csv", "private/fin-sentiment/gold.parquet", "private/tokens.json",
                                    "eval-queue/predictions"])  # fmt: skip
def test_validation_of_a_server_path_is_refused(server, target):
    assert "/check_upload" in _endpoints(server["url"])  # the upload box's check, as the page calls it
    path = server["home"] / target
    if target.endswith("predictions"):  # someone else's stored predictions
        path = next((server["home"] / target).rglob("*.jsonl"))
    answer = _call(server["url"], "check_upload", ["fin-sentiment", _file(path)])
    assert "event: error" in answer and "not uploaded by a user" in answer
    assert SECRET not in answer and "valid:" not in answer


def test_submitting_a_server_path_is_refused_and_nothing_is_queued(server):
    before = sorted((server["home"] / "eval-queue/requests").iterdir())
    stolen = next((server["home"] / "eval-queue/predictions/fin-sentiment").glob("*.jsonl"))
    answer = _call(server["url"], "do_submit", ["fin-sentiment", _file(stolen), "thief-model", *[""] * 7])
    assert "event: error" in answer and "not uploaded by a user" in answer
    assert sorted((server["home"] / "eval-queue/requests").iterdir()) == before


def test_nothing_private_reaches_the_file_route(server):
    for target in ("private/tokens.json", "private/fin-sentiment/gold.parquet", "private/leak.csv"):
        response = httpx.get(f"{server['url']}/gradio_api/file={server['home'] / target}", timeout=30)
        assert response.status_code in (403, 404), (target, response.status_code)
        assert SECRET not in response.text


def test_a_real_upload_still_validates(server, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("id,prediction\nfs-0001,positive\n")
    with open(mine, "rb") as fh:
        uploaded = httpx.post(server["url"] + "/gradio_api/upload", files={"files": ("mine.csv", fh)}, timeout=60)
    assert uploaded.status_code == 200, uploaded.text
    answer = _call(server["url"], "check_upload", ["fin-sentiment", _file(json.loads(uploaded.text)[0])])
    assert "event: complete" in answer and "319 benchmark items have no prediction" in answer  # it was read

"""Attacks 6 and 9 as the page sees them (real `podium serve`, the page's own functions over HTTP).

Before: one restart broke the web table (a result without a link came back from the tables cache
as NaN and the Leaderboard tab errored for that benchmark), and hand-dropped files with impossible
numbers ranked first or vanished without a word. Now the page renders after a restart, and refused
files are listed under the table, never ranked.
"""

import json

import httpx
import pytest
from conftest import copy_sample_home, run_podium, start_podium_serve

pytestmark = pytest.mark.heavy

BENCHMARK = "fin-sentiment"


def _render(url: str) -> list:
    """The Leaderboard tab's outputs for the benchmark (table, title, ...), as the page asks for them:
    the call gradio_client makes, without its heartbeat stream (an open stream holds the server's
    shutdown until the next heartbeat)."""
    # (picker, search, verified only, model types, sizes; the columns and licences shown are the
    # page's own state: the defaults here)
    data = [BENCHMARK, "", False, [], []]
    start = httpx.post(f"{url}/gradio_api/call/render_1", json={"data": data}, timeout=60)
    assert start.status_code == 200, start.text
    events = httpx.get(f"{url}/gradio_api/call/render_1/{start.json()['event_id']}", timeout=120).text.splitlines()
    assert "event: complete" in events, events
    return json.loads(events[events.index("event: complete") + 1].removeprefix("data: "))


def test_the_page_renders_after_a_restart_and_lists_refused_files(tmp_path):
    home = copy_sample_home(tmp_path)
    admin = run_podium("token", "create", "--name", "boss", "--role", "admin", home=home, check=True).stdout.strip()
    results = home / "eval-results"
    (results / BENCHMARK / "too-good.json").write_text(json.dumps({
        "kind": "result", "benchmark": BENCHMARK, "model": {"name": "five", "org": "evil"}, "source": "reported",
        "primary_metric": "accuracy", "metrics": {"accuracy": 5.0},
    }))  # fmt: skip
    (results / BENCHMARK / "linked.json").symlink_to(home / "private" / BENCHMARK / "gold.parquet")
    process, url, _ = start_podium_serve(home, {}, "--no-backend")
    try:
        added = httpx.post(url + "/api/leaderboard/add_model", headers={"Authorization": f"Bearer {admin}"},
                           json={"dataset_name": BENCHMARK, "model": "paper/no-link", "score": 0.5,
                                 "ci": "0.45 - 0.55"}, timeout=60)  # fmt: skip
        assert added.status_code == 200, added.text
        table, title, *_ = _render(url)
    finally:
        process.terminate()
        process.wait(timeout=60)  # saves the tables cache on the way out
    column = table["value"]["headers"].index("Model")
    models = [row[column] for row in table["value"]["data"]]
    assert '<a href="?tab=models&amp;model=paper%2Fno-link">paper/no-link</a>' in models  # escaped, to its page
    assert not any("evil" in m for m in models)
    assert "2 result files were skipped" in title
    assert "too\\-good\\.json: metrics" in title and "linked\\.json: a symbolic link" in title
    process, url, _ = start_podium_serve(home, {}, "--no-backend")  # from the cache now
    try:
        again, again_title, *_ = _render(url)
    finally:
        process.terminate()
        process.wait(timeout=60)
    assert again["value"]["data"] == table["value"]["data"] and again_title == title

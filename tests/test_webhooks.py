"""Webhooks against a local receiver: events, Slack-style text, HMAC signature, retries."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest
from conftest import run_podium

SECRET = "s3cret"


@pytest.fixture()
def receiver():
    received, failures = [], {"left": 1}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if failures["left"] > 0:  # the first delivery fails: the sender must retry
                failures["left"] -= 1
                self.send_response(503)
                self.end_headers()
                return
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def _events(received, name, timeout=120):  # only a lost delivery waits this long
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [(h, json.loads(b), b) for h, b in received if json.loads(b)["event"] == name]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {name} event; got {[json.loads(b)['event'] for _, b in received]}")


def test_result_and_failure_and_benchmark_events_are_signed_and_retried(home, receiver, tmp_path):
    url, received = receiver
    env = {"PODIUM_WEBHOOKS": url, "PODIUM_WEBHOOK_SECRET": SECRET}
    good = str(home / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl")
    request_id = run_podium("submit", "fin-sentiment", good, "--model", "hooked", home=home, check=True).stdout.strip()
    run_podium("backend", "--once", home=home, env=env, check=True)
    headers, event, body = _events(received, "result.added")[0]
    assert event["data"]["submission_id"] == request_id and "hooked scored on fin-sentiment" in event["text"]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Podium-Signature"] == expected

    table = pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"], "label": ["p", "n"]})
    data = tmp_path / "tiny.csv"
    table.to_csv(data, index=False)
    run_podium("benchmark", "add", "--id", "hooked-bench", "--task", "text_classification", "--data", str(data),
               home=home, env=env, check=True)  # fmt: skip
    _, event, _ = _events(received, "benchmark.added")[0]
    assert event["data"]["benchmark"] == "hooked-bench" and "new benchmark" in event["text"]

    # A submission that fails scoring: the benchmark changes after it was queued.
    tiny_predictions = tmp_path / "p.csv"
    tiny_predictions.write_text("id,prediction\na,p\nb,n\n")
    failing = run_podium("submit", "hooked-bench", str(tiny_predictions), "--model", "m", home=home, check=True)
    table2 = pd.DataFrame({"id": ["a", "b", "c"], "text": ["x", "y", "z"], "label": ["p", "n", "p"]})
    table2.to_csv(data, index=False)
    run_podium("benchmark", "add", "--id", "hooked-bench", "--task", "text_classification", "--data", str(data),
               "--replace", home=home, check=True)  # fmt: skip
    run_podium("backend", "--once", home=home, env=env, check=True)
    _, event, _ = _events(received, "submission.failed")[0]
    assert event["data"]["submission_id"] == failing.stdout.strip() and "has no prediction" in event["text"]

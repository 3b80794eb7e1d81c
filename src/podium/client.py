"""The Python client of Podium's REST API.

    from podium.client import Client
    client = Client("http://127.0.0.1:7860", token="pdm_...")
    submission = client.submit_predictions("fin-sentiment", "my-org/my-model", "predictions.csv")
    final = client.wait(submission["id"])
    print(client.get_leaderboard("fin-sentiment")[:3])

Errors are ``ApiError`` (with ``status`` and the server's ``detail``); ``ConnectionProblem`` when
the server cannot be reached.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx


class ApiError(Exception):
    def __init__(self, status: int, detail: Any):
        self.status = status
        self.detail = detail
        super().__init__(f"{status}: {detail}")


class ConnectionProblem(Exception):
    pass


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class Client:
    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 60.0):
        url = url or os.environ.get("PODIUM_URL")
        if not url:
            raise ValueError("give the server's URL (or set PODIUM_URL)")
        self.url = url.rstrip("/")
        self.token = token if token is not None else os.environ.get("PODIUM_TOKEN")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def _call(self, method: str, path: str, **kwargs) -> Any:
        waited = 0.0
        while True:
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                raise ConnectionProblem(f"cannot reach {self.url}: {exc}") from None
            # A read over the rate limit is retried after the server's Retry-After (a minute in all);
            # a write never is: a 429 there is a quota the caller must see.
            retry_after = _seconds(response.headers.get("Retry-After"))
            if response.status_code != 429 or method != "GET" or retry_after is None or waited + retry_after > 60:
                break
            time.sleep(retry_after)
            waited += retry_after
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise ApiError(response.status_code, detail)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    # the seeds' endpoints
    def add_dataset(self, name: str, task_type: str, url: str | None = None, description: str = "",
                    models: list[dict] | None = None) -> dict:  # fmt: skip
        body = {"name": name, "url": url, "task_type": task_type, "description": description, "models": models or []}
        return self._call("POST", "/api/leaderboard/add_dataset", json=body)

    def add_model(self, dataset_name: str, model: str, score: float, ci: str | None = None,
                  rank: int | None = None, updated: str | None = None) -> dict:  # fmt: skip
        body = {
            "dataset_name": dataset_name,
            "model": model,
            "score": score,
            "ci": ci,
            "rank": rank,
            "updated": updated,
        }
        return self._call("POST", "/api/leaderboard/add_model", json=body)

    # benchmarks
    def list_benchmarks(self) -> list[dict]:
        return self._call("GET", "/api/benchmarks")

    def get_benchmark(self, benchmark: str) -> dict:
        """The benchmark's card."""
        return self._call("GET", f"/api/benchmarks/{benchmark}")

    def download_inputs(self, benchmark: str, path: str | Path) -> Path:
        data = self._call("GET", f"/api/benchmarks/{benchmark}/inputs")
        Path(path).write_bytes(data)
        return Path(path)

    # submissions
    def submit_predictions(self, benchmark: str, model_name: str, file: str | Path, *, org: str | None = None,
                           revision: str | None = None, link: str | None = None, model_type: str | None = None,
                           params: str | float | None = None, license: str | None = None) -> dict:  # fmt: skip
        """Queue a predictions file; ``model_type`` (open-weights, api, fine-tuned), ``params`` (7, "7B",
        "350M") and ``license`` describe the model on the leaderboard."""
        path = Path(file)
        data = {"benchmark": benchmark, "model_name": model_name}
        fields = (("org", org), ("revision", revision), ("link", link), ("model_type", model_type),
                  ("params", None if params is None else str(params)), ("license", license))  # fmt: skip
        data |= {k: v for k, v in fields if v}
        with open(path, "rb") as fh:
            return self._call("POST", "/api/submissions", data=data, files={"predictions": (path.name, fh)})

    def get_submission_status(self, submission_id: str) -> dict:
        return self._call("GET", f"/api/submissions/{submission_id}")

    def wait(self, submission_id: str, timeout: float = 3600, poll: float = 1.0) -> dict:
        """Poll until the submission is FINISHED, FAILED or CANCELLED; TimeoutError after ``timeout``."""
        from podium.queue import TERMINAL  # the states, defined once; imported only by those who wait

        deadline = time.monotonic() + timeout
        while True:
            status = self.get_submission_status(submission_id)
            if status["status"] in TERMINAL:
                return status
            if time.monotonic() > deadline:
                raise TimeoutError(f"submission {submission_id} is still {status['status']} after {timeout:g} s")
            time.sleep(poll)

    def cancel(self, submission_id: str) -> dict:
        return self._call("POST", f"/api/submissions/{submission_id}/cancel")

    def queue_summary(self) -> dict:
        """``{"counts": {"PENDING": n, ...}, "unreadable": n}``."""
        return self._call("GET", "/api/queue")

    def list_submissions(self, *, model_name: str | None = None, benchmark: str | None = None,
                         status: str | None = None, limit: int | None = None) -> list[dict]:  # fmt: skip
        """Submissions, newest first, filtered by the server (``RequestQueue.find``'s semantics):
        ``model_name`` is ``org/name``, or a name matching whatever the org; ``status`` in any case."""
        filters = {"model_name": model_name, "benchmark": benchmark, "status": status, "limit": limit}
        return self._call("GET", "/api/submissions", params={k: v for k, v in filters.items() if v})

    # leaderboards
    def get_leaderboard(self, benchmark: str, limit: int = 1000, metric: str | None = None) -> list[dict]:
        params = {"limit": limit} | ({"metric": metric} if metric else {})
        return self._call("GET", f"/api/leaderboard/{benchmark}", params=params)["rows"]

    def get_overall(self, task_type: str) -> list[dict]:
        """Mean score and mean rank of each model across the benchmarks of a task type."""
        return self._call("GET", "/api/leaderboard", params={"task_type": task_type})["rows"]

    def compare(self, benchmark: str, models: list[str], metric: str | None = None) -> dict:
        return self._call("POST", "/api/compare", json={"benchmark": benchmark, "models": models, "metric": metric})

"""Webhooks: POST a JSON event to configured URLs when a benchmark is added, a result lands or a
submission fails.

- ``PODIUM_WEBHOOKS``: comma-separated URLs (none: webhooks are off);
- ``PODIUM_WEBHOOK_SECRET``: if set, each request carries ``X-Podium-Signature: sha256=<hex>``,
  the HMAC-SHA256 of the raw body with that secret.

The body: ``{"event": "result.added" | "submission.failed" | "benchmark.added", "text": "...",
"data": {...}, "sent_at": "..."}``; ``text`` makes it a valid Slack incoming-webhook message.
Delivery runs in a background thread per event, with up to 4 attempts (backoff 0.5 s, 1 s, 2 s)
on connection errors and 5xx answers; ``flush()`` waits for deliveries in flight.

In the same process, ``listen(callback)`` hears every event at once (``callback(event, data)``):
``podium serve``'s page learns of a new result from its own backend this way, without waiting for
its folder watcher.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time

from podium.schema import utcnow

log = logging.getLogger("podium.webhooks")
ATTEMPTS = 4
_threads: list[threading.Thread] = []
_lock = threading.Lock()
_listeners: list = []


def listen(callback) -> None:
    """Call ``callback(event, data)`` in this process for every event from now on."""
    with _lock:
        _listeners.append(callback)


def targets() -> list[str]:
    return [u.strip() for u in os.environ.get("PODIUM_WEBHOOKS", "").split(",") if u.strip()]


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def notify(event: str, text: str, data: dict) -> None:
    """Tell this process's listeners, then send ``event`` to every configured URL, in the background."""
    with _lock:
        listeners = list(_listeners)
    for callback in listeners:
        try:
            callback(event, data)
        except Exception:  # noqa: BLE001 - a listener's failure must not fail the scorer
            log.exception("webhooks: a listener failed on %s", event)
    urls = targets()
    if not urls:
        return
    body = json.dumps(
        {"event": event, "text": text, "data": data, "sent_at": utcnow().isoformat()}, ensure_ascii=False
    ).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "podium-webhooks"}
    secret = os.environ.get("PODIUM_WEBHOOK_SECRET")
    if secret:
        headers["X-Podium-Signature"] = sign(body, secret)
    for url in urls:
        thread = threading.Thread(target=_deliver, args=(url, body, headers, event), daemon=True)
        with _lock:
            _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
        thread.start()


def _deliver(url: str, body: bytes, headers: dict, event: str) -> None:
    import httpx

    delay = 0.5
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=10)
            if response.status_code < 500:
                if response.status_code >= 400:
                    log.warning("webhook %s for %s refused: %d", url, event, response.status_code)
                return
            problem = f"status {response.status_code}"
        except httpx.HTTPError as exc:
            problem = type(exc).__name__
        if attempt < ATTEMPTS:
            time.sleep(delay)
            delay *= 2
    log.warning("webhook %s for %s failed after %d attempts (%s)", url, event, ATTEMPTS, problem)


def flush(timeout: float = 30.0) -> None:
    """Wait for deliveries in flight (before a process exits)."""
    deadline = time.monotonic() + timeout
    with _lock:
        pending = list(_threads)
    for thread in pending:
        thread.join(max(0.0, deadline - time.monotonic()))

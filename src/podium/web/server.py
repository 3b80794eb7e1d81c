"""One process: the Gradio frontend and the REST API on one FastAPI app, plus the backend scheduler."""

from __future__ import annotations

import contextlib
import logging
import signal
import time

from podium.backend import Backend, BackendSettings
from podium.config import Home

log = logging.getLogger("podium.serve")


def create_app(home: Home):
    """The one app of a Podium server: the Gradio leaderboard at ``/``, the REST API under ``/api``
    with its docs at ``/docs`` and ``/redoc`` (``podium.api``), and ``/healthz``. ``podium serve`` and
    the Space's ``frontend/app.py`` both serve it; the backend scheduler is not part of it."""
    import gradio as gr
    from fastapi import FastAPI

    from podium.api import add_api
    from podium.web import build_app
    from podium.web.app import CSS, head

    started = time.perf_counter()
    app = FastAPI(title="Podium", docs_url=None, redoc_url=None)  # the docs are served offline by add_api

    @app.get("/healthz")
    def health() -> dict:
        return {"status": "ok"}

    demo = build_app(home)
    state = demo.podium_state

    def board(force: bool = False):
        """The shared tables. Kept current by the page's watcher thread (``WebState.watch``), so a
        read never waits on the folders; ``force`` (after a write through the API) looks now."""
        if force:
            state.refresh(force=True)
        return state

    add_api(app, home, board)
    # No Gradio footer: its "Use via API" lists the page's internal functions; the page links to
    # Podium's REST API docs instead (``podium.web.app``).
    app = gr.mount_gradio_app(app, demo, path="/", max_file_size=home.max_predictions_bytes, footer_links=[],
                              css=CSS, head=head())  # fmt: skip
    # Gradio checks that a file argument of a page function was uploaded to this app only once the
    # Blocks count as launched, which mount_gradio_app never marks: without this, a crafted call
    # could name any server path (gold answers, tokens) as an "uploaded" file.
    demo.has_launched = True
    from podium.guards import RequestGuard

    app.add_middleware(RequestGuard, home=home)
    from podium.web.assets import AssetCache

    app.add_middleware(AssetCache)  # (outermost: the page's files skip the guard and Gradio's routes)
    app.podium_state = demo.podium_state
    log.info("web: app ready in %.2f s", time.perf_counter() - started)
    return app


def _listen(host: str, port: int):
    """The server's socket, bound now; a clear error when the address is taken or not ours."""
    import errno
    import socket

    from podium.errors import UsageError

    try:
        family, kind, proto, *_ = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)[0]
        # proto must say TCP: asyncio only sets TCP_NODELAY on connections of such a socket, and
        # without it Nagle's algorithm and delayed ACKs add ~100 ms to every page update.
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc}") from None
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is already in use (another Podium?): stop it or choose another with --port"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


class _Server:
    """uvicorn's server without its signal capture, which re-raises SIGTERM after shutdown and so
    would kill the process before the backend hands its running requests back."""

    def __new__(cls, config):
        import uvicorn

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self):
                yield

        return Server(config)


def serve(
    home: Home, settings: BackendSettings, host: str = "127.0.0.1", port: int = 7860, backend: bool = True
) -> int:
    import uvicorn

    started = time.perf_counter()
    stopping: dict = {"requested": False, "server": None}

    def request_stop(*_):  # installed first: a signal during start-up stops cleanly too
        stopping["requested"] = True
        if stopping["server"] is not None:
            stopping["server"].should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, request_stop)
    scorer = None
    app = None
    listening = _listen(host, port)  # first: a taken port is refused before anything starts
    try:
        if backend:
            scorer = Backend(home, settings)
            scorer.start()
            log.info("backend started in %.2f s", time.perf_counter() - started)
        app = create_app(home)
        # an open page holds a stream: shutdown closes it after 5 s rather than waiting for it
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
        server = _Server(config)
        stopping["server"] = server
        log.info("Podium on http://%s:%d (data: %s), started in %.2f s", host, port, home.root,
                 time.perf_counter() - started)  # fmt: skip
        if not stopping["requested"]:
            server.run(sockets=[listening])
        log.info("stopping")
    finally:
        listening.close()
        if scorer is not None:
            scorer.stop()
        state = getattr(app, "podium_state", None)
        if state is not None:
            state.board.save()
    return 0

"""One process: the Gradio frontend (and later the REST API) on FastAPI, plus the backend scheduler."""

from __future__ import annotations

import logging
import time

from podium.backend import Backend, BackendSettings
from podium.config import Home

log = logging.getLogger("podium.serve")


def create_app(home: Home):
    """The FastAPI app with the Gradio leaderboard mounted at ``/``."""
    import gradio as gr
    from fastapi import FastAPI

    from podium.web import build_app

    started = time.perf_counter()
    app = FastAPI(title="Podium", docs_url="/docs")

    @app.get("/healthz")
    def health() -> dict:
        return {"status": "ok"}

    demo = build_app(home)
    app.podium_state = demo.podium_state
    app = gr.mount_gradio_app(app, demo, path="/", max_file_size=home.max_predictions_bytes, footer_links=["api"])
    app.podium_state = demo.podium_state
    log.info("web: app ready in %.2f s", time.perf_counter() - started)
    return app


def serve(
    home: Home, settings: BackendSettings, host: str = "127.0.0.1", port: int = 7860, backend: bool = True
) -> int:
    import uvicorn

    started = time.perf_counter()
    scorer = None
    if backend:
        scorer = Backend(home, settings)
        scorer.start()
        log.info("backend started in %.2f s", time.perf_counter() - started)
    app = create_app(home)
    log.info("Podium on http://%s:%d (data: %s), started in %.2f s", host, port, home.root,
             time.perf_counter() - started)  # fmt: skip
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if scorer is not None:
            scorer.stop()
        state = getattr(app, "podium_state", None)
        if state is not None:
            state.board.save()
    return 0

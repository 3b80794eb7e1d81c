"""The API's documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), rendered with no
network: their scripts and styles come from the ``fastapi-offline`` package and are served by the
app itself under ``/docs-assets``, never from a CDN."""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"


def add_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` (create ``app`` with ``docs_url=None, redoc_url=None``)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    def urls(request: Request) -> tuple[str, str, str]:
        """(the OpenAPI document, the assets folder, the page title), behind any proxy prefix."""
        prefix = request.scope.get("root_path", "")
        return prefix + app.openapi_url, prefix + ASSETS_URL, f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        openapi, root, title = urls(request)
        return get_swagger_ui_html(
            openapi_url=openapi,
            title=title,
            swagger_js_url=f"{root}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/swagger-ui.css",
            swagger_favicon_url=f"{root}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # Swagger UI would ask a public validator
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        openapi, root, title = urls(request)
        return get_redoc_html(
            openapi_url=openapi,
            title=title,
            redoc_js_url=f"{root}/redoc.standalone.js",
            redoc_favicon_url=f"{root}/favicon.png",
            with_google_fonts=False,
        )

"""The API's docs with no network, in a real browser (Debian's Chromium driven by Playwright) against
a real `podium serve`: every request that leaves loopback is aborted, and still Swagger UI (`/docs`)
lists the operations and ReDoc (`/redoc`) renders them, from assets the server itself serves. The
OpenAPI document declares the bearer scheme, on every writing operation."""

from urllib.parse import urlparse

import httpx
import pytest
from conftest import copy_sample_home, require_chromium, start_podium_serve

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
READ_ONLY_POSTS = {"/api/compare"}

require_chromium()

playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = copy_sample_home(tmp_path_factory.mktemp("docs"))
    process, url, _ = start_podium_serve(home, None, "--no-backend")
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture()
def offline_page(browser):
    """A page that can reach loopback only: anything else is aborted (and listed in ``page.aborted``)."""
    context = browser.new_context()
    page = context.new_page()
    page.aborted, page.failed = [], []

    def only_loopback(route):
        if urlparse(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            page.aborted.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.on("requestfailed", lambda r: page.failed.append(r.url) if urlparse(r.url).hostname in LOOPBACK else None)
    yield page
    context.close()


def test_swagger_ui_lists_the_operations_with_no_network(offline_page, server):
    page = offline_page
    page.goto(server + "/docs")
    page.get_by_text("/api/leaderboard/{benchmark}", exact=True).wait_for(timeout=60_000)
    assert page.get_by_text("/api/submissions", exact=True).count() == 2  # GET and POST
    assert page.get_by_text("/api/leaderboard/add_dataset", exact=True).count() == 1
    assert page.failed == [], page.failed  # every asset came from the server itself


def test_redoc_renders_the_operations_with_no_network(offline_page, server):
    page = offline_page
    page.goto(server + "/redoc")
    page.get_by_text("/api/leaderboard/{benchmark}").first.wait_for(state="attached", timeout=60_000)
    assert page.locator("h1").first.inner_text().startswith("Podium")
    assert page.get_by_text("Submit a predictions file").count() >= 1  # an operation's description
    assert page.failed == [], page.failed


def test_openapi_declares_the_bearer_scheme_on_every_writing_operation(server):
    spec = httpx.get(server + "/openapi.json", timeout=30).json()
    schemes = spec["components"]["securitySchemes"]
    bearer = [name for name, s in schemes.items() if s["type"] == "http" and s["scheme"].lower() == "bearer"]
    assert len(bearer) == 1
    writing = reading = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete") and path not in READ_ONLY_POSTS:
                writing += 1
                assert {bearer[0]: []} in operation.get("security", []), (method, path)
            else:
                reading += 1
                assert "security" not in operation, (method, path)  # reading is public
    assert writing >= 5 and reading >= 8

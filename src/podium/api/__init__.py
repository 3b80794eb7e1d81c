"""The REST API (FastAPI), served beside the web page by ``podium.web.server.create_app``.

One router per resource, each handler a few lines over the same services the CLI and the web page
use (reached through FastAPI dependencies, ``deps``):

- ``seeds``: the seeds' ``add_dataset`` / ``add_model`` (admin);
- ``benchmarks``: cards, public inputs, creating a benchmark from an eval set (admin);
- ``submissions``: submitting predictions (submitter), states, the queue's counts, a model's history;
- ``leaderboard``: a benchmark's rows, a task type's overall table;
- ``compare``: paired tests between models.

Reading is public; the caller's token is an ``HTTPBearer`` credential (``Authorization: Bearer
<token>``). Services raise typed errors, answered as JSON ``{"detail": ...}`` with the status of
the one table in ``errors``. ``/docs`` and ``/redoc`` render offline (``docs``).
"""

from fastapi import FastAPI

from podium.api import benchmarks, compare, errors, leaderboard, seeds, submissions
from podium.api.deps import BoardProvider, Services
from podium.api.docs import add_docs
from podium.api.models import ERRORS
from podium.config import Home

ROUTERS = (seeds.router, benchmarks.router, submissions.router, leaderboard.router, compare.router)


def add_api(app: FastAPI, home: Home, board: BoardProvider) -> None:
    """Serve the API on ``app``: the routes under ``/api``, the error table, ``/docs`` and ``/redoc``.

    ``board(force=False)`` returns the shared leaderboard tables, refreshed (``force``: now)."""
    app.state.podium_services = Services.of(home, board)
    for router in ROUTERS:
        app.include_router(router, prefix="/api", responses=ERRORS)
    errors.install(app)
    add_docs(app)

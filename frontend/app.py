"""The leaderboard space as a Hugging Face Space runs it: `python frontend/app.py`.

Serves the one app `podium serve` serves (`podium.web.server.create_app`): the page at `/`, the
REST API under `/api`, its docs at `/docs` and `/redoc`, on `$PORT` (default 7860) of `$PODIUM_HOST`
(default 0.0.0.0, as Spaces expect). Without the backend scheduler: scoring runs apart
(`backend/app.py` or `podium backend`). Reads PODIUM_HOME (default: the repository root, where the
sample data lives).
"""

import os
import sys
from pathlib import Path

from podium.cli import main

if __name__ == "__main__":
    home = os.environ.get("PODIUM_HOME") or str(Path(__file__).resolve().parents[1])
    host = os.environ.get("PODIUM_HOST") or "0.0.0.0"
    port = os.environ.get("PORT") or "7860"
    sys.exit(main(["--home", home, "serve", "--no-backend", "--host", host, "--port", port, *sys.argv[1:]]))

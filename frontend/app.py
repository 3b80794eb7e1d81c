"""The leaderboard space on its own, as a Hugging Face Space runs it: `python frontend/app.py`.

Reads PODIUM_HOME (default: the repository root, where the sample data lives). Scoring runs
elsewhere (`backend/app.py` or `podium backend`); `podium serve` runs both in one process.
"""

import logging
import os
from pathlib import Path

from podium.config import Home
from podium.web import build_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
home = Home.from_env(os.environ.get("PODIUM_HOME") or Path(__file__).resolve().parents[1])
demo = build_app(home)

if __name__ == "__main__":
    demo.launch(max_file_size=home.max_predictions_bytes)

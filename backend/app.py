"""The scorer space on its own: `python backend/app.py` (the same as `podium backend`).

Reads PODIUM_HOME (default: the repository root).
"""

import os
import sys
from pathlib import Path

from podium.cli import main

if __name__ == "__main__":
    home = os.environ.get("PODIUM_HOME") or str(Path(__file__).resolve().parents[1])
    sys.exit(main(["--home", home, "backend", *sys.argv[1:]]))

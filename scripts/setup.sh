#!/usr/bin/env bash
# Create .venv and install Podium with pinned dependencies. Re-runs only when a requirements
# file or pyproject.toml changed. Usage: scripts/setup.sh [requirements file]
set -euo pipefail
cd "$(dirname "$0")/.."
REQUIREMENTS="${1:-requirements.txt}"
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
  done
fi
if [ ! -x .venv/bin/python ]; then
  echo "podium: creating .venv with $("$PYTHON" --version)" >&2
  "$PYTHON" -m venv .venv
fi
STAMP=.venv/.podium-installed-$(basename "$REQUIREMENTS")
WANT=$(cat requirements*.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "podium: installing dependencies from $REQUIREMENTS (first run takes a minute)" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" -e .
  echo "$WANT" > "$STAMP"
fi

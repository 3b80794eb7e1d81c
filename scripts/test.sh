#!/usr/bin/env bash
# Set up Podium with its test dependencies and run the whole test suite (and the linter).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
export HF_HOME="${HF_HOME:-$(mktemp -d)}"
.venv/bin/ruff check src tests bench
exec .venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"

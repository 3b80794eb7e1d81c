#!/usr/bin/env bash
# Run every benchmark script; each runs the reference beside Podium in one process and prints ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
for script in bench/bench_*.py; do  # load_api.py is a tool, run by tests/test_api_load.py
  .venv/bin/python "$script"
done

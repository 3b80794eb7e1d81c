#!/usr/bin/env bash
# Run every benchmark script; each runs the reference beside Podium in one process and prints ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
for script in bench/bench_*.py; do
  .venv/bin/python "$script"
done

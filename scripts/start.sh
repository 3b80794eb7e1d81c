#!/usr/bin/env bash
# Set up Podium and start it on the bundled sample data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
export HF_HOME="${HF_HOME:-$PWD/.hf-home}"
exec .venv/bin/podium serve "$@"

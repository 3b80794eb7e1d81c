#!/usr/bin/env bash
# Set up Podium with its test dependencies and run the whole test suite (and the linter).
# The fast subset: bash scripts/test.sh -m "not heavy" (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
if [ ! -x /usr/bin/chromium ]; then
  # The browser tests drive Debian's Chromium (Playwright cannot download a browser here).
  if [ "$(id -u)" = 0 ]; then
    echo "podium: installing Debian's chromium for the browser tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  else
    echo "podium: /usr/bin/chromium is missing; the browser tests will be skipped (install Debian's chromium)" >&2
  fi
fi
export HF_HOME="${HF_HOME:-$(mktemp -d)}"
.venv/bin/ruff check src tests bench frontend backend scripts
# loadfile: a file's tests run on one worker, so its module-scoped server starts once (docs/testing.md).
exec .venv/bin/python -m pytest -n 2 --dist loadfile -p no:cacheprovider --durations=10 "$@"

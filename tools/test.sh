#!/usr/bin/env bash
# The test command: set up ./.venv, then run every notebook's tests (nbdev_test's runner).
# Extra arguments go to tools/run_tests.py, e.g. `bash tools/test.sh --flags slow` or `--path nbs/01_data.ipynb`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
.venv/bin/python tools/run_tests.py "$@"

#!/usr/bin/env bash
# Create (or reuse) ./.venv and install gps_ssl with its dev tools and every CPU extra ([all]: faiss-cpu, timm, open_clip,
# diffusers, medmnist, tensorboard), pinned by .ci/constraints.txt: CI tests the full set; a minimal install is tested by 12_recipes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
if ! log=$(.venv/bin/python -m pip install --quiet --disable-pip-version-check -c .ci/constraints.txt -e ".[dev,all]" 2>&1); then
    echo "$log" >&2; echo "tools/setup.sh: pip install failed (see above)" >&2; exit 1
fi
echo "$log" | grep -v -E "^WARNING: Location .* is ignored" || true   # only the filter may find nothing
# the benchmarks' lightly-style loop (nbs/90_benchmarks): lightly's transforms, heads and losses, without its training stack
if ! log=$(.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -c .ci/constraints.txt lightly lightning-utilities 2>&1); then
    echo "$log" >&2; echo "tools/setup.sh: pip install of lightly failed (see above)" >&2; exit 1
fi
.venv/bin/python -c "import gps_ssl, torch, torchvision; print(f'gps_ssl {gps_ssl.__version__} ready (torch {torch.__version__}, torchvision {torchvision.__version__})')"

#!/usr/bin/env bash
# The GPU pre-flight (issue 42): what a session with a GPU runs first. One device call, under 8 minutes on an H100:
#   here:        bash tools/gpu_wheelhouse.sh                      # .wheelhouse/: gps_ssl + what the image lacks (~14 MiB)
#   the device:  run("bash tools/gpu_preflight.sh --device cuda --out $OUT", carry=['.wheelhouse'], timeout_s=540)
#   here again:  python tools/record_gpu.py FILES_AT/gpu_preflight.json --record nbs/results/bench_gpu
# Options: [--device cuda|cpu] [--quick] [--out DIR|FILE] [--budget S] [--only a,b] [--python PY]
#   --python PY  use that interpreter as it is, installing nothing (e.g. .venv/bin/python here; the slow test does)
# Without --python: python3 (the image's, with torch) gets the wheelhouse installed with --target into a folder on
# PYTHONPATH (the way the device notes say works there: no network, no venv needed, the machine's torch reused). If the
# wheel no longer holds this checkout's code (the code changed after gpu_wheelhouse.sh), it is rebuilt here first, and
# if that fails the checkout itself goes on PYTHONPATH: a pre-flight of stale code wastes the device minutes.
# Writes DIR/gpu_preflight.json and DIR/gpu_preflight.log (default DIR: $OUT, else .); tools/gpu_preflight.py has the sections.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=""; ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --python) PY="$2"; shift 2;;
        -h|--help) sed -n 2,11p "$0"; exit 0;;
        *) ARGS+=("$1"); shift;;
    esac
done
export GPS_PREFLIGHT_COMMAND="bash tools/gpu_preflight.sh${ARGS[*]:+ ${ARGS[*]}}"
if [ -z "$PY" ]; then
    PY=${GPS_PREFLIGHT_PY:-python3}    # the interpreter that gets the wheelhouse (override only to test this path elsewhere)
    [ -d .wheelhouse ] || { echo "gpu_preflight.sh: no .wheelhouse/ here: run 'bash tools/gpu_wheelhouse.sh' on the dev machine and carry it (carry=['.wheelhouse'])" >&2; exit 2; }
    SITE=${TMPDIR:-/tmp}/gps_preflight_site; rm -rf "$SITE"; WH=.wheelhouse
    if ! "$PY" tools/gpu_preflight.py --wheel-check .wheelhouse; then
        WH=${TMPDIR:-/tmp}/gps_preflight_wheels; rm -rf "$WH"; mkdir -p "$WH"; cp .wheelhouse/*.whl "$WH"/; rm -f "$WH"/gps_ssl-*.whl
        if "$PY" -m pip wheel --quiet --no-deps --no-build-isolation --no-index -w "$WH" . >/dev/null 2>&1; then echo "rebuilt the gps_ssl wheel from this checkout"
        else echo "could not rebuild the gps_ssl wheel here; importing gps_ssl from the checkout instead" >&2; export GPS_PREFLIGHT_CHECKOUT=1; fi
    fi
    # by name, so that pip takes from the folder the newest wheel that fits this Python (gpu_wheelhouse.sh may hold two)
    names=$(ls "$WH"/*.whl | xargs -n1 basename | cut -d- -f1 | sort -u | grep -v '^gps_ssl$' || true)
    [ -n "${GPS_PREFLIGHT_CHECKOUT:-}" ] || names="gps_ssl $names"
    "$PY" -m pip install --quiet --no-index --no-deps --no-compile --no-cache-dir --target "$SITE" --find-links "$WH" $names
    export PYTHONPATH="$SITE${GPS_PREFLIGHT_CHECKOUT:+:$PWD}${PYTHONPATH:+:$PYTHONPATH}"
fi
"$PY" -c "import sys; sys.path.remove(''); import gps_ssl, fastcore, torch; print(f'gps_ssl {gps_ssl.__version__} from {gps_ssl.__file__}, torch {torch.__version__}, CUDA {torch.cuda.is_available()}')"
exec "$PY" tools/gpu_preflight.py ${ARGS[@]+"${ARGS[@]}"}

#!/usr/bin/env bash
# Build .wheelhouse/: what a GPU machine with PyTorch and no network needs to run tools/gpu_preflight.sh (issue 42).
#   bash tools/gpu_wheelhouse.sh [--python-version "3.10 3.11 3.12"] [--out .wheelhouse] [--no-clsp] [--extra "NAME==VER ..."]
# Then carry it: run("bash tools/gpu_preflight.sh --device cuda --out $OUT", carry=['.wheelhouse']).
#
# What goes in: the gps_ssl wheel of this checkout (`pip wheel --no-deps .`), and the packages gps_ssl and the pre-flight
# import that the lent machines' image lacks (/work/.library/device/KINDS.md lists that image's packages: torch,
# torchvision, numpy, scipy, scikit-learn, matplotlib, pillow, pyyaml, tqdm, huggingface-hub, safetensors, regex, zipp are
# there): fastcore (gps_ssl imports it everywhere), and, for the pre-flight's real CLSP path, diffusers and its one
# missing requirement importlib_metadata (--no-clsp leaves them out; the pre-flight then records that sub-check skipped).
# Versions are the CI pins (.ci/constraints.txt). Every one of these is a pure-Python wheel (py3-none-any), so one file
# serves every Python: the loop over --python-version (default 3.10 3.11 3.12, this package's range; the image's python3
# was 3.12.3 when last read) checks that each version resolves, and fetches per-version files only for an --extra
# package that has compiled ones (e.g. a torchvision for a machine that lacks it).
# The limit: the working tree (tracked + untracked-not-ignored files) and the carried paths travel together, 64 MiB a
# call; this script prints both and fails if their sum is over it.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSIONS="3.10 3.11 3.12"; OUTDIR=.wheelhouse; CLSP=1; EXTRA=""
while [ $# -gt 0 ]; do
    case "$1" in
        --python-version) VERSIONS="$2"; shift 2;;
        --out) OUTDIR="$2"; shift 2;;
        --no-clsp) CLSP=0; shift;;
        --extra) EXTRA="$2"; shift 2;;
        -h|--help) sed -n 2,4p "$0"; exit 0;;
        *) echo "gpu_wheelhouse.sh: unknown argument $1 (see --help)" >&2; exit 2;;
    esac
done
PY=${PYTHON:-.venv/bin/python}; [ -x "$PY" ] || PY=python3
PKGS="fastcore"; [ "$CLSP" = 1 ] && PKGS="$PKGS diffusers importlib_metadata"
PKGS="$PKGS $EXTRA"
rm -rf "$OUTDIR"; mkdir -p "$OUTDIR"
# the package itself: no build isolation, so nothing is fetched to build it (setuptools is in the venv); pip builds
# in-tree, so the build/ folder it makes is removed again (only if this script made it)
had_build=0; [ -e build ] && had_build=1
"$PY" -m pip wheel --quiet --no-deps --no-build-isolation -w "$OUTDIR" . >/dev/null
[ "$had_build" = 0 ] && rm -rf build
fetch() {  # fetch VERSION [pip download arguments...]: one Python version's wheels; pip's messages only on failure
    local v=$1 log; shift
    log=$("$PY" -m pip download --quiet --no-deps --only-binary=:all: --python-version "$v" --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any \
        -d "$OUTDIR" "$@" 2>&1) || { echo "$log" | grep -v -E "^WARNING: Location .* is ignored" >&2; return 1; }
}
for v in $VERSIONS; do
    for p in $PKGS; do
        # a CI pin that this Python cannot install (diffusers 0.42 needs 3.11+): the newest version that it can, said so;
        # gpu_preflight.sh installs by name from the folder, so pip takes the newest wheel that fits the machine's Python
        fetch "$v" -c .ci/constraints.txt "$p" 2>/dev/null || { echo "python $v: $p not at its CI pin; the newest that installs" >&2; fetch "$v" "$p"; }
    done
done
ls -1 "$OUTDIR"
wh=$(du -sb "$OUTDIR" | cut -f1)
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
limit=$((64 * 1024 * 1024))
"$PY" -c "import sys; w, t = int(sys.argv[2]) / 2**20, int(sys.argv[3]) / 2**20
print(f'wheelhouse {sys.argv[1]}: {w:.1f} MiB; working tree {t:.1f} MiB; together {w + t:.1f} of the 64 MiB a device call carries')" "$OUTDIR" "$wh" "$tree"
if [ $((wh + tree)) -ge $limit ]; then echo "gpu_wheelhouse.sh: over the 64 MiB a device call carries; drop --extra packages or use --no-clsp" >&2; exit 1; fi

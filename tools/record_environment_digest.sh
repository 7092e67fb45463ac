#!/usr/bin/env bash
# This machine's digest of the code that made the committed digest (nbs/results/digest/digest.json), for 16_digest to
# compare bit-exactly on this CPU and torch: another CPU's floats differ in their last bits, and a few short runs (NNCLR's
# neighbours, SePP's pairs) can then drift past the tolerance the committed digest allows. It is computed in a temporary
# worktree at the commit that last changed digest.json, so it is that code's digest, and written to
# nbs/results/digest/environments/. Re-run it on each machine after every digest update (older ones are then ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-$PWD/.venv/bin/python}
c=$(git log -1 --format=%H -- nbs/results/digest/digest.json)
d=$(mktemp -d); git worktree add --detach "$d/wt" "$c" >/dev/null 2>&1
trap 'git worktree remove --force "$d/wt"; rm -rf "$d"' EXIT
out="$PWD/nbs/results/digest/environments"; mkdir -p "$out"
(cd "$d/wt" && PYTHONPATH="$d/wt" "$PY" - "$out" "$c" <<'EOF'
import sys
from pathlib import Path
from gps_ssl.digest import compute_digest
from gps_ssl.core import provenance, atomic_write_json, fingerprint
pv = provenance('bash tools/record_environment_digest.sh')
assert pv['commit'] == sys.argv[2] and not pv['uncommitted_changes'], f"the worktree is not the digest's commit: {pv['commit']}"
got = compute_digest()
path = Path(sys.argv[1]) / f"{fingerprint(got['environment'])}.json"
atomic_write_json(dict(got, provenance=pv), path)
print(f"wrote {path} ({got['environment']['cpu']}, the code of {sys.argv[2][:8]})")
EOF
)

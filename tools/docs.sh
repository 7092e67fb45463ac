#!/usr/bin/env bash
# Build the documentation site into _docs/ from the executed notebooks (issue 45): `bash tools/docs.sh` from anywhere.
#
# Tool: MkDocs with the Material theme, because it is a pure-pip install (no Quarto binary, which cannot be installed
# here) that gives navigation, per-page tables of contents, client-side search and readable tables and code from plain
# markdown; the notebooks become that markdown through docs_src/nb2md.py (standard library only), which keeps their
# saved outputs (figures, result tables, text), drops nbdev's hidden cells and turns .ipynb links into page links, so
# nothing is re-executed and `mkdocs build --strict` itself fails on a link to a missing page.
#
# It installs the pinned docs_src/requirements.txt into its own virtual environment, .venv-docs (the project's .venv and CI's
# constraints are not touched; set DOCS_PYTHON to pick the interpreter that creates it, python3 by default), writes the
# pages to _docs_build/, builds _docs/, then runs tools/check_docs.py on it. Open _docs/index.html in a browser (the
# pages also work from disk; search needs the site served, e.g. `python3 -m http.server -d _docs`).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
venv=.venv-docs
req=docs_src/requirements.txt
# A venv is (re)made when it is missing or was installed from another requirements file.
if [ ! -x "$venv/bin/mkdocs" ] || ! cmp -s "$req" "$venv/.requirements.txt"; then
  rm -rf "$venv"
  "${DOCS_PYTHON:-python3}" -m venv "$venv"
  # (pip's notes about this machine's unused local index folders are filtered out)
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" 2>&1 | { grep -v "^WARNING: Location 'file:" || true; }
  cp "$req" "$venv/.requirements.txt"
fi
"$venv/bin/python" docs_src/nb2md.py _docs_build
rm -rf _docs
"$venv/bin/mkdocs" build --strict -f _docs_build/mkdocs.yml  # (not --quiet: it would hide the warnings that --strict fails on)
"$venv/bin/python" tools/check_docs.py _docs
echo "docs: _docs/ built in $(( $(date +%s) - start )) s, $(du -sh _docs | cut -f1), $(find _docs -name '*.html' | wc -l) HTML pages"

"""Execute some cells of a notebook, and its setup cells before them, and save their outputs; the other cells keep theirs.

For a notebook whose full execution retrains what its records hold (minutes to hours on 2 cores) when new cells were
added that stand alone: they import what they use from the exported package. Run as `tools/execute_nbs.py` runs a
notebook (from `nbs/`, IN_TEST unset); the setup cells are the code cells before the first markdown cell.
Usage: `python tools/execute_cells.py nbs/06_sepp.ipynb CELL_ID [CELL_ID ...]`"""
import os, sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory

def execute_cells(path:Path, ids:list[str]):
    nb = read_nb(path); t0 = time.time()
    first_md = next(i for i, c in enumerate(nb.cells) if c.cell_type == 'markdown')
    setup = {c.id for c in nb.cells[:first_md] if c.cell_type == 'code'}
    missing = set(ids) - {c.id for c in nb.cells}
    if missing: raise SystemExit(f"{path}: no cell {', '.join(sorted(missing))}")
    sh = CaptureShell(path)
    run = lambda c: c.cell_type == 'code' and 'nbdev_export(' not in c.source and (c.id in setup or c.id in ids)
    with working_directory(path.parent): sh.run_all(nb, exc_stop=True, preproc=lambda c: not run(c))
    write_nb(nb, path)
    print(f'executed {len(ids)} cells of {path} (and its {len(setup)} setup cells) in {time.time() - t0:.0f}s')

if __name__ == '__main__':
    os.environ.pop('IN_TEST', None); os.environ.setdefault('MPLBACKEND', 'Agg')
    execute_cells(Path(sys.argv[1]).absolute(), sys.argv[2:])

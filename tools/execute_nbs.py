"""Execute notebooks top to bottom and save them with their outputs (what a reader sees on GitHub).

Cells flagged `#| slow`, `#| gpu` or `#| notest` are not run (their recorded results are read by the fast cells
instead) and keep no output; everything else runs as `nbdev_test` runs it, from `nbs/`, with IN_TEST unset so cells
show the reader-sized workloads where they differ. Usage: `python tools/execute_nbs.py nbs/20_reproduce_digits.ipynb ...`

`--cells ID,ID nbs/NN.ipynb` runs only those cells and the setup cells before the notebook's first markdown cell; the
other cells keep their outputs. For new cells that stand alone (they import what they use from the exported package) in a
notebook whose full execution retrains what its records hold (minutes to hours on 2 cores)."""
import os, sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory

SKIP = {'slow', 'gpu', 'notest'}

def _flags(cell):
    return {l.split('|', 1)[1].strip().split()[0] for l in cell.source.splitlines() if l.startswith('#|') and l[2:].strip()}

def execute(path:Path, cells:set|None=None):
    nb = read_nb(path); t0 = time.time()
    if cells:
        if (missing := cells - {c.id for c in nb.cells}): raise SystemExit(f"{path}: no cell {', '.join(sorted(missing))}")
        first_md = next(i for i, c in enumerate(nb.cells) if c.cell_type == 'markdown')
        cells = cells | {c.id for c in nb.cells[:first_md]}
    sh = CaptureShell(path)
    def skip(cell):
        if cell.cell_type != 'code' or (cells and cell.id not in cells): return True
        if 'nbdev_export(' in cell.source or SKIP & _flags(cell): cell.outputs = []; cell.execution_count = None; return True
        return False
    with working_directory(path.parent): sh.run_all(nb, exc_stop=True, preproc=skip)
    write_nb(nb, path)
    print(f'executed {path}{f" ({len(cells)} cells with its setup)" if cells else ""} in {time.time() - t0:.0f}s')

if __name__ == '__main__':
    os.environ.pop('IN_TEST', None); os.environ.setdefault('MPLBACKEND', 'Agg')
    args = sys.argv[1:]; cells = None
    if args[:1] == ['--cells']: cells, args = set(args[1].split(',')), args[2:]
    for p in args: execute(Path(p).absolute(), cells)

"""Execute notebooks top to bottom and save them with their outputs (what a reader sees on GitHub).

Cells flagged `#| slow`, `#| gpu` or `#| notest` are not run (their recorded results are read by the fast cells
instead) and keep no output; everything else runs as `nbdev_test` runs it, from `nbs/`, with IN_TEST unset so cells
show the reader-sized workloads where they differ. Usage: `python tools/execute_nbs.py nbs/20_reproduce_digits.ipynb ...`"""
import os, sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory

SKIP = {'slow', 'gpu', 'notest'}

def _flags(cell):
    return {l.split('|', 1)[1].strip().split()[0] for l in cell.source.splitlines() if l.startswith('#|') and l[2:].strip()}

def execute(path:Path):
    nb = read_nb(path); t0 = time.time()
    sh = CaptureShell(path)
    def skip(cell):
        if cell.cell_type != 'code': return True
        if 'nbdev_export(' in cell.source or SKIP & _flags(cell): cell.outputs = []; cell.execution_count = None; return True
        return False
    with working_directory(path.parent): sh.run_all(nb, exc_stop=True, preproc=skip)
    write_nb(nb, path)
    print(f'executed {path} in {time.time() - t0:.0f}s')

if __name__ == '__main__':
    os.environ.pop('IN_TEST', None); os.environ.setdefault('MPLBACKEND', 'Agg')
    for p in sys.argv[1:]: execute(Path(p).absolute())

"""Run the notebooks' tests with nbdev's own `test_nb` (what `nbdev_test` runs) and end with `N passed, N failed`.

Skips the cells flagged with `tst_flags` from settings.ini (notest slow gpu) unless `--flags` forces them."""
import argparse, os, sys, time
from pathlib import Path
from fastcore.parallel import parallel
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import test_nb

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--path', default=None, help='a notebook or glob (default: every notebook in nbs/)')
    ap.add_argument('--flags', default='', help='space separated test flags to run, e.g. "slow" or "slow gpu"')
    ap.add_argument('--n_workers', type=int, default=1, help='notebooks run side by side (default 1: on 2 cores, two notebooks whose torch threads, DDP and data-loader processes compete ran over twice as long in total as one after the other)')
    a = ap.parse_args()
    cfg = get_config()
    files = sorted(f.absolute() for f in nbglob(a.path, as_path=True) if not f.name.startswith('_'))
    if not files: sys.exit('no notebooks found to test')
    t0 = time.time()
    with_dir = cfg.nbs_path
    os.chdir(with_dir)
    res = parallel(test_nb, files, skip_flags=cfg.tst_flags.split(), force_flags=a.flags.split(),
                   n_workers=a.n_workers if len(files) > 1 else 0, basepath=cfg.config_path, pause=0.01)
    npass = 0
    for f, (ok, secs) in zip(files, res):
        print(f"{'PASS' if ok else 'FAIL'}  {f.relative_to(cfg.config_path)}  ({secs:.0f}s)")
        npass += bool(ok)
    print(f"total {time.time()-t0:.0f}s")
    print(f"{npass} passed, {len(files)-npass} failed")
    sys.exit(0 if npass == len(files) else 1)

if __name__ == '__main__': main()

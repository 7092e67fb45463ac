"""Record a GPU pre-flight (tools/gpu_preflight.py's JSON) as a benchmark record: results.json and results.md.

    python tools/record_gpu.py gpu_preflight.json [--record nbs/results/bench_gpu] [--note TEXT]

results.json holds the tables (lists of rows, as the other `nbs/results/bench_*` records), the provenance of the machine
the pre-flight ran on (its command, GPU, CPU, torch; the commit is read here when the device's copy had no git, and
the note says so) and the pre-flight's own JSON; results.md renders the tables with `gps_ssl.bench.markdown_table` and
the footer of `bench_markdown`. nbs/90_benchmarks.ipynb shows results.md, or says that no GPU has run it yet.
"""
import argparse, json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = ('data', 'move', 'augment', 'forward', 'backward', 'optimiser', 'monitor')
RUN_COLS = ['name', 'images', 'px', 'workers', 'timer', 'backbone', 'batch', 'loop_images_per_second', 'first_step_seconds',
            'images_per_second', 'train_seconds', 'wall_seconds', 'peak_mb'] + [f'{p}_ms' for p in PHASES]
TABLES = [  # (key, columns, title)
    ('gpu_sections', ['section', 'status', 'seconds', 'guard_s', 'note'], 'Sections: status and seconds (each in a fresh process under its guard)'),
    ('gpu_env', ['gpu', 'capability', 'memory_gb', 'multiprocessors', 'bf16', 'torch', 'cuda_build', 'cudnn', 'driver', 'triton',
                 'compile_ready', 'python', 'gps_ssl_matches_checkout'], 'The machine'),
    ('gpu_cells', ['notebook', 'cell', 'status', 'seconds', 'error'], 'The notebooks\' `#| gpu` cells, run as plain Python'),
    ('gpu_knn_pre', ['name', 'N', 'D', 'k', 'first_seconds', 'seconds', 'pairs_per_s', 'peak_mb', 'agreement'],
     'knn_search (backend torch): the first call and the median of the repeats; agreement: the bf16 lists equal to the fp32 ones'),
    ('gpu_augment', ['kind', 'batch', 'px', 'batches', 'ms_per_batch', 'images_per_s'], 'BatchAugment on the device: ms per batch (median)'),
    ('gpu_prior', ['prior', 'images', 'batch', 'seconds', 'images_per_s', 'peak_mb', 'seconds_50k'],
     'The ResNet-50 prior (random weights; 32 px images resized to 224 px): seconds, and extrapolated to 50,000 images'),
    ('gpu_train', RUN_COLS, 'GPS-SimCLR (prior pixels; ResNet-18 but in a quick run), one epoch: the loop\'s steady rate, the first step, phase ms per step (synced: CUDA waited for at each phase)'),
    ('gpu_lars', ['recipe'] + RUN_COLS[1:], 'The LARS recipe gps_simclr_cifar10_weak (ResNet-50 but in a quick run; prior pixels), one epoch'),
    ('gpu_clsp', ['name', 'views', 'batch', 'images', 'backbone', 'control', 'loop_images_per_second', 'wall_seconds', 'peak_mb'],
     'CLSP: peak memory of three views (the recipe clsp_simclr_cifar10) at two batches, two views beside them, and the synthetic path'),
    ('gpu_clsp_fit', ['recipe_batch', 'mb_per_image', 'fixed_mb', 'predicted_mb', 'device_mb', 'fits', 'three_over_two_views', 'status', 'why'],
     'CLSP: the three-view peak fitted on the two batches and extrapolated to the recipe\'s batch (fits: under 90 % of the GPU\'s memory)'),
    ('gpu_compile', ['name', 'images', 'batch', 'compile_seconds', 'first_step_seconds', 'loop_images_per_second', 'wall_seconds', 'peak_mb'],
     'torch.compile\'d ResNet-18 SimCLR: the compile\'s seconds and the compiled loop\'s rate'),
]

def _flat(row:dict) -> dict:
    "A run's row with its per-step phase seconds as `PHASE_ms` columns and `batch` from `batch_size`."
    r = {k: v for k, v in row.items() if k != 'phase_seconds'}
    r.update({f'{p}_ms': s * 1e3 for p, s in (row.get('phase_seconds') or {}).items()})
    if 'batch' not in r and 'batch_size' in r: r['batch'] = r['batch_size']
    return r

def tables(pf:dict) -> dict:
    "The record's tables, by key (`TABLES`), from a pre-flight's sections; a section that did not run gives no table but its row in `gpu_sections`."
    S = pf['sections']; res = lambda n: (S.get(n) or {}).get('result') or {}
    note = lambda s: (s.get('why') or s.get('error') or '').replace('\n', ' ').replace('|', '\\|')[:160]
    t = dict(gpu_sections=[dict(section=n, status=s['status'], seconds=s.get('seconds', 0.0), guard_s=s.get('guard_s', '-'), note=note(s)) for n, s in S.items()])
    env = res('env')
    if env: t['gpu_env'] = [dict(env, gpu=env.get('gpu') or f"none ({env.get('device')})")]
    t['gpu_cells'] = [dict(c, error=str(c.get('error', c.get('why', ''))).replace('\n', ' ').replace('|', '\\|')[:160]) for c in res('gpu_cells').get('cells', [])]
    knn = res('knn')
    t['gpu_knn_pre'] = [dict(r, agreement=knn['bf16_agreement']) if r.get('precision') == 'bf16' and 'bf16_agreement' in knn else r for r in knn.get('rows', [])]
    for key, sec in (('gpu_augment', 'augment'), ('gpu_prior', 'prior'), ('gpu_train', 'train'), ('gpu_lars', 'lars'), ('gpu_clsp', 'clsp'), ('gpu_compile', 'compile')):
        t[key] = [_flat(r) for r in res(sec).get('rows', [])]
    if fit := res('clsp').get('fit'): t['gpu_clsp_fit'] = [fit]
    return {k: v for k, v in t.items() if v}

def provenance_of(pf:dict, json_path:Path, note:str|None) -> dict:
    "The pre-flight machine's provenance (from its env section), the commit read here where the device's copy had none."
    from gps_ssl.core import provenance
    pv = dict(((pf['sections'].get('env') or {}).get('result') or {}).get('provenance') or provenance(pf.get('command')))
    notes = [note] if note else []
    if pv.get('commit') is None:
        git = lambda *a: subprocess.run(['git', '-C', str(ROOT), *a], capture_output=True, text=True).stdout.strip()
        pv.update(commit=git('rev-parse', 'HEAD') or None, uncommitted_changes=bool(git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!nbs/results')))
        notes.append('The commit is the checkout\'s where this record was written (the device\'s copy of the tree has no git).')
    if pf.get('quick'): notes.append('QUICK sizes: the plumbing at toy sizes, not a measurement.')
    pv.update(command=pf.get('command') or pv.get('command'), seconds=pf.get('seconds', 0.0), preflight_json=str(json_path))
    if notes: pv['note'] = ' '.join(notes)
    return pv

def record_markdown(rec:dict) -> str:
    "results.md: a one-line verdict, each table, then `bench_markdown`'s footer (where the numbers come from)."
    from gps_ssl.bench import markdown_table, bench_markdown
    S = rec['preflight']['sections']
    bad = [n for n, s in S.items() if s['status'] in ('error', 'timeout')]
    ran = [n for n, s in S.items() if s['status'] != 'skipped']
    dev = rec['preflight'].get('device'); gpu = rec['provenance'].get('gpu')
    out = [f"**GPU pre-flight on {gpu or dev}{' (quick)' if rec['preflight'].get('quick') else ''}: {len(ran) - len(bad)} of {len(ran)} sections that ran passed"
           + (f"; failed: {', '.join(bad)}" if bad else '') + (f"; skipped: {', '.join(n for n in S if n not in ran)}" if len(ran) < len(S) else '') + '.**', '']
    for key, cols, title in TABLES:
        rows = rec['tables'].get(key)
        if not rows: continue
        cols = [c for c in cols if any(c in r for r in rows)]
        out += [f'**{title}**', '', markdown_table(rows, cols), '']
    return '\n'.join(out) + bench_markdown(dict(tables={}, provenance=rec['provenance']))

def record_gpu(json_path, folder='nbs/results/bench_gpu', note:str|None=None) -> Path:
    "Write `folder/results.json` and `folder/results.md` from a pre-flight JSON."
    from gps_ssl.core import atomic_write_json, atomic_write_bytes
    json_path = Path(json_path); pf = json.loads(json_path.read_text())
    if pf.get('kind') != 'gpu_preflight': raise SystemExit(f"{json_path} is not a GPU pre-flight JSON (kind {pf.get('kind')!r}); pass the gpu_preflight.json that tools/gpu_preflight.sh wrote")
    rec = dict(kind='benchmark', tables=tables(pf), provenance=provenance_of(pf, json_path, note), preflight=pf)
    folder = Path(folder); folder.mkdir(parents=True, exist_ok=True)
    atomic_write_json(rec, folder / 'results.json'); atomic_write_bytes(record_markdown(rec).encode(), folder / 'results.md')
    return folder

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('json', help='the gpu_preflight.json a device call brought back')
    ap.add_argument('--record', default=str(ROOT / 'nbs/results/bench_gpu'), help='the record folder (default nbs/results/bench_gpu)')
    ap.add_argument('--note', default=None, help='a note kept in the provenance and shown under the tables')
    a = ap.parse_args(argv)
    folder = record_gpu(a.json, a.record, a.note)
    print(f"recorded into {folder}:\n" + (folder / 'results.md').read_text().split('\n')[0])

if __name__ == '__main__': main()

"""GPU pre-flight (issue 42): what a session with a GPU runs first, in one device call of under 8 minutes.

    python tools/gpu_preflight.py [--device cuda|cpu] [--quick] [--out FILE|DIR] [--budget S] [--only a,b]

(tools/gpu_preflight.sh installs the wheelhouse on a bare machine and calls this.) Each section runs in a fresh Python
process under its own time guard, so a CUDA error, an out-of-memory or a hang in one is recorded (status `error` or
`timeout`, with the message and the log's tail) and the others still run; the JSON is rewritten after every section, so
what finished survives a call cut short. Sections, in order (those needing CUDA are `skipped` with --device cpu):

  env        versions and the device: torch, CUDA, cuDNN, GPU, memory, bf16, triton and C compilers (torch.compile)
  gpu_cells  every notebook cell flagged `#| gpu`, with the earlier cells it reads names from (CUDA only; `run_cells`)
  knn        knn_search fp32 and bf16 at 50,000 x 2048 (quick 5,000 x 256): seconds, peak memory, agreement
  augment    BatchAugment weak and strong, 512 images of 32 px: ms per batch
  prior      the ResNet-50 prior (random weights) on 5,000 CIFAR-size images: seconds, peak, 50k extrapolated
  train      ResNet-18 GPS-SimCLR (prior pixels) on 50,000 random CIFAR-size images, one epoch at batch 512, with 0 and 8
             loader workers, and on CUDA a synchronised phase breakdown
  lars       the recipe gps_simclr_cifar10_weak (ResNet-50, LARS, batch 256; prior pixels) for one epoch of 10,240 images
  clsp       three views (the recipe clsp_simclr_cifar10, ResNet-50; its aug control needs no diffusion model) at two
             batches, the peak fitted and extrapolated to the recipe's batch 1,024; the two-view peak beside it; and the
             synthetic path itself (a tiny DDPM trained a few steps, its bank, three views) where diffusers is installed
  compile    torch.compile'd ResNet-18 SimCLR steps: compile seconds and the compiled loop rate (CUDA only)

--quick is the plumbing at toy sizes (`QUICK`: 8 px images, a SmallCNN in place of every ResNet, 4 prior images, 0 and 2
workers): about 3 minutes on 2 busy CPU cores, what the slow test in nbs/90_benchmarks.ipynb runs.

Sizes for the full CUDA run, from FLOPs (H100: ~989 TFLOP/s dense bf16, ~60 fp32 without TF32), assuming a conservative
20 % of peak and the host's own parts (loader, probe, process start) at CPU speed; `GUARD` caps each section, and the
whole run stops starting sections once `--budget` (default 450 s, inside the 8 minutes with the install) is spent, so
the last, compile, gets what is left (a timeout there still bounds the compile time from below):
  env        imports and queries                                                                        ~  10 s
  gpu_cells  8 cells in 7 notebooks today (a process each, ~5 s to start), with their setup cells; the
             heaviest: 90's (a 50k search, two 8,192-image ResNet-18 epochs), 04's (a 30k CPU reference)    ~ 150 s
  knn        2 N^2 D = 1.0e13 FLOP a search; fp32 ~1 s, bf16 less; 1 + 3 timed of each                       ~  15 s
  augment    under 1 GFLOP a batch; launch-bound                                                             ~   5 s
  prior      4.1 GFLOP x 5,000 = 2e13 FLOP ~2 s (resized on the device)                                      ~  15 s
  train      SimCLR R18 @32 px: 3 x 0.56 GFLOP x 2 views = 3.3 GFLOP a pair; 50k pairs 1.7e14 ~1 s of compute;
             97 steps launch- and loader-bound; the monitor, kNN and L-BFGS probe on 62,500 features;
             two runs and a synced one on 10,240 images                                                    ~ 100 s
  lars       R50 @32 px ~1.3 GFLOP a view: 7.8 GFLOP a pair; 10,240 pairs 8e13 ~1 s; eval on 12,800          ~  35 s
  clsp       R50, 3 views, 2,048 images: four short runs and a tiny DDPM                                     ~  60 s
  compile    inductor's compile of a ResNet-18 step (tens of seconds to two minutes on 16 cores)          the rest
"""
from __future__ import annotations
import argparse, json, os, re, shlex, shutil, signal, subprocess, sys, tempfile, time, traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ('env', 'gpu_cells', 'knn', 'augment', 'prior', 'train', 'lars', 'clsp', 'compile')
NEEDS_CUDA = {'gpu_cells': "needs CUDA: the notebooks' `#| gpu` cells are skipped with --device cpu, as in CI",
              'compile': "needs CUDA: the compile time measured is inductor's for the GPU (on 2 CPU cores a ResNet compile takes minutes)"}
GUARD = dict(env=60, gpu_cells=200, knn=60, augment=45, prior=75, train=200, lars=100, clsp=150, compile=180)   # seconds
RESERVE = 15        # seconds kept for each section still to come when a section's guard is cut to the budget left
FULL = dict(px=32, knn=(50_000, 2048), knn_k=10, repeats=3, aug_batches=20, aug_warmup=3, prior_n=5000, prior_batch=256,
            train_n=50_000, train_batch=512, train_workers=(0, 8), sync_n=10_240, lars_n=10_240, lars_batch=256,
            clsp_n=2048, clsp_batches=(64, 128), clsp_target=1024, diffusion_steps=20, compile_n=4096, workers=8, model={})
QUICK = dict(px=8, knn=(5000, 256), knn_k=10, repeats=1, aug_batches=3, aug_warmup=1, prior_n=4, prior_batch=4,
             train_n=128, train_batch=32, train_workers=(0, 2), sync_n=128, lars_n=64, lars_batch=16,
             clsp_n=64, clsp_batches=(8, 16), clsp_target=1024, diffusion_steps=2, compile_n=128, workers=0,
             # the plumbing, not the sizes: a SmallCNN in place of every ResNet, on 8 px images (the recipes' other
             # settings kept: LARS, three views); a ResNet-50 step took over 15 s on this machine's 2 busy cores
             model=dict(backbone='cnn', width=8, head_scale=1 / 16))
TRAIN_KEYS = ('loop_images_per_second', 'first_step_seconds', 'phase_seconds', 'images_per_second', 'train_seconds',
              'steps', 'compile_seconds', 'memory_format', 'knn_top1')

# ---------------------------------------------------------------- the parent: sections in fresh processes, one JSON
def _write(path:Path, obj):
    tmp = path.with_name(path.name + '.tmp'); tmp.write_text(json.dumps(obj, indent=1, default=str)); os.replace(tmp, path)

def _kill(p):
    "Stop a section's process and everything it started (its own session: DataLoader workers, notebook runners)."
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try: os.killpg(p.pid, sig)
        except ProcessLookupError: return
        try: p.wait(5); return
        except subprocess.TimeoutExpired: pass

def run_section(name:str, a, work:Path, timeout:float) -> dict:
    "One section in a fresh process under `timeout` seconds: `{status, seconds, result, [error, log_tail]}`."
    res_file, log = work / f'{name}.json', work / f'{name}.log'
    cmd = [sys.executable, str(Path(__file__).resolve()), '--section', name, '--device', a.device, '--work', str(work),
           '--result', str(res_file), '--guard', str(timeout)] + (['--quick'] if a.quick else [])
    env = dict(os.environ, GPS_SSL_CACHE=str(work / 'cache'), MPLBACKEND='Agg', PYTHONUNBUFFERED='1', GPS_PREFLIGHT_COMMAND=a.command)
    t0 = time.perf_counter()
    with open(log, 'w') as lf:
        p = subprocess.Popen(cmd, stdout=lf, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True)
        try: rc, status = p.wait(timeout), None
        except subprocess.TimeoutExpired: _kill(p); rc, status = None, 'timeout'
    out = dict(status=status, seconds=round(time.perf_counter() - t0, 2), guard_s=round(timeout))
    if res_file.exists(): out.update(json.loads(res_file.read_text()))   # the child's status, result (partial after a timeout)
    if status == 'timeout': out.update(status='timeout', error=f"stopped at its {timeout:.0f} s guard")
    elif out['status'] is None: out.update(status='error', error=f"the section's process exited with code {rc} before writing a result")
    if out['status'] != 'ok': out['log_tail'] = log.read_text(errors='replace')[-3000:]
    return out

def _src(c) -> str: return ''.join(c['source'])

def _flags(src:str) -> list[str]:
    "A cell's leading `#|` directives, word by word (`#| gpu` -> ['gpu'])."
    out = []
    for line in src.splitlines():
        if not line.startswith('#|'): break
        out += line[2:].replace(',', ' ').split()
    return out

def list_gpu_cells(nbs:Path=ROOT / 'nbs') -> list[dict]:
    "Every code cell whose leading `#|` directives include `gpu`, by notebook (scratch notebooks `_*` left out, as the tests do)."
    return [dict(notebook=f.name, cell=i, id=c.get('id'), lines=len(_src(c).splitlines()))
            for f in sorted(nbs.glob('*.ipynb')) if not f.name.startswith('_')
            for i, c in enumerate(json.loads(f.read_text())['cells']) if c['cell_type'] == 'code' and 'gpu' in _flags(_src(c))]

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda', choices=('cuda', 'cpu'))
    ap.add_argument('--quick', action='store_true', help='tiny sizes: the plumbing, in minutes on 2 CPU cores')
    ap.add_argument('--out', default=None, help='the JSON file, or a folder for gpu_preflight.json and gpu_preflight.log (default: $OUT, else .)')
    ap.add_argument('--budget', type=float, default=450, help='seconds: no section starts past this, and guards are cut to fit it')
    ap.add_argument('--only', default=','.join(SECTIONS), help=f"sections to run, of {','.join(SECTIONS)}")
    ap.add_argument('--keep', action='store_true', help="keep the work folder (the sections' logs, data and runs); default: removed")
    ap.add_argument('--section', default=None, help=argparse.SUPPRESS); ap.add_argument('--work', default=None, help=argparse.SUPPRESS)
    ap.add_argument('--result', default=None, help=argparse.SUPPRESS); ap.add_argument('--guard', type=float, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.section: return child(a)
    only = a.only.split(',')
    if bad := [s for s in only if s not in SECTIONS]: ap.error(f"--only: unknown section(s) {bad}; choose from {', '.join(SECTIONS)}")
    out = Path(a.out or os.environ.get('OUT') or '.')
    out = out / 'gpu_preflight.json' if out.suffix != '.json' else out
    out.parent.mkdir(parents=True, exist_ok=True)
    a.command = os.environ.get('GPS_PREFLIGHT_COMMAND') or shlex.join(['python', 'tools/gpu_preflight.py'] + (argv if argv is not None else sys.argv[1:]))
    rec = dict(kind='gpu_preflight', format=1, device=a.device, quick=a.quick, command=a.command, budget_s=a.budget,
               started=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), sections={})
    t0, work = time.perf_counter(), Path(tempfile.mkdtemp(prefix='gps_preflight_'))
    for i, name in enumerate(SECTIONS):
        left, later = a.budget - (time.perf_counter() - t0), len(SECTIONS) - i - 1
        if name not in only: s = dict(status='skipped', why='not in --only')
        elif name in NEEDS_CUDA and a.device != 'cuda':
            s = dict(status='skipped', why=NEEDS_CUDA[name], **(dict(result=dict(cells=[dict(c, status='skipped') for c in list_gpu_cells()])) if name == 'gpu_cells' else {}))
        elif a.device == 'cuda' and name != 'env' and rec['sections'].get('env', {}).get('result', {}).get('cuda_available') is False:
            s = dict(status='skipped', why='the env section found no CUDA device (torch.cuda.is_available() is False)')
        elif (guard := min(GUARD[name], left - RESERVE * later)) < 10:
            s = dict(status='skipped', why=f'the --budget of {a.budget:.0f} s was spent ({left:.0f} s left, {later} sections after this one)')
        else:
            print(f"[{time.perf_counter() - t0:5.0f} s] {name} (guard {guard:.0f} s)", flush=True)
            s = run_section(name, a, work, guard)
            print(f"        {s['status']} in {s['seconds']:.1f} s" + (f": {s.get('error', '')[:300]}" if s['status'] != 'ok' else ''), flush=True)
        rec['sections'][name] = s; rec['seconds'] = round(time.perf_counter() - t0, 1); _write(out, rec)
    with open(out.with_suffix('.log'), 'w') as f:   # every section's log (the JSON keeps only a failure's tail): one file to bring back
        for name in SECTIONS:
            if (log := work / f'{name}.log').exists(): f.write(f"===== {name}\n{log.read_text(errors='replace')[-20_000:]}\n")
    if a.keep: print(f"the sections' logs and data are kept in {work}")
    else: shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {out} ({rec['seconds']:.0f} s): " + ', '.join(f"{k} {v['status']}" for k, v in rec['sections'].items()), flush=True)
    return rec

def wheel_check(folder:str='.wheelhouse') -> int:
    "Exit status 0 if the folder's gps_ssl wheel holds this checkout's `gps_ssl/*.py` byte for byte, else 1 with the reason (the standard library only: it runs before anything is installed)."
    import zipfile
    wheels = sorted(Path(folder).glob('gps_ssl-*.whl'), key=lambda p: p.stat().st_mtime)
    if not wheels: print(f"no gps_ssl wheel in {folder}"); return 1
    with zipfile.ZipFile(wheels[-1]) as z:
        inside = {n: z.read(n) for n in z.namelist() if re.fullmatch(r'gps_ssl/[^/]+\.py', n)}
    here = {f'gps_ssl/{p.name}': p.read_bytes() for p in (ROOT / 'gps_ssl').glob('*.py')}
    if differ := sorted(n for n in inside.keys() | here.keys() if inside.get(n) != here.get(n)):
        print(f"{wheels[-1].name} is stale: {len(differ)} module(s) differ from the checkout ({', '.join(differ[:5])})"); return 1
    print(f"{wheels[-1].name} holds this checkout's code"); return 0

# ---------------------------------------------------------------- the child: one section, its result written as it goes
def child(a):
    import torch
    res_file, cfg = Path(a.result), QUICK if a.quick else FULL
    out = dict(status='running', result={})
    def emit(result, status='running'):
        out.update(status=status, result=result); _write(res_file, out)
    try:
        result = SECTION_FNS[a.section](a, cfg, Path(a.work), emit)
        errs = _row_errors(result)
        out.update(status='error' if errs else 'ok', result=result, **(dict(error='; '.join(errs)[:2000]) if errs else {}))
    except BaseException as e:
        out.update(status='error', error=f"{type(e).__name__}: {e}"[:2000], traceback=traceback.format_exc()[-4000:])
    _write(res_file, out)

def _row_errors(result) -> list[str]:
    "The `error` of every row of a section's result: one failing measurement fails its section, the others still recorded."
    rows = [r for v in result.values() if isinstance(v, list) for r in v if isinstance(r, dict)] if isinstance(result, dict) else []
    return [f"{r.get('name', '?')}: {r['error']}" for r in rows if r.get('error')]

def _row(rows:list, emit, result:dict, name:str, fn, **fields):
    "Append `fn()`'s dict (or its error) as a row named `name`, then write the section's result so far."
    t0 = time.perf_counter()
    try: r = {'name': name, **fields, **fn()}
    except Exception as e:
        r = {'name': name, **fields, 'error': f"{type(e).__name__}: {e}"[:1000]}; traceback.print_exc()
    r.setdefault('wall_seconds', round(time.perf_counter() - t0, 3)); rows.append(r); emit(result)
    return r

class Peak:
    "Peak memory (MB) between `start()` and `mb()`: CUDA's `max_memory_allocated` on a GPU; on the host, the rise of the process's peak resident set (VmHWM, reset through /proc/self/clear_refs) over its level at `start()`, which understates a measurement that reuses memory an earlier one in the process freed."
    def __init__(self, device:str): self.cuda = device == 'cuda'
    @staticmethod
    def _status(key):
        return int(re.search(rf'{key}:\s+(\d+)', Path('/proc/self/status').read_text()).group(1)) / 1024
    def start(self):
        import torch
        if self.cuda:
            import gc; gc.collect(); torch.cuda.synchronize(); torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats(); return self
        try: Path('/proc/self/clear_refs').write_text('5')     # VmHWM := the current RSS
        except OSError: pass
        self.base = self._status('VmRSS'); return self
    def mb(self) -> float:
        import torch
        if self.cuda: torch.cuda.synchronize(); return torch.cuda.max_memory_allocated() / 2**20
        return max(0.0, self._status('VmHWM') - self.base)

def _sync(device):
    import torch
    if device == 'cuda': torch.cuda.synchronize()

def _timed(fn, device) -> float:
    t = time.perf_counter(); fn(); _sync(device); return time.perf_counter() - t

def _median(xs): xs = sorted(xs); return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2

def npz(work:Path, n:int, px:int=32, seed:int=0) -> str:
    "`npz:PATH` of `n` random `px` x `px` x 3 uint8 training images and n/4 test images, every one of 10 classes in both (written once)."
    import numpy as np
    path = work / f'random_{px}px_{n}.npz'
    if not path.exists():
        rng = np.random.default_rng(seed); nt = max(10, n // 4)
        np.savez(path, x_train=rng.integers(0, 256, (n, px, px, 3), dtype=np.uint8), y_train=rng.permutation(np.arange(n) % 10),
                 x_test=rng.integers(0, 256, (nt, px, px, 3), dtype=np.uint8), y_test=rng.permutation(np.arange(nt) % 10))
    return f'npz:{path}'

# ---------------------------------------------------------------- the sections
def env_section(a, cfg, work, emit) -> dict:
    import importlib, importlib.metadata as md, platform, shutil, torch
    r = dict(device=a.device, python=platform.python_version(), torch=torch.__version__, cuda_build=torch.version.cuda,
             cuda_available=torch.cuda.is_available(), cpu_cores=len(os.sched_getaffinity(0)), threads=torch.get_num_threads())
    if r['cuda_available']:
        p = torch.cuda.get_device_properties(0)
        r.update(gpu=p.name, device_count=torch.cuda.device_count(), capability=f'{p.major}.{p.minor}', memory_gb=round(p.total_memory / 2**30, 1),
                 multiprocessors=p.multi_processor_count, bf16=torch.cuda.is_bf16_supported(), cudnn=torch.backends.cudnn.version(),
                 tf32_matmul=torch.backends.cuda.matmul.allow_tf32, driver=_nvidia_smi('driver_version'))
    elif a.device == 'cuda': emit(r); raise RuntimeError("--device cuda, but torch.cuda.is_available() is False: no CUDA device or driver here")
    r['compilers'] = {c: shutil.which(c) for c in ('cc', 'gcc', 'g++', 'nvcc')}
    try: import triton; r['triton'] = triton.__version__
    except Exception as e: r['triton'] = None; r['triton_error'] = f"{type(e).__name__}: {e}"[:200]
    has_cc = bool(r['compilers']['cc'] or r['compilers']['gcc'])
    r['compile_ready'] = bool(r['triton'] and has_cc) if a.device == 'cuda' else bool(r['compilers']['g++'])   # what inductor needs
    versions = {}
    for d in ('gps_ssl', 'torchvision', 'numpy', 'scipy', 'scikit-learn', 'matplotlib', 'fastcore', 'tqdm', 'pillow', 'pyyaml', 'diffusers', 'faiss-cpu', 'faiss-gpu-cu12', 'timm'):
        try: versions[d] = md.version(d)
        except md.PackageNotFoundError: versions[d] = None
    r['versions'] = versions
    import gps_ssl
    from gps_ssl.core import code_fingerprint, provenance
    for m in ('gps_ssl.train', 'gps_ssl.bench', 'gps_ssl.clsp', 'gps_ssl.neighbors', 'gps_ssl.priors'): importlib.import_module(m)
    r['gps_ssl_from'] = str(Path(gps_ssl.__file__).parent)
    r['gps_ssl_matches_checkout'] = code_fingerprint() == code_fingerprint(ROOT / 'gps_ssl')   # a stale wheel measures old code
    r['provenance'] = pv = provenance(os.environ.get('GPS_PREFLIGHT_COMMAND'))
    # provenance() asks git where gps_ssl was imported from (an installed wheel: no repository); ask the checkout instead,
    # and say 'unknown' (None) where it has no .git (a device's copy of the working tree)
    def git(*g):
        try: return subprocess.run(['git', '-C', str(ROOT), *g], capture_output=True, text=True).stdout.strip()
        except OSError: return ''                                          # no git on the machine
    has_git = (ROOT / '.git').exists() and bool(git('rev-parse', 'HEAD'))
    pv.update(commit=git('rev-parse', 'HEAD') if has_git else None,
              uncommitted_changes=bool(git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!nbs/results')) if has_git else None)
    return r

def _nvidia_smi(field:str):
    try: return subprocess.run(['nvidia-smi', f'--query-gpu={field}', '--format=csv,noheader'], capture_output=True, text=True, timeout=20).stdout.strip() or None
    except Exception: return None

def _code(src:str) -> str: return '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('#|', '%', '!')))   # no magics

def _names(src:str) -> tuple[set, set]:
    "`(names read, names bound)` anywhere in a cell (functions, comprehensions and imports included: an over-approximation)."
    import ast
    try: tree = ast.parse(_code(src))
    except SyntaxError: return set(), set()
    load, store = set(), set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name): (load if isinstance(n.ctx, ast.Load) else store).add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): store.add(n.name)
        elif isinstance(n, ast.arg): store.add(n.arg)
        elif isinstance(n, (ast.Import, ast.ImportFrom)): store |= {(a.asname or a.name).split('.')[0] for a in n.names}
    return load, store

def setup_cells(cells:list, gpu:list[int], known:set) -> list[int]:
    "The earlier cells the `gpu` cells need: for each name a cell reads that is not `known` (the module, fastcore.test, builtins) nor bound in it, the last earlier non-exported, non-gpu cell binding it, and so on for that cell's own names (a static slice: state changed without a binding is not followed)."
    need, todo = set(), list(gpu)
    while todo:
        i = todo.pop(); load, store = _names(_src(cells[i]))
        for name in load - store - known:
            j = next((j for j in range(i - 1, -1, -1) if cells[j]['cell_type'] == 'code' and j not in gpu
                      and 'export' not in _flags(_src(cells[j])) and name in _names(_src(cells[j]))[1]), None)
            if j is not None and j not in need: need.add(j); todo.append(j)
    return sorted(need)

def run_cells(nb_path:str, idxs:list[int], out:str):
    "In a notebook runner process started in `nbs/`: the notebook's module namespace, fastcore.test, the scratch `tmp`, its non-exported imports, the earlier cells the `idxs` cells read names from (`setup_cells`), then those cells, all in notebook order; a JSON line per gpu cell to `out`."
    import ast, builtins, contextlib, importlib, io, torch
    cells = json.loads(Path(nb_path).read_text())['cells']
    exp = next((m.group(1) for c in cells if c['cell_type'] == 'code' for m in [re.match(r'#\|\s*default_exp\s+(\S+)', _src(c))] if m), None)
    ns = dict(vars(importlib.import_module('gps_ssl.' + exp))) if exp else {}          # the module's names, private ones too
    ns['__name__'] = '__main__'
    exec("from fastcore.test import *\nimport os, tempfile\nfrom pathlib import Path\n"
         "tmp = Path(tempfile.mkdtemp()); os.environ['GPS_SSL_CACHE'] = str(tmp / 'cache')", ns)   # the notebooks' scratch convention
    failed = []
    for i, c in enumerate(cells):   # the notebook's own imports outside exported cells (its hidden test imports), each on its own
        if c['cell_type'] != 'code' or i in idxs or 'export' in _flags(_src(c)): continue
        try: tree = ast.parse(_code(_src(c)))
        except SyntaxError: continue
        for node in (n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))):
            if (getattr(node, 'module', None) or node.names[0].name).startswith('nbdev'): continue   # docs only, not on the device
            try: exec(compile(ast.Module([node], []), f'{nb_path}[{i}]', 'exec'), ns)
            except Exception as e: failed.append(f'{ast.unparse(node)}: {type(e).__name__}')
    setup, setup_errors = setup_cells(cells, idxs, set(ns) | set(dir(builtins))), []
    for i in sorted(set(setup) | set(idxs)):
        buf, t0, r = io.StringIO(), time.perf_counter(), dict(cell=i)
        try:
            with contextlib.redirect_stdout(buf): exec(compile(_code(_src(cells[i])), f'{nb_path}[{i}]', 'exec'), ns)
            if torch.cuda.is_available(): torch.cuda.synchronize()
            r['status'] = 'pass'
        except AssertionError as e: r.update(status='fail', error=f'AssertionError: {e}'[:1500], traceback=traceback.format_exc()[-2500:])
        except Exception as e:
            r.update(status='error', error=f'{type(e).__name__}: {e}'[:1500], traceback=traceback.format_exc()[-2500:])
            if isinstance(e, NameError): r['why'] = 'the cell reads a name that no earlier cell binds (state the static slice missed): run the notebook (tools/run_tests.py --flags gpu)'
        if i not in idxs:                                               # a setup cell: only its failure is reported, with the next gpu cell
            if r['status'] != 'pass': setup_errors.append(f"setup cell {i}: {r['error'][:300]}")
            continue
        r.update(seconds=round(time.perf_counter() - t0, 2), stdout=buf.getvalue()[-1500:], setup_cells=[j for j in setup if j < i])
        if failed: r['imports_failed'] = failed
        if setup_errors: r['setup_errors'], setup_errors = setup_errors, []
        with open(out, 'a') as f: f.write(json.dumps(r) + '\n')


def gpu_cells_section(a, cfg, work, emit) -> dict:
    "Each notebook's `#| gpu` cells in one process per notebook started from `nbs/` (as the tests run), by `run_cells`: with the earlier cells they read names from (`setup_cells`), not the whole notebook, which would take far longer than the 8 minutes (10_train alone trains dozens of runs)."
    cells, result, deadline = list_gpu_cells(), {}, time.perf_counter() + (a.guard or GUARD['gpu_cells']) - 10
    result['cells'] = cells
    nbs = list(dict.fromkeys(c['notebook'] for c in cells))
    for k, nb in enumerate(nbs):
        mine, left = [c for c in cells if c['notebook'] == nb], deadline - time.perf_counter()
        share = left if k == len(nbs) - 1 else min(left, 1.5 * left / (len(nbs) - k))   # a slow notebook cannot starve the rest
        log = work / f'cells_{nb}.jsonl'; log.unlink(missing_ok=True)
        p = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), '--run-cells', nb, json.dumps([c['cell'] for c in mine]), str(log)],
                             cwd=ROOT / 'nbs', start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try: tail, timed_out = p.communicate(timeout=max(5, share))[0][-1500:], False
        except subprocess.TimeoutExpired: _kill(p); tail, timed_out = '', True
        got = {r['cell']: r for r in map(json.loads, log.read_text().splitlines())} if log.exists() else {}
        for c in mine:
            c.update(got.get(c['cell']) or dict(status='timeout' if timed_out else 'error',
                                                 error='the notebook runner stopped before this cell' + ('' if timed_out else f': {tail}')))
        emit(result)
    result['passed'] = sum(c['status'] == 'pass' for c in cells)
    for c in cells:
        if c['status'] != 'pass': c.setdefault('name', f"{c['notebook']}[{c['cell']}]")
    return result

def knn_section(a, cfg, work, emit) -> dict:
    import torch
    from gps_ssl.neighbors import knn_search
    (n, d), k, rows, result = cfg['knn'], cfg['knn_k'], [], {}
    result['rows'] = rows
    x, found = torch.randn(n, d, generator=torch.Generator().manual_seed(0)), {}
    for prec in ('fp32', 'bf16'):
        def one(prec=prec):
            f = lambda: found.__setitem__(prec, knn_search(x, k, backend='torch', device=a.device, precision=prec)[1])
            peak = Peak(a.device).start(); first = _timed(f, a.device); mb = peak.mb()
            secs = [_timed(f, a.device) for _ in range(cfg['repeats'])]
            return dict(first_seconds=first, seconds=_median(secs), peak_mb=mb, pairs_per_s=n * n / _median(secs))
        _row(rows, emit, result, f'knn_{prec}', one, N=n, D=d, k=k, precision=prec, device=a.device)
    if len(found) == 2: result['bf16_agreement'] = float((found['fp32'] == found['bf16']).float().mean())   # same lists up to near-ties
    return result

def augment_section(a, cfg, work, emit) -> dict:
    import torch
    from gps_ssl.data import BatchAugment
    rows, result = [], {}
    result['rows'] = rows
    x = torch.randint(0, 256, (512, 3, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(0)).to(a.device)
    for kind in ('weak', 'strong'):
        def one(kind=kind):
            aug = BatchAugment(kind, size=32, channels=3).to(a.device)
            for _ in range(cfg['aug_warmup']): aug(x)                   # warm-up (kernels, caches)
            ms = _median([_timed(lambda: aug(x), a.device) for _ in range(cfg['aug_batches'])]) * 1e3
            return dict(ms_per_batch=ms, images_per_s=512 / ms * 1e3)
        _row(rows, emit, result, f'augment_{kind}', one, kind=kind, batch=512, px=32, batches=cfg['aug_batches'], device=a.device)
    return result

def prior_section(a, cfg, work, emit) -> dict:
    import numpy as np
    from gps_ssl.data import ArrayImageDataset
    from gps_ssl.priors import embed
    n, rows, result = cfg['prior_n'], [], {}
    result['rows'] = rows
    rng = np.random.default_rng(0)
    ds = ArrayImageDataset(rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8), np.arange(n) % 10, name=f'random32_{n}')
    def one():
        kw = dict(batch_size=cfg['prior_batch'], cache=False, progress=False, device=a.device)
        w = min(n, 8); warm = ArrayImageDataset(ds.images[:w], np.arange(w) % 10, name='warm')
        embed(warm, 'resnet50:random', **kw)                          # model build, cuDNN's choice of kernels
        peak = Peak(a.device).start(); t = time.perf_counter(); z = embed(ds, 'resnet50:random', **kw); _sync(a.device)
        secs = time.perf_counter() - t
        return dict(seconds=secs, images_per_s=n / secs, peak_mb=peak.mb(), dim=int(z.shape[1]), seconds_50k=secs * 50_000 / n)
    _row(rows, emit, result, 'prior_resnet50', one, prior='resnet50:random', images=n, batch=cfg['prior_batch'], px_in=32, px_model=224, device=a.device)
    return result

def _train(a, out:Path, sync:bool=False, **kw) -> dict:
    "One `train` run in this process: wall seconds, peak memory and the metrics' speed keys."
    from gps_ssl.train import train, TrainConfig, PhaseTimer
    cfg = TrainConfig(**{'epochs': 1, 'probe_c': 1.0, **kw, 'device': a.device})
    peak, t0 = Peak(a.device).start(), time.perf_counter()
    m = train(cfg, out=out, progress=False, overwrite=True, figures=False, timer=PhaseTimer(a.device, sync=sync))
    return dict(wall_seconds=time.perf_counter() - t0, peak_mb=peak.mb(), **{k: m[k] for k in TRAIN_KEYS if k in m})

def train_section(a, cfg, work, emit) -> dict:
    rows, result = [], {}
    result['rows'] = rows
    base = {**dict(method='simclr', positives='gps', prior='pixels', k=1, backbone='resnet18', head_scale=1.0, aug='weak', batch_size=cfg['train_batch']), **cfg['model']}
    data = npz(work, cfg['train_n'], cfg['px'])
    for w in cfg['train_workers']:
        _row(rows, emit, result, f'train_w{w}', lambda w=w: _train(a, work / f'train_w{w}', dataset=data, num_workers=w, **base),
             images=cfg['train_n'], px=cfg['px'], workers=w, timer='async', **base)
    if a.device == 'cuda':    # where the step's time goes: CUDA waited for at each phase's edges (slower; its own row)
        w = cfg['train_workers'][-1]
        _row(rows, emit, result, 'train_synced', lambda: _train(a, work / 'train_sync', sync=True, dataset=npz(work, cfg['sync_n'], cfg['px']), num_workers=w, **base),
             images=cfg['sync_n'], px=cfg['px'], workers=w, timer='synced', **base)
    return result

def _recipe(name:str, **over) -> dict:
    from gps_ssl.recipes import load_recipe
    c = dict(load_recipe(name)['config']); c.update(over); return c

def lars_section(a, cfg, work, emit) -> dict:
    rows, result = [], {}
    result['rows'] = rows
    c = _recipe('gps_simclr_cifar10_weak', dataset=npz(work, cfg['lars_n'], cfg['px']), prior='pixels', epochs=1, batch_size=cfg['lars_batch'], **cfg['model'])
    _row(rows, emit, result, f"lars_{c['backbone']}", lambda: _train(a, work / 'lars', **dict(c, num_workers=cfg['workers'])), recipe='gps_simclr_cifar10_weak',
         images=cfg['lars_n'], px=cfg['px'], backbone=c['backbone'], optimizer=c['optimizer'], batch=c['batch_size'], workers=cfg['workers'])
    return result

def clsp_section(a, cfg, work, emit) -> dict:
    "Three-view peak memory of the CLSP recipe at two batches (its `aug` control: the same shapes, no diffusion model), fitted linearly and extrapolated to the recipe's batch; the two-view peak at the larger batch; and, with diffusers, the synthetic path itself."
    import importlib.util
    rows, result = [], {}
    result['rows'] = rows
    data, b1, b2 = npz(work, cfg['clsp_n'], cfg['px']), *cfg['clsp_batches']
    rc = _recipe('clsp_simclr_cifar10', dataset=data, epochs=1, diffusion=None, clsp_control='aug', num_workers=cfg['workers'], **cfg['model'])
    for b in (b1, b2):
        _row(rows, emit, result, f'clsp_3views_b{b}', lambda b=b: _train(a, work / f'clsp_{b}', **dict(rc, batch_size=b)),
             views=3, batch=b, images=cfg['clsp_n'], px=cfg['px'], backbone=rc['backbone'], control='aug')
    _row(rows, emit, result, f'simclr_2views_b{b2}', lambda: _train(a, work / 'clsp_2v', **dict(rc, positives='aug', clsp_control='none', batch_size=b2)),
         views=2, batch=b2, images=cfg['clsp_n'], px=cfg['px'], backbone=rc['backbone'])
    p = {r['batch']: r['peak_mb'] for r in rows if r.get('views') == 3 and 'peak_mb' in r}
    if a.device != 'cuda': result['fit'] = dict(status='skipped', why="needs CUDA: on the host, runs after a process's first reuse the memory it freed, so their peaks do not add up")
    elif len(p) == 2:
        slope = (p[b2] - p[b1]) / (b2 - b1); target = cfg['clsp_target']
        result['fit'] = dict(mb_per_image=slope, fixed_mb=p[b1] - slope * b1, recipe_batch=target, predicted_mb=p[b1] + slope * (target - b1))
        two = next((r['peak_mb'] for r in rows if r.get('views') == 2 and 'peak_mb' in r), None)
        if two: result['fit']['three_over_two_views'] = p[b2] / two
        import torch
        total = torch.cuda.get_device_properties(0).total_memory / 2**20
        result['fit'].update(device_mb=total, fits=result['fit']['predicted_mb'] < 0.9 * total)
    if importlib.util.find_spec('diffusers') is None:
        result['synthetic'] = dict(status='skipped', why='diffusers is not installed (the [clsp] extra; tools/gpu_wheelhouse.sh carries it unless --no-clsp)')
    else:
        def synthetic():
            from gps_ssl.clsp import train_diffusion
            from gps_ssl.data import get_dataset
            ck = train_diffusion(get_dataset(data), work / 'ddpm', 'tiny', steps=cfg['diffusion_steps'], batch_size=min(64, cfg['clsp_n']),
                                 device=a.device, progress=False, ckpt_every=cfg['diffusion_steps'])
            return _train(a, work / 'clsp_syn', **dict(rc, clsp_control='none', diffusion=str(ck), clsp_k=2, clsp_steps=2, batch_size=b2))
        _row(rows, emit, result, f'clsp_synthetic_b{b2}', synthetic, views=3, batch=b2, images=cfg['clsp_n'], px=cfg['px'], backbone=rc['backbone'],
             control='none (a tiny DDPM, 2 DDIM steps, k=2)')
    return result

def compile_section(a, cfg, work, emit) -> dict:
    rows, result = [], {}
    result['rows'] = rows
    base = {**dict(method='simclr', positives='gps', prior='pixels', k=1, backbone='resnet18', head_scale=1.0, aug='weak', batch_size=cfg['train_batch']), **cfg['model']}
    _row(rows, emit, result, 'compile_resnet18', lambda: _train(a, work / 'compiled', dataset=npz(work, cfg['compile_n'], cfg['px']), num_workers=cfg['workers'], compile=True, **base),
         images=cfg['compile_n'], px=cfg['px'], workers=cfg['workers'], **base)
    return result

SECTION_FNS = dict(env=env_section, gpu_cells=gpu_cells_section, knn=knn_section, augment=augment_section, prior=prior_section,
                   train=train_section, lars=lars_section, clsp=clsp_section, compile=compile_section)

if __name__ == '__main__':
    if sys.argv[1:2] == ['--wheel-check']: sys.exit(wheel_check(*sys.argv[2:3]))
    if sys.argv[1:2] == ['--run-cells']: sys.exit(run_cells(sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]))
    main()

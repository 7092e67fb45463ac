"""Re-derive every recorded study's summary and comparisons from its stored runs (each run's per-image correctness; nothing
is retrained) with the interval rule of `gps_ssl.evaluate.paired_interval`, and record which verdicts moved.

    python tools/refresh_records.py [--since COMMIT] [--record FOLDER]

Records with a `grid` (studies, screens, recipe screens, downstream studies recorded by `study`) go through
`gps_ssl.study.refresh_results`. The verdicts before are each record's as committed at `--since` (default: as the file is
now); with `--record`, the list of moved verdicts (record, comparison, metric, primary, before -> after) is written there as
results.json / results.md with the command's provenance. The interval rule's change is recorded by
`python tools/refresh_records.py --since 0907a71 --record nbs/results/interval_rule`."""
import argparse, json, subprocess
from pathlib import Path
from gps_ssl.study import refresh_results, load_results, _label, acc_keys, _diff, annotate_priors
from gps_ssl.core import provenance, atomic_write_json, atomic_write_bytes

def _verdicts(res):
    by = {s['group']: s for s in annotate_priors(res)['summary']}; out = {}
    for c in res.get('comparisons', []):
        for m in acc_keys(res['summary']):
            out[(c['group'], c['baseline'], m)] = dict(name=f"{_label(by, c['group'])} − {_label(by, c['baseline'])}", primary=bool(c.get('primary')),
                                                      verdict=c[m]['verdict'], diff=_diff(c[m], bool(c.get('primary'))))
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0]); ap.add_argument('--record', default=None); ap.add_argument('--since', default=None)
    ap.add_argument('--results', default='nbs/results'); a = ap.parse_args()
    moved, done = [], []
    cmd = 'python tools/refresh_records.py' + (f' --since {a.since}' if a.since else '') + (f' --record {a.record}' if a.record else '')
    for p in sorted(Path(a.results).rglob('results.json')):
        r = load_results(p)
        if not ('grid' in r and 'runs' in r and 'comparisons' in r): continue
        if a.since:
            old = subprocess.run(['git', 'show', f'{a.since}:{p}'], capture_output=True, text=True)
            if old.returncode: continue                              # not recorded yet at that commit
            r = json.loads(old.stdout)
        before = _verdicts(r); after = _verdicts(refresh_results(p.parent, command=cmd)); done.append(str(p.parent))
        for k, b in before.items():
            n = after.get(k)
            if n and n['verdict'] != b['verdict']:
                moved.append(dict(record=str(p.parent.relative_to(a.results)), comparison=b['name'], metric=k[2].replace('_top1', '').replace('_auc', ' AUC'),
                                  primary=b['primary'], before=f"{b['verdict']} {b['diff']}", after=f"{n['verdict']} {n['diff']}"))
    res = dict(kind='rerender', since=a.since, records=done, moved=moved, provenance=provenance(cmd))
    lines = [f"Verdicts that moved when the {len(done)} study records were re-derived from their stored runs with the interval rule of "
             f"`paired_interval` (`gps_ssl.evaluate.interval_rule`): {sum(m['primary'] for m in moved)} primary (Holm) and "
             f"{sum(not m['primary'] for m in moved)} secondary (95 %).", '',
             '| record | comparison | metric | primary | before | after |', '|---|---|---|---|---|---|']
    lines += [f"| {m['record']} | {m['comparison']} | {m['metric']} | {'yes' if m['primary'] else ''} | {m['before']} | {m['after']} |"
              for m in sorted(moved, key=lambda m: (not m['primary'], m['record']))]
    pv = res['provenance']; lines += ['', f"Recorded by `{cmd}` at commit {str(pv['commit'])[:8]}, {pv['date']}."]
    if a.record:
        out = Path(a.record); out.mkdir(parents=True, exist_ok=True)
        atomic_write_json(res, out / 'results.json'); atomic_write_bytes(('\n'.join(lines) + '\n').encode(), out / 'results.md')
    print('\n'.join(lines))

if __name__ == '__main__': main()

"""Re-derive every recorded study's comparisons with the intervals that count the test set (13_study), and record how each
verdict moved: `python tools/refresh_intervals.py` writes nbs/results/interval_change/{results.json,results.md}.

The runs and their provenance are kept as recorded (`refresh_results`): only the summaries and comparisons are recomputed.
Records made before per-image correctness was kept get the conservative bound of the test-set term."""
import json, sys
from pathlib import Path
from gps_ssl.core import atomic_write_json, atomic_write_bytes, provenance
from gps_ssl.study import load_results, refresh_results, acc_keys, _label

R = Path('nbs/results')

def _cell(c):
    return f"{100 * c['mean']:+.2f} [{100 * c.get('lo_holm', c['lo']):+.2f}, {100 * c.get('hi_holm', c['hi']):+.2f}] {c['verdict']}"

def main():
    rows = []
    folders = sorted(p.parent for p in R.rglob('results.json') if 'grid' in json.loads(p.read_text()))
    for f in folders:
        old = load_results(f); new = refresh_results(f)
        by = {r['group']: r for r in new['summary']}
        oldc = {(c['group'], c['baseline']): c for c in old.get('comparisons', [])}
        for c in new['comparisons']:
            o = oldc.get((c['group'], c['baseline']))
            for m in acc_keys(new['summary']):
                if o is None or m not in o: continue
                rows.append(dict(study=str(f.relative_to(R)), comparison=f"{_label(by, c['group'])} − {_label(by, c['baseline'])}", metric=m,
                                 primary=c['primary'], seeds=len(c['seeds']), before=o[m], after=c[m], test_term=c[m].get('test_term')))
    moved = [r for r in rows if r['before']['verdict'] != r['after']['verdict']]
    lines = ['| study | comparison | metric | primary | seeds | before: Δ [95 % interval] verdict (seeds only; primaries: Holm verdict) | after: Δ [interval] verdict (seeds + test set; primaries: Holm-consistent interval) | MDE |',
             '|---|---|---|---|---|---|---|---|']
    for r in rows:
        if r['primary'] or r['before']['verdict'] != r['after']['verdict']:
            lines.append(f"| {r['study']} | {r['comparison']} | {r['metric'].replace('_top1', '')} | {'yes' if r['primary'] else ''} | {r['seeds']} | "
                         f"{_cell(r['before'])} | {_cell(r['after'])} | {100 * r['after']['mde']:.2f} |")
    cmd = 'python tools/refresh_intervals.py'
    md = (f"Every primary comparison, and every secondary one whose verdict moved, before (seeds only) and after (seeds and test "
          f"set; the test-set term bounded from the accuracies, as these records predate per-image correctness). Primary intervals "
          f"are Holm-consistent. {len(moved)} of {len(rows)} verdicts moved ({sum(r['primary'] for r in moved)} of "
          f"{sum(r['primary'] for r in rows)} primary).\n\n" + '\n'.join(lines) + f"\n\nRecorded by `{cmd}`.\n")
    out = R / 'interval_change'; out.mkdir(exist_ok=True)
    atomic_write_json(dict(rows=rows, moved=len(moved), provenance=provenance(cmd)), out / 'results.json')
    atomic_write_bytes(md.encode(), out / 'results.md')
    print(md)

if __name__ == '__main__': main()

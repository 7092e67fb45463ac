"""Regenerate nbs/index.ipynb from README.md (nbdev_readme needs Quarto, which the development machines lack).

Each README section becomes a markdown cell; each results block (`<!-- results: nbs/results/X -->`) becomes a code
cell that renders the recorded results file, so the index shows the same tables, read from the same files. The two
small code examples of the index (datasets, GPS in four lines) are kept after their sections.
Usage: `python tools/readme_to_index.py`, then `python tools/execute_nbs.py nbs/index.ipynb`."""
import json, re, uuid
from pathlib import Path

root = Path(__file__).resolve().parents[1]

def cell(src, kind='code'):
    c = dict(cell_type=kind, id=uuid.uuid4().hex[:8], metadata={}, source=src.strip('\n').splitlines(keepends=True))
    if kind == 'code': c.update(execution_count=None, outputs=[])
    return c

def main():
    s = (root / 'README.md').read_text()
    s = re.sub(r'<!-- Kept in step.*?-->\n\n', '', s, flags=re.S)
    path = root / 'nbs' / 'index.ipynb'
    nb = json.loads(path.read_text())
    cells = [cell('''#| hide
from gps_ssl.cli import render_results
from gps_ssl.data import get_dataset
from IPython.display import Markdown
def recorded(study): return Markdown(render_results(f'results/{study}'))''')]
    parts = re.split(r'<!-- results: nbs/results/(\S+) -->\n.*?<!-- /results -->\n', s, flags=re.S)
    for i, part in enumerate(parts):
        if i % 2 == 1: cells.append(cell(f"recorded('{part}')")); continue
        for sec in re.split(r'\n(?=## )', part.strip('\n')):
            sec = re.sub(r'```python\n.*?```\n*', '', sec, flags=re.S)   # the index runs these as code cells
            sec = sec.replace('](nbs/', '](')                               # links relative to nbs/, where the index lives
            if sec.strip(): cells.append(cell(sec.strip('\n'), 'markdown'))
    for c in [c for c in nb['cells'] if c['cell_type'] == 'code' and 'get_dataset(' in ''.join(c['source'])
              and not ''.join(c['source']).startswith('#| hide')]:
        src = ''.join(c['source'])
        key = '## Datasets' if "transform='weak'" in src else '## GPS positives in four lines'
        k = next(j for j, x in enumerate(cells) if ''.join(x['source']).startswith(key))
        cells.insert(k + 1, c)
    nb['cells'] = cells
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    print(f'{path}: {len(cells)} cells')

if __name__ == '__main__': main()

"""Regenerate nbs/index.ipynb from README.md (nbdev_readme needs Quarto, which the development machines lack).

Each README section becomes a markdown cell and each of its Python examples a code cell after it; each results block
(`<!-- results: nbs/results/X [primary|rows] -->`, `<!-- verdicts: ... -->`) becomes a code cell that renders the recorded
results files, so the index shows the same tables and verdicts, read from the same files. Usage: `python tools/readme_to_index.py`, then
`python tools/execute_nbs.py nbs/index.ipynb`."""
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
    s = re.sub(r'<!-- forest: .*? -->\n', '', s)
    path = root / 'nbs' / 'index.ipynb'
    nb = json.loads(path.read_text())
    cells = [cell('''#| hide
from gps_ssl.study import render_results, verdict_lines, load_results
from IPython.display import Markdown
def recorded(study, mode=''): return Markdown(render_results(f'results/{study}', mode == 'primary', mode == 'rows'))
def verdicts(*studies): return Markdown(verdict_lines({s: load_results(f'results/{s}') for s in studies}))''')]
    def prose(part):
        for sec in re.split(r'\n(?=## )', part.strip('\n')):
            examples = re.findall(r'```python\n(.*?)```', sec, flags=re.S)
            sec = re.sub(r'```python\n.*?```\n*', '', sec, flags=re.S)    # the index runs these as code cells
            sec = re.sub(r'\]\((?!https?:|#|\.\./|nbs/)([^)]+)\)', r'](../\1)', sec)     # other repository files: one folder up
            sec = sec.replace('](nbs/', '](')                                # links relative to nbs/, where the index lives
            if sec.strip(): cells.append(cell(sec.strip('\n'), 'markdown'))
            cells.extend(cell(e) for e in examples)
    block = re.compile(r'<!-- results: nbs/results/(\S+)(?: (primary|rows))? -->\n.*?<!-- /results -->\n'
                       r'|<!-- verdicts:((?: \S+)+) -->\n.*?<!-- /verdicts -->\n', re.S)
    at = 0
    for m in block.finditer(s):    # the recorded blocks become cells that render them from the files
        prose(s[at:m.start()]); at = m.end()
        if m[1]: cells.append(cell(f"recorded('{m[1]}'" + (f", '{m[2]}'" if m[2] else '') + ')'))
        else: cells.append(cell('verdicts(' + ', '.join(f"'{f.split('/')[-1]}'" for f in m[3].split()) + ')'))
    prose(s[at:])
    nb['cells'] = cells
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    print(f'{path}: {len(cells)} cells')

if __name__ == '__main__': main()

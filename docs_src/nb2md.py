"""Turn the executed notebooks and the README into the markdown pages that mkdocs builds (called by tools/docs.sh).

Nothing is executed: each page is written from the outputs saved in the notebooks.
- `README.md` -> `index.md`; each numbered notebook `nbs/NN_name.ipynb` -> `NN_name.md`, its image outputs saved beside it
  in `NN_name_files/`; every other local markdown file or image a page links to (a study's `results.md`, the forest,
  `CONTRIBUTING.md`, ...) is copied in too, its own links followed the same way.
- Cells as nbdev's docs show them: `#| hide` and `#| default_exp` cells are dropped, the `#|` directive lines are
  removed from the code shown; exported code (`#| export`) is shown, since its docstrings and argument comments are the
  API reference (nbdev's own docs would replace it by `show_doc` calls, which need the notebooks executed). Outputs:
  images, markdown (result tables) as markdown, text and streams as text blocks.
- Links: `05_gps.ipynb`, `nbs/05_gps.ipynb#part` become links to the pages; links to other files of the repository
  (code, configs, folders) go to the repository on GitHub (`git_url` and `branch` in settings.ini).
- Writes `OUT/mkdocs.yml`, which inherits the root `mkdocs.yml` and adds the navigation (one section per hundreds'
  group of notebook numbers).

Usage: `python docs_src/nb2md.py OUT` (from any folder; OUT is emptied first). Standard library only."""
import base64, configparser, json, posixpath, re, shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = 'nbs'
SECTIONS = [('0', 'Building blocks'), ('1', 'Training and studies'), ('2', 'Reproductions'), ('9', 'Benchmarks and checks')]
COPY_EXT = {'.md', '.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp', '.pdf'}
_re_ansi = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
_re_fence = re.compile(r'^\s*(```|~~~)')
_re_mdlink = re.compile(r'(\]\(\s*<?)([^)\s>]+)')
_re_htmllink = re.compile(r'''((?:src|href)\s*=\s*["'])([^"']+)''')
_re_list = re.compile(r'^(?:[-*+]|\d+[.)])\s')

def settings():
    cfg = configparser.ConfigParser(); cfg.read(ROOT / 'settings.ini')
    d = cfg['DEFAULT']
    return d.get('git_url', '').rstrip('/'), d.get('branch', 'main'), d.get('title', 'docs')

GIT_URL, BRANCH, TITLE = settings()

def doc_path(repo_path):
    "Where a repository file lands in the site, or None when it is not copied (then it links to GitHub)."
    p = Path(repo_path)
    if repo_path == 'README.md' or repo_path == f'{NBS}/index.ipynb': return 'index.md'
    if p.parent.as_posix() == NBS and p.suffix == '.ipynb' and re.match(r'\d', p.name): return p.stem + '.md'
    if p.suffix.lower() in COPY_EXT and (ROOT / p).is_file():
        return repo_path[len(NBS) + 1:] if repo_path.startswith(NBS + '/') else repo_path
    return None

class Site:
    def __init__(self, out):
        self.out, self.pending, self.done = Path(out), [], set()

    def link(self, target, base_dir, page):
        "The target of a link written in repository folder `base_dir`, as seen from the site page `page`."
        if re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', target) or target.startswith(('#', '/', '//')): return target
        path, sep, frag = target.partition('#')
        rp = posixpath.normpath(posixpath.join(base_dir, path))
        if rp.startswith('..'): return target
        dp = doc_path(rp)
        if dp is None:
            if not (ROOT / rp).exists() or not GIT_URL: return target  # left for check_docs.py to report
            kind = 'tree' if (ROOT / rp).is_dir() else 'blob'
            return f'{GIT_URL}/{kind}/{BRANCH}/{rp}' + sep + frag
        if Path(rp).suffix.lower() in COPY_EXT and dp not in self.done: self.pending.append((rp, dp))
        return posixpath.relpath(dp, posixpath.dirname(page) or '.') + sep + frag

    def rewrite(self, md, base_dir, page):
        "Rewrite the links of markdown text (outside code) and make Python-Markdown read it as GitHub would."
        out, fence, prev = [], None, ''
        for line in md.split('\n'):
            m = _re_fence.match(line)
            if fence:
                out.append(line)
                if m and m.group(1) == fence: fence = None
                prev = line; continue
            if m: fence = m.group(1)
            else:
                line = _re_mdlink.sub(lambda m: m.group(1) + self.link(m.group(2), base_dir, page), line)
                line = _re_htmllink.sub(lambda m: m.group(1) + self.link(m.group(2), base_dir, page), line)
                s = line.lstrip()
                # GitHub starts a list, a table or a fence right after a paragraph line or an HTML comment;
                # Python-Markdown needs a blank line before it (and after a comment).
                ps = prev.strip()
                starts_block = bool(_re_list.match(line)) or (s.startswith('|') and not prev.lstrip().startswith('|')) or m
                if ps and starts_block and ((ps.endswith('-->') and '`' not in ps) or not (_re_list.match(prev) or prev[:1] in ' \t|')):
                    out.append('')
                elif ps.endswith('-->') and '`' not in ps and s and not s.startswith('<!--'): out.append('')
            out.append(line); prev = line
        return wrap_wide_tables(out)

    def copy(self, rp, dp):
        if dp in self.done: return
        self.done.add(dp)
        dst = self.out / dp; dst.parent.mkdir(parents=True, exist_ok=True)
        if dp.endswith('.md'):
            text = (ROOT / rp).read_text()
            if rp == 'README.md': text = re.sub(r'<!--.*?-->\n?', '', text, flags=re.S)
            dst.write_text(self.rewrite(text, posixpath.dirname(rp), dp))
        else: shutil.copyfile(ROOT / rp, dst)

    def flush(self):
        while self.pending:
            rp, dp = self.pending.pop()
            self.copy(rp, dp)

def wrap_wide_tables(lines, min_cols=6):
    "Put each markdown table of `min_cols` or more columns in a `wide-table` div (docs_src/extra.css: cells on one line, scrolled sideways)."
    out, i = [], 0
    while i < len(lines):
        l = lines[i]
        if l.lstrip().startswith('|') and i + 1 < len(lines) and re.match(r'^\s*\|?\s*:?-{2,}', lines[i + 1]) and l.count('|') - 1 >= min_cols:
            j = i
            while j < len(lines) and lines[j].lstrip().startswith('|'): j += 1
            out += ['', '<div class="wide-table" markdown>', ''] + lines[i:j] + ['', '</div>', '']
            i = j; continue
        out.append(l); i += 1
    return '\n'.join(out)

def fence(text, lang=''):
    ticks = '```'
    while ticks in text: ticks += '`'
    return f'{ticks}{lang}\n{text.rstrip()}\n{ticks}'

def clean_text(text):
    "Text as a terminal would leave it: no colour codes, each carriage-return-overwritten line at its last state."
    text = _re_ansi.sub('', text)
    return '\n'.join(l.split('\r')[-1] if '\r' in l.rstrip('\r') else l.rstrip('\r') for l in text.split('\n'))

def directives(src):
    "nbdev's leading `#| name args` lines: (dict of name -> args, the code without them)."
    lines, d = src.split('\n'), {}
    i = 0
    while i < len(lines) and (lines[i].startswith('#|') or not lines[i].strip()):
        if lines[i].startswith('#|'):
            name, _, args = lines[i][2:].strip().partition(' ')
            d[name.rstrip(':')] = args.strip()
        i += 1
    return d, '\n'.join(lines[i:]).strip('\n')

def notebook(site, rp, dp):
    nb = json.loads((ROOT / rp).read_text())
    stem, files, parts, title, n_img = Path(dp).stem, Path(dp).stem + '_files', [], None, 0
    base = posixpath.dirname(rp)
    for ci, c in enumerate(nb['cells']):
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            if title is None:
                m = re.search(r'^# (.+)$', src, flags=re.M)
                if m: title = m.group(1).strip()
            parts.append(site.rewrite(src, base, dp)); continue
        if c['cell_type'] != 'code': continue
        d, code = directives(src)
        if d.keys() & {'hide', 'default_exp', 'exporti'}: continue
        if code: parts.append(fence(code, 'python'))
        text_buf = []
        def flush_text():
            if text_buf: parts.append(fence(clean_text(''.join(text_buf)), 'text')); text_buf.clear()
        for o in c.get('outputs', []):
            if o['output_type'] == 'stream': text_buf.append(''.join(o['text'])); continue
            if o['output_type'] == 'error':
                text_buf.append('\n'.join(o.get('traceback', [])) + '\n'); continue
            data = o.get('data', {})
            img = next((k for k in ('image/png', 'image/jpeg', 'image/svg+xml') if k in data), None)
            flush_text()
            if img:
                n_img += 1
                ext = {'image/png': 'png', 'image/jpeg': 'jpg', 'image/svg+xml': 'svg'}[img]
                name = f'{files}/cell{ci}_{n_img}.{ext}'
                (site.out / name).parent.mkdir(parents=True, exist_ok=True)
                raw = data[img]
                if ext == 'svg': (site.out / name).write_text(''.join(raw))
                else: (site.out / name).write_bytes(base64.b64decode(''.join(raw)))
                alt = re.sub(r'[\[\]\n]', ' ', ''.join(data.get('text/plain', '')))[:80]
                if alt.startswith('<'): alt = 'figure'
                parts.append(f'![{alt}]({posixpath.relpath(name, posixpath.dirname(dp) or ".")})')
            elif 'text/markdown' in data: parts.append(site.rewrite(''.join(data['text/markdown']), base, dp))
            elif 'text/html' in data: parts.append('<div class="nb-output" markdown="0">\n' + ''.join(data['text/html']) + '\n</div>')
            elif 'text/plain' in data: text_buf.append(''.join(data['text/plain']) + '\n')
        flush_text()
    # The page opens with its title: nbdev notebooks often put their (shown, exported) imports above the title cell.
    first = next((i for i, p in enumerate(parts) if re.match(r'# ', p)), 0)
    parts = parts[first:first + 1] + parts[:first] + parts[first + 1:]
    num = stem.split('_')[0]
    title = re.sub(r'[`*]', '', title or stem)  # plain text for the navigation
    return title, num, '\n\n'.join(parts) + '\n'

def main(out):
    out = Path(out)
    if out.exists(): shutil.rmtree(out)
    md = out / 'md'; md.mkdir(parents=True)
    site = Site(md)
    pages = []
    for p in sorted((ROOT / NBS).glob('[0-9]*.ipynb')):
        rp = f'{NBS}/{p.name}'; dp = doc_path(rp)
        title, num, text = notebook(site, rp, dp)
        site.done.add(dp)
        (md / dp).write_text(text)
        pages.append((num, title, dp))
    site.copy('README.md', 'index.md')
    shutil.copyfile(Path(__file__).with_name('extra.css'), md / 'extra.css')
    site.flush()
    nav = [{'Home': 'index.md'}]
    for prefix, name in SECTIONS:
        items = [{f'{num} · {title}': dp} for num, title, dp in pages if num.startswith(prefix)]
        if items: nav.append({name: items})
    rest = [{f'{num} · {title}': dp} for num, title, dp in pages if not any(num.startswith(p) for p, _ in SECTIONS)]
    if rest: nav.append({'More': rest})
    # Markdown files of the repository that the pages link to (CONTRIBUTING.md, ...), when at the site's top level.
    extra = sorted(dp for dp in site.done if dp.endswith('.md') and '/' not in dp and dp != 'index.md' and dp not in {p[2] for p in pages})
    def md_title(dp):
        m = re.search(r'^# (.+)$', (md / dp).read_text(), flags=re.M)
        return re.sub(r'[`*]', '', m.group(1)).strip() if m else Path(dp).stem
    if extra: nav.append({'Project': [{md_title(dp): dp} for dp in extra]})
    # JSON is YAML: the generated config inherits the root mkdocs.yml (paths are relative to this file's folder).
    cfg = {'INHERIT': '../mkdocs.yml', 'docs_dir': 'md', 'site_dir': '../_docs', 'nav': nav}
    (out / 'mkdocs.yml').write_text(json.dumps(cfg, indent=1, ensure_ascii=False) + '\n')
    print(f'{len(pages)} notebook pages, {len(site.done) - len(pages)} other files -> {out}')

if __name__ == '__main__': main(sys.argv[1] if len(sys.argv) > 1 else ROOT / '_docs_build')

"""Check a built documentation site (issue 45): `python tools/check_docs.py _docs` from the repository root.

Fails (exit 1, listing every offender) when a numbered notebook `nbs/NN_*.ipynb` has no page (`NN_name.html`, or
`NN_name/index.html`), when there is no index.html, or when a page has a broken internal link: an href or src to a
local file that does not exist, or a `#fragment` that names no element of the page it points to. Links with a scheme
(https:, mailto:, data:) are not followed. Standard library only."""
import re, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]

def base_path():
    "The site's path on its host (`/gps_ssl/` from mkdocs.yml's site_url): absolute links (404.html's) start with it."
    m = re.search(r'^site_url:\s*\S+?://[^/\s]+(/\S*)', (ROOT / 'mkdocs.yml').read_text(), flags=re.M) if (ROOT / 'mkdocs.yml').is_file() else None
    return (m.group(1).rstrip('/') + '/') if m else '/'

class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.ids = [], set()
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ('id', 'name') and v: self.ids.add(v)
            if k in ('href', 'src') and v is not None: self.links.append((tag, k, v))

def parse(path):
    p = Page(); p.feed(path.read_text(errors='replace')); return p

def check(site):
    site = Path(site).resolve()
    bad = []
    if not (site / 'index.html').is_file(): bad.append('no index.html')
    for nb in sorted((ROOT / 'nbs').glob('[0-9]*.ipynb')):
        if not ((site / f'{nb.stem}.html').is_file() or (site / nb.stem / 'index.html').is_file()):
            bad.append(f'no page for nbs/{nb.name}')
    pages = {p: parse(p) for p in sorted(site.rglob('*.html'))}
    n_links, base = 0, base_path()
    for page, parsed in pages.items():
        rel = page.relative_to(site)
        for tag, attr, url in parsed.links:
            u = urlsplit(url)
            if u.scheme or u.netloc or url.startswith('//'): continue
            n_links += 1
            if not u.path: target = page
            else:
                path = unquote(u.path)
                if path.startswith('/'): target = site / (path[len(base):] if path.startswith(base) else path.lstrip('/'))
                else: target = page.parent / path
                target = target.resolve()
                if target.is_dir(): target = target / 'index.html'
                if not target.is_file() or site not in target.parents and target != site:
                    bad.append(f'{rel}: <{tag} {attr}="{url}"> -> missing file'); continue
            if u.fragment and target.suffix == '.html':
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(u.fragment) not in ids: bad.append(f'{rel}: <{tag} {attr}="{url}"> -> no #{u.fragment} there')
            if target.suffix == '.ipynb': bad.append(f'{rel}: <{tag} {attr}="{url}"> -> a notebook, not its page')
    return bad, len(pages), n_links

if __name__ == '__main__':
    site = sys.argv[1] if len(sys.argv) > 1 else '_docs'
    if not Path(site).is_dir(): sys.exit(f'check_docs: {site} is not a folder (build it with `bash tools/docs.sh`)')
    bad, n_pages, n_links = check(site)
    for b in bad: print('check_docs:', b)
    print(f'check_docs: {n_pages} pages, {n_links} internal links, {len(bad)} problem(s)')
    sys.exit(1 if bad else 0)

# Writes tests/data/cleaners/html/<seed>.html: each seed page laid out as a news site would
# serve it, from the seed text and its hand labels (tests/data/cleaners/seeds/*.labels).
# Article lines ("+ ") go into the article; boilerplate lines ("- ") go where such chrome
# sits on a page (header, ticker, modal, donation box, footer), with navigation, share
# buttons, a cookie banner, related links and scripts added. Two layouts alternate: one with
# semantic elements (<article>, <nav>, <footer>), one with only <div>s and class names.
# The gold text of a page is its "+ " lines. Deterministic; run from the repository root:
#   python3 tests/data/cleaners/make_html_pages.py
import glob, html, os

SITE = {'000': 'Barlamane', '001': 'Belga', '002': 'Epoch Times', '003': 'Algérie24', '004': 'Barlamane'}
NAV = ['Accueil', 'Politique', 'Économie', 'Société', 'Sport', 'Culture', 'Monde', 'Vidéos', 'Contact']
RELATED = ['Le Maroc renforce ses alliances internationales contre la corruption',
           'Football : le Raja s\'impose à domicile face au Wydad',
           'Météo : fortes pluies attendues ce week-end dans le nord']

def esc(s): return html.escape(s, quote=False)

def page(seed, rows, semantic):
    site = SITE[seed]
    keep = [l for k, l in rows if k == '+']
    drop = [l for k, l in rows if k == '-']
    title = keep[0]
    paras = keep[1:]
    nav = ''.join(f'<li><a href="/{n.lower()}">{esc(n)}</a></li>' for n in NAV)
    ticker = ''.join(f'<a class="tick" href="/t/{i}">{esc(d)}</a>' for i, d in enumerate(drop) if len(d) > 400 for _ in [0]) or ''
    chrome = ''.join(f'<div class="notice">{esc(d)}</div>' for d in drop if len(d) <= 400)
    related = ''.join(f'<li><a href="/r/{i}">{esc(r)}</a></li>' for i, r in enumerate(RELATED))
    share = '<div class="share"><a href="#">Partager sur Facebook</a> <a href="#">Partager sur Twitter</a> <a href="#">WhatsApp</a></div>'
    cookie = '<div id="cookie-banner">Ce site utilise des cookies pour améliorer votre expérience. <button>Accepter</button></div>'
    body = ''.join(f'<p>{esc(p)}</p>\n' for p in paras)
    head = (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{esc(title)} - {esc(site)}</title>'
            f'<link rel="canonical" href="https://www.example-{seed}.ma/article/{seed}">'
            f'<meta property="og:site_name" content="{esc(site)}"><script>var ads = [1,2,3];</script>'
            f'<style>.tick{{margin:0 2em}}</style></head>')
    if semantic:
        return (head + f'<body><header><div class="logo">{esc(site)}</div><nav><ul>{nav}</ul></nav>'
                f'<div class="ticker">{ticker}</div></header>{cookie}<main><article><h1>{esc(title)}</h1>\n'
                f'{body}{share}</article>{chrome}<aside><h3>À lire aussi</h3><ul>{related}</ul></aside></main>'
                f'<footer><p>© 2024 {esc(site)}. Tous droits réservés.</p><ul><li><a href="/mentions">Mentions légales</a></li></ul></footer>'
                f'<script>trackPage();</script></body></html>\n')
    return (head + f'<body><div id="top"><div class="logo">{esc(site)}</div><div class="menu"><ul>{nav}</ul></div>'
            f'<div class="ticker">{ticker}</div></div>{cookie}<div class="container"><div class="row"><div class="col-md-8 post">'
            f'<div class="post-title">{esc(title)}</div>\n<div class="post-body">\n{body}</div>{share}{chrome}</div>'
            f'<div class="col-md-4 sidebar"><div class="widget"><div class="widget-title">Les plus lus</div><ul>{related}</ul></div></div></div></div>'
            f'<div class="bottom">© 2024 {esc(site)}. Tous droits réservés. <a href="/mentions">Mentions légales</a></div>'
            f'<script>trackPage();</script></body></html>\n')

os.makedirs('tests/data/cleaners/html', exist_ok=True)
for i, path in enumerate(sorted(glob.glob('tests/data/cleaners/seeds/*.labels'))):
    name = os.path.basename(path)[:-len('.labels')]
    rows = [(r[0], r[2:]) for r in open(path, encoding='utf-8').read().splitlines() if r[:2] in ('+ ', '- ')]
    with open(f'tests/data/cleaners/html/{name}.html', 'w', encoding='utf-8') as f:
        f.write(page(name[:3], rows, semantic=(i % 2 == 0)))
    with open(f'tests/data/cleaners/html/{name}.labels', 'w', encoding='utf-8') as f:
        f.write(''.join(f'+ {l}\n' for k, l in rows if k == '+'))

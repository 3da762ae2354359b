# Cross-checks tests/data/french-news/documents.jsonl (the expected output of
# examples/french-news) against an independent implementation of the normalize rules, and
# checks the languages: every seed French, the one Spanish headline of 000 and the one
# English headline of 004 (found by reading the seeds) as `lang` spans.
# Run from the repository root: python3 tests/data/french-news/check_expected.py
import sys, json, unicodedata
ZW = {'\u200b', '\u2060', '\ufeff', '\u00ad', '\u180e'}
def norm(t):
    t = unicodedata.normalize('NFC', t).replace('\r\n', '\n').replace('\r', '\n').replace('\t', ' ')
    t = ''.join(c for c in t if c == '\n' or not (unicodedata.category(c) == 'Cc' or c in ZW))
    lines = [' '.join(l.split()) for l in t.split('\n')]
    out, blank = [], 0
    for l in lines:
        if not l:
            blank += 1; continue
        if out:
            out.append('\n' * (1 + min(blank, 1)))
        blank = 0; out.append(l)
    return ''.join(out)
# Hand-checked: the only headlines of the seeds not in French.
OTHER = {
    '000_e20cc4c3dfddd3e5.txt': [('es', 'El sector de los cítricos en Marruecos busca reinventarse en Marrakech')],
    '004_44ab304c9ef608ca.txt': [('en', 'AFCON 2025 : Stadium gates to open at 2 p.m. for Morocco–Comoros opener')],
}
def langs_ok(d):
    t = d['text'].encode()
    spans = [(s['label'], t[s['start']:s['end']].decode()) for s in d['spans'] if s['layer'] == 'lang']
    return d['lang'] == 'fr' and spans == OTHER.get(d['id'], [])
import glob
exp = [json.loads(l) for l in open(sys.argv[1] if len(sys.argv) > 1 else "tests/data/french-news/documents.jsonl")]
inputs = sorted(glob.glob('examples/french-news/corpus/*.txt'))
bad = len(inputs) != len(exp)
for f, d in zip(inputs, exp):
    r = norm(open(f, encoding='utf-8').read())
    same = r == d['text'] and d['id'] == f.rsplit('/', 1)[1] and langs_ok(d)
    bad |= not same
    print(f, 'OK' if same else 'DIFF', len(r), len(d['text']))
sys.exit(1 if bad else 0)

# Cross-checks tests/data/french-news/documents.jsonl, the expected output of
# examples/french-news (boilerplate -> normalize -> langid -> jsonl), without moulin:
#  - the text is the seed with the lines the `boilerplate` spans say were removed taken out,
#    then normalized by an independent implementation of the normalize rules: so the spans
#    are a complete and exact record of what was cut;
#  - every seed is French and has no `lang` span left (its Spanish and English headlines
#    were in the ticker, which is boilerplate).
# Run from the repository root: python3 tests/data/french-news/check_expected.py [FILE]
import glob, json, sys, unicodedata

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

def without(text, removed):
    # Take out, in order, the lines whose trimmed content is the next removed text.
    out, k = [], 0
    for line in text.split('\n'):
        if k < len(removed) and line.strip() == removed[k].strip():
            k += 1
            continue
        out.append(line)
    return '\n'.join(out), k == len(removed)

exp = [json.loads(l) for l in open(sys.argv[1] if len(sys.argv) > 1 else "tests/data/french-news/documents.jsonl")]
inputs = sorted(glob.glob('examples/french-news/corpus/*.txt'))
bad = len(inputs) != len(exp)
for f, d in zip(inputs, exp):
    removed = [s['attrs']['text'] for s in d['spans'] if s['layer'] == 'boilerplate']
    text, all_found = without(open(f, encoding='utf-8').read(), removed)
    same = all_found and norm(text) == d['text'] and d['id'] == f.rsplit('/', 1)[1]
    langs = d['lang'] == 'fr' and not any(s['layer'] == 'lang' for s in d['spans'])
    bad |= not (same and langs)
    print(f, 'OK' if same and langs else 'DIFF', len(removed), 'lines removed', len(d['text']), 'chars left')
sys.exit(1 if bad else 0)

# Line-level precision and recall of the text a cleaner kept, against hand-labelled seeds.
#
#   python3 tests/data/cleaners/line_pr.py OUTPUT.jsonl [LABELS_DIR]
#
# OUTPUT.jsonl: a moulin JSONL export of the seeds: a document is matched to its labels by
# its id, or by the `id` field of its meta (a JSONL input record's own id), which is the seed
# file name.
# LABELS_DIR (default tests/data/cleaners/seeds): <seed>.labels, one line per non-blank line
# of the seed, white space collapsed, prefixed "+ " (article: keep) or "- " (boilerplate).
# A kept line is right when the labels keep it. Lines are compared with white space
# collapsed and NFC; a document dropped by the cleaner kept nothing.
# Prints per seed and overall: precision and recall by lines and by characters.
import collections, glob, json, os, sys, unicodedata

def norm(line):
    return ' '.join(unicodedata.normalize('NFC', line).split())

out_path = sys.argv[1]
labels_dir = sys.argv[2] if len(sys.argv) > 2 else 'tests/data/cleaners/seeds'
docs = {}
for l in open(out_path, encoding='utf-8'):
    d = json.loads(l)
    docs[d.get('meta', {}).get('id', d['id'])] = d
totals = collections.Counter()
print(f"{'seed':<28} {'P lines':>8} {'R lines':>8} {'P chars':>8} {'R chars':>8}")
for path in sorted(glob.glob(os.path.join(labels_dir, '*.labels'))):
    name = os.path.basename(path)[:-len('.labels')] + '.txt'
    gold = collections.Counter()
    for row in open(path, encoding='utf-8').read().splitlines():
        if row.startswith('+ '):
            gold[norm(row[2:])] += 1
    kept = collections.Counter(norm(x) for x in docs[name]['text'].split('\n') if norm(x)) if name in docs else collections.Counter()
    right = kept & gold
    c = collections.Counter(
        kept_lines=sum(kept.values()), gold_lines=sum(gold.values()), right_lines=sum(right.values()),
        kept_chars=sum(len(k) * n for k, n in kept.items()), gold_chars=sum(len(k) * n for k, n in gold.items()),
        right_chars=sum(len(k) * n for k, n in right.items()))
    totals.update(c)
    pr = lambda a, b: 100.0 * a / b if b else 100.0
    print(f"{name:<28} {pr(c['right_lines'], c['kept_lines']):8.1f} {pr(c['right_lines'], c['gold_lines']):8.1f} "
          f"{pr(c['right_chars'], c['kept_chars']):8.1f} {pr(c['right_chars'], c['gold_chars']):8.1f}")
pr = lambda a, b: 100.0 * a / b if b else 100.0
t = totals
print(f"{'all':<28} {pr(t['right_lines'], t['kept_lines']):8.1f} {pr(t['right_lines'], t['gold_lines']):8.1f} "
      f"{pr(t['right_chars'], t['kept_chars']):8.1f} {pr(t['right_chars'], t['gold_chars']):8.1f}")

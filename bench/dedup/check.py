#!/usr/bin/env python3
"""Judge a dedup run on the reference corpus against its labels (standard library only).

    bench/dedup/check.py CORPUS OUTPUT [--threshold 0.8] [--datatrove REMOVED_IDS]

CORPUS is a folder made by bench/make_corpus.py (labels.jsonl: `kind` is `exact_dup` or
`near_dup` with `dup_of`); OUTPUT the output folder of bench/dedup/quality.toml, whose
documents.jsonl holds every document with meta `dedup` (cluster, kept, similarity) for those
in a cluster. Prints, in markdown:

- exact and near duplicates found: a labelled duplicate is found when it ends up in the same
  cluster as the document it copies (whichever of the two stays);
- for every removal, the exact Jaccard similarity of its word 5-gram shingles with the copy
  kept for it, computed here from the texts with the plugin's normalisation: how many fall
  under the threshold, and under threshold - 0.1;
- removals the labels do not explain (two documents the generator did not make copies of
  each other), with their exact similarity;
- with --datatrove, datatrove_minhash.py's removed.txt (kept.txt beside it): how far the two
  removed sets agree, and how close datatrove's removals are to the copies it kept.

Exit status 1 when an exact copy is not found or a removal's exact similarity is under the
threshold - 0.1.
"""
import argparse
import json
import os
import re
import sys
import unicodedata
from collections import Counter

NUMBER = re.compile(r"\d+(\.\d+)?")
SPACE = re.compile(r"\s+")
ASCII_SYMBOLS = set("$+<=>^`|~")


def normalise(text):
    """The plugin's default normalisation (text.rs): datatrove's simplify_text."""
    text = NUMBER.sub("0", text.lower())
    text = "".join(
        " " if (unicodedata.category(c).startswith("P") or c in ASCII_SYMBOLS or unicodedata.category(c) == "Cc") else c
        for c in text
    )
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return SPACE.sub(" ", text).strip()


def unspaced(c):
    o = ord(c)
    return (0x0E00 <= o <= 0x0EFF or 0x0F00 <= o <= 0x0FFF or 0x1000 <= o <= 0x109F or 0x1780 <= o <= 0x17FF
            or 0x2E80 <= o <= 0x2FDF or 0x3040 <= o <= 0x30FF or 0x3100 <= o <= 0x312F or 0x3400 <= o <= 0x4DBF
            or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F)


def tokens(text):
    out = []
    for word in text.split(" "):
        run = ""
        for c in word:
            if unspaced(c):
                if run:
                    out.append(run)
                    run = ""
                out.append(c)
            else:
                run += c
        if run:
            out.append(run)
    return out


def shingles(text, n=5):
    words = tokens(normalise(text))
    if not words:
        return set()
    n = min(n, len(words))
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def jaccard(a, b):
    return len(a & b) / len(a | b) if a or b else 1.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("output")
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--datatrove", help="datatrove_minhash.py's removed.txt (`id cluster` a line)")
    args = ap.parse_args()

    labels = {}
    with open(f"{args.corpus}/labels.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            labels[d["id"]] = d
    text, cluster, removals = {}, {}, []
    with open(f"{args.output}/documents.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            rid = d["meta"]["id"]
            text[rid] = d["text"]
            dedup = d["meta"].get("dedup")
            cluster[d["id"]] = dedup["cluster"] if dedup else d["id"]
            if dedup and dedup["duplicate"]:
                removals.append((d["id"], dedup["kept"], dedup["similarity"]))
    by_doc = {}
    with open(f"{args.output}/documents.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            by_doc[d["id"]] = d["meta"]["id"]
    record_cluster = {by_doc[k]: by_doc.get(v, v) for k, v in cluster.items()}

    print(f"{len(text)} documents read from {args.output}/documents.jsonl, {len(removals)} removals\n")
    print("| labelled | in the output | found (same cluster as the original) | recall |")
    print("|---|---|---|---|")
    damaged, recall = [], {}
    for kind in ("exact_dup", "near_dup"):
        pairs = [(r, l["dup_of"]) for r, l in labels.items() if l["kind"] == kind and r in text and l["dup_of"] in text]
        # A record the generator damages on purpose (bad UTF-8 read as Latin-1) is no copy.
        damaged += [(r, o) for r, o in pairs if labels[r]["malformed"] or labels[o]["malformed"]]
        pairs = [(r, o) for r, o in pairs if not (labels[r]["malformed"] or labels[o]["malformed"])]
        found = sum(1 for r, o in pairs if record_cluster[r] == record_cluster[o])
        recall[kind] = found / max(1, len(pairs))
        print(f"| {kind} | {len(pairs)} | {found} | {recall[kind]:.4f} |")
    found = sum(1 for r, o in damaged if record_cluster[r] == record_cluster[o])
    print(f"\nLeft out above: {len(damaged)} labelled copies of which one side is damaged on purpose "
          f"(`malformed` in labels.jsonl); {found} of them found all the same.")

    def group(rid):
        while labels.get(rid, {}).get("dup_of"):
            rid = labels[rid]["dup_of"]
        return rid

    sims, unexplained = [], []
    cache = {}

    def sh(rid):
        if rid not in cache:
            cache[rid] = shingles(text[rid])
        return cache[rid]

    for doc, kept, estimate in removals:
        r, k = by_doc[doc], by_doc[kept]
        j = jaccard(sh(r), sh(k))
        sims.append((j, estimate, r, k))
        if group(r) != group(k):
            unexplained.append((j, r, k))
    t = args.threshold
    below = [s for s in sims if s[0] < t]
    far = [s for s in sims if s[0] < t - 0.1]
    print(f"\nExact Jaccard (word 5-grams) of every removal with its kept copy: min {min(s[0] for s in sims):.3f}, "
          f"mean {sum(s[0] for s in sims) / len(sims):.3f}; {len(below)} under {t}, **{len(far)} under {t - 0.1:.1f}**; "
          f"largest |estimate - exact| {max(abs(s[0] - s[1]) for s in sims):.3f}")
    for j, e, r, k in sorted(far)[:10]:
        print(f"- {r} removed for {k}: exact {j:.3f}, estimated {e:.3f}")
    print(f"\n{len(unexplained)} removals the labels do not explain (not copies by the generator):")
    hist = Counter(round(j, 1) for j, _, _ in unexplained)
    print("exact Jaccard of those: " + ", ".join(f"{k:.1f}: {v}" for k, v in sorted(hist.items())))
    for j, r, k in sorted(unexplained)[:5]:
        print(f"- {r} ({labels[r]['kind']}) for {k} ({labels[k]['kind']}): exact {j:.3f}")

    if args.datatrove:
        # removed.txt and kept.txt beside it: "id cluster" a line.
        def pairs(name):
            with open(os.path.join(os.path.dirname(args.datatrove), name), encoding="utf-8") as f:
                return [line.split() for line in f if line.strip()]
        theirs_removed = pairs("removed.txt")
        kept_of = {c: i for i, c in pairs("kept.txt")}
        theirs = {i for i, _ in theirs_removed}
        ours = {by_doc[d] for d, _, _ in removals}
        both = ours & theirs
        print(f"\nAgainst datatrove's MinhashDedup: moulin removed {len(ours)}, datatrove {len(theirs)}, both {len(both)} "
              f"(Jaccard of the removed sets {len(both) / max(1, len(ours | theirs)):.4f}); only moulin {len(ours - theirs)}, "
              f"only datatrove {len(theirs - ours)}")
        for name, ids in (("only moulin", sorted(ours - theirs)), ("only datatrove", sorted(theirs - ours))):
            kinds = Counter(labels.get(i, {}).get("kind", "?") for i in ids)
            print(f"- {name}, by label: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        # datatrove keeps one document a cluster (connected components of the LSH pairs, not
        # verified): each removal's exact similarity with the document it kept.
        js = [jaccard(sh(r), sh(kept_of[c])) for r, c in theirs_removed if r in text and kept_of.get(c) in text]
        if js:
            js.sort()
            print(f"- datatrove's removals, exact Jaccard with the document kept in their cluster: median "
                  f"{js[len(js) // 2]:.3f}; {sum(j < t for j in js)} under {t}, {sum(j < t - 0.1 for j in js)} under "
                  f"{t - 0.1:.1f}, {sum(j < 0.3 for j in js)} under 0.3 (of {len(js)})")
            sizes = Counter(c for _, c in theirs_removed)
            print(f"- datatrove's largest cluster: {max(sizes.values()) + 1} documents")
    # The gates: every exact copy found, no removal far under the threshold.
    failed = []
    if recall["exact_dup"] < 1.0:
        failed.append(f"exact copies found: {recall['exact_dup']:.4f}, expected all")
    if far:
        failed.append(f"{len(far)} removals under exact similarity {t - 0.1:.1f} with their kept copy")
    for f in failed:
        print(f"check.py: FAILED: {f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

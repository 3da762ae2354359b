#!/usr/bin/env python3
"""Compare moulin's word splitting with datatrove's split_into_words (spaCy), document by document.

Usage: words.py CORPUS.jsonl MOULIN_WORDS.jsonl LANG [--show N] [--require PERCENT]
Prints the share of documents whose word lists are identical and the first differences; exit
status 1 when that share is under --require.
"""
import argparse
import difflib
import json

from datatrove.utils.text import split_into_words


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("moulin")
    ap.add_argument("lang")
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("--require", type=float, default=0.0)
    ap.add_argument("--limit", type=int, default=0, help="the first N documents only")
    args = ap.parse_args()
    corpus, moulin, lang, show = args.corpus, args.moulin, args.lang, args.show
    mine = {}
    for line in open(moulin, encoding="utf-8"):
        r = json.loads(line)
        mine[r["id"]] = r["words"]
    same = total = 0
    shown = 0
    for n, line in enumerate(open(corpus, encoding="utf-8")):
        if args.limit and n >= args.limit:
            break
        d = json.loads(line)
        theirs = split_into_words(d["text"], lang)
        total += 1
        if theirs == mine[d["id"]]:
            same += 1
        elif shown < show:
            shown += 1
            sm = difflib.SequenceMatcher(a=theirs, b=mine[d["id"]], autojunk=False)
            ops = [(t, theirs[a1:a2], mine[d["id"]][b1:b2]) for t, a1, a2, b1, b2 in sm.get_opcodes() if t != "equal"]
            print(d["id"], d.get("kind"), ops[:4])
    share = 100.0 * same / total
    print(f"{lang}: {same} of {total} documents split into the same words ({share:.2f} %)")
    raise SystemExit(1 if share < args.require else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Compare moulin's word splitting with datatrove's split_into_words (spaCy), document by document.

Usage: words.py CORPUS.jsonl MOULIN_WORDS.jsonl LANG [--show N]
Prints the share of documents whose word lists are identical and the first differences.
"""
import difflib
import json
import sys

from datatrove.utils.text import split_into_words


def main():
    corpus, moulin, lang = sys.argv[1:4]
    show = int(sys.argv[5]) if len(sys.argv) > 5 else 5
    mine = {}
    for line in open(moulin, encoding="utf-8"):
        r = json.loads(line)
        mine[r["id"]] = r["words"]
    same = total = 0
    shown = 0
    for line in open(corpus, encoding="utf-8"):
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
    print(f"{lang}: {same} of {total} documents split into the same words ({100.0 * same / total:.2f} %)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Check the expectations of tests/data/cases.jsonl against datatrove itself: each case's
`expect` (a reason, or null for kept) must be what datatrove's filter of that stage decides.
The Rust tests check moulin against the same file, so moulin and datatrove agree on each case.

Usage: datatrove_cases.py CASES.jsonl   (needs datatrove, spaCy, regex)
"""
import json
import sys

from datatrove.data import Document
from datatrove.pipeline.filters import C4BadWordsFilter, C4QualityFilter, FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter

CLASSES = {"gopher_quality": GopherQualityFilter, "gopher_repetition": GopherRepetitionFilter,
           "c4_quality": C4QualityFilter, "fineweb_quality": FineWebQualityFilter}


def decide(case):
    config = dict(case["config"])
    bad = config.pop("bad_words", None)
    if config.get("stop_words") == "language":
        # moulin's own lists; datatrove takes the words themselves.
        config["stop_words"] = {"fr": ["de", "la", "le", "et", "les", "des", "en", "un"]}[config.get("language", "en")]
    doc = Document(text=case["text"], id=case["name"])
    if bad:
        # C4BadWordsFilter downloads its lists; the same regex over the given words instead.
        import re
        f = C4BadWordsFilter()
        f._badwords_regex["en"] = re.compile(r"(?:\W|^)({})(?:\W|$)".format("|".join(re.escape(w) for w in bad)))
        res = f.filter(doc)
        if res is not True:
            return res[1]
    res = CLASSES[case["stage"]](**config).filter(doc)
    return None if res is True else res[1]


def main():
    wrong = 0
    for line in open(sys.argv[1], encoding="utf-8"):
        case = json.loads(line)
        got = decide(case)
        if got != case["expect"]:
            wrong += 1
            print(f"FAIL {case['stage']} / {case['name']}: datatrove says {got!r}, the case expects {case['expect']!r}")
    print(f"datatrove cases: {wrong} of the cases disagree")
    raise SystemExit(1 if wrong else 0)


if __name__ == "__main__":
    main()

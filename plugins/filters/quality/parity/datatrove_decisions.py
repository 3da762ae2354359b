#!/usr/bin/env python3
"""Run datatrove's filters over the parity corpus and write each one's decision per document.

Usage: datatrove_decisions.py CHECKS.json CORPUS.jsonl OUT.jsonl   (needs datatrove, spaCy, regex)

Each output line: {"id", "check", "keep", "reason", "text"} ("text": what C4 leaves, for kept
documents). The last line of standard output gives each check's seconds.
"""
import json
import sys
import time

from datatrove.data import Document
from datatrove.pipeline import filters


def main():
    checks = {k: v for k, v in json.load(open(sys.argv[1])).items() if not k.startswith("_")}
    docs = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
    seconds = {}
    with open(sys.argv[3], "w", encoding="utf-8") as out:
        for name, check in checks.items():
            # JSON has no tuples; datatrove wants its n-gram settings and stop_chars as tuples.
            kwargs = {k: tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) and k != "stop_words" else v
                      for k, v in check["kwargs"].items()}
            f = getattr(filters, check["datatrove"])(**kwargs)
            # spaCy loads on first use: not part of the time.
            f.filter(Document(text="Warm up the tokenizer. It loads once.", id="warm"))
            rows = []
            start = time.perf_counter()
            for d in docs:
                doc = Document(text=d["text"], id=d["id"])
                try:
                    res = f.filter(doc)
                except Exception as e:  # datatrove itself fails on a few inputs (division by zero)
                    rows.append({"id": d["id"], "check": name, "keep": None, "reason": f"error: {type(e).__name__}"})
                    continue
                keep, reason = (res if isinstance(res, tuple) else (res, None))
                row = {"id": d["id"], "check": name, "keep": bool(keep), "reason": reason}
                if keep and check["stage"] == "c4_quality":
                    row["text"] = doc.text
                rows.append(row)
            seconds[name] = time.perf_counter() - start
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(json.dumps({"seconds": seconds, "documents": len(docs), "bytes": sum(len(d["text"].encode()) for d in docs)}))


if __name__ == "__main__":
    main()

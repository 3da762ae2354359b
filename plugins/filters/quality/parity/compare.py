#!/usr/bin/env python3
"""Compare moulin's decisions with datatrove's, check by check.

Usage: compare.py CORPUS.jsonl DATATROVE.jsonl MOULIN.jsonl [--require decision=99.5]
       [--require reason=99] [--require text=99] [--show N]

Prints, per check: documents, agreement on keep/drop, agreement on the reason among documents
both dropped, agreement on C4's output text among documents both kept, and the first
differences. Exit status 1 when a --require bar is not met by every check.
"""
import argparse
import json
from collections import Counter, defaultdict


def load(path):
    rows = defaultdict(dict)
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        rows[r["check"]][r["id"]] = r
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("datatrove")
    ap.add_argument("moulin")
    ap.add_argument("--require", action="append", default=[])
    ap.add_argument("--show", type=int, default=3)
    args = ap.parse_args()
    kinds = {}
    for line in open(args.corpus, encoding="utf-8"):
        d = json.loads(line)
        kinds[d["id"]] = d.get("kind", "")
    dt, mo = load(args.datatrove), load(args.moulin)
    bars = dict((k, float(v)) for k, v in (r.split("=") for r in args.require))
    failed = []
    print(f"{'check':<22} {'docs':>5} {'dropped':>8} {'decision %':>11} {'reason %':>9} {'text %':>7}")
    for check in dt:
        ids = sorted(dt[check])
        missing = [i for i in ids if i not in mo.get(check, {})]
        if missing:
            failed.append(f"{check}: {len(missing)} documents without a moulin decision")
            continue
        same_keep = sum(dt[check][i]["keep"] == mo[check][i]["keep"] for i in ids)
        both_dropped = [i for i in ids if dt[check][i]["keep"] is False and mo[check][i]["keep"] is False]
        same_reason = sum(dt[check][i]["reason"] == mo[check][i]["reason"] for i in both_dropped)
        both_kept = [i for i in ids if dt[check][i]["keep"] and mo[check][i]["keep"] and "text" in dt[check][i]]
        same_text = sum(dt[check][i]["text"] == mo[check][i].get("text") for i in both_kept)
        pct = lambda a, b: 100.0 * a / b if b else 100.0
        figures = {"decision": pct(same_keep, len(ids)), "reason": pct(same_reason, len(both_dropped)),
                   "text": pct(same_text, len(both_kept))}
        dropped = sum(dt[check][i]["keep"] is False for i in ids)
        text = f"{figures['text']:7.2f}" if both_kept else "      -"
        print(f"{check:<22} {len(ids):>5} {dropped:>8} {figures['decision']:>11.2f} {figures['reason']:>9.2f} {text}")
        for bar, need in bars.items():
            if figures[bar] < need:
                failed.append(f"{check}: {bar} agreement {figures[bar]:.2f} % is under {need} %")
        diffs = [i for i in ids if (dt[check][i]["keep"], dt[check][i]["reason"]) != (mo[check][i]["keep"], mo[check][i]["reason"])]
        diffs += [i for i in both_kept if dt[check][i]["text"] != mo[check][i].get("text")]
        by_kind = Counter(kinds.get(i, "") for i in diffs)
        if diffs:
            print(f"    differences by kind: {dict(by_kind)}")
        for i in diffs[: args.show]:
            print(f"    {i} ({kinds.get(i)}): datatrove {dt[check][i]['keep']} {dt[check][i]['reason']!r}, moulin {mo[check][i]['keep']} {mo[check][i]['reason']!r}")
    for f in failed:
        print("FAIL", f)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Read back what examples/exporters wrote, with readers moulin did not write, and check that
every file holds the same documents as the run's JSONL export.

    python readback.py OUTPUT_DIR

Needs pyarrow and conllu (scripts/test.sh installs them in a virtualenv under target/).
Exits non-zero, naming the file, document and field, at the first difference.
"""

import csv
import json
import math
import re
import sys
from pathlib import Path

import conllu
import pyarrow as pa
import pyarrow.parquet as pq

out = Path(sys.argv[1])
manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
summaries = {s["id"]: s.get("summary") for s in manifest["stages"]}
docs = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
ids = [d["id"] for d in docs]
assert docs, "the JSONL export is empty"


def fail(where, message):
    sys.exit(f"readback: {where}: {message}")


def same_score(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-6)


def entity_spans(d):
    return [s for s in d["spans"] if s["layer"] == "entity"]


# Parquet, read by pyarrow: every column of every row equals the JSONL's.
files = summaries["parquet"]["files"]
expected_schema = pa.schema([
    pa.field("id", pa.string(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
    pa.field("lang", pa.string(), nullable=False),
    pa.field("lang_score", pa.float32()),
    pa.field("meta", pa.string(), nullable=False),
    pa.field("spans", pa.list_(pa.field("item", pa.struct([
        pa.field("start", pa.uint64(), nullable=False),
        pa.field("end", pa.uint64(), nullable=False),
        pa.field("layer", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("score", pa.float32()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("attrs", pa.string(), nullable=False),
    ]), nullable=False)), nullable=False),
])
rows = []
for f in files:
    table = pq.read_table(out / f)
    if not table.schema.equals(expected_schema):
        fail(f, f"schema differs from docs/config.md:\n{table.schema}")
    rows += table.to_pylist()
if len(rows) != len(docs):
    fail("parquet", f"{len(rows)} rows, the JSONL has {len(docs)}")
for r, d in zip(rows, docs):
    where = f"parquet {d['id']}"
    for key in ("id", "text", "lang"):
        if r[key] != d[key]:
            fail(where, f"{key} differs")
    if not same_score(r["lang_score"], d["lang_score"]):
        fail(where, f"lang_score {r['lang_score']} != {d['lang_score']}")
    if json.loads(r["meta"]) != d["meta"]:
        fail(where, "meta differs")
    if len(r["spans"]) != len(d["spans"]):
        fail(where, f"{len(r['spans'])} spans, the JSONL has {len(d['spans'])}")
    for a, b in zip(r["spans"], d["spans"]):
        if any(a[k] != b[k] for k in ("start", "end", "layer", "label", "source")) or not same_score(a["score"], b["score"]) or json.loads(a["attrs"]) != b["attrs"]:
            fail(where, f"span {a} != {b}")
print(f"parquet: {len(rows)} rows in {len(files)} files, same as the JSONL")

# CSV of documents, read by Python's csv module.
with open(out / "documents.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
if [r["id"] for r in rows] != ids:
    fail("documents.csv", "ids differ")
for r, d in zip(rows, docs):
    if r["text"] != d["text"] or r["lang"] != d["lang"] or r["file"] != d["meta"]["source"]["path"]:
        fail(f"documents.csv {d['id']}", "a column differs")
    if not same_score(float(r["lang_score"]) if r["lang_score"] else None, d["lang_score"]):
        fail(f"documents.csv {d['id']}", "lang_score differs")
print(f"documents.csv: {len(rows)} rows, same as the JSONL")

# CSV of entity spans: one row per span, char offsets slice the text to the covered text.
with open(out / "entities.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
expected = [(d, s) for d in docs for s in entity_spans(d)]
if len(rows) != len(expected):
    fail("entities.csv", f"{len(rows)} rows, the JSONL has {len(expected)} entity spans")
for r, (d, s) in zip(rows, expected):
    where = f"entities.csv {d['id']} {s['start']}"
    text_bytes = d["text"].encode("utf-8")
    covered = text_bytes[s["start"]:s["end"]].decode("utf-8")
    if (r["id"], int(r["start"]), int(r["end"]), r["layer"], r["label"], r["source"]) != (d["id"], s["start"], s["end"], s["layer"], s["label"], s["source"]):
        fail(where, f"row {r} differs from span {s}")
    if r["text"] != covered or d["text"][int(r["char_start"]):int(r["char_end"])] != covered:
        fail(where, f"covered text {r['text']!r} / char offsets do not give {covered!r}")
print(f"entities.csv: {len(rows)} span rows, same as the JSONL")

# CoNLL, read by the conllu package: the tokens are the text without its white space, and
# the B-/I- groups are the entity spans exactly (overlaps resolved as documented: by start,
# longer first, the first taken wins).
sentences = conllu.parse((out / "entities.conll").read_text(encoding="utf-8"), fields=["id", "form", "tag"])
by_id = {s.metadata["id"]: s for s in sentences}
checked = 0
for d in docs:
    where = f"entities.conll {d['id']}"
    tokens = by_id.get(d["id"])
    forms = [t["form"] for t in tokens] if tokens is not None else []
    if "".join(forms) != re.sub(r"\s+", "", d["text"]):
        fail(where, "the tokens are not the text without its white space")
    groups = []
    for t in tokens or []:
        tag = t["tag"]
        if tag.startswith("B-"):
            groups.append([tag[2:], t["form"]])
        elif tag.startswith("I-"):
            if not groups or groups[-1][0] != tag[2:]:
                fail(where, f"{tag} without its B-")
            groups[-1][1] += t["form"]
    spans = sorted(entity_spans(d), key=lambda s: (s["start"], -s["end"]))
    kept = []
    for s in spans:
        if not kept or s["start"] >= kept[-1]["end"]:
            kept.append(s)
    text_bytes = d["text"].encode("utf-8")
    want = [[s["label"], re.sub(r"\s+", "", text_bytes[s["start"]:s["end"]].decode("utf-8"))] for s in kept]
    if [g[0] for g in groups] != [w[0] for w in want]:
        fail(where, f"labels {[g[0] for g in groups]} != {[w[0] for w in want]}")
    for g, w in zip(groups, want):
        # Tokens are cut at span bounds, so a group's tokens are its span's text exactly.
        if g[1] != w[1]:
            fail(where, f"tokens {g[1]!r} are not the span {w[1]!r}")
    checked += len(groups)
print(f"entities.conll: {len(sentences)} documents, {checked} entities, same as the JSONL")

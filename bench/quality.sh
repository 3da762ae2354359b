#!/usr/bin/env bash
# The quality stages beside datatrove's filters, on the same documents in the same run: the
# reference corpus's documents (bench/make_corpus.py, seed 42), each of gopher_quality,
# gopher_repetition, c4_quality and fineweb_quality with default settings, one thread, and
# datatrove 0.10.1's filter of the same name (PyPI, into target/quality-py). Prints a table
# of MB/s and the ratio, then how many decisions agree on these documents.
#
# Usage: bench/quality.sh [SIZE_MB]   (default 10; datatrove takes about 20 s per filter)
# The criterion figures (moulin alone): MOULIN_BENCH_CORPUS=target/bench/corpus-20mb cargo bench -p moulin-quality
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-10}
HERE=plugins/filters/quality
BENCH=target/bench
CORPUS=$BENCH/corpus-${SIZE}mb
OUT=$BENCH/quality-${SIZE}mb
mkdir -p "$OUT"
cargo build --release --quiet -p moulin-quality --examples
if [ ! -f "$CORPUS/manifest.json" ]; then
    python3 bench/make_corpus.py --out "$CORPUS" --size-mb "$SIZE" --seed 42 --seeds examples/french-news/corpus > /dev/null
fi
if [ ! -x target/quality-py/bin/python ]; then
    python3 -m venv target/quality-py
fi
target/quality-py/bin/pip install --quiet --disable-pip-version-check datatrove==0.10.1 spacy==3.8.18 regex==2026.11.19
# The corpus's records as one JSONL of {id, text, lang}: the damaged records the corpus holds
# on purpose are left out.
python3 - "$CORPUS" "$OUT/docs.jsonl" <<'PY'
import glob, gzip, json, sys
n = 0
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for path in sorted(glob.glob(sys.argv[1] + "/jsonl/*.jsonl.gz")):
        try:
            with gzip.open(path, "rb") as f:
                for line in f:
                    try:
                        d = json.loads(line.decode("utf-8"))
                    except ValueError:
                        continue
                    if isinstance(d, dict) and isinstance(d.get("text"), str):
                        n += 1
                        out.write(json.dumps({"id": f"r{n:06d}", "text": d["text"], "lang": "fr"}, ensure_ascii=False) + "\n")
        except (OSError, EOFError):
            pass
print(f"{n} documents", file=sys.stderr)
PY
python3 - "$HERE/parity/checks.json" "$OUT/checks.json" <<'PY'
import json, sys
checks = json.load(open(sys.argv[1]))
json.dump({k: checks[k] for k in ["gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality"]}, open(sys.argv[2], "w"))
PY
target/quality-py/bin/python "$HERE/parity/datatrove_decisions.py" "$OUT/checks.json" "$OUT/docs.jsonl" "$OUT/datatrove.jsonl" > "$OUT/datatrove-seconds.json"
target/release/examples/parity "$OUT/checks.json" "$OUT/docs.jsonl" "$OUT/moulin.jsonl" > "$OUT/moulin-seconds.json"
python3 - "$OUT/datatrove-seconds.json" "$OUT/moulin-seconds.json" <<'PY'
import json, sys
dt, mo = (json.load(open(p)) for p in sys.argv[1:3])
mb = dt["bytes"] / 1e6
print(f"{dt['documents']} documents, {mb:.1f} MB of text, one thread each\n")
print("| stage | moulin s | moulin MB/s | datatrove s | datatrove MB/s | ratio |")
print("|---|---|---|---|---|---|")
for k, t in mo["seconds"].items():
    d = dt["seconds"][k]
    print(f"| {k} | {t:.3f} | {mb / t:.1f} | {d:.2f} | {mb / d:.2f} | {d / t:.0f}x |")
PY
echo
python3 "$HERE/parity/compare.py" "$OUT/docs.jsonl" "$OUT/datatrove.jsonl" "$OUT/moulin.jsonl"

#!/usr/bin/env bash
# The datatrove parity check of the quality plugin (docs/quality.md): installs datatrove and
# spaCy from PyPI into target/quality-py, builds the parity corpus from the shared data, and
# compares, document by document, moulin's decisions with datatrove's for every check of
# checks.json, the cases of tests/data/cases.jsonl, and the words both split.
#
# Usage: plugins/filters/quality/parity/run.sh [SHARED_DIR] [--release]
# Needs the workspace built (`cargo build --workspace --all-targets`, or --release for the
# release build's examples).
set -euo pipefail
cd "$(dirname "$0")/../../../.."
SHARED=${1:-../shared}
PROFILE=debug
[ "${2:-}" = "--release" ] && PROFILE=release
HERE=plugins/filters/quality
OUT=target/quality-parity
mkdir -p "$OUT"
if [ ! -x target/quality-py/bin/python ]; then
    python3 -m venv target/quality-py
fi
# The versions the tokenizer tables (spaCy) and the parity figures (datatrove) were made with.
target/quality-py/bin/pip install --quiet --disable-pip-version-check \
    datatrove==0.10.1 spacy==3.8.18 regex==2026.11.19
PY=target/quality-py/bin/python
python3 "$HERE/parity/make_corpus.py" "$SHARED" "$OUT/corpus.jsonl"
$PY "$HERE/parity/datatrove_cases.py" "$HERE/tests/data/cases.jsonl"
# Every document for English and French; the first 600 for the other languages' rules.
for lang in en fr es de it pt nl; do
    limit=600
    case $lang in en|fr) limit=0 ;; esac
    "target/$PROFILE/examples/words" "$OUT/corpus.jsonl" "$lang" > "$OUT/words-$lang.jsonl"
    $PY "$HERE/parity/words.py" "$OUT/corpus.jsonl" "$OUT/words-$lang.jsonl" "$lang" --require 99 --limit $limit
done
$PY "$HERE/parity/datatrove_decisions.py" "$HERE/parity/checks.json" "$OUT/corpus.jsonl" "$OUT/datatrove.jsonl" | tee "$OUT/datatrove-seconds.json"
"target/$PROFILE/examples/parity" "$HERE/parity/checks.json" "$OUT/corpus.jsonl" "$OUT/moulin.jsonl" | tee "$OUT/moulin-seconds.json"
python3 "$HERE/parity/compare.py" "$OUT/corpus.jsonl" "$OUT/datatrove.jsonl" "$OUT/moulin.jsonl" \
    --require decision=99.5 --require reason=99 --require text=99

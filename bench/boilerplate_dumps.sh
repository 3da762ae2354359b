#!/usr/bin/env bash
# The text cleaners on visible-text dumps of real pages (issue 21, point 3): the whole
# visible text of each of the article benchmark's 181 pages, rendered to lines as a scraper
# would (bench/visible_text.py), through `normalize` + `boilerplate` with their defaults, in
# both orders, scored against the gold bodies as the benchmark scores (token 4-shingles,
# bench/html_extraction.py). Prints a markdown table (docs/quality.md).
#
# Usage: bench/boilerplate_dumps.sh [DATA]   (default ../shared/data/html-extraction)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "${1:-../shared/data/html-extraction}")
OUT=$PWD/target/bench/dumps
mkdir -p "$OUT"
cargo build --release --quiet -p moulin-cli -p moulin-normalize -p moulin-boilerplate -p moulin-jsonl
python3 bench/visible_text.py "$DATA" "$OUT/visible.jsonl"

# run NAME STAGE...: the dumps through the stages (TOML tables), exported as NAME.jsonl.
run() {
    local name=$1
    shift
    {
        printf '[input]\npaths = ["%s"]\ninclude = ["visible.jsonl"]\n' "$OUT"
        for stage in "$@"; do printf '[[stage]]\n%s\n' "$stage"; done
        printf '[[stage]]\nid = "export"\nplugin = "jsonl"\nconfig = { path = "docs.jsonl" }\n'
    } > "$OUT/$name.toml"
    rm -rf "${OUT:?}/$name"
    target/release/moulin run "$OUT/$name.toml" --quiet --output "$OUT/$name" > /dev/null
    cp "$OUT/$name/docs.jsonl" "$OUT/$name.jsonl"
}
NORMALIZE='id = "normalize"
plugin = "normalize"'
# min_chars = 0: a page the cleaner leaves nearly empty is scored, not dropped.
BOILERPLATE='id = "boilerplate"
plugin = "boilerplate"
config = { min_chars = 0 }'
run normalize-boilerplate "$NORMALIZE" "$BOILERPLATE"
run boilerplate-normalize "$BOILERPLATE" "$NORMALIZE"

python3 bench/html_extraction.py score "$DATA" \
    "the visible text, no cleaning=$OUT/visible.jsonl" \
    "normalize + boilerplate=$OUT/normalize-boilerplate.jsonl" \
    "boilerplate + normalize=$OUT/boilerplate-normalize.jsonl"

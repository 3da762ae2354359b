#!/usr/bin/env bash
# Main-text extraction on the article-extraction benchmark (181 real pages with gold bodies),
# beside trafilatura 2.3.1 (PyPI, into target/html-py) and rs-trafilatura 0.2.2 (crates.io,
# its own project under bench/html-extractors), all in the same run; then the speed of each
# on the 16 HTML pages of the Common Crawl excerpt. Prints markdown tables (docs/quality.md).
#
# Usage: bench/html_extraction.sh [DATA]   (default ../shared/data/html-extraction)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "${1:-../shared/data/html-extraction}")
WARC=../shared/data/warc/resiliparse-cc-main-2020-34-excerpt.warc.gz
OUT=$PWD/target/bench/html-extraction
mkdir -p "$OUT"

cargo build --release --quiet -p moulin-cli -p moulin-html -p moulin-boilerplate -p moulin-jsonl
(cd bench/html-extractors/rs-trafilatura && cargo build --release --quiet)
if [ ! -x target/html-py/bin/python ]; then
    python3 -m venv target/html-py
fi
target/html-py/bin/pip install --quiet --disable-pip-version-check trafilatura==2.3.1 lxml_html_clean==0.4.6

python3 bench/html_extraction.py pages "$DATA" "$OUT/pages"
if [ -f "$WARC" ] && [ ! -d "$OUT/ccpages" ]; then
    python3 bench/html-extractors/warc_pages.py "$WARC" "$OUT/ccpages"
fi

# moulin's `html` with its defaults, with the title put first (`keep_title`; the gold bodies
# have none), and followed by `boilerplate` (defaults), one thread.
html_run() {
    local name=$1 config=$2 pages=$3 after=${4:-}
    cat > "$OUT/$name.toml" <<EOF
[input]
paths = ["$pages"]
include = ["*.html"]
[[stage]]
id = "html"
plugin = "html"
config = { $config }
$after
[[stage]]
id = "export"
plugin = "jsonl"
config = { path = "docs.jsonl" }
EOF
    rm -rf "${OUT:?}/$name"
    target/release/moulin run "$OUT/$name.toml" --quiet --threads 1 --output "$OUT/$name" > /dev/null
    cp "$OUT/$name/docs.jsonl" "$OUT/$name.jsonl"
}
html_run html "" "$OUT/pages"
html_run html-title "keep_title = true" "$OUT/pages"
html_run html-boilerplate "" "$OUT/pages" '[[stage]]
id = "boilerplate"
plugin = "boilerplate"
config = { min_chars = 0 }'
bench/html-extractors/rs-trafilatura/target/release/extract-rs-trafilatura "$OUT/pages" --body-only \
    > "$OUT/rs-trafilatura.jsonl" 2> /dev/null
target/html-py/bin/python bench/html_extraction.py trafilatura "$OUT/pages" > "$OUT/trafilatura.jsonl" 2> /dev/null

python3 bench/html_extraction.py score "$DATA" \
    "html (defaults)=$OUT/html.jsonl" \
    "html, keep_title = true=$OUT/html-title.jsonl" \
    "html + boilerplate=$OUT/html-boilerplate.jsonl" \
    "trafilatura 2.3.1=$OUT/trafilatura.jsonl" \
    "rs-trafilatura 0.2.2=$OUT/rs-trafilatura.jsonl"

# Speed: one thread, extraction only for the two others (their programs time it); moulin's
# through the criterion benchmark of the stage (cargo bench -p moulin-html) is the figure
# docs/performance.md reports, this is the whole run for comparison.
if [ -d "$OUT/ccpages" ]; then
    echo
    echo "Speed on the 16 Common Crawl pages ($(du -sb "$OUT/ccpages" | cut -f1) bytes), one thread:"
    echo -n "rs-trafilatura 0.2.2: "
    bench/html-extractors/rs-trafilatura/target/release/extract-rs-trafilatura "$OUT/ccpages" 2>&1 > /dev/null | tail -1
    echo -n "trafilatura 2.3.1: "
    target/html-py/bin/python bench/html_extraction.py trafilatura "$OUT/ccpages" 2>&1 > /dev/null | tail -1
    echo "html: MOULIN_BENCH_HTML=$OUT/ccpages cargo bench -p moulin-html (criterion)"
fi

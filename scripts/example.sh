#!/usr/bin/env bash
# Build the workspace and run the example projects: french-news on the seed corpus, then
# archives over a tar.gz of the seeds and a Common Crawl WARC file, then exporters (the seeds
# tagged and written as JSONL, Parquet, CSV and CoNLL).
# Output: examples/*/out/ (documents.jsonl, errors.jsonl, manifest.json).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --workspace
target/debug/moulin run examples/french-news/moulin.toml "$@"
target/debug/moulin run examples/archives/moulin.toml "$@"
target/debug/moulin run examples/exporters/moulin.toml "$@"

#!/usr/bin/env bash
# Build the workspace and run the example project on the seed corpus.
# Output: examples/french-news/out/ (documents.jsonl, errors.jsonl, manifest.json).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --workspace
target/debug/moulin run examples/french-news/moulin.toml "$@"

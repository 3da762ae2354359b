#!/usr/bin/env bash
# What resume points and shards cost, on the reference job (bench/reference/moulin.toml):
#   one    the job as it is: one output file, no resume point before the end;
#   parts  output in parts (a limit no run reaches), so that resume points are possible;
#   every  parts, and a resume point after every input file (checkpoint_bytes = 0): each one
#          completes the output part, syncs errors.jsonl and appends a journal commit;
#   every1 one output file and a resume point after every input file: each one ends the zstd
#          frame, syncs the file and starts a new frame in it;
#   shards the job as 4 shards run one after another, then `moulin merge --concat`.
# Median of RUNS runs (3), THREADS threads (2), wall seconds and peak RSS.
#
#   bench/resume.sh [SIZE_MB] [RUNS] [THREADS]     (default 200, 3, 2)
#
# Uses the corpus bench/run.sh makes (target/bench/corpus-SIZEmb); makes it when missing.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SIZE=${1:-200}
RUNS=${2:-3}
THREADS=${3:-2}
cd "$REPO"
source bench/common.sh
cargo build --release --workspace --quiet
CORPUS=target/bench/corpus-${SIZE}mb
[ -d "$CORPUS" ] || python3 bench/make_corpus.py --out "$CORPUS" --size-mb "$SIZE" --seeds examples/french-news/corpus > /dev/null
W=target/bench/resume
rm -rf "$W" && mkdir -p "$W"
cp bench/reference/boilerplate_patterns.txt "$W/"
corpus=$(cd "$CORPUS" && pwd)/jsonl
sed -e "s#\"../../target/bench/corpus/jsonl\"#\"$corpus\"#; s#^output = .*#output = \"out\"#" bench/reference/moulin.toml > "$W/one.toml"
sed -e 's#config = { path = "documents.jsonl.zst" }#config = { path = "documents.jsonl.zst", max_documents_per_file = 1000000000 }#' "$W/one.toml" > "$W/parts.toml"
grep -q max_documents_per_file "$W/parts.toml" || { echo "bench/resume.sh: the reference job's exporter line changed; update this script" >&2; exit 1; }
sed -e 's#^\[project\]#[pipeline]\ncheckpoint_bytes = 0\n\n[project]#' "$W/parts.toml" > "$W/every.toml"
sed -e 's#^\[project\]#[pipeline]\ncheckpoint_bytes = 0\n\n[project]#' "$W/one.toml" > "$W/every1.toml"
export MOULIN_PLUGIN_PATH=$REPO/target/release
M=$REPO/target/release/moulin
echo "reference job, $SIZE MB, $THREADS threads, median of $RUNS"
printf "%-8s %8s %9s %8s\n" variant seconds "RSS MiB" commits
for v in one parts every every1; do
    read -r wall rss < <(measure "$RUNS" "$W/$v.out" "$M" run "$W/$v.toml" --quiet --threads "$THREADS" --output "$W/out-$v")
    commits=$(grep -c '^{"commit"' "$W/out-$v/journal.jsonl")
    printf "%-8s %8s %9d %8s\n" "$v" "$wall" $((rss / 1024)) "$commits"
done
cat > "$W/shards.sh" <<EOF
set -e
rm -rf "$W/out-shards"
for i in 0 1 2 3; do "$M" run "$W/parts.toml" --quiet --threads $THREADS --output "$W/out-shards" --shard \$i/4 || [ \$? -eq 1 ]; done
EOF
read -r wall rss < <(measure "$RUNS" "$W/shards.out" bash "$W/shards.sh")
printf "%-8s %8s %9d %8s\n" "4 shards" "$wall" $((rss / 1024)) "-"
read -r wall rss < <(measure "$RUNS" "$W/merge.out" "$M" merge "$W/out-shards" --concat)
printf "%-8s %8s %9d %8s\n" "merge" "$wall" $((rss / 1024)) "-"

#!/usr/bin/env bash
# Two moulin builds on the reference job, runs interleaved so that both see the same
# machine: median wall seconds of each over --runs runs, full job and read -> write, for
# each thread count. Each binary loads the plugins beside it (its own build's).
#
#   bench/ab.sh OLD_BINARY NEW_BINARY [--runs N] [--threads "1 2"]
#
# For the binary of another commit: git worktree add ../base <commit> && (cd ../base &&
# CARGO_TARGET_DIR=/tmp/base-target cargo build --release --workspace), then
# bench/ab.sh /tmp/base-target/release/moulin target/release/moulin. The corpus is
# bench/run.sh's (target/bench/corpus): run that once first.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OLD=$1 NEW=$2; shift 2
RUNS=5 THREADS="1 2"
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
cd "$REPO"
[ -e target/bench/corpus/manifest.json ] || { echo "no corpus: run bench/run.sh first" >&2; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "| job | threads | old s | new s | new / old |"
echo "|---|---|---|---|---|"
for job in moulin read-write; do
    for t in $THREADS; do
        : > "$OUT/old" ; : > "$OUT/new"
        for _ in $(seq "$RUNS"); do
            for side in old new; do
                bin=$OLD; [ $side = new ] && bin=$NEW
                rm -rf "$OUT/run"
                start=$(date +%s.%N)
                # Exit status 1: the corpus's damaged shards, reported as failures.
                "$bin" run "bench/reference/$job.toml" --threads "$t" --output "$OUT/run" --quiet > /dev/null 2>&1 \
                    || [ $? -eq 1 ]
                end=$(date +%s.%N)
                echo "$end - $start" | bc >> "$OUT/$side"
            done
        done
        old=$(median < "$OUT/old"); new=$(median < "$OUT/new")
        name=$([ $job = moulin ] && echo "full job" || echo "read -> write")
        printf "| %s | %s | %.2f | %.2f | %.3f |\n" "$name" "$t" "$old" "$new" "$(echo "$new / $old" | bc -l)"
    done
done

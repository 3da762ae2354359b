#!/usr/bin/env bash
# The reference workload end to end (../shared/bench/WORKLOAD.md): moulin's full job
# (bench/reference/moulin.toml) and its read -> write job (bench/reference/read-write.toml)
# with 1 and 2 threads, beside the floors `zcat` (the shards) and `cat` (the .txt tree),
# all measured in this run. Prints one markdown table: median wall time of --runs runs,
# documents/s, MB/s of input text, peak memory (max RSS of the process).
#
#   bench/run.sh [--size-mb N] [--runs N] [--threads "1 2"] [--quick] [--datatrove]
#
# The corpus is made by bench/make_corpus.py (a copy of the workload's generator) under
# target/bench/corpus-<N>mb, or found there. --quick: a 5 MB corpus, one run and the debug
# build, to check that everything still works (CI runs this; it never judges the times). --datatrove: also
# run the same jobs with datatrove 0.10.1 (bench/datatrove: a virtualenv from PyPI and the
# job in Python) in the same run. Peak RSS is the largest process's (datatrove forks one
# per worker).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SIZE=200 RUNS=3 THREADS="1 2" DATATROVE=0 PROFILE=release
while [ $# -gt 0 ]; do
    case "$1" in
        --size-mb) SIZE=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --quick) SIZE=5; RUNS=1; PROFILE=debug; shift ;;
        --datatrove) DATATROVE=1; shift ;;
        *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
cd "$REPO"
source "$REPO/bench/common.sh"
build_and_corpus "$PROFILE" "$SIZE"

OUT=$BENCH/stdout.txt

echo "moulin: $MOULIN; corpus: $CORPUS ($(du -sh "$CORPUS/jsonl" | cut -f1) of JSONL.gz shards), $RUNS run(s) each, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
echo
echo "| job | threads | wall s | documents/s | text MB/s | documents | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|"
zcat_line=$(measure "$RUNS" "$OUT" sh -c "zcat '$CORPUS'/jsonl/*.jsonl.gz > /dev/null 2>&1 || true")
printf "| floor: zcat shards | 1 | %.2f | - | - | - | %d |\n" "${zcat_line% *}" "$(( ${zcat_line#* } / 1024 ))"
cat_line=$(measure "$RUNS" "$OUT" sh -c "find '$CORPUS/txt' -type f -print0 | xargs -0 cat > /dev/null")
printf "| floor: cat .txt tree | 1 | %.2f | - | - | - | %d |\n" "${cat_line% *}" "$(( ${cat_line#* } / 1024 ))"
for job in read-write moulin; do
    name=$([ "$job" = moulin ] && echo "moulin: full job" || echo "moulin: read -> write")
    for t in $THREADS; do
        line=$(measure "$RUNS" "$OUT" "$MOULIN" run "bench/reference/$job.toml" --threads "$t" --quiet --output "$BENCH/out-$job-$t")
        summary=$(head -1 "$OUT")
        docs=$(echo "$summary" | grep -o '[0-9]* documents' | head -1 | cut -d' ' -f1)
        mb=$(echo "$summary" | grep -o '[0-9.]* MB of text' | cut -d' ' -f1)
        wall=${line% *}; rss=${line#* }
        printf "| %s | %s | %.2f | %.0f | %.1f | %s | %d |\n" "$name" "$t" "$wall" "$(echo "$docs / $wall" | bc -l)" "$(echo "$mb / $wall" | bc -l)" "$docs" "$((rss / 1024))"
    done
done
if [ "$DATATROVE" = 1 ]; then
    VENV=$(bench/datatrove/setup.sh | tail -1)
    # datatrove reads the regular shards only (see bench/datatrove/job.py): their text, once.
    dt_mb=$(python3 -c "
import gzip, json, glob
n = 0
for f in glob.glob('$CORPUS/jsonl/part-0*.jsonl.gz'):
    for line in gzip.open(f, 'rt', encoding='utf-8'):
        n += len(json.loads(line)['text'].encode())
print(n / 1e6)")
    dt_docs=$(python3 -c "
import gzip, glob
print(sum(1 for f in glob.glob('$CORPUS/jsonl/part-0*.jsonl.gz') for _ in gzip.open(f)))")
    for job in read-write full; do
        name=$([ "$job" = full ] && echo "datatrove: full job" || echo "datatrove: read -> write")
        for t in $THREADS; do
            rm -rf "$BENCH/out-datatrove"
            line=$(measure "$RUNS" "$OUT" "$VENV/bin/python" bench/datatrove/job.py "$job" "$CORPUS" "$BENCH/out-datatrove" "$t")
            wall=${line% *}; rss=${line#* }
            printf "| %s | %s | %.2f | %.0f | %.1f | %s | %d |\n" "$name" "$t" "$wall" "$(echo "$dt_docs / $wall" | bc -l)" "$(echo "$dt_mb / $wall" | bc -l)" "$dt_docs" "$((rss / 1024))"
        done
    done
fi

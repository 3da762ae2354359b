#!/usr/bin/env bash
# Deduplication on the reference corpus: speed, memory and quality of the dedup stage, and with
# --datatrove the same job by datatrove 0.10.1's four MinHash stages, in the same run.
#
#   bench/dedup.sh [--size-mb N] [--threads "1 2"] [--datatrove] [--quick]
#
# For each thread count: bench/dedup/speed.toml (read the 16 regular shards, MinHash dedup
# with the defaults, write what stays as JSONL.zst) under GNU time: wall seconds, the pass's
# seconds (signatures and the cluster step, from the manifest), peak RSS. Then
# bench/dedup/quality.toml (the same with `action = "annotate"`) and bench/dedup/check.py:
# labelled copies found, the exact Jaccard of every removal with its kept copy. With
# --datatrove, bench/dedup/datatrove_minhash.py (one worker a stage, the same shingles, bands
# and rows) in the virtualenv of bench/quality.sh, its stage times, and how far the two
# removed sets agree. --quick: 5 MB, the debug build, no timing worth quoting (CI runs this).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SIZE=200 THREADS="1 2" DATATROVE=0 PROFILE=release
while [ $# -gt 0 ]; do
    case "$1" in
        --size-mb) SIZE=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --datatrove) DATATROVE=1; shift ;;
        --quick) SIZE=5; PROFILE=debug; THREADS=2; shift ;;
        *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
cd "$REPO"
source "$REPO/bench/common.sh"
build_and_corpus "$PROFILE" "$SIZE"
echo "moulin: $MOULIN; corpus: $CORPUS (its 16 regular shards), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
echo
echo "| job | threads | wall s | pass s | text MB/s | removed | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|"
for t in $THREADS; do
    out=$BENCH/out-dedup-speed-$t
    set +e
    /usr/bin/time -f "%e %M" -o "$BENCH/dedup.time" "$MOULIN" run bench/dedup/speed.toml --threads "$t" --quiet --output "$out" > "$BENCH/dedup.txt" 2>/dev/null
    status=$?
    set -e
    [ "$status" -le 1 ] || { cat "$BENCH/dedup.txt"; echo "dedup.sh: the run failed ($status)" >&2; exit 1; }
    read -r wall rss < "$BENCH/dedup.time"
    read -r pass removed MB < <(python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))
s = next(s for s in m['stages'] if s['id'] == 'dedup')
print(round(s['observation_seconds'], 2), sum(s['dropped'].values()), round(m['totals']['text_bytes'] / 1e6, 1))" "$out/manifest.json")
    printf "| moulin: read, dedup, write | %s | %.2f | %s | %.1f | %s | %d |\n" "$t" "$wall" "$pass" "$(echo "$MB / $wall" | bc -l)" "$removed" "$((rss / 1024))"
done

echo
echo "Text read: $MB MB."
echo
set +e
"$MOULIN" run bench/dedup/quality.toml --threads 2 --quiet --output "$BENCH/out-dedup-quality" > /dev/null 2>&1
set -e
DT_ARGS=()
if [ "$DATATROVE" = 1 ]; then
    PY=$REPO/target/quality-py
    [ -x "$PY/bin/python" ] || python3 -m venv "$PY"
    # datatrove 0.10.1 hashes str with xxhash, which xxhash 4 refuses; tokenizers is imported by
    # its dedup module.
    "$PY/bin/pip" install --quiet --disable-pip-version-check "datatrove[io]==0.10.1" spacy==3.8.18 xxhash==3.6.0 tokenizers==0.23.3
    DT=$BENCH/datatrove-dedup-${SIZE}mb
    /usr/bin/time -f "%e %M" -o "$BENCH/dt.time" "$PY/bin/python" bench/dedup/datatrove_minhash.py "$CORPUS/jsonl" "$DT" > "$BENCH/dt.txt" 2>/dev/null
    read -r wall rss < "$BENCH/dt.time"
    echo "| job | wall s | text MB/s | peak RSS MiB |"
    echo "|---|---|---|---|"
    while read -r _ n seconds; do
        printf "| datatrove MinhashDedup stage %s (1 worker) | %.2f | %.2f | - |\n" "$n" "$seconds" "$(echo "$MB / $seconds" | bc -l)"
    done < "$BENCH/dt.txt"
    printf "| datatrove, the four stages | %.2f | %.2f | %d |\n" "$wall" "$(echo "$MB / $wall" | bc -l)" "$((rss / 1024))"
    echo
    DT_ARGS=(--datatrove "$DT/removed.txt")
fi
python3 bench/dedup/check.py "$CORPUS" "$BENCH/out-dedup-quality" "${DT_ARGS[@]}"

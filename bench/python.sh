#!/usr/bin/env bash
# The Python package against the `moulin` command on the same documents: the reference job's
# stages (bench/reference/moulin.toml) over the first --docs documents of the reference
# corpus as one JSONL file, run by `moulin run`, by Pipeline.process over dicts and by
# Pipeline.process_arrow over pyarrow data (bench/python/job.py), with 1 and 2 threads.
# Prints one markdown table: median of --runs runs of the wall time of the whole process
# (start-up, plugin loading, reading the input) for the command and for the Python jobs that
# read as they go; the pipeline's own time for the Python jobs that hold their documents in
# memory first; and each one's ratio to the command's.
#
#   bench/python.sh [--docs N] [--runs N] [--threads "1 2"] [--quick]
#
# The package is built into target/pyenv (release, `pip install ./python`) unless it is
# there. --quick: at most 2,000 documents of the 5 MB corpus, one run, the debug build of the
# command and plugins, to check that it all works (CI runs this; it never judges the times).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
DOCS=100000 RUNS=3 THREADS="1 2" SIZE=1000 PROFILE=release
while [ $# -gt 0 ]; do
    case "$1" in
        --docs) DOCS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --quick) DOCS=2000; RUNS=1; SIZE=5; THREADS=2; PROFILE=debug; shift ;;
        *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
cd "$REPO"
source "$REPO/bench/common.sh"
build_and_corpus "$PROFILE" "$SIZE"
PY=$REPO/target/pyenv/bin/python
if ! "$PY" -c "import moulin, pyarrow" 2> /dev/null; then
    python3 -m venv target/pyenv
    target/pyenv/bin/pip install --quiet --disable-pip-version-check ./python pyarrow==26.0.1
fi
# The plugins of this build, for both.
export MOULIN_PLUGIN_PATH=$REPO/target/$PROFILE
INPUT=$BENCH/python-$SIZE-$DOCS.jsonl
if [ ! -f "$INPUT" ]; then
    zcat "$CORPUS"/jsonl/part-0*.jsonl.gz 2> /dev/null | head -n "$DOCS" > "$INPUT" || true
fi
DOCS=$(wc -l < "$INPUT")
PROJECT=$BENCH/python-job.toml
sed -e "s|^paths = .*|paths = [\"$INPUT\"]|" -e 's|^include = .*|include = ["*.jsonl"]|' \
    -e "s|patterns_file = \"|patterns_file = \"$REPO/bench/reference/|" bench/reference/moulin.toml > "$PROJECT"
OUT=$BENCH/python-stdout.txt

echo "$DOCS documents ($(du -h "$INPUT" | cut -f1) of JSONL), $RUNS run(s) each, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
echo
echo "| job | threads | wall s | documents exported | / moulin run |"
echo "|---|---|---|---|---|"
for t in $THREADS; do
    line=$(measure "$RUNS" "$OUT" "$MOULIN" run "$PROJECT" --threads "$t" --quiet --output "$BENCH/python-out-cli")
    cli=${line% *}
    docs=$(head -1 "$OUT" | grep -o '[0-9]* exported' | cut -d' ' -f1)
    printf "| moulin run | %s | %.2f | %s | 1.00 |\n" "$t" "$cli" "$docs"
    zstd -dcq "$BENCH/python-out-cli/documents.jsonl.zst" | "$PY" -c "import json,sys; [print(json.loads(l)['text']) for l in sys.stdin]" > "$BENCH/python-cli-texts.txt"
    for mode in dicts arrow dicts-in-memory arrow-in-memory; do
        rm -rf "$BENCH/python-out-$mode"
        times=()
        for _ in $(seq "$RUNS"); do
            line=$(measure 1 "$OUT" "$PY" bench/python/job.py "$mode" "$INPUT" "$BENCH/python-out-$mode" "$t")
            case $mode in *in-memory) times+=("$(cut -d' ' -f2 "$OUT")") ;; *) times+=("${line% *}") ;; esac
        done
        wall=$(printf "%s\n" "${times[@]}" | median)
        what=$(case $mode in dicts) echo "Pipeline.process, dicts read as it goes" ;; arrow) echo "Pipeline.process_arrow, pyarrow.json streaming" ;;
            dicts-in-memory) echo "Pipeline.process, dicts in memory" ;; *) echo "Pipeline.process_arrow, a Table in memory" ;; esac)
        printf "| %s | %s | %.2f | %s | %.2f |\n" "$what" "$t" "$wall" "$(cut -d' ' -f1 "$OUT")" "$(echo "$wall / $cli" | bc -l)"
        # The same documents out, with the same texts, in the same order.
        zstd -dcq "$BENCH/python-out-$mode/documents.jsonl.zst" | "$PY" -c "import json,sys; [print(json.loads(l)['text']) for l in sys.stdin]" | cmp -s - "$BENCH/python-cli-texts.txt" \
            || { echo "Pipeline.$mode exported other texts than moulin run" >&2; exit 1; }
    done
done

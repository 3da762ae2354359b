# Shared by bench/run.sh and bench/io.sh (sourced).

# median: of lines "wall rss", the line with the median wall time.
median() { sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }

# measure RUNS OUT COMMAND...: run COMMAND RUNS times under GNU time; print "wall rss_kib" of
# the median run. The last run's stdout is left in OUT (stderr is dropped).
measure() {
    local runs=$1 out=$2 lines=()
    shift 2
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$out.time" "$@" > "$out" 2> /dev/null || true
        lines+=("$(tail -1 "$out.time")")
    done
    printf "%s\n" "${lines[@]}" | median
}

# build_and_corpus PROFILE SIZE: build moulin (release or debug), make the reference corpus
# of SIZE MB under target/bench/corpus-<SIZE>mb unless it is there, point target/bench/corpus
# at it. Sets MOULIN, BENCH and CORPUS. Run from the repository's root.
build_and_corpus() {
    if [ "$1" = release ]; then cargo build --release --workspace --quiet; else cargo build --workspace --quiet; fi
    MOULIN=$PWD/target/$1/moulin
    BENCH=$PWD/target/bench
    CORPUS=$BENCH/corpus-${2}mb
    mkdir -p "$BENCH"
    if [ ! -f "$CORPUS/manifest.json" ]; then
        python3 bench/make_corpus.py --out "$CORPUS" --size-mb "$2" --seed 42 --seeds examples/french-news/corpus > /dev/null
    fi
    ln -sfn "$CORPUS" "$BENCH/corpus"
}

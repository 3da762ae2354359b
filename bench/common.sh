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

#!/usr/bin/env bash
# A sharded run on a real Slurm cluster of one node, checked against a single-process run.
#
# Installs slurm-wlm and munge from Debian when they are missing (needs root: CI runs as
# root), starts munged, slurmctld and slurmd on localhost with a configuration and a munge
# key made for this run (all under target/slurm-test/, nothing in /etc), submits a 4-task
# job array with `moulin slurm --submit --wait` whose tasks all crash midway, submits it again
# so that each resumes its shard, merges the shards and compares the result with `moulin run`
# of the same project. Then submits the array once more: every task finds its shard
# complete. The daemons are stopped on exit.
#
# Usage: scripts/slurm-test.sh   (after `cargo build --workspace`)
# Without root and without Slurm installed, it says so and exits 0 unless CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
moulin=$root/target/debug/moulin
[ -x "$moulin" ] || { echo "slurm-test: $moulin is missing: run cargo build --workspace first" >&2; exit 1; }

scripts/debian-packages.sh slurmctld slurm-wlm munge
scripts/debian-packages.sh munged munge
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "slurm-test: skipped (Slurm is not installed)"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    if [ "${CI:-}" = true ]; then echo "slurm-test: the daemons run as root here, and this is not root" >&2; exit 1; fi
    echo "slurm-test: skipped (the one-node cluster runs its daemons as root)"
    exit 0
fi

work=$root/target/slurm-test
rm -rf "$work"
mkdir -p "$work"/{munge,state,spool,logs}
chmod 700 "$work/munge"
pids=()
cleanup() {
    for pid_file in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
        [ -f "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# munge: a key made for this run, a private socket.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket=$work/munge/munge.socket
munged --force --key-file="$work/munge/munge.key" --socket="$socket" --pid-file="$work/munge/munged.pid" \
    --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"

# Slurm: one node, this machine, with its CPUs.
host=$(hostname -s)
cpus=$(nproc)
export SLURM_CONF=$work/slurm.conf
cat > "$SLURM_CONF" <<EOF
ClusterName=moulin-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=60
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
started=$(date +%s)
until [ "$(sinfo -h -o %T 2>/dev/null | head -1)" = idle ]; do
    if [ $(( $(date +%s) - started )) -gt 60 ]; then
        echo "slurm-test: the node did not come up in 60 s:" >&2
        sinfo >&2 || true
        tail -20 "$work/logs/slurmctld.log" "$work/logs/slurmd.log" >&2 || true
        exit 1
    fi
    sleep 0.5
done
echo "slurm-test: a one-node cluster ($host, $cpus CPUs) is up after $(( $(date +%s) - started )) s"

# The corpus: the benchmark generator's JSONL shards (with its damaged ones), small.
python3 bench/make_corpus.py --out "$work/corpus" --size-mb 3 --shards 11 --seeds examples/french-news/corpus >/dev/null
cat > "$work/project.toml" <<EOF
[project]
name = "slurm-test"
output = "out"
[input]
paths = ["corpus/jsonl"]
[pipeline]
checkpoint_bytes = 0
[[stage]]
id = "normalize"
plugin = "normalize"
[[stage]]
id = "lang"
plugin = "langid"
[[stage]]
id = "entities"
plugin = "entities"
[[stage]]
id = "jsonl"
plugin = "jsonl"
config = { path = "docs.jsonl.gz", max_documents_per_file = 100 }
[[stage]]
id = "csv"
plugin = "csv"
config = { path = "entities.csv", rows = "spans", max_documents_per_file = 100 }
EOF
export MOULIN_PLUGIN_PATH=$root/target/debug

set +e
"$moulin" run "$work/project.toml" --output "$work/single" --quiet > "$work/single.txt"
status=$?
set -e
[ "$status" -le 1 ] || { cat "$work/single.txt"; echo "slurm-test: the single run failed ($status)" >&2; exit 1; }

# First submission: every task crashes at its second resume point (the test hook
# MOULIN_CRASH_AT aborts the process once errors.jsonl is synced and before the journal line
# is written, as a node failure would). Slurm marks the tasks failed and every shard is partial.
set +e
MOULIN_CRASH_AT=after-errors:2 "$moulin" slurm "$work/project.toml" --tasks 4 --cpus-per-task 1 --time 00:10:00 \
    --output "$work/sharded" --submit --wait
status=$?
set -e
[ "$status" -ne 0 ] || { echo "slurm-test: the crashing tasks should have failed the array" >&2; exit 1; }
set +e
"$moulin" status "$work/sharded" | tee "$work/status-crashed.txt"
status=$?
set -e
partial=$(grep -c " partial " "$work/status-crashed.txt" || true)
[ "$status" -eq 1 ] && [ "$partial" -eq 4 ] || { echo "slurm-test: after the crash, expected 4 partial shards and status 1" >&2; exit 1; }

# Submitted again, each task resumes its shard from its journal.
sbatch --wait "$work/sharded/moulin-slurm.sh"
"$moulin" status "$work/sharded"
"$moulin" merge "$work/sharded" --concat

python3 - "$work" <<'EOF'
import csv, gzip, io, json, sys
work = sys.argv[1]
def manifest(d):
    return json.load(open(f"{work}/{d}/manifest.json"))
single, merged = manifest("single"), manifest("sharded")
def files_of(m, stage):
    return next(s for s in m["stages"] if s["id"] == stage)["summary"]["files"]
# The shards are consecutive ranges of the input, so the joined files hold the single run's
# documents in the single run's order.
single_docs = "".join(gzip.open(f"{work}/single/{f}", "rt", encoding="utf-8").read() for f in files_of(single, "jsonl"))
merged_docs = gzip.open(f"{work}/sharded/docs.jsonl.gz", "rt", encoding="utf-8").read()
assert single_docs and single_docs == merged_docs, "the merged documents differ from the single run's"
def rows(paths):
    out = []
    for p in paths:
        out += list(csv.reader(open(p, newline="", encoding="utf-8")))[1:]
    return out
single_rows = rows(f"{work}/single/{f}" for f in files_of(single, "csv"))
merged_rows = rows([f"{work}/sharded/entities.csv"])
assert single_rows and single_rows == merged_rows, "the merged entity rows differ from the single run's"
assert single["totals"] == merged["totals"], (single["totals"], merged["totals"])
for a, b in zip(single["stages"], merged["stages"]):
    for k in ("documents_in", "documents_out", "dropped", "failed"):
        assert a[k] == b[k], (a["id"], k, a[k], b[k])
errors = lambda d: open(f"{work}/{d}/errors.jsonl", encoding="utf-8").read()
assert errors("single") == errors("sharded"), "the merged errors differ"
assert single["files"] == merged["files"], "the merged file reports differ"
shards = [json.load(open(f"{work}/sharded/part-{i}-of-4/manifest.json")) for i in range(4)]
assert all(s["shard"]["count"] == 4 for s in shards) and sorted(s["shard"]["index"] for s in shards) == [0, 1, 2, 3]
assert all(s["run"]["attempt"] == 2 and s["run"]["files_already_done"] == 1 for s in shards), [s["run"] for s in shards]
t = single["totals"]
print(f"slurm-test: 4 Slurm tasks, crashed and resumed, merged = one run: {t['files']} files, {t['documents']} documents, "
      f"{t['exported']} exported, {t['failed']} failed, {len(single_rows)} entity rows")
EOF

logs=$(ls "$work/sharded/slurm"/*.out | wc -l)
[ "$logs" -eq 8 ] || { echo "slurm-test: expected 8 task logs (2 submissions of 4), found $logs" >&2; exit 1; }

# Submitted again, every task finds its shard complete and does nothing.
sbatch --wait "$work/sharded/moulin-slurm.sh" >/dev/null
complete=$(cat "$work/sharded/slurm"/*.out | grep -c "already complete" || true)
[ "$complete" -eq 4 ] || { echo "slurm-test: resubmitted, $complete of 4 tasks found their shard complete" >&2; cat "$work/sharded/slurm"/*.out >&2; exit 1; }
echo "slurm-test: resubmitted, the 4 tasks found their shards complete"

# A project with a pass over every shard (dedup): `moulin slurm` writes a job array for the
# pass and one for the run, the second submitted to start once the first succeeded
# (afterok). One task at a time (--max-running 1): no shard waits for another to run beside it.
cat > "$work/dedup.toml" <<TOML
[project]
name = "slurm-dedup"
output = "out"
[input]
paths = ["corpus/jsonl"]
[[stage]]
id = "dedup"
plugin = "dedup"
[[stage]]
id = "jsonl"
plugin = "jsonl"
config = { path = "docs.jsonl" }
TOML
set +e
"$moulin" run "$work/dedup.toml" --output "$work/dedup-single" --quiet > "$work/dedup-single.txt"
status=$?
set -e
[ "$status" -le 1 ] || { cat "$work/dedup-single.txt"; echo "slurm-test: the single dedup run failed ($status)" >&2; exit 1; }
"$moulin" slurm "$work/dedup.toml" --tasks 3 --cpus-per-task 1 --max-running 1 --time 00:10:00 \
    --output "$work/dedup-sharded" --submit --wait | tee "$work/dedup-submit.txt"
grep -q "moulin-slurm-pass-0.sh: job" "$work/dedup-submit.txt" || { echo "slurm-test: the pass was not a job array of its own" >&2; exit 1; }
"$moulin" merge "$work/dedup-sharded" --concat
cmp "$work/dedup-single/docs.jsonl" "$work/dedup-sharded/docs.jsonl" || { echo "slurm-test: the sharded dedup run kept other documents" >&2; exit 1; }
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
stage = lambda d: next(s for s in json.load(open(f"{work}/{d}/manifest.json"))["stages"] if s["id"] == "dedup")
single, merged = stage("dedup-single"), stage("dedup-sharded")
assert single["dropped"] == merged["dropped"] and single["pass_summary"] == merged["pass_summary"], (single, merged)
removed = sum(single["dropped"].values())
assert removed > 0, single
print(f"slurm-test: dedup as two dependent job arrays of 3 tasks, one at a time: {removed} removed, as one run removes")
PY

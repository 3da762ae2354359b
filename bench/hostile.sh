#!/usr/bin/env bash
# Peak memory on the hostile inputs of issue 17, at the issue's sizes: each input is made
# here (python3), run once with /usr/bin/time -v, and its maximum resident set size printed
# as a markdown table (docs/performance.md quotes it). CI does not run this; the hostile
# tests (tests/tests/hostile.rs) check smaller sizes under the same 256 MiB bound.
#
#   bench/hostile.sh [BINARY]    (default target/release/moulin; it loads the plugins beside it)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$REPO/target/release/moulin}
[ -x "$BIN" ] || { echo "no $BIN: cargo build --release --workspace first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# make CASE PYTHON: a project folder $WORK/CASE/corpus filled by the Python snippet (run
# in it).
make() {
    mkdir -p "$WORK/$1/corpus"
    (cd "$WORK/$1/corpus" && python3 -c "$2")
}

# project CASE STAGES: the project file, STAGES before a jsonl exporter.
project() {
    printf '[input]\npaths = ["corpus"]\n%s\n[[stage]]\nid = "e"\nplugin = "jsonl"\nconfig = { path = "d.jsonl" }\n' "$2" \
        > "$WORK/$1/p.toml"
}

# measure CASE WHAT [ARGS...]: one table row.
measure() {
    local case=$1 what=$2; shift 2
    local log="$WORK/$case/time.log"
    /usr/bin/time -v "$BIN" run "$WORK/$case/p.toml" --quiet "$@" > /dev/null 2> "$log" || true
    local kb seconds status
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    status=$(awk -F': ' '/Exit status/ {print $2}' "$log")
    echo "| $case | $what | $((kb / 1024)) | $seconds | $status |"
}

make item3-jsonl 'import gzip; open("bad.jsonl.gz","wb").write(gzip.compress(b"x\n"*4_000_000))'
project item3-jsonl ""
make item3-zip '
import zipfile
with zipfile.ZipFile("bad.zip", "w", zipfile.ZIP_DEFLATED) as z: z.writestr("bad.jsonl", b"x\n"*4_000_000)'
project item3-zip ""
make item3-tar '
import io, tarfile
data = b"x\n"*4_000_000
with tarfile.open("bad.tar.gz", "w:gz") as t:
    info = tarfile.TarInfo("bad.jsonl"); info.size = len(data); t.addfile(info, io.BytesIO(data))'
project item3-tar ""
make item4 '
import gzip, tarfile
size = 256 << 20
def header(name, size, kind):
    h = tarfile.TarInfo(name); h.size = size; h.type = kind
    return h.tobuf(tarfile.GNU_FORMAT)
with gzip.open("long.tar.gz", "wb", compresslevel=1) as out:
    out.write(header("././@LongLink", size, tarfile.GNUTYPE_LONGNAME))
    chunk = b"a" * (1 << 20)
    for _ in range(size >> 20): out.write(chunk)
    out.write(header("after.txt", 7, tarfile.REGTYPE)); out.write(b"Bonjour" + b"\0" * 505)
    out.write(b"\0" * 1024)'
project item4 ""
make item5 'import gzip; open("paris.txt.gz","wb").write(gzip.compress(b"Paris "*3_000_000))'
project item5 $'[[stage]]\nid = "ner"\nplugin = "entities"'
make item11 '
import json
with open("docs.jsonl", "w") as f:
    for d in range(10_000):
        text = "".join(f"Ligne distincte numéro {d * 100 + i} du corpus.\n" for i in range(100))
        f.write(json.dumps({"text": text}) + "\n")'
project item11 $'[[stage]]\nid = "b"\nplugin = "boilerplate"\nconfig = { repeated = { min_documents = 2 } }'
make item11-one '
with open("lines.txt", "w") as f:
    for i in range(1_000_000): f.write(f"Ligne distincte numéro {i} du corpus.\n")'
project item11-one $'[[stage]]\nid = "b"\nplugin = "boilerplate"\nconfig = { repeated = { min_documents = 2 } }'
make item12 '
for i in range(50): open(f"{i}.txt","w").write(f"Le général Mark Milley a parlé à Kaboul ({i}).\n")'
project item12 $'[[stage]]\nid = "b"\nplugin = "boilerplate"\n[[stage]]\nid = "l"\nplugin = "langid"\n[[stage]]\nid = "ner"\nplugin = "entities"'

echo "| case | input | peak RSS MiB | wall | exit |"
echo "|---|---|---|---|---|"
measure item3-jsonl "4M bad JSONL lines, .jsonl.gz"
measure item3-zip "4M bad JSONL lines in a zip member"
measure item3-tar "4M bad JSONL lines in a .tar.gz member"
measure item4 "a 256 MiB GNU long name in a .tar.gz"
measure item5 "'Paris ' x 3M in a .txt.gz, entities"
measure item11 "1M distinct lines in 10,000 documents, boilerplate repeated"
measure item11-one "1M distinct lines in one document (40 MB), boilerplate repeated"
measure item12 "-j 1000, boilerplate + langid + entities, 50 documents" -j 1000

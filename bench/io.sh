#!/usr/bin/env bash
# Reader and exporter throughput, by `moulin run` with no stage but one exporter:
# - readers: the reference corpus as a .txt tree, as JSONL.gz shards, and packed as tar.gz,
#   tar.zst, zip and WARC.gz (one HTML response per document), each written back as plain
#   JSONL; `zcat` of the same tar.gz as a floor;
# - exporters: the JSONL.gz shards written by each exporter in turn.
# Median of 3 runs, with peak memory.
#
#   bench/io.sh [WORK_DIR] [THREADS]     (default /tmp/bench, 2)
#
# Needs python3, tar with zstd, zip, GNU time. Makes the corpus with
# ../shared/bench/make_corpus.py (100 MB) when WORK_DIR/corpus is not there.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/bench}
THREADS=${2:-2}
cd "$REPO" && cargo build --release --workspace --quiet
mkdir -p "$WORK/readers"
cd "$WORK"
[ -d corpus ] || python3 "$REPO/../shared/bench/make_corpus.py" --out corpus --size-mb 100 --seed 42
R=$WORK/readers
source "$REPO/bench/common.sh"
[ -f "$R/txt.tar.gz" ] || tar -czf "$R/txt.tar.gz" -C corpus txt
[ -f "$R/txt.tar.zst" ] || tar --zstd -cf "$R/txt.tar.zst" -C corpus txt
[ -f "$R/txt.zip" ] || (cd corpus/txt && zip -qr "$R/txt.zip" .)
[ -f "$R/corpus.warc.gz" ] || python3 - "$R/corpus.warc.gz" <<'PY'
import gzip, html, json, os, sys
# One gzip member per record, as crawlers write them.
with open(sys.argv[1], "wb") as out:
    n = 0
    for part in sorted(os.listdir("corpus/jsonl")):
        if "bad" in part:
            continue
        for line in gzip.open("corpus/jsonl/" + part, "rt", encoding="utf-8"):
            d = json.loads(line)
            body = ("<html><head><meta charset=\"utf-8\"><title>" + html.escape(d["id"]) + "</title></head><body>"
                    + "".join("<p>" + html.escape(p) + "</p>" for p in d["text"].split("\n")) + "</body></html>").encode()
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body) + body
            head = ("WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%08d>\r\nWARC-Target-URI: http://example.org/%s\r\n"
                    "WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
                    % (n, d["id"], len(http))).encode()
            out.write(gzip.compress(head + http + b"\r\n\r\n", compresslevel=6))
            n += 1
PY
echo "## Readers"
printf "| input | on disk | documents | text MB | median wall s | text MB/s | peak RSS MiB |\n|---|---|---|---|---|---|---|\n"
for input in "$WORK/corpus/txt" "$WORK/corpus/jsonl" "$R/txt.tar.gz" "$R/txt.tar.zst" "$R/txt.zip" "$R/corpus.warc.gz"; do
    name=$(basename "$input")
    cat > "$R/$name.toml" <<TOML
[input]
paths = ["$input"]
include = ["**/*.txt", "**/*.jsonl.gz", "**/*.tar.gz", "**/*.tar.zst", "**/*.zip", "**/*.warc.gz"]
[[stage]]
id = "export"
plugin = "jsonl"
config = { path = "docs.jsonl" }
TOML
    median=$(measure 3 "$R/summary" "$REPO/target/release/moulin" run "$R/$name.toml" --output "$R/out" --threads "$THREADS" --quiet)
    wall=${median% *}; rss=${median#* }
    docs=$(head -1 "$R/summary" | grep -o '[0-9]* documents' | cut -d' ' -f1)
    mb=$(head -1 "$R/summary" | grep -o '[0-9.]* MB of text' | cut -d' ' -f1)
    size=$(du -sh "$input" | cut -f1)
    printf "| %s | %s | %s | %s | %s | %.0f | %d |\n" "$name" "$size" "$docs" "$mb" "$wall" "$(echo "$mb / $wall" | bc -l)" $((rss / 1024))
done
floor=$( { /usr/bin/time -f "%e" zcat "$R/txt.tar.gz" > /dev/null; } 2>&1 )
echo "floor: zcat txt.tar.gz > /dev/null: $floor s"

echo
echo "## Exporters (input: the JSONL.gz shards)"
printf "| exporter | output | median wall s | text MB/s | peak RSS MiB |\n|---|---|---|---|---|\n"
for exporter in 'jsonl|path = "d.jsonl"' 'jsonl|path = "d.jsonl.gz"' 'jsonl|path = "d.jsonl.zst"' 'parquet|path = "d.parquet"' \
    'parquet|path = "d.parquet", compression = "snappy"' 'csv|path = "d.csv"' 'conll|path = "d.conll"'; do
    plugin=${exporter%%|*}; config=${exporter#*|}
    cat > "$R/export.toml" <<TOML
[input]
paths = ["$WORK/corpus/jsonl"]
[[stage]]
id = "export"
plugin = "$plugin"
config = { $config }
TOML
    rm -rf "$R/out"
    median=$(measure 3 "$R/summary" "$REPO/target/release/moulin" run "$R/export.toml" --output "$R/out" --threads "$THREADS" --quiet)
    wall=${median% *}; rss=${median#* }
    mb=$(head -1 "$R/summary" | grep -o '[0-9.]* MB of text' | cut -d' ' -f1)
    size=$(du -ch "$R"/out/d.* | tail -1 | cut -f1)
    printf "| %s | %s | %s | %.0f | %d |\n" "$plugin { $config }" "$size" "$wall" "$(echo "$mb / $wall" | bc -l)" $((rss / 1024))
done

#!/usr/bin/env python3
"""datatrove 0.10.1's MinHash deduplication on the reference corpus, the job of
bench/dedup/speed.toml: its four stages (signatures, buckets, clusters, filter), one worker
each, with the same shingles, bands and rows as moulin's defaults (word 5-grams, 14 x 8,
seed 1, 64-bit hashes). Prints one line per stage, `stage <n> <seconds>`, and writes the ids
of the documents stage 4 removed to OUT/removed.txt, and of those it kept in a cluster to
OUT/kept.txt, each with its cluster id.

    python datatrove.py CORPUS_JSONL_FOLDER OUT [GLOB]

Run by bench/dedup.sh in the virtualenv of bench/quality.sh (datatrove, spaCy).
"""
import glob
import gzip
import json
import os
import shutil
import sys
import time

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter, MinhashDedupSignature
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.hashing import HashConfig


def main():
    src, out = sys.argv[1], sys.argv[2]
    pattern = sys.argv[3] if len(sys.argv) > 3 else "part-0*.jsonl.gz"
    files = len(glob.glob(os.path.join(src, pattern)))
    shutil.rmtree(out, ignore_errors=True)
    config = MinhashConfig(n_grams=5, num_buckets=14, hashes_per_bucket=8, seed=1, hash_config=HashConfig(precision=64))

    def reader():
        return JsonlReader(src, glob_pattern=pattern)

    stages = [
        ([reader(), MinhashDedupSignature(output_folder=f"{out}/signatures", config=config)], files),
        ([MinhashDedupBuckets(input_folder=f"{out}/signatures", output_folder=f"{out}/buckets", config=config)],
         config.num_buckets),
        ([MinhashDedupCluster(input_folder=f"{out}/buckets", output_folder=f"{out}/remove_ids", config=config,
                             save_cluster_id=True)], 1),
        ([reader(), MinhashDedupFilter(input_folder=f"{out}/remove_ids", load_cluster_ids=True,
                                       exclusion_writer=JsonlWriter(f"{out}/removed")),
          JsonlWriter(f"{out}/output")], files),
    ]
    for n, (pipeline, tasks) in enumerate(stages, 1):
        started = time.perf_counter()
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=1, logging_dir=f"{out}/logs/stage{n}").run()
        print(f"stage {n} {time.perf_counter() - started:.2f}", flush=True)
    for name, folder in (("removed", "removed"), ("kept", "output")):
        with open(f"{out}/{name}.txt", "w", encoding="utf-8") as ids:
            for path in sorted(glob.glob(f"{out}/{folder}/*.jsonl.gz")):
                with gzip.open(path, "rt", encoding="utf-8") as f:
                    for line in f:
                        d = json.loads(line)
                        cluster = d["metadata"].get("minhash_cluster_id", -1)
                        if cluster != -1:
                            ids.write(f"{d['id']} {cluster}\n")


if __name__ == "__main__":
    main()

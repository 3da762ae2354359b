"""The reference job's stages from Python (bench/python.sh): over dicts, or over Arrow.

    python job.py dicts|arrow|dicts-in-memory|arrow-in-memory INPUT.jsonl OUTPUT_DIR THREADS

The stages are bench/reference/moulin.toml's (normalize, boilerplate, langid, entities, and
its JSONL exporter), read from that file, so that the CLI and this script run one job.
`dicts` and `arrow` read the input as they go, as `moulin run` does (json.loads per line
into dicts; pyarrow.json's streaming reader into record batches); the `-in-memory` modes
read it all first, as a script that already holds its documents, and time only the
pipeline. Prints the documents exported and the seconds the pipeline took.
"""

from __future__ import annotations

import json
import pathlib
import sys
import time
import tomllib

import moulin
import pyarrow.json

REFERENCE = pathlib.Path(__file__).resolve().parents[1] / "reference"


def stages(output_dir: str) -> list:
    project = tomllib.loads((REFERENCE / "moulin.toml").read_text())
    out = []
    for stage in project["stage"]:
        config = dict(stage.get("config", {}))
        if "patterns_file" in config:  # relative to the project file, as the CLI reads it
            config["patterns_file"] = str(REFERENCE / config["patterns_file"])
        out.append({"id": stage["id"], "plugin": stage["plugin"], "config": config})
    return out


def dicts(path: str):
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            yield {"id": record["id"], "text": record["text"], "meta": record.get("metadata", {})}


def main() -> None:
    started = time.perf_counter()
    mode, path, output_dir, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if mode == "dicts-in-memory":
        data = list(dicts(path))
    elif mode == "arrow-in-memory":
        data = pyarrow.json.read_json(path).select(["id", "text"])
    elif mode == "dicts":
        data = dicts(path)
    else:
        # The streaming reader: batches are read while the pipeline runs.
        data = pyarrow.json.open_json(path)
    if mode.endswith("in-memory"):
        started = time.perf_counter()
    pipeline = moulin.Pipeline(stages(output_dir), threads=threads, output_dir=output_dir)
    if mode.startswith("dicts"):
        outputs = pipeline.process(data)
        for _ in outputs:
            pass
        exported = outputs.kept
    else:
        exported = pipeline.process_arrow(data).num_rows
    print(exported, f"{time.perf_counter() - started:.2f}")


if __name__ == "__main__":
    main()

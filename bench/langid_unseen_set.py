#!/usr/bin/env python3
"""A language-ID test set that no part of moulin's `langid` was built or chosen on, from
Debian's translations (bench/langid_unseen.sh fetches them and runs it).

    langid_unseen_set.py SOURCE_DIR UDHR_DIR OUT_DIR

SOURCE_DIR holds what bench/langid_unseen.sh fetched:

- `ddtp/Translation-<locale>.bz2` and `ddtp/Translation-en.xz`: the Debian Description
  Translation Project's package descriptions for bookworm's main, translated by people;
- `debs/`: the `.deb` packages of GTK 2 and GLib, unpacked, whose gettext catalogues
  (`gtk20.mo`, `gtk20-properties.mo`, `glib20.mo`) hold their user-interface messages in about
  a hundred languages.

UDHR_DIR is ../shared/data/langid-udhr: its LANGUAGES.tsv says which codes the detector knows
(a locale whose language it does not know is left out) and is copied beside each set, where
`eval` reads ISO 639-3 codes (for whatlang's answers) and fastText's labels.

Writes, in the layout the `eval` example reads (`OUT_DIR/<set>/<code>/<kind>.txt`, one sample
a line; `code` the detector's, ISO 639-1 where there is one):

- `OUT_DIR/ddtp/<code>/sentences.txt`, `word-pairs.txt`, `single-words.txt`: sentences of the
  long descriptions, and two neighbouring words and one word of them (not for Chinese,
  Japanese and Khmer, written without spaces);
- `OUT_DIR/gettext/<code>/messages.txt`: the translated messages, short by nature (a median of
  four words), in every script.

Text copied from the English original is not the translation's language, so it is taken out
before sampling (a description whose English original bookworm no longer lists is left out): a sentence or message the English original holds as it is, the words of the
English original (package names, commands, terms left in English) from word pairs and single
words, and a sentence or message of which fewer than half of the words are new. Placeholders
(`%s`, `{name}`), markup and mnemonics (`_Open`) are removed from messages. Up to 1,000
samples a kind and language, drawn with a fixed seed; a language with fewer than 100 is left
out. Nothing here looks at what any detector answers.
"""

import bz2
import lzma
import random
import re
import struct
import sys
from pathlib import Path

SAMPLES = 1000
MIN_SAMPLES = 100
# Written without spaces between words: no word pairs or single words.
NO_SPACES = {"zh", "ja", "km", "th", "lo", "my"}
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
PLACEHOLDER = re.compile(r"%(?:\d+\$)?[-#0 +']*\d*(?:\.\d+)?(?:hh|h|ll|l|L|z|j|t)?[a-zA-Z%]|\{[^}]*\}|<[^>]*>|&\w+;")


def code_of(locale, known):
    """The detector's code for a gettext or DDTP locale, or None to leave it out."""
    if "@" in locale:
        return None  # variants: sr@latin, ca@valencia, be@latin, uz@cyrillic
    if locale in ("zh_TW", "zh_HK"):
        return None  # Traditional Chinese; the model's `zh` is Simplified
    base = locale.split("_")[0]
    base = {"no": "nb"}.get(base, base)
    if base == "en" or base not in known:
        return None
    return base


def words(text):
    return WORD.findall(text)


def mostly_new(text, original_words):
    """Whether at least half of the words of `text` are not in the English original."""
    ws = words(text)
    if not ws:
        return False
    new = sum(1 for w in ws if w.lower() not in original_words)
    return 2 * new >= len(ws)


def sample(items, rng):
    items = sorted(set(items))
    return items if len(items) <= SAMPLES else sorted(rng.sample(items, SAMPLES))


def read_ddtp(path):
    """Description-md5 -> long description (the lines after the synopsis) of a Translation file."""
    opener = lzma.open if path.suffix == ".xz" else bz2.open
    out, md5, body, reading = {}, None, [], False
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("Description-md5:"):
                md5 = line.split(":", 1)[1].strip()
            elif line.startswith("Description-"):
                body, reading = [], True
            elif reading and line.startswith(" "):
                body.append(line)
            else:
                if reading and md5:
                    out[md5] = body
                reading = False
        if reading and md5:
            out[md5] = body
    return out


def paragraphs(body):
    """The running-text paragraphs of a long description (lists and verbatim lines left out)."""
    paragraph = []
    for line in body + [" ."]:
        if line == " .":
            if paragraph:
                yield " ".join(paragraph)
            paragraph = []
        elif line.startswith("  ") or re.match(r"^ [-*+o] ", line):
            paragraph = []  # a list or verbatim block: not running text
        else:
            paragraph.append(line.strip())


def ddtp_samples(translated, english):
    sentences, pairs, singles = [], [], []
    for md5, body in translated.items():
        if md5 not in english:
            continue  # no English original to tell what was copied from it
        original_text = "\n".join(english[md5])
        original_words = {w.lower() for w in words(original_text)}
        for paragraph in paragraphs(body):
            for sentence in SENTENCE_END.split(paragraph):
                sentence = sentence.strip()
                if not 20 <= len(sentence) <= 300 or "://" in sentence or sentence in original_text:
                    continue
                if not mostly_new(sentence, original_words):
                    continue
                sentences.append(sentence)
                ws = words(sentence)
                for a, b in zip(ws, ws[1:]):
                    if a.lower() not in original_words and b.lower() not in original_words:
                        pairs.append(f"{a} {b}")
                singles.extend(w for w in ws if len(w) >= 3 and w.lower() not in original_words)
    return {"sentences": sentences, "word-pairs": pairs, "single-words": singles}


def clean_message(text):
    text = PLACEHOLDER.sub(" ", text)
    text = re.sub(r"_(?=\w)", "", text).replace("&", " ")
    text = re.sub(r"\s+", " ", text).strip(" .:…-–—()[]\"'")
    return text


def read_mo(path):
    """(msgid, msgstr) of a gettext catalogue, the first form of plurals, without contexts
    (Python's gettext module refuses some catalogues' plural headers)."""
    data = Path(path).read_bytes()
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    n, originals, translations = struct.unpack(order + "3I", data[8:20])
    for i in range(n):
        (ol, oo), (tl, to) = (struct.unpack(order + "2I", data[t + 8 * i : t + 8 * i + 8]) for t in (originals, translations))
        msgid = data[oo : oo + ol].decode("utf-8", "replace").split("\x00")[0].split("\x04")[-1]
        msgstr = data[to : to + tl].decode("utf-8", "replace").split("\x00")[0]
        yield msgid, msgstr


def gettext_samples(mo_files):
    messages = []
    for mo in mo_files:
        for msgid, msgstr in read_mo(mo):
            if not msgid or not msgstr or msgstr == msgid:
                continue
            message = clean_message(msgstr)
            original = clean_message(msgid)
            if len(message) < 3 or message == original or not any(c.isalpha() for c in message):
                continue
            if not mostly_new(message, {w.lower() for w in words(original)}):
                continue
            messages.append(message)
    return messages


def write(out, code, kind, lines):
    folder = out / code
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{kind}.txt").write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: langid_unseen_set.py SOURCE_DIR UDHR_DIR OUT_DIR")
    source, udhr, out = (Path(a) for a in sys.argv[1:])
    table = (udhr / "LANGUAGES.tsv").read_text(encoding="utf-8")
    known = {line.split("\t")[0] for line in table.splitlines()[1:] if line.strip()}
    for set_name in ("ddtp", "gettext"):
        (out / set_name).mkdir(parents=True, exist_ok=True)
        (out / set_name / "LANGUAGES.tsv").write_text(table, encoding="utf-8")
    counts = {}

    english = read_ddtp(source / "ddtp" / "Translation-en.xz")
    by_code = {}
    for path in sorted((source / "ddtp").glob("Translation-*.bz2")):
        code = code_of(path.name[len("Translation-") : -len(".bz2")], known)
        if code:
            by_code.setdefault(code, {}).update(read_ddtp(path))
    for code, translated in sorted(by_code.items()):
        samples = ddtp_samples(translated, english)
        # Word pairs and single words from fewer sentences would repeat a few descriptions.
        if len(set(samples["sentences"])) < MIN_SAMPLES:
            continue
        for kind, items in samples.items():
            if code in NO_SPACES and kind != "sentences":
                continue
            if len(set(items)) >= MIN_SAMPLES:
                chosen = sample(items, random.Random(f"ddtp/{code}/{kind}"))
                write(out / "ddtp", code, kind, chosen)
                counts[("ddtp", kind, code)] = len(chosen)

    mo_by_code = {}
    for mo in sorted((source / "debs").glob("usr/share/locale/*/LC_MESSAGES/*.mo")):
        code = code_of(mo.parent.parent.name, known)
        if code and mo.stem in ("gtk20", "gtk20-properties", "glib20"):
            mo_by_code.setdefault(code, []).append(mo)
    for code, files in sorted(mo_by_code.items()):
        items = gettext_samples(files)
        if len(set(items)) >= MIN_SAMPLES:
            chosen = sample(items, random.Random(f"gettext/{code}"))
            write(out / "gettext", code, "messages", chosen)
            counts[("gettext", "messages", code)] = len(chosen)

    for (set_name, kind) in sorted({(s, k) for s, k, _ in counts}):
        langs = [c for s, k, c in counts if (s, k) == (set_name, kind)]
        total = sum(counts[(set_name, kind, c)] for c in langs)
        print(f"{set_name}/{kind}: {len(langs)} languages, {total} samples: {' '.join(sorted(langs))}")


if __name__ == "__main__":
    main()

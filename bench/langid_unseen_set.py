#!/usr/bin/env python3
"""A language-ID test set that no part of moulin's `langid` was built or chosen on, from
Debian's translations (bench/langid_unseen.sh fetches them and runs it).

    langid_unseen_set.py SOURCE_DIR UDHR_DIR OUT_DIR

SOURCE_DIR holds what bench/langid_unseen.sh fetched:

- `ddtp/Translation-<locale>.bz2` and `ddtp/Translation-en.xz`: the Debian Description
  Translation Project's package descriptions for bookworm's main, translated by people;
- `debs/`: the `.deb` packages of GTK 2 and GLib, unpacked, whose gettext catalogues
  (`gtk20.mo`, `gtk20-properties.mo`, `glib20.mo`) hold their user-interface messages in about
  a hundred languages;
- `fortunes/`: Debian's `fortunes-*` packages, unpacked: quotations, proverbs, jokes and
  anecdotes that people collected in their own language (not translations of one text), in 13
  languages and three scripts;
- `manpages/`: the Russian, Ukrainian, Macedonian and Serbian manual pages of Debian's
  `manpages-l10n` packages, unpacked. Unlike the others, a **development** set: it is where the
  lingua letter rule that took Ukrainian for Kazakh was found (third_party/lingua) and where
  `BREADTH_WEIGHT` was checked for Cyrillic (docs/quality.md).

UDHR_DIR is ../shared/data/langid-udhr: its LANGUAGES.tsv says which codes the detector knows
(a locale whose language it does not know is left out) and is copied beside each set, where
`eval` reads ISO 639-3 codes (for whatlang's answers) and fastText's labels.

Writes, in the layout the `eval` example reads (`OUT_DIR/<set>/<code>/<kind>.txt`, one sample
a line; `code` the detector's, ISO 639-1 where there is one):

- `OUT_DIR/ddtp/<code>/sentences.txt`, `word-pairs.txt`, `single-words.txt`: sentences of the
  long descriptions, and two neighbouring words and one word of them (not for Chinese,
  Japanese and Khmer, written without spaces);
- `OUT_DIR/gettext/<code>/messages.txt`: the translated messages, short by nature (a median of
  four words), in every script;
- `OUT_DIR/fortunes/<code>/sentences.txt`, `word-pairs.txt`, `single-words.txt`: sentences of
  the fortune cookies (the attribution lines under them, `-- Author`, left out), two
  neighbouring words and one word of them (sentences only for Chinese). Written for readers,
  not for software: the register nearest to news of the three;
- `OUT_DIR/manpages/<code>/sentences.txt`, `word-pairs.txt`, `single-words.txt`: sentences of
  the manual pages' running text (the roff source's text lines, macros and escapes taken out),
  two neighbouring words and one word of them, those in Cyrillic only.

Text copied from the English original is not the translation's language, so it is taken out
before sampling (a description whose English original bookworm no longer lists is left out): a sentence or message the English original holds as it is, the words of the
English original (package names, commands, terms left in English) from word pairs and single
words, and a sentence or message of which fewer than half of the words are new. Placeholders
(`%s`, `{name}`), markup and mnemonics (`_Open`) are removed from messages. Up to 1,000
samples a kind and language, drawn with a fixed seed; a language with fewer than 100 is left
out. Nothing here looks at what any detector answers. Fortune cookies have no original to
compare with: a sentence with a web or mail address, of which under half the characters are
letters (code, ASCII art, tables), that looks like a line of a chat log (a time, a `<nick>`),
or of which most letters are not in the language's script (a shell command in a Chinese
cookie) is left out, and what is left may still quote another language now and then (a Latin
motto, an English line in a joke), for every detector alike.
"""

import bz2
import gzip
import lzma
import random
import re
import struct
import sys
import unicodedata
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


# Which files of the `fortunes-*` packages (paths under usr/share/games/fortunes) hold which
# language: the UTF-8 copies (`.u8`) where a package ships one (fortunes-pl's are empty: its
# files are UTF-8 already). Not taken: `tang300` and `song100` (Classical Chinese poems, not
# the modern written language `zh` is), `es/off` (the offensive section), `cz/` (links to
# `cs/`), and the files of FORTUNES_LEFT_OUT.
FORTUNES = {
    "bg": ["bg/*.u8"],
    "cs": ["cs/*.u8"],
    "de": ["de/*.u8"],
    "en": ["fortunes.u8", "literature.u8", "riddles.u8"],
    "eo": ["eo/proverbaro.u8"],
    "es": ["es/*.fortunes.u8"],
    "ga": ["ga/proverbs.u8"],
    "it": ["it/*.u8"],
    "pl": ["pl/*"],
    "pt": ["brasil"],
    "ru": ["ru/*.u8"],
    "sk": ["cs/klasik-sk.u8"],
    "zh": ["chinese.u8"],
}
FORTUNES_LEFT_OUT = {"cs": {"cs/klasik-sk.u8"}, "de": {"de/asciiart.u8"}}  # Slovak; pictures
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
ATTRIBUTION = re.compile(r"^\s*(?:--|—|–)")
# A chat log's timestamp or speaker inside a sentence: a log line, not prose.
CHAT = re.compile(r"\b\d{1,2}:\d{2}\b|<[^>\s]{1,30}>")
# The script most of a language's letters must be in (Unicode character names begin with it):
# a shell command quoted in a Chinese cookie is not Chinese.
SCRIPT = {"bg": "CYRILLIC", "mk": "CYRILLIC", "ru": "CYRILLIC", "sr": "CYRILLIC", "uk": "CYRILLIC", "zh": "CJK"}
# Roff's font changes, named characters and zero-width escapes (`\fB`, `\(em`, `\&`).
ROFF_ESCAPE = re.compile(r"\\f(?:\[[^]]*\]|\(..|.)|\\\(..|\\\[[^]]*\]|\\[&%:|^ ]")
# The speaker of a chat log's line (`<nick> `, `[12:30] <nick> `): a name, not the language.
SPEAKER = re.compile(r"^\s*(?:\[[\d:]+\]\s*)?<[^>\s]{1,30}>\s*")


def fortune_entries(path):
    """The cookies of a fortune file (entries between lines of `%`), attribution lines left
    out and chat speakers' names taken off, each as a list of paragraphs."""
    text = ANSI.sub("", path.read_text(encoding="utf-8", errors="replace"))
    for entry in re.split(r"^%\s*$", text, flags=re.M):
        paragraphs, lines = [], []
        for line in entry.splitlines() + [""]:
            if not line.strip():
                if lines:
                    paragraphs.append(" ".join(lines))
                lines = []
            elif not ATTRIBUTION.match(line):
                lines.append(SPEAKER.sub("", line).strip())
        yield paragraphs


def in_script(text, code):
    """Whether most of the letters of `text` are in the script `code` is written in."""
    letters = [c for c in text if c.isalpha()]
    script = SCRIPT.get(code, "LATIN")
    return 2 * sum(unicodedata.name(c, "").startswith(script) for c in letters) > len(letters)


def fortunes_samples(files, code):
    sentences, pairs, singles = [], [], []
    for path in files:
        for paragraphs in fortune_entries(path):
            for paragraph in paragraphs:
                for sentence in SENTENCE_END.split(paragraph):
                    sentence = re.sub(r"\s+", " ", sentence).strip()
                    letters = sum(c.isalpha() for c in sentence)
                    if not 20 <= len(sentence) <= 300 or "://" in sentence or "@" in sentence:
                        continue
                    if 2 * letters < len(sentence) or CHAT.search(sentence) or not in_script(sentence, code):
                        continue
                    sentences.append(sentence)
                    if code in NO_SPACES:
                        continue
                    ws = words(sentence)
                    pairs.extend(f"{a} {b}" for a, b in zip(ws, ws[1:]))
                    singles.extend(w for w in ws if len(w) >= 3)
    return {"sentences": sentences, "word-pairs": pairs, "single-words": singles}


def manpage_paragraphs(roff):
    """The running text of a manual page's roff source: text lines joined, a macro line or an
    empty line ending a paragraph."""
    paragraph = []
    for line in roff.splitlines() + [""]:
        if line.startswith((".", "'")) or not line.strip():
            if paragraph:
                yield " ".join(paragraph)
            paragraph = []
        else:
            paragraph.append(ROFF_ESCAPE.sub("", line).replace("\\-", "-").replace("\\e", "\\").strip())


def manpages_samples(pages, code):
    sentences, pairs, singles = [], [], []
    for page in pages:
        for paragraph in manpage_paragraphs(gzip.decompress(page.read_bytes()).decode("utf-8", "replace")):
            for sentence in SENTENCE_END.split(re.sub(r"\s+", " ", paragraph)):
                sentence = sentence.strip()
                letters = sum(c.isalpha() for c in sentence)
                if not 20 <= len(sentence) <= 300 or "://" in sentence or "@" in sentence:
                    continue
                if 2 * letters < len(sentence) or not in_script(sentence, code):
                    continue
                sentences.append(sentence)
                ws = words(sentence)
                pairs.extend(f"{a} {b}" for a, b in zip(ws, ws[1:]) if in_script(a + b, code))
                singles.extend(w for w in ws if len(w) >= 3 and in_script(w, code))
    return {"sentences": sentences, "word-pairs": pairs, "single-words": singles}


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
    for set_name in ("ddtp", "gettext", "fortunes", "manpages"):
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

    root = source / "fortunes" / "usr" / "share" / "games" / "fortunes"
    for code, patterns in sorted(FORTUNES.items()):
        files = sorted({f for pattern in patterns for f in root.glob(pattern)})
        files = [
            f
            for f in files
            if f.is_file() and f.suffix != ".dat" and f.stat().st_size > 0
            and str(f.relative_to(root)) not in FORTUNES_LEFT_OUT.get(code, ())
        ]
        for kind, items in fortunes_samples(files, code).items():
            if len(set(items)) >= MIN_SAMPLES:
                chosen = sample(items, random.Random(f"fortunes/{code}/{kind}"))
                write(out / "fortunes", code, kind, chosen)
                counts[("fortunes", kind, code)] = len(chosen)

    for code in ("mk", "ru", "sr", "uk"):
        pages = sorted((source / "manpages" / "usr" / "share" / "man" / code).glob("man*/*.gz"))
        for kind, items in manpages_samples(pages, code).items():
            if len(set(items)) >= MIN_SAMPLES:
                chosen = sample(items, random.Random(f"manpages/{code}/{kind}"))
                write(out / "manpages", code, kind, chosen)
                counts[("manpages", kind, code)] = len(chosen)

    for (set_name, kind) in sorted({(s, k) for s, k, _ in counts}):
        langs = [c for s, k, c in counts if (s, k) == (set_name, kind)]
        total = sum(counts[(set_name, kind, c)] for c in langs)
        print(f"{set_name}/{kind}: {len(langs)} languages, {total} samples: {' '.join(sorted(langs))}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Build the parity corpus: varied English and French documents for comparing moulin's quality
stages with datatrove's filters.

Material, read from the shared data folder at run time (nothing of it is committed):
- article bodies of the article-extraction benchmark (English news and blogs; MIT);
- Leipzig sentences in en, fr, es, de (lingua-rs test data; Apache-2.0);
- French historical newspapers, OCR text rebuilt from the HIPE-2022 NewsEye dev sets (CC BY 4.0);
- the five seed pages (scraped French news).
Documents are made from it by a seeded generator: whole articles, articles cut short, short and
long paragraphs, bulleted lists, repeated lines, paragraphs and n-grams, ellipses, code, tables,
site chrome (menus, cookie and policy lines, "enable JavaScript", lorem ipsum), headlines without
punctuation, citations, CRLF / CR / U+2028 / form feed line breaks, and documents near each
threshold. The same seed gives the same corpus.

Usage: make_corpus.py SHARED_DIR OUT.jsonl [--docs N] [--seed S]
"""
import argparse
import glob
import gzip
import json
import os
import random


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def hipe_documents(path):
    """Rebuild the raw text of each document of a HIPE TSV file."""
    docs, words, space = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# hipe2022:document_id"):
                if words:
                    docs.append("".join(words))
                words = []
                continue
            if not line or line.startswith("#") or line.startswith("TOKEN\t"):
                continue
            cols = line.split("\t")
            misc = cols[-1]
            words.append(cols[0])
            if "EndOfLine" in misc:
                words.append("\n")
            elif "NoSpaceAfter" not in misc:
                words.append(" ")
    if words:
        docs.append("".join(words))
    return docs


class Material:
    def __init__(self, shared):
        data = os.path.join(shared, "data")
        with open(os.path.join(data, "html-extraction", "ground-truth.json"), encoding="utf-8") as f:
            gold = json.load(f)
        self.articles = [v["articleBody"] for _, v in sorted(gold.items()) if v.get("articleBody", "").strip()]
        self.sentences = {
            lang: read_lines(os.path.join(data, "langid", lang, "sentences.txt")) for lang in ["en", "fr", "es", "de"]
        }
        self.ocr = []
        for path in sorted(glob.glob(os.path.join(data, "ner", "newseye-fr", "*.tsv"))):
            self.ocr.extend(hipe_documents(path))
        self.seeds = []
        for path in sorted(glob.glob(os.path.join(shared, "seeds", "*.txt"))):
            with open(path, encoding="utf-8") as f:
                self.seeds.append(f.read())


MENU = ["Accueil", "Home", "Politique", "Sport", "World", "Business", "Contact", "Newsletter", "Log in", "S'abonner",
        "Économie", "Culture", "Opinion", "Vidéos", "Search", "Menu", "Share", "Tweet", "Partager"]
CHROME = [
    "This website uses cookies to improve your experience.",
    "By continuing you agree to our Terms of Use and Privacy Policy.",
    "Please enable JavaScript to view the comments powered by Disqus.",
    "Ce site utilise des cookies. En savoir plus sur notre politique de confidentialité.",
    "Copyright © 2020 All rights reserved.",
    "Subscribe to our newsletter!",
    "Read more...",
    "Lire la suite…",
    "Click here to continue reading.",
    "Soutenez notre journalisme : faites un don.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.",
    "We use cookies to personalise content and ads.",
    "Learn how we use cookies in our cookie policy.",
    "Advertisement",
    "Related articles",
]
CODE = [
    "def main():\n    for i in range(10):\n        print(i)  # count\n    return {\"ok\": True}",
    "function add(a, b) {\n  return a + b;\n}\nconsole.log(add(1, 2));",
    "#include <stdio.h>\nint main(void) {\n    printf(\"hello\\n\");\n    return 0;\n}",
    "SELECT id, name FROM users WHERE age > 30 ORDER BY name;",
    "# Install\n\n```\npip install package\n```\n\n## Usage\n\nRun the tool with --help.",
    "#hashtag #news #breaking #followme #love #instagood #photooftheday",
]
WORDS_EN = ["the", "of", "and", "to", "in", "with", "that", "have", "be", "market", "city", "people", "government",
            "new", "said", "year", "report", "police", "school", "water", "after", "before", "under"]
NOISE = ["10km", "5%", "$20", "US$5", "3.5", "e.g.", "i.e.", "Mr.", "U.S.", "don't", "I'm", "can't", "l'homme",
         "aujourd'hui", "peut-être", "«", "»", "—", "–", ":)", "(see", "below)", "http://example.com/page?id=3",
         "info@example.org", "@user", "#tag", "n°", "1er", "XIXe", "c'est-à-dire", "well-known", "3:30pm", "24/7",
         "'quoted'", "\"quote\"", "...", "…", "!!", "?!", "[1]", "[edit]", "[citation needed]", "{", "}", "•", "-"]
BREAKS = ["\n", "\r\n", "\r", "\u2028", "\x0b", "\x0c", "\x85", "\u2029", "\x1c"]


class Maker:
    def __init__(self, material, rng):
        self.m = material
        self.r = rng

    def sents(self, lang, n):
        pool = self.m.sentences[lang]
        return [self.r.choice(pool) for _ in range(n)]

    def paragraph(self, lang, lo=1, hi=6):
        return " ".join(self.sents(lang, self.r.randint(lo, hi)))

    def prose(self, lang, paragraphs, sep="\n\n"):
        return sep.join(self.paragraph(lang) for _ in range(paragraphs))

    def lang(self):
        return self.r.choice(["en", "en", "fr", "fr", "es", "de"])

    # --- document kinds -------------------------------------------------------------------
    def article(self):
        return "en", self.r.choice(self.m.articles)

    def article_cut(self):
        text = self.r.choice(self.m.articles)
        words = text.split(" ")
        n = self.r.randint(20, 140)
        return "en", " ".join(words[:n])

    def seed(self):
        return "fr", self.r.choice(self.m.seeds)

    def ocr(self):
        text = self.r.choice(self.m.ocr)
        if self.r.random() < 0.5:
            words = text.split(" ")
            start = self.r.randint(0, max(0, len(words) - 60))
            text = " ".join(words[start:start + self.r.randint(30, 400)])
        return "fr", text

    def prose_doc(self):
        lang = self.lang()
        return lang, self.prose(lang, self.r.randint(1, 8), self.r.choice(["\n\n", "\n", "\n\n\n", " "]))

    def short(self):
        lang = self.lang()
        return lang, " ".join(self.sents(lang, self.r.randint(1, 4)))

    def near_threshold(self):
        # Around 50 words, few stop words, mean length near 3 or 10.
        lang = self.r.choice(["en", "fr"])
        words = " ".join(self.sents(lang, 8)).split()
        n = self.r.randint(40, 62)
        text = " ".join(words[:n])
        if self.r.random() < 0.3:
            text = " ".join(w for w in text.split() if w.lower() not in ("the", "of", "and", "to", "be", "that"))
        if self.r.random() < 0.2:
            text = " ".join(self.r.choice(["a", "I", "of", "to", "an", "is", "it"]) for _ in range(n))
        if self.r.random() < 0.1:
            text = " ".join("internationalization" for _ in range(n))
        return lang, text

    def bullets(self):
        lang = self.lang()
        items = self.sents(lang, self.r.randint(3, 25))
        mark = self.r.choice(["- ", "• ", "* ", "  - ", "1. ", "-", "– "])
        punct = self.r.random() < 0.5
        lines = [mark + (s if punct else s.rstrip(".!?")) for s in items]
        intro = [self.paragraph(lang)] if self.r.random() < 0.5 else []
        return lang, "\n".join(intro + lines)

    def repeated(self):
        lang = self.lang()
        kind = self.r.randint(0, 5)
        if kind == 0:  # a line repeated
            line = self.r.choice(self.sents(lang, 1))
            body = self.sents(lang, self.r.randint(3, 12)) + [line] * self.r.randint(1, 8)
            self.r.shuffle(body)
            return lang, "\n".join(body)
        if kind == 1:  # a paragraph repeated
            para = self.paragraph(lang)
            paras = [self.paragraph(lang) for _ in range(self.r.randint(2, 6))] + [para] * self.r.randint(1, 4)
            self.r.shuffle(paras)
            return lang, "\n\n".join(paras)
        if kind == 2:  # n-gram spam
            phrase = " ".join(self.r.choice(WORDS_EN) for _ in range(self.r.randint(2, 6)))
            return "en", self.paragraph(lang) + " " + " ".join([phrase] * self.r.randint(3, 40)) + "."
        if kind == 3:  # one sentence many times
            return lang, " ".join([self.r.choice(self.sents(lang, 1))] * self.r.randint(2, 30))
        if kind == 4:  # words with no spaces repeated ("ab c" vs "a bc")
            return "en", " ".join(self.r.choice(["ab c", "a bc", "abc", "the cat", "thecat"]) for _ in range(80))
        return lang, self.prose(lang, 3) + "\n\n" + "\n".join([self.r.choice(CHROME)] * self.r.randint(2, 6))

    def ellipses(self):
        lang = self.lang()
        lines = []
        for s in self.sents(lang, self.r.randint(3, 15)):
            r = self.r.random()
            if r < 0.4:
                s = s.rstrip(".!?") + self.r.choice(["...", "…", " ...", "... ", "....", "…\t"])
            elif r < 0.5:
                s = s.replace(" ", " ... ", 1)
            lines.append(s)
        return lang, "\n".join(lines)

    def code(self):
        lang = "en"
        parts = [self.paragraph(lang)] if self.r.random() < 0.6 else []
        parts += [self.r.choice(CODE) for _ in range(self.r.randint(1, 3))]
        parts += [self.paragraph(lang)] if self.r.random() < 0.6 else []
        return lang, "\n\n".join(parts)

    def table(self):
        lang = self.lang()
        rows = self.r.randint(3, 20)
        sep = self.r.choice([" | ", "\t", ",", "  "])
        head = sep.join(["Name", "Score", "Ville", "Date"])
        lines = [head] + [sep.join([self.r.choice(MENU), str(self.r.randint(0, 999)), self.r.choice(["Paris", "Lyon", "Boston"]),
                                    f"2020-0{self.r.randint(1, 9)}-1{self.r.randint(0, 9)}"]) for _ in range(rows)]
        prose = [self.paragraph(lang)] if self.r.random() < 0.5 else []
        return lang, "\n".join(prose + lines + prose)

    def chrome(self):
        lang = self.lang()
        top = [" ".join(self.r.sample(MENU, self.r.randint(1, 5))) for _ in range(self.r.randint(1, 8))]
        body = [self.paragraph(lang) for _ in range(self.r.randint(0, 6))]
        bottom = self.r.sample(CHROME, self.r.randint(1, 5))
        return lang, "\n".join(top + body + bottom)

    def headlines(self):
        lang = self.lang()
        return lang, "\n".join(s.rstrip(".!?")[: self.r.randint(15, 90)] for s in self.sents(lang, self.r.randint(2, 30)))

    def noisy(self):
        lang = self.r.choice(["en", "fr"])
        words = " ".join(self.sents(lang, self.r.randint(3, 12))).split(" ")
        for _ in range(self.r.randint(3, 30)):
            words.insert(self.r.randint(0, len(words)), self.r.choice(NOISE))
        text = " ".join(words)
        if self.r.random() < 0.3:
            text = text.replace(". ", ".\n")
        return lang, text

    def breaks(self):
        lang = self.lang()
        br = self.r.choice(BREAKS)
        parts = self.sents(lang, self.r.randint(3, 20))
        lines = []
        for p in parts:
            lines.append(p)
            if self.r.random() < 0.2:
                lines.append("")
        text = br.join(lines)
        if self.r.random() < 0.3:
            text = text.replace(" ", self.r.choice(["  ", "\t", "\u00a0", " \u3000", "\u2009"]))
        if self.r.random() < 0.3:
            text = "  \n" + text + "\n\n  "
        return lang, text

    def citations(self):
        lang = "en"
        lines = []
        for s in self.sents(lang, self.r.randint(4, 14)):
            if self.r.random() < 0.5:
                s = s + self.r.choice(["[1]", "[12]", "[edit]", "[citation needed]", "[]", " [3]", "[a]"])
            lines.append(s)
        return lang, "\n".join(lines)

    def mixed(self):
        parts = [self.r.choice(self.kinds[:-1])()[1] for _ in range(self.r.randint(2, 4))]
        return self.r.choice(["en", "fr"]), self.r.choice(["\n", "\n\n"]).join(parts)

    def tiny(self):
        return "en", self.r.choice(["", " ", "\n", "\n\n\n", "a", ".", "...", "Hello", "-", "•", "#", "{}", "\t\n", "\u2028"])

    @property
    def kinds(self):
        return [self.article, self.article, self.article_cut, self.seed, self.ocr, self.ocr, self.prose_doc,
                self.prose_doc, self.prose_doc, self.short, self.near_threshold, self.near_threshold, self.bullets,
                self.repeated, self.repeated, self.ellipses, self.code, self.table, self.chrome, self.chrome,
                self.headlines, self.noisy, self.noisy, self.breaks, self.citations, self.tiny, self.mixed]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shared")
    ap.add_argument("out")
    ap.add_argument("--docs", type=int, default=2400)
    ap.add_argument("--seed", type=int, default=20261201)
    args = ap.parse_args()
    maker = Maker(Material(args.shared), random.Random(args.seed))
    kinds = maker.kinds
    opener = gzip.open if args.out.endswith(".gz") else open
    counts = {}
    with opener(args.out, "wt", encoding="utf-8") as f:
        for i in range(args.docs):
            kind = kinds[i % len(kinds)]
            lang, text = kind()
            counts[kind.__name__] = counts.get(kind.__name__, 0) + 1
            f.write(json.dumps({"id": f"q{i:05d}", "text": text, "lang": lang, "kind": kind.__name__}, ensure_ascii=False) + "\n")
    print(f"{args.docs} documents in {args.out}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()

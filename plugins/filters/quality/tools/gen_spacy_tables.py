#!/usr/bin/env python3
"""Write data/spacy-<lang>.json: what spaCy's blank(<lang>) tokenizer splits words with.

datatrove splits words with spaCy's `blank(lang)` tokenizer (datatrove/utils/word_tokenizers.py),
so the quality plugin reproduces that tokenizer: the same prefix, suffix and infix patterns, URL
match and special cases, taken from the spaCy release named in the file (MIT licence, (c) 2016-2024
ExplosionAI GmbH, Matthew Honnibal). Patterns are rewritten from Python `re` to Rust regex
syntax (`\\uXXXX` and `\\UXXXXXXXX` escapes become `\\x{...}`); the Rust side compiles them
with fancy-regex, which has the look-arounds spaCy uses.

Usage: python gen_spacy_tables.py OUT_DIR [LANG ...]   (needs `pip install spacy`)
"""
import json
import re
import sys

import spacy
from spacy.tokenizer import Tokenizer

ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def rust_pattern(p):
    if p is None:
        return None
    return ESCAPE.sub(lambda m: "\\x{%s}" % (m.group(1) or m.group(2)), p)


def pattern_of(f):
    return None if f is None else rust_pattern(f.__self__.pattern)


def without_lookarounds(p):
    """`p` with every look-ahead and look-behind group removed: a pattern that matches every
    span `p` matches (and more), with no look-around, so that the regex crate can run it as a
    quick first test before fancy-regex runs `p` itself."""
    if p is None:
        return None
    out, i, n = [], 0, len(p)
    in_class = False
    while i < n:
        c = p[i]
        if c == "\\":
            out.append(p[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and p[i] == "^":
                out.append("^")
                i += 1
            if i < n and p[i] == "]":
                out.append("]")
                i += 1
            continue
        if p.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth, j, cls = 0, i, False
            while j < n:
                d = p[j]
                if d == "\\":
                    j += 2
                    continue
                if cls:
                    cls = d != "]"
                elif d == "[":
                    cls = True
                    if j + 1 < n and p[j + 1] == "]":
                        j += 1
                elif d == "(":
                    depth += 1
                elif d == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def patterns(f, name, table, keep=True):
    p = None if f is None or not keep else f.__self__.pattern
    table[name] = rust_pattern(p)
    table[name + "_superset"] = rust_pattern(without_lookarounds(p))


def matcher_patterns(t, lang):
    """The special cases spaCy's phrase matcher re-applies after splitting (those that contain a
    prefix, suffix or infix), each with the tokens the string splits into without special cases
    (Tokenizer.add_special_case with faster_heuristics)."""
    bare = Tokenizer(t.vocab, rules={}, prefix_search=t.prefix_search, suffix_search=t.suffix_search,
                     infix_finditer=t.infix_finditer, token_match=t.token_match, url_match=t.url_match)
    out = {}
    for key in t.rules:
        if t.find_prefix(key) or t.find_infix(key) or t.find_suffix(key) or " " in key:
            pieces = [x.text for x in bare(key)]
            if len(pieces) > 1:
                out[key] = pieces
    return dict(sorted(out.items()))


def main():
    out = sys.argv[1]
    langs = sys.argv[2:] or ["en", "fr", "es", "de", "it", "pt", "nl"]
    for lang in langs:
        nlp = spacy.blank(lang)
        t = nlp.tokenizer
        specials = {}
        for key, pieces in t.rules.items():
            orths = [p.get(65, p.get("ORTH")) for p in pieces]
            specials[key] = orths
        nlp.add_pipe("sentencizer")
        table = {
            "spacy": spacy.__version__,
            "lang": lang,
            "specials": dict(sorted(specials.items())),
            "matcher": matcher_patterns(t, lang),
            "sentence_punct": sorted(nlp.get_pipe("sentencizer").punct_chars),
        }
        patterns(t.prefix_search, "prefix", table)
        patterns(t.suffix_search, "suffix", table)
        patterns(t.infix_finditer, "infix", table)
        patterns(t.url_match, "url", table)
        patterns(t.token_match, "token_match", table)
        with open(f"{out}/spacy-{lang}.json", "w", encoding="utf-8") as f:
            json.dump(table, f, ensure_ascii=False, indent=0, sort_keys=True)
            f.write("\n")
        print(lang, len(specials), "special cases")


if __name__ == "__main__":
    main()

"""The whole visible text of each page of the article benchmark, rendered to lines as a
scraper would: the development set for the text cleaners (issue 21, point 3).

    python3 bench/visible_text.py DATA OUT.jsonl

DATA is ../shared/data/html-extraction; OUT.jsonl gets one `{"id": "<key>.txt", "text"}`
per page, scored against the gold body by `bench/html_extraction.py score`
(bench/boilerplate_dumps.sh does both).

The rendering (standard library only): what a browser does not show goes (`<head>`,
scripts, styles, `<template>`, `<noscript>`, SVG, elements with `hidden`); every block
element (paragraphs, headings, list items, table rows and cells, `<div>`, `<br>`...) starts a
new line; the text inside a block, links and other inline elements included, runs on one line
with its white space collapsed; blank lines are kept between blocks. This is
`BeautifulSoup.get_text("\\n")` with block-aware joining: a scraper's dump, menus, footers,
related links and all.
"""

from __future__ import annotations

import gzip
import html.parser
import json
import pathlib
import sys

HIDDEN = {"head", "script", "style", "template", "noscript", "svg", "iframe", "object", "select", "textarea", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
BLOCK = {
    "address", "article", "aside", "blockquote", "body", "br", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul", "caption", "label", "option", "button", "legend", "menu",
}


class Dump(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.hidden: list[str] = []  # the open hidden elements

    def _break(self) -> None:
        text = " ".join("".join(self.line).split())
        if text:
            self.lines.append(text)
        self.line = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.hidden:
            if tag == self.hidden[-1] and tag not in VOID:
                self.hidden.append(tag)
            return
        if tag in HIDDEN or any(name == "hidden" for name, _ in attrs):
            if tag not in VOID:
                self.hidden.append(tag)
            return
        if tag in BLOCK:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            if tag == self.hidden[-1]:
                self.hidden.pop()
            return
        if tag in BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.line.append(data)

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines)


def visible_text(page: str) -> str:
    dump = Dump()
    dump.feed(page)
    dump.close()
    return dump.text()


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    gold = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    with out.open("w", encoding="utf-8") as f:
        for key in gold:
            page = gzip.open(data / "html" / f"{key}.html.gz").read().decode("utf-8", "replace")
            f.write(json.dumps({"id": f"{key}.txt", "text": visible_text(page)}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

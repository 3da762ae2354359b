"""How often the `html` stage finds each piece of a page's metadata, on the article
benchmark's 181 pages (../shared/data/html-extraction; issue 21, point 4).

    target/pyenv/bin/python bench/html_metadata.py [../shared/data/html-extraction]

Runs the stage with its defaults through the Python package (MOULIN_PLUGIN_PATH, else
target/release if the plugins are built there, else target/debug). The benchmark's gold has each page's URL, not its other
metadata: a canonical URL is also compared with it (scheme, `www.`, a trailing `/` and the
query left out). Prints a markdown table.
"""

from __future__ import annotations

import gzip
import json
import os
import pathlib
import sys
from urllib.parse import urlsplit

ROOT = pathlib.Path(__file__).resolve().parents[1]
if "MOULIN_PLUGIN_PATH" not in os.environ:
    # One folder: a stage offered by two libraries is refused.
    built = [ROOT / "target" / p for p in ("release", "debug") if (ROOT / "target" / p / "libmoulin_html.so").exists()]
    os.environ["MOULIN_PLUGIN_PATH"] = str(built[0] if built else ROOT / "target" / "debug")

import moulin  # noqa: E402  (after the plugin path is set)

FIELDS = ["title", "author", "date", "canonical_url", "site_name", "lang"]


def url_key(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return host + parts.path.rstrip("/")


def main() -> None:
    data = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "html-extraction")
    gold = json.loads((data / "ground-truth.json").read_text())
    pages = [
        {"id": key, "text": gzip.open(data / "html" / f"{key}.html.gz").read().decode("utf-8", "replace")}
        for key in sorted(gold)
    ]
    outputs = moulin.Pipeline([{"plugin": "html"}]).process(pages, outcomes=True)
    found = {f: 0 for f in FIELDS}
    same_url = 0
    n = 0
    for doc in outputs:
        n += 1
        meta = doc.get("meta", {}).get("html", {})
        for f in FIELDS:
            found[f] += bool(meta.get(f))
        if meta.get("canonical_url") and url_key(meta["canonical_url"]) == url_key(gold[doc["id"]]["url"]):
            same_url += 1
    print(f"{n} pages, `html` with its defaults")
    print()
    print("| field | pages where found | share |")
    print("|---|---|---|")
    for f in FIELDS:
        print(f"| `{f}` | {found[f]} | {found[f] / n:.1%} |")
    print(f"| `canonical_url` equal to the benchmark's URL | {same_url} | {same_url / n:.1%} |")


if __name__ == "__main__":
    main()

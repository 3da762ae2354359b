"""Main-text extraction on the article-extraction benchmark (../shared/data/html-extraction:
181 real pages with gold article bodies; scrapinghub/article-extraction-benchmark, MIT).

bench/html_extraction.sh runs it; its parts:

    python3 bench/html_extraction.py pages DATA OUT_DIR          # the pages as OUT_DIR/<key>.html
    python bench/html_extraction.py trafilatura PAGES_DIR > X.jsonl   # trafilatura.extract (PyPI)
    python3 bench/html_extraction.py score DATA NAME=X.jsonl ...   # the table

Scored as the benchmark scores (its evaluate.py, written again here): the text is cut into
`\\w+` tokens, then into 4-token shingles; per page, true positives are the shingles the
extraction shares with the gold body (as multisets), false positives the extra ones, false
negatives the missing ones, each divided by their sum; precision and recall are means over
the pages (a page where the extractor gave nothing has no precision, and recall 0); F1 is
their harmonic mean.

The pages are split in two halves by their key's first hex digit: 0-7 are the development
half (where the extractor's rules may be looked at), 8-f the held-out half. The table gives
all pages and each half.
"""

from __future__ import annotations

import collections
import gzip
import json
import pathlib
import re
import sys
import time

TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> collections.Counter:
    tokens = TOKEN.findall(text or "")
    return collections.Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_counts(gold: str, pred: str) -> tuple[float, float, float]:
    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def scores(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    ps = [precision(*c) for c in counts if c[0] + c[1] > 0]
    rs = [recall(*c) for c in counts if c[0] + c[2] > 0]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def held_out(key: str) -> bool:
    return key[0] in "89abcdef"


def load_gold(data: pathlib.Path) -> dict:
    return json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))


def read_extractions(path: pathlib.Path) -> dict[str, str]:
    """A JSONL of {id, text}: the key is the file stem of the id (`<key>.txt`,
    `pages/<key>.html`), or of the input record's own id (meta `id`) in a moulin export of a
    JSONL input."""
    out = {}
    for line in path.open(encoding="utf-8"):
        doc = json.loads(line)
        name = doc.get("meta", {}).get("id") or doc["id"]
        stem = pathlib.PurePosixPath(name.split("!/")[-1]).name.split(".")[0]
        out[stem] = doc.get("text") or ""
    return out


def cmd_pages(data: pathlib.Path, out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for key in load_gold(data):
        (out / f"{key}.html").write_bytes(gzip.open(data / "html" / f"{key}.html.gz").read())


def cmd_trafilatura(pages: pathlib.Path) -> None:
    import trafilatura  # the venv bench/html_extraction.sh makes

    files = sorted(pages.glob("*.html"))
    html = [(f.stem, f.read_bytes().decode("utf-8", "replace")) for f in files]
    started = time.perf_counter()
    texts = [(key, trafilatura.extract(page, include_comments=False) or "") for key, page in html]
    seconds = time.perf_counter() - started
    for key, text in texts:
        print(json.dumps({"id": f"{key}.txt", "text": text}, ensure_ascii=False))
    size = sum(len(p.encode()) for _, p in html)
    print(f"{len(html)} pages, {size} bytes of HTML in {seconds:.3f} s: {size / 1e6 / seconds:.1f} MB/s", file=sys.stderr)


def cmd_score(data: pathlib.Path, runs: list[str]) -> None:
    gold = load_gold(data)
    print(f"{len(gold)} pages ({sum(not held_out(k) for k in gold)} development, {sum(held_out(k) for k in gold)} held out)")
    print()
    print("| run | P | R | F1 | F1, development half | F1, held-out half | pages with nothing |")
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        name, _, file = run.rpartition("=")
        got = read_extractions(pathlib.Path(file))
        missing = sorted(set(gold) - set(got))
        counts = {k: page_counts(v["articleBody"], got.get(k, "")) for k, v in gold.items()}
        p, r, f = scores(list(counts.values()))
        dev = scores([c for k, c in counts.items() if not held_out(k)])[2]
        test = scores([c for k, c in counts.items() if held_out(k)])[2]
        empty = sum(1 for k in gold if not got.get(k, "").strip())
        print(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {dev:.3f} | {test:.3f} | {empty} |")
        if missing:
            print(f"{name}: {len(missing)} pages not in {file} (scored as empty)", file=sys.stderr)


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "pages" and len(args) == 2:
        cmd_pages(pathlib.Path(args[0]), pathlib.Path(args[1]))
    elif cmd == "trafilatura" and len(args) == 1:
        cmd_trafilatura(pathlib.Path(args[0]))
    elif cmd == "score" and len(args) >= 2:
        cmd_score(pathlib.Path(args[0]), args[1:])
    else:
        sys.exit(f"expected `pages DATA OUT`, `trafilatura PAGES` or `score DATA NAME=FILE...` (the last `=` splits), found {' '.join(sys.argv[1:])!r}")


if __name__ == "__main__":
    main()

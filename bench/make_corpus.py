#!/usr/bin/env python3
# Copied unchanged (but for these four comment lines) from ../shared/bench/make_corpus.py, the reference
# workload's generator, so that bench/run.sh works in a clone without ../shared.
# bench/run.sh passes --seeds examples/french-news/corpus (copies of ../shared/seeds).
"""Deterministic test-corpus generator for the moulin benchmarks.

Writes the SAME documents twice:
  <out>/txt/...            a nested directory tree, one document per .txt file
  <out>/jsonl/*.jsonl.gz   JSONL shards ({"id", "text", "metadata"}), gzip level 6, mtime 0
plus
  <out>/labels.jsonl       ground truth per document (language, duplicate kind, malformed flag)
  <out>/manifest.json      parameters, counts, byte totals, source hashes, corpus digest

Source material (no network needed):
  * French news: the seed documents (default: ./seeds next to this script, else ../seeds),
    split into sentences / headlines / short lines and recombined (sentence shuffling, entity-name
    swaps, number/weekday/month perturbation, site-specific boilerplate, whitespace/encoding quirks).
  * English: real prose from CPython's own stdlib (pydoc_data.topics, the Python reference docs)
    mixed with a few hand-written English wire-style sentences.
  * Spanish: hand-written wire-style sentences in this file (no installed package ships Spanish
    prose; see README).
  * CJK (tiny fraction): CPython's Lib/test/cjkencodings/*-utf8.txt if the stdlib test package is
    installed (skipped otherwise; recorded in the manifest).

Corpus composition (approximate, by document count):
  ~5% exact duplicates, ~5% near-duplicates, ~3% English/Spanish, ~0.2% CJK, rest French;
  a few malformed inputs: .txt files with invalid UTF-8, 0-byte .txt files, a 0-byte .jsonl.gz,
  a truncated .jsonl.gz, a shard with invalid-UTF-8 lines, a shard with broken JSON lines.

Deterministic for a given (--seed, --size-mb, --shards, source files, Python version): the manifest
records a digest over every output file, so two runs can be compared byte for byte.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import random
import re
import shutil
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
GEN_VERSION = "1"

# --------------------------------------------------------------------------------------------
# Static material
# --------------------------------------------------------------------------------------------

FR_SITES = [
    ("barlamane", "Barlamane"),
    ("lematin", "Le Matin"),
    ("belga", "Belga"),
    ("epochtimes-fr", "Epoch Times"),
    ("algerie24", "Algérie24.net"),
    ("le360", "Le360"),
    ("medias24", "Médias24"),
    ("hespress-fr", "Hespress FR"),
]
EN_SITES = [("wire-en", "World Wire"), ("pydocs-mirror", "Python Docs Mirror")]
ES_SITES = [("agencia-es", "Agencia Iberoamericana"), ("diario-sur", "Diario del Sur")]
CJK_SITES = [("asia-mirror", "Asia Mirror")]
SECTIONS = ["politique", "economie", "monde", "sport", "societe", "culture", "maroc", "afrique"]

FR_WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]
ES_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]

# Synthetic person names, used for entity swaps (capitalised multi-word names)
FIRST_NAMES = ["Claire", "Karim", "Nadia", "Julien", "Amina", "Thomas", "Yasmine", "Pierre",
               "Fatima", "Olivier", "Sofia", "Mehdi", "Isabelle", "Rachid", "Camille", "Hugo",
               "Leila", "Antoine", "Salma", "Mathieu", "Youssef", "Nathalie", "Omar", "Élodie"]
LAST_NAMES = ["Dubois", "Benali", "Lefèvre", "El Amrani", "Moreau", "Haddad", "Girard",
              "Bennani", "Fontaine", "Chraibi", "Rousseau", "Tazi", "Laurent", "Alaoui",
              "Mercier", "Idrissi", "Garnier", "Berrada", "Chevalier", "Ouazzani"]

# Boilerplate lines (French sites); the cleaner's pattern list (boilerplate_patterns.txt)
# matches most of them, on purpose not all (realistic: a small hand-made list).
FR_BOILERPLATE_FOOTER = [
    "Partager sur Facebook",
    "Partager sur Twitter",
    "Partager sur WhatsApp",
    "Partager par e-mail",
    "Abonnez-vous à notre newsletter pour recevoir l'essentiel de l'actualité.",
    "Ce site utilise des cookies pour améliorer votre expérience. En poursuivant votre navigation, vous acceptez leur utilisation.",
    "Tous droits réservés © {site} {year}",
    "Publicité",
    "Suivez-nous sur Facebook, Twitter et Instagram",
    "Vous avez aimé cet article ? Partagez-le !",
    "Commentaires (0)",
    "Cliquez ici pour lire l'article depuis sa source.",
    "Soutenez les médias indépendants et impartiaux, car il est désormais si difficile d’obtenir la vérité.",
    "Votre avis nous intéresse : laissez un commentaire ci-dessous.",  # NOT in the cleaner list
]
FR_REPORT_BLOCK = [
    "Merci d'avoir signalé!",
    "Cette image sera automatiquement bloquée après qu'elle soit signalée par plusieurs personnes.",
]
ES_BOILERPLATE = [
    "Compartir en Facebook",
    "Compartir en Twitter",
    "Suscríbete a nuestro boletín",
    "Todos los derechos reservados © {site} {year}",
]
EN_BOILERPLATE = [
    "Share on Facebook",
    "Share on Twitter",
    "Subscribe to our newsletter",
    "All rights reserved © {site} {year}",
]

# Hand-written Spanish wire-style sentences (no installed package ships Spanish prose).
ES_SENTENCES = [
    "El Gobierno anunció este martes un nuevo paquete de medidas para contener la subida de los precios de la energía.",
    "La ministra de Economía, Carmen Villalba, aseguró que las ayudas llegarán a más de dos millones de hogares antes del verano.",
    "Los sindicatos mayoritarios convocaron una manifestación en Madrid para exigir un aumento del salario mínimo.",
    "Según datos del Instituto Nacional de Estadística, el paro bajó un 3,2% en el último trimestre.",
    "El presidente del Gobierno se reunió en Bruselas con sus homólogos europeos para abordar la crisis migratoria.",
    "Las autoridades sanitarias recomendaron a la población evitar las horas de más calor durante la ola de temperaturas extremas.",
    "El Real Madrid se impuso por dos goles a uno en un partido marcado por la lluvia y las decisiones arbitrales.",
    "Miles de personas recorrieron las calles de Sevilla para celebrar el inicio de la feria.",
    "La oposición criticó con dureza la gestión del Ejecutivo y pidió la comparecencia urgente del ministro del Interior.",
    "El Banco Central Europeo decidió mantener los tipos de interés sin cambios por tercera reunión consecutiva.",
    "Los bomberos lograron estabilizar el incendio forestal que obligó a desalojar a unos 800 vecinos en la provincia de Valencia.",
    "El alcalde de Barcelona, Jordi Puigdemunt, presentó un plan para ampliar la red de carriles bici hasta 2030.",
    "Las exportaciones de aceite de oliva alcanzaron un récord histórico gracias a la demanda de Estados Unidos y Japón.",
    "El tribunal aplazó hasta el próximo mes la lectura de la sentencia por falta de informes periciales.",
    "La compañía aérea anunció la cancelación de 120 vuelos debido a la huelga de controladores en Francia.",
    "Expertos consultados por esta agencia advirtieron de que la sequía podría reducir la cosecha de cereales a la mitad.",
    "El festival de cine de San Sebastián abrió su nueva edición con una película sobre la memoria histórica.",
    "La policía detuvo a cuatro personas acusadas de participar en una red de estafas telefónicas a personas mayores.",
    "El Parlamento aprobó la reforma de la ley de vivienda con el apoyo de los grupos de la mayoría.",
    "Los precios de los alquileres subieron un 9% interanual en las grandes ciudades, según un portal inmobiliario.",
    "La selección nacional viajará el jueves a Lisboa para disputar el partido de clasificación para el Mundial.",
    "El portavoz del Ejecutivo, Luis Ortega Blanco, defendió que las cuentas públicas cumplen con los objetivos de déficit.",
    "Las lluvias torrenciales provocaron cortes de carreteras y la suspensión de las clases en varios municipios.",
    "La universidad presentó un estudio que analiza el impacto del turismo en los barrios históricos.",
    "Los agricultores bloquearon varias autopistas con sus tractores para protestar contra los acuerdos comerciales.",
    "La Comisión Europea abrió un expediente a España por el retraso en la transposición de la directiva de residuos.",
    "El Museo del Prado recibió más de tres millones de visitantes el año pasado, una cifra récord.",
    "La Guardia Civil rescató a un grupo de montañeros atrapados por la niebla en los Pirineos.",
    "El precio de la luz en el mercado mayorista cayó un 15% respecto a la semana anterior.",
    "Fuentes diplomáticas señalaron que las negociaciones continuarán en Ginebra a finales de mes.",
]

# A handful of hand-written English wire-style sentences (mixed with stdlib prose).
EN_SENTENCES = [
    "The central bank kept interest rates unchanged on Thursday, citing persistent uncertainty over energy prices.",
    "Officials said the talks in Geneva would resume at the end of the month after a two-day pause.",
    "The defence secretary, Lloyd Austin, met his counterparts in Brussels to discuss support for the alliance.",
    "Heavy rain forced the closure of several roads and schools across the region on Monday.",
    "The company said its quarterly revenue rose 12% thanks to strong demand in Asia and North America.",
    "Thousands of people gathered in the capital to protest against the proposed pension reform.",
    "The minister told reporters that the government would publish a detailed plan before the summer recess.",
    "Analysts warned that the drought could halve the cereal harvest in the south of the country.",
    "The national team will travel to Lisbon on Wednesday ahead of the qualifying match.",
    "Police arrested four people suspected of running a telephone fraud network targeting elderly residents.",
    "The parliament approved the housing bill with the support of the ruling coalition.",
    "According to the statistics office, unemployment fell by 0.4 percentage points in the last quarter.",
]

# Boilerplate/typographic quirks injected into some French documents
NBSP = "\u00a0"
NNBSP = "\u202f"


# --------------------------------------------------------------------------------------------
# Source loading
# --------------------------------------------------------------------------------------------

SENT_SPLIT = re.compile(r"(?<=[.!?»\"”])\s+(?=[«\"“A-ZÀ-ÖØ-Þ])")
NAME_RE = re.compile(r"\b[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:[ -][A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)+")
NUM_RE = re.compile(r"\d+")
WEEKDAY_RE = re.compile(r"\b(" + "|".join(FR_WEEKDAYS) + r")\b")
MONTH_RE = re.compile(r"\b(" + "|".join(FR_MONTHS) + r")\b")


def sha256_file(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_french(seed_dir: Path):
    files = sorted(seed_dir.glob("*.txt"))
    if not files:
        sys.exit(f"no seed *.txt files in {seed_dir}")
    headlines, sentences, short_lines = [], [], []
    for p in files:
        text = p.read_text(encoding="utf-8")
        for line in text.split("\n"):
            line = line.strip()
            if not line:
                continue
            if re.search(r"[ \u00a0]{3,}", line):  # navigation bar: headlines separated by 4 NBSP
                headlines += [h.strip() for h in re.split(r"[ \u00a0]{3,}", line) if len(h.strip()) >= 15]
                continue
            if len(line) < 100 and not line.endswith((".", "»", '"', "”")):
                short_lines.append(line)
                continue
            for s in SENT_SPLIT.split(line):
                s = s.strip()
                if len(s) >= 25:
                    sentences.append(s)
    # dedupe, keep order
    headlines = list(dict.fromkeys(headlines))
    sentences = list(dict.fromkeys(sentences))
    short_lines = list(dict.fromkeys(short_lines))
    names = []
    for s in sentences + headlines:
        names += NAME_RE.findall(s)
    # keep person-like names only (two+ space-separated words, not starting with an article or a
    # common noun) -- these are the ones swapped around to vary documents
    stop_first = {"Le", "La", "Les", "L", "Relations", "Conseil", "Défense", "Moyen-Orient", "Getty",
                  "Epoch", "Visit", "Aïd", "Khat", "Oulad", "Sidi", "Cheikh", "Frank"}
    names = list(dict.fromkeys(n for n in names if " " in n and n.split(" ")[0] not in stop_first))
    return {
        "files": [(p.name, sha256_file(p)) for p in files],
        "headlines": headlines,
        "sentences": sentences,
        "short_lines": short_lines,
        "names": names,
    }


def load_english_stdlib():
    try:
        import pydoc_data.topics as t
    except Exception:
        return [], None
    paras = []
    for key in sorted(t.topics):
        block = t.topics[key]
        for para in re.split(r"\n\s*\n", block):
            lines = para.split("\n")
            if any(l.startswith(" ") for l in lines):  # code / grammar blocks
                continue
            if len(lines) > 1 and set(lines[-1].strip()) <= set("*=-"):  # heading
                continue
            txt = " ".join(l.strip() for l in lines).strip()
            if len(txt) < 120 or "::=" in txt or ">>>" in txt:
                continue
            if sum(c.isalpha() for c in txt) / len(txt) < 0.7:
                continue
            paras.append(txt)
    h = hashlib.sha256("\n".join(paras).encode()).hexdigest()
    return paras, h


def load_cjk_stdlib():
    import sysconfig
    d = Path(sysconfig.get_paths()["stdlib"]) / "test" / "cjkencodings"
    lines = []
    if not d.is_dir():
        return [], None
    for p in sorted(d.glob("*-utf8.txt")):
        try:
            txt = p.read_text(encoding="utf-8")
        except Exception:
            continue
        for l in txt.split("\n"):
            l = l.strip()
            # keep lines that are mostly non-ASCII (actual CJK prose)
            if len(l) >= 10 and sum(ord(c) > 0x2E80 for c in l) / len(l) > 0.5:
                lines.append(l)
    lines = list(dict.fromkeys(lines))
    h = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return lines, h


# --------------------------------------------------------------------------------------------
# Document synthesis
# --------------------------------------------------------------------------------------------


class Gen:
    def __init__(self, rng: random.Random, fr, en_paras, cjk_lines):
        self.r = rng
        self.fr = fr
        self.en_paras = en_paras
        self.cjk = cjk_lines
        pool = list(fr["names"])
        # add synthetic names so that entity variety grows beyond the seeds
        for f in FIRST_NAMES:
            for l in LAST_NAMES:
                pool.append(f"{f} {l}")
        self.name_pool = pool
        self.sent_names = [[n for n in fr["names"] if n in s] for s in fr["sentences"]]

    # ---- perturbations --------------------------------------------------------------------
    def _num(self, m):
        s = m.group(0)
        if len(s) == 4 and s[:2] in ("19", "20"):  # year
            return str(self.r.randint(2015, 2026))
        v = int(s)
        lo, hi = max(0, v // 2), v * 2 + 3
        return str(self.r.randint(lo, hi))

    def vary_fr_sentence(self, idx: int) -> str:
        r = self.r
        s = self.fr["sentences"][idx]
        names = self.sent_names[idx]
        if names and r.random() < 0.45:
            old = r.choice(names)
            s = s.replace(old, r.choice(self.name_pool))
        if r.random() < 0.35:
            s = NUM_RE.sub(self._num, s, count=r.randint(1, 2))
        if r.random() < 0.25:
            s = WEEKDAY_RE.sub(lambda m: r.choice(FR_WEEKDAYS), s)
        if r.random() < 0.2:
            s = MONTH_RE.sub(lambda m: r.choice(FR_MONTHS), s)
        return s

    def rand_date(self) -> date:
        return date(2019, 1, 1) + timedelta(days=self.r.randint(0, 7 * 365))

    # ---- French -----------------------------------------------------------------------------
    def french_doc(self, target: int, site_name: str, d: date) -> str:
        r = self.r
        fr = self.fr
        out: list[str] = []
        size = 0

        def add(line: str):
            nonlocal size
            out.append(line)
            size += len(line.encode("utf-8")) + 1

        big = target > 1500
        is_index = big and r.random() < 0.08
        if big and r.random() < 0.5:
            add(site_name)
            if r.random() < 0.5:
                add(r.choice(fr["short_lines"]))
        if big and r.random() < 0.35:  # navigation bar of headlines, 4-NBSP separated (as in the seeds)
            k = r.randint(5, 25)
            add((NBSP * 4).join(r.choice(fr["headlines"]) for _ in range(k)))
        if big and r.random() < 0.2:
            for l in FR_REPORT_BLOCK:
                add(l)
        if is_index:
            while size < target:
                if r.random() < 0.9:
                    add(r.choice(fr["headlines"]))
                else:
                    add("Lire aussi : " + r.choice(fr["headlines"]))
            return "\n".join(out)
        # title + byline
        add(r.choice(fr["headlines"]) if r.random() < 0.7 else r.choice(fr["short_lines"]))
        if big:
            b = r.random()
            if b < 0.35:
                add(f"Publié dans {site_name} le {d.day:02d} - {d.month:02d} - {d.year}")
            elif b < 0.65:
                add(f"Par {site_name} avec AFP")
                add(f"{d.day} {FR_MONTHS[d.month - 1]} {d.year} {r.randint(6, 22):02d}:{r.randint(0, 59):02d} "
                    f"Mis à jour: {d.day} {FR_MONTHS[d.month - 1]} {d.year} {r.randint(6, 23):02d}:{r.randint(0, 59):02d}")
            elif b < 0.8:
                add(f"{d.day:02d}/{d.month:02d}/{d.year}")
        para_sep_blank = r.random() < 0.6
        nsent = len(fr["sentences"])
        cursor = r.randrange(nsent)
        while size < target:
            # paragraph of 1-5 sentences, mostly consecutive in the source (keeps it readable),
            # sometimes jumping elsewhere (recombination)
            k = r.randint(1, 5)
            sents = []
            for _ in range(k):
                if r.random() < 0.3:
                    cursor = r.randrange(nsent)
                sents.append(self.vary_fr_sentence(cursor))
                cursor = (cursor + 1) % nsent
            para = " ".join(sents)
            if r.random() < 0.1:  # French typography: (narrow) no-break spaces around « » : ?
                para = para.replace("« ", "«" + NBSP).replace(" »", NBSP + "»").replace(" :", NNBSP + ":")
            if r.random() < 0.05:
                para = para + "   "  # trailing whitespace
            if para_sep_blank and out:
                add("")
            add(para)
            if big and r.random() < 0.06:
                if para_sep_blank:
                    add("")
                add("Lire aussi : " + r.choice(fr["headlines"]))
            if big and r.random() < 0.04:
                if para_sep_blank:
                    add("")
                add(r.choice(fr["short_lines"]))  # sub-heading
        if big:
            add("")
            for l in r.sample(FR_BOILERPLATE_FOOTER, r.randint(1, 4)):
                add(l.format(site=site_name, year=d.year))
        return "\n".join(out)

    # ---- English ----------------------------------------------------------------------------
    def english_doc(self, target: int, site_name: str, d: date) -> str:
        r = self.r
        out = [f"{EN_MONTHS[d.month - 1]} {d.day}, {d.year}", ""]
        size = sum(len(x) + 1 for x in out)
        use_docs = self.en_paras and r.random() < 0.6
        while size < target:
            if use_docs:
                p = r.choice(self.en_paras)
            else:
                p = " ".join(r.choice(EN_SENTENCES) for _ in range(r.randint(1, 4)))
                p = NUM_RE.sub(self._num, p, count=1)
            out += [p, ""]
            size += len(p.encode("utf-8")) + 2
        if target > 1500:
            for l in r.sample(EN_BOILERPLATE, 2):
                out.append(l.format(site=site_name, year=d.year))
        return "\n".join(out).rstrip("\n")

    # ---- Spanish ----------------------------------------------------------------------------
    def spanish_doc(self, target: int, site_name: str, d: date) -> str:
        r = self.r
        city = r.choice(["Madrid", "Barcelona", "Sevilla", "Valencia", "Bilbao", "Málaga"])
        out = [f"{city}, {d.day} de {ES_MONTHS[d.month - 1]} de {d.year} ({site_name}).", ""]
        size = sum(len(x.encode()) + 1 for x in out)
        while size < target:
            p = " ".join(r.choice(ES_SENTENCES) for _ in range(r.randint(1, 5)))
            if r.random() < 0.4:
                p = NUM_RE.sub(self._num, p, count=1)
            out += [p, ""]
            size += len(p.encode("utf-8")) + 2
        if target > 1500:
            for l in r.sample(ES_BOILERPLATE, 2):
                out.append(l.format(site=site_name, year=d.year))
        return "\n".join(out).rstrip("\n")

    # ---- CJK --------------------------------------------------------------------------------
    def cjk_doc(self, target: int) -> str:
        r = self.r
        out, size = [], 0
        while size < target:
            l = r.choice(self.cjk)
            out.append(l)
            size += len(l.encode("utf-8")) + 1
        return "\n".join(out)

    # ---- near duplicates --------------------------------------------------------------------
    def near_dup(self, text: str, lang: str) -> str:
        r = self.r
        lines = text.split("\n")
        ops = r.sample(["drop", "footer", "numbers", "update", "typo"], r.randint(1, 2))
        for op in ops:
            if op == "drop" and len(lines) > 6:
                i = r.randrange(len(lines))
                if len(lines[i]) > 40:
                    del lines[i]
            elif op == "footer":
                lines.append({"fr": "Avec AFP", "en": "With AFP", "es": "Con información de EFE"}.get(lang, "—"))
            elif op == "numbers":
                i = r.randrange(len(lines))
                lines[i] = NUM_RE.sub(self._num, lines[i], count=1)
            elif op == "update":
                d = self.rand_date()
                lines.insert(min(1, len(lines)), {"fr": f"Mis à jour le {d.day:02d}/{d.month:02d}/{d.year}",
                                                  "es": f"Actualizado el {d.day:02d}/{d.month:02d}/{d.year}"}
                             .get(lang, f"Updated {d.isoformat()}"))
            elif op == "typo":
                i = r.randrange(len(lines))
                l = lines[i]
                if len(l) > 20:
                    j = r.randrange(len(l) - 1)
                    lines[i] = l[:j] + l[j + 1] + l[j] + l[j + 2:]
        out = "\n".join(lines)
        if out == text:
            out = text + "\n" + "Mis à jour"
        return out


def lognormal_size(r: random.Random, median: float, sigma: float, lo: int, hi: int) -> int:
    v = int(math.exp(r.gauss(math.log(median), sigma)))
    return max(lo, min(hi, v))


def make_path(r: random.Random, site: str, d: date, doc_id: str) -> str:
    style = hash_choice(site, 4)  # each site has its own layout, depth 2 to 4 below txt/<site>
    if style == 0:
        return f"{site}/{d.year}/{d.month:02d}/{doc_id}.txt"
    if style == 1:
        return f"{site}/{r.choice(SECTIONS)}/{d.year}/{d.month:02d}/{doc_id}.txt"
    if style == 2:
        return f"{site}/{d.year}/{d.month:02d}/{d.day:02d}/{doc_id}.txt"
    return f"{site}/archives/{d.year}/{doc_id}.txt"


def hash_choice(s: str, n: int) -> int:
    return int(hashlib.md5(s.encode()).hexdigest(), 16) % n


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(HERE / "corpus"), help="output directory (default: ./corpus)")
    ap.add_argument("--size-mb", type=float, default=200.0,
                    help="target total UTF-8 text bytes, in MB (10^6), of the document texts (default 200)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--shards", type=int, default=16, help="number of regular JSONL.gz shards (default 16)")
    default_seeds = HERE / "seeds" if (HERE / "seeds").is_dir() else HERE.parent / "seeds"
    ap.add_argument("--seeds", default=str(default_seeds), help=f"seed *.txt directory (default {default_seeds})")
    ap.add_argument("--median-bytes", type=int, default=2500, help="median document size (default 2500)")
    ap.add_argument("--sigma", type=float, default=1.3, help="log-normal sigma of document sizes (default 1.3)")
    ap.add_argument("--min-bytes", type=int, default=200)
    ap.add_argument("--max-bytes", type=int, default=200_000)
    ap.add_argument("--exact-dup-frac", type=float, default=0.05)
    ap.add_argument("--near-dup-frac", type=float, default=0.05)
    ap.add_argument("--en-frac", type=float, default=0.018)
    ap.add_argument("--es-frac", type=float, default=0.012)
    ap.add_argument("--cjk-frac", type=float, default=0.002)
    ap.add_argument("--force", action="store_true", help="delete --out first if it exists")
    args = ap.parse_args()

    out = Path(args.out)
    if out.exists():
        if not args.force:
            sys.exit(f"{out} exists; use --force to overwrite")
        shutil.rmtree(out)
    (out / "txt").mkdir(parents=True)
    (out / "jsonl").mkdir(parents=True)

    r = random.Random(args.seed)
    fr = load_french(Path(args.seeds))
    en_paras, en_hash = load_english_stdlib()
    cjk_lines, cjk_hash = load_cjk_stdlib()
    g = Gen(r, fr, en_paras, cjk_lines)
    cjk_frac = args.cjk_frac if cjk_lines else 0.0

    target_total = int(args.size_mb * 1_000_000)
    # malformed inputs scale weakly with corpus size
    n_docs_est = max(1, target_total // 8000)
    n_bad_utf8 = max(5, n_docs_est // 2000)
    n_empty = max(5, n_docs_est // 2000)
    n_trunc_docs = max(60, n_docs_est // 100)
    n_badjson_docs = 50

    shard_paths = [out / "jsonl" / f"part-{i:05d}.jsonl.gz" for i in range(args.shards)]
    # gzip with mtime=0 and no filename in the header -> deterministic bytes
    shard_raw = [open(p, "wb") for p in shard_paths]
    shards = [gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=6, mtime=0) for f in shard_raw]
    trunc_buf: list[bytes] = []
    badutf8_buf: list[bytes] = []
    badjson_buf: list[bytes] = []
    companions: list[bytes] = []

    labels = open(out / "labels.jsonl", "w", encoding="utf-8")
    reservoir: list[tuple[str, str, str]] = []  # (doc_id, text, lang)
    RES_MAX = 4000

    stats = {"docs": 0, "text_bytes": 0, "kinds": {}, "langs": {}, "malformed": {},
             "jsonl_regular_docs": 0, "jsonl_regular_uncompressed_bytes": 0}
    total = 0
    seq = 0
    regular_i = 0
    # Pre-decide which sequence numbers go to the special shards / malformed files
    # (spread over the first ~n_docs_est documents)
    special = {}
    picks = r.sample(range(10, max(11, n_docs_est)), min(max(0, n_docs_est - 10),
                                                           n_bad_utf8 + n_empty + n_trunc_docs + n_badjson_docs))
    it = iter(picks)
    for kind, n in (("bad_utf8", n_bad_utf8), ("empty", n_empty), ("trunc", n_trunc_docs),
                    ("badjson", n_badjson_docs)):
        for _ in range(n):
            try:
                special[next(it)] = kind
            except StopIteration:
                break

    def bump(d, k, n=1):
        d[k] = d.get(k, 0) + n

    while total < target_total:
        doc_id = f"d{seq:07d}"
        d = g.rand_date()
        x = r.random()
        kind, dup_of = "original", None
        if reservoir and x < args.exact_dup_frac:
            kind = "exact_dup"
            dup_of, text, lang = r.choice(reservoir)
        elif reservoir and x < args.exact_dup_frac + args.near_dup_frac:
            kind = "near_dup"
            dup_of, src, lang = r.choice(reservoir)
            text = g.near_dup(src, lang)
        else:
            target = lognormal_size(r, args.median_bytes, args.sigma, args.min_bytes, args.max_bytes)
            y = r.random()
            if y < args.en_frac:
                lang = "en"
            elif y < args.en_frac + args.es_frac:
                lang = "es"
            elif y < args.en_frac + args.es_frac + cjk_frac:
                lang = "cjk"
            else:
                lang = "fr"
            if lang == "fr":
                site_slug, site_name = FR_SITES[r.randrange(len(FR_SITES))]
                text = g.french_doc(target, site_name, d)
            elif lang == "en":
                site_slug, site_name = EN_SITES[r.randrange(len(EN_SITES))]
                text = g.english_doc(target, site_name, d)
            elif lang == "es":
                site_slug, site_name = ES_SITES[r.randrange(len(ES_SITES))]
                text = g.spanish_doc(target, site_name, d)
            else:
                site_slug, site_name = CJK_SITES[0]
                text = g.cjk_doc(target)
            if len(text.encode("utf-8")) > args.max_bytes:
                text = text.encode("utf-8")[: args.max_bytes].decode("utf-8", "ignore")
            # whitespace / normalisation quirks (the cleaner's job)
            q = r.random()
            if q < 0.05:
                text = text.replace("\n", "\r\n")
            elif q < 0.08:
                text = unicodedata.normalize("NFD", text)
        if kind != "original":  # duplicates get re-published under some site of the same language
            sites = {"fr": FR_SITES, "en": EN_SITES, "es": ES_SITES, "cjk": CJK_SITES}[lang]
            site_slug = sites[r.randrange(len(sites))][0]
        rel = make_path(r, site_slug, d, doc_id)

        malformed = special.get(seq)
        raw = text.encode("utf-8")
        if malformed == "empty":
            text, raw = "", b""
        elif malformed == "bad_utf8":
            m = seq % 3
            if m == 0 and lang == "fr":
                raw = text.encode("cp1252", "replace")  # legacy Windows-1252 file
            elif m == 1:
                pos = sorted(r.sample(range(len(raw)), min(3, len(raw))))
                b = bytearray(raw)
                for p_ in reversed(pos):
                    b[p_:p_] = r.choice([b"\xff", b"\xfe\xfe", b"\xc3", b"\x80\x80", b"\xed\xa0\x80"])
                raw = bytes(b)
            else:
                raw = raw + b"\xe2\x82"  # truncated multi-byte sequence at EOF
            if raw == text.encode("utf-8"):  # pure-ASCII cp1252 case: force an invalid byte
                raw = raw + b"\xff"

        # ---- txt tree
        p = out / "txt" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "wb") as f:
            f.write(raw)

        # ---- jsonl
        rec = {"id": doc_id, "text": text, "metadata": {"source": site_slug, "path": rel, "date": d.isoformat()}}
        if malformed == "bad_utf8":
            rec["text"] = raw.decode("utf-8", "surrogateescape")
            line = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8", "surrogateescape")
            badutf8_buf.append(line)
            shard_name = "part-bad-utf8.jsonl.gz"
        else:
            line = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")
            if malformed == "trunc":
                trunc_buf.append(line)
                shard_name = "part-bad-truncated.jsonl.gz"
            elif malformed == "badjson" and len(companions) < n_bad_utf8:
                companions.append(line)  # valid lines interleaved with the invalid-UTF-8 ones
                shard_name = "part-bad-utf8.jsonl.gz"
            elif malformed == "badjson":
                badjson_buf.append(line)
                shard_name = "part-bad-json.jsonl.gz"
            else:
                si = regular_i % args.shards
                shards[si].write(line)
                regular_i += 1
                stats["jsonl_regular_docs"] += 1
                stats["jsonl_regular_uncompressed_bytes"] += len(line)
                shard_name = shard_paths[si].name

        labels.write(json.dumps({"id": doc_id, "path": rel, "shard": shard_name, "lang": lang, "kind": kind,
                                 "dup_of": dup_of, "malformed": malformed, "bytes": len(raw)}) + "\n")
        if kind == "original" and not malformed:
            if len(reservoir) < RES_MAX:
                reservoir.append((doc_id, text, lang))
            else:
                reservoir[r.randrange(RES_MAX)] = (doc_id, text, lang)

        nbytes = len(raw)
        total += nbytes
        stats["docs"] += 1
        stats["text_bytes"] += nbytes
        bump(stats["kinds"], kind)
        bump(stats["langs"], lang)
        if malformed:
            bump(stats["malformed"], malformed)
        seq += 1

    for s in shards:
        s.close()
    for f in shard_raw:
        f.close()
    labels.close()

    # ---- special shards
    # valid line, invalid-UTF-8 line, valid line, ... (a strict UTF-8 reader loses the rest of the file)
    mixed = []
    for i, l in enumerate(badutf8_buf):
        if i < len(companions):
            mixed.append(companions[i])
        mixed.append(l)
    mixed += companions[len(badutf8_buf):]
    with gzip.GzipFile(filename="", mode="wb", fileobj=open(out / "jsonl" / "part-bad-utf8.jsonl.gz", "wb"),
                       compresslevel=6, mtime=0) as f:
        f.write(b"".join(mixed))
    # broken JSON lines between valid ones
    broken = [b'{"id": "broken-1", "text": "Ligne JSON tronqu\xc3\xa9e au milieu d\'une cha\n',
              b"this is not json at all\n",
              b'{"id": "broken-3", "metadata": {"source": "no-text-field"}}\n']
    body = []
    for i, l in enumerate(badjson_buf):
        body.append(l)
        if i in (5, 15, 25):
            body.append(broken[(i // 10) % 3])
    with gzip.GzipFile(filename="", mode="wb", fileobj=open(out / "jsonl" / "part-bad-json.jsonl.gz", "wb"),
                       compresslevel=6, mtime=0) as f:
        f.write(b"".join(body))
    # truncated gzip: write the full member, then cut at 60% of its compressed size
    tp = out / "jsonl" / "part-bad-truncated.jsonl.gz"
    comp = gzip.compress(b"".join(trunc_buf), compresslevel=6, mtime=0)
    tp.write_bytes(comp[: int(len(comp) * 0.6)])
    # 0-byte .jsonl.gz
    (out / "jsonl" / "part-bad-empty.jsonl.gz").write_bytes(b"")

    # ---- fixed mtimes (helps tar/rsync reproducibility)
    fixed = 1_700_000_000
    for root, dirs, files in os.walk(out):
        for fn in files:
            os.utime(os.path.join(root, fn), (fixed, fixed))

    # ---- manifest
    txt_files = sorted((out / "txt").rglob("*.txt"))
    jsonl_files = sorted((out / "jsonl").glob("*.jsonl.gz"))
    digest = hashlib.sha256()
    for pth in txt_files + jsonl_files + [out / "labels.jsonl"]:
        digest.update(str(pth.relative_to(out)).encode() + b"\0" + sha256_file(pth).encode() + b"\n")
    manifest = {
        "generator": "make_corpus.py", "generator_version": GEN_VERSION,
        "generator_sha256": sha256_file(Path(__file__)),
        "python": sys.version.split()[0],
        "params": vars(args),
        "sources": {
            "french_seeds": fr["files"],
            "french_units": {"sentences": len(fr["sentences"]), "headlines": len(fr["headlines"]),
                             "short_lines": len(fr["short_lines"]), "seed_names": len(fr["names"])},
            "english_stdlib_pydoc_topics": {"paragraphs": len(en_paras), "sha256": en_hash},
            "cjk_stdlib_test_cjkencodings": {"lines": len(cjk_lines), "sha256": cjk_hash},
            "spanish_handwritten_sentences": len(ES_SENTENCES),
            "english_handwritten_sentences": len(EN_SENTENCES),
        },
        "stats": stats,
        "files": {
            "txt_files": len(txt_files),
            "txt_dirs": sum(1 for _ in (out / "txt").rglob("*") if _.is_dir()),
            "txt_bytes": sum(p.stat().st_size for p in txt_files),
            "jsonl_shards": [p.name for p in jsonl_files],
            "jsonl_gz_bytes": sum(p.stat().st_size for p in jsonl_files),
        },
        "corpus_digest_sha256": digest.hexdigest(),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: manifest[k] for k in ("stats", "files", "corpus_digest_sha256")}, indent=1,
                     ensure_ascii=False))


if __name__ == "__main__":
    main()

//! `gopher_repetition`: datatrove's `GopherRepetitionFilter`
//! (`pipeline/filters/gopher_repetition_filter.py`), rule for rule.

use crate::{pystr, reason, Language, Verdict};
use moulin_plugin::Error;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The `config` table of a `gopher_repetition` stage: datatrove's arguments and defaults
/// (Gopher's Table A1). A fraction of 0 turns its rule off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GopherRepetitionConfig {
    /// Repeated lines (after their first occurrence) per line above → `dup_line_frac`.
    /// Default 0.3.
    pub dup_line_frac: f64,
    /// Repeated paragraphs per paragraph above → `dup_para_frac`. Default 0.3.
    pub dup_para_frac: f64,
    /// Characters in repeated lines per character above → `dup_line_char_frac`. Default 0.2.
    pub dup_line_char_frac: f64,
    /// Characters in repeated paragraphs per character above → `dup_para_char_frac`.
    /// Default 0.2.
    pub dup_para_char_frac: f64,
    /// `[n, fraction]` pairs: the most frequent word n-gram (joined by spaces) times its
    /// count, per character, above → `top_{n}_gram`. Default `[[2, 0.2], [3, 0.18], [4, 0.16]]`.
    pub top_n_grams: Vec<(usize, f64)>,
    /// `[n, fraction]` pairs: characters of repeated word n-grams (joined without spaces,
    /// not overlapping) per character above → `duplicated_{n}_n_grams`. Default 5 to 10 with
    /// 0.15 down to 0.10.
    pub dup_n_grams: Vec<(usize, f64)>,
    /// Word splitting: `en` (default), `fr`, `es`, `de`, `it`, `pt`, `nl`, or `auto`.
    pub language: Language,
    /// Write the measured values to meta, under `gopher_repetition`. Default false.
    pub stats: bool,
}

impl Default for GopherRepetitionConfig {
    fn default() -> Self {
        GopherRepetitionConfig {
            dup_line_frac: 0.3,
            dup_para_frac: 0.3,
            dup_line_char_frac: 0.2,
            dup_para_char_frac: 0.2,
            top_n_grams: vec![(2, 0.2), (3, 0.18), (4, 0.16)],
            dup_n_grams: vec![(5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)],
            language: Language::default(),
            stats: false,
        }
    }
}

/// What the rules measure in one document (fractions as the rules compare them).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct GopherRepetitionStats {
    /// Repeated paragraphs per paragraph.
    pub dup_para_frac: f64,
    /// Characters in repeated paragraphs per character.
    pub dup_para_char_frac: f64,
    /// Repeated lines per line.
    pub dup_line_frac: f64,
    /// Characters in repeated lines per character.
    pub dup_line_char_frac: f64,
    /// `[n, fraction]` for each configured top n-gram (absent when the text has fewer than n
    /// words).
    pub top_n_grams: Vec<(usize, f64)>,
    /// `[n, fraction]` for each configured duplicated n-gram size.
    pub dup_n_grams: Vec<(usize, f64)>,
}

/// `find_duplicates`: elements seen before, and their characters.
pub fn find_duplicates<'a>(items: impl IntoIterator<Item = &'a str>) -> (usize, usize) {
    let mut seen = FxHashSet::default();
    let (mut elements, mut chars) = (0, 0);
    for item in items {
        if !seen.insert(item) {
            elements += 1;
            chars += pystr::len(item);
        }
    }
    (elements, chars)
}

fn regex(pattern: &'static str, cell: &'static OnceLock<regex::Regex>) -> &'static regex::Regex {
    cell.get_or_init(|| regex::Regex::new(pattern).expect("static pattern"))
}

/// The `gopher_repetition` rules.
pub struct GopherRepetition {
    config: GopherRepetitionConfig,
}

/// Words as numbers, with what the n-gram rules need of each.
struct WordTable {
    ids: Vec<u32>,
    /// Prefix hashes of the word ids (`id_hash[j]`: words `0..j`), for n-grams of words.
    id_hash: Vec<u64>,
    /// Over the words joined without spaces, at each word boundary `j` (byte offset `o_j`):
    /// `sum[j]` is the sum of `byte_k * BASE^k` for the bytes before it and `inv[j]` is
    /// `BASE^-o_j`, so `(sum[j] - sum[i]) * inv[i]` hashes words `i..j` joined, wherever
    /// they stand: one multiplication an n-gram.
    sum: Vec<u64>,
    inv: Vec<u64>,
    /// Prefix sums of the words' lengths in characters.
    char_sum: Vec<usize>,
}

/// The hashes are polynomials in BASE over 64-bit wrapping arithmetic (mod 2^64): an odd
/// base has an inverse, and wrapping multiplication is what the processor does in one step.
/// (Such hashes can be made to collide on purpose by strings of thousands of bytes; an n-gram
/// is a few words.)
const BASE: u64 = 0x1f3d_5b79_a4c2_e117;

fn mulmod(a: u64, b: u64) -> u64 {
    a.wrapping_mul(b)
}

fn addmod(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

fn submod(a: u64, b: u64) -> u64 {
    a.wrapping_sub(b)
}

fn powmod(b: u64, e: u64) -> u64 {
    b.wrapping_pow(e as u32)
}

/// The inverse of an odd number mod 2^64 (Newton's iteration doubles the good bits).
fn inverse(b: u64) -> u64 {
    let mut x = b;
    for _ in 0..6 {
        x = x.wrapping_mul(2u64.wrapping_sub(b.wrapping_mul(x)));
    }
    x
}

impl WordTable {
    fn new(words: &[&str]) -> WordTable {
        let inv_base = inverse(BASE);
        let mut index: FxHashMap<&str, u32> = FxHashMap::default();
        index.reserve(words.len());
        // Per distinct word: the sum of byte_k * BASE^k over its bytes, BASE^len, BASE^-len.
        let mut kinds: Vec<(u64, u64, u64)> = Vec::new();
        let n = words.len();
        let mut ids = Vec::with_capacity(n);
        let (mut id_hash, mut sum, mut inv, mut char_sum) = (
            Vec::with_capacity(n + 1),
            Vec::with_capacity(n + 1),
            Vec::with_capacity(n + 1),
            Vec::with_capacity(n + 1),
        );
        id_hash.push(0);
        sum.push(0);
        inv.push(1);
        char_sum.push(0);
        // BASE^(bytes so far).
        let mut pow = 1u64;
        for w in words {
            let next = index.len() as u32;
            let id = *index.entry(w).or_insert(next);
            if id == next {
                let (mut h, mut p) = (0u64, 1u64);
                for &b in w.as_bytes() {
                    h = addmod(h, mulmod(b as u64 + 1, p));
                    p = mulmod(p, BASE);
                }
                kinds.push((h, p, powmod(inv_base, w.len() as u64)));
            }
            let (h, p, q) = kinds[id as usize];
            let last = sum.len() - 1;
            id_hash.push(addmod(mulmod(id_hash[last], BASE), id as u64 + 1));
            sum.push(addmod(sum[last], mulmod(h, pow)));
            pow = mulmod(pow, p);
            inv.push(mulmod(inv[last], q));
            char_sum.push(char_sum[last] + pystr::len(w));
            ids.push(id);
        }
        WordTable { ids, id_hash, sum, inv, char_sum }
    }

    /// The hash of words `i..j` joined without spaces.
    fn joined_hash(&self, i: usize, j: usize) -> u64 {
        mulmod(submod(self.sum[j], self.sum[i]), self.inv[i])
    }

    /// `find_top_duplicate(get_n_grams(words, n))`: the characters of the most frequent
    /// n-gram joined by spaces, times its count; the first seen wins a tie, as in
    /// `Counter.most_common`. `None` without any n-gram. Words hold no space, so n-grams joined
    /// by spaces are equal when their words are: they are told apart by a hash of the word ids.
    fn top_duplicate(&self, n: usize, table: &mut HashTable) -> Option<usize> {
        if n == 0 || self.ids.len() < n {
            return None;
        }
        let positions = self.ids.len() - n + 1;
        table.reset(positions);
        let shift = powmod(BASE, n as u64);
        for i in 0..positions {
            let h = submod(self.id_hash[i + n], mulmod(self.id_hash[i], shift));
            table.count(h, i as u32);
        }
        let (count, first) = table.most_common()?;
        let first = first as usize;
        let chars = self.char_sum[first + n] - self.char_sum[first] + n - 1;
        Some(chars * count as usize)
    }

    /// `find_all_duplicate(words, n)`: characters of n-grams (joined without spaces) seen
    /// before, skipping n words after each.
    fn all_duplicate(&self, n: usize, table: &mut HashTable) -> usize {
        let len = self.ids.len();
        if n == 0 || len < n {
            return 0;
        }
        // The key is the joined string: ["ab", "c"] and ["a", "bc"] are one n-gram, so it is
        // a hash of the concatenation, not of the word ids.
        table.reset(len - n + 1);
        let (mut repeated, mut i) = (0, 0);
        while i < len - n + 1 {
            if table.insert(self.joined_hash(i, i + n)) {
                i += 1;
            } else {
                repeated += self.char_sum[i + n] - self.char_sum[i];
                i += n;
            }
        }
        repeated
    }
}

/// A set of (or counter over) n-gram hashes, kept from document to document. The hashes are
/// mixed by a multiplication to index an open-addressing table; a slot
/// is taken in this round when its stamp is the round's, so emptying it costs nothing.
#[derive(Default)]
pub struct HashTable {
    keys: Vec<u64>,
    stamps: Vec<u32>,
    counts: Vec<u32>,
    firsts: Vec<u32>,
    round: u32,
    mask: usize,
    /// The highest count this round and where its key was first seen.
    best: (u32, u32),
}

impl HashTable {
    fn reset(&mut self, items: usize) {
        let cap = (items * 2).next_power_of_two().max(16);
        self.round = self.round.wrapping_add(1);
        if cap > self.keys.len() || self.round == 0 {
            let cap = cap.max(self.keys.len());
            self.keys = vec![0; cap];
            self.stamps = vec![0; cap];
            self.counts = vec![0; cap];
            self.firsts = vec![0; cap];
            self.round = 1;
        }
        // Within the allocation, use only what this round needs (a small table stays in cache).
        self.mask = cap - 1;
        self.best = (0, 0);
    }

    /// The slot of `key`, and whether it is taken.
    fn slot(&self, key: u64) -> (usize, bool) {
        let mut i = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & self.mask;
        loop {
            if self.stamps[i] != self.round {
                return (i, false);
            }
            if self.keys[i] == key {
                return (i, true);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Add `key`; false when it was there already.
    fn insert(&mut self, key: u64) -> bool {
        let (i, taken) = self.slot(key);
        if !taken {
            self.keys[i] = key;
            self.stamps[i] = self.round;
        }
        !taken
    }

    /// Count `key`, first seen at `at`.
    fn count(&mut self, key: u64, at: u32) {
        let (i, taken) = self.slot(key);
        if !taken {
            self.keys[i] = key;
            self.stamps[i] = self.round;
            self.firsts[i] = at;
            self.counts[i] = 0;
        }
        self.counts[i] += 1;
        // Counts only grow, so the best so far is the best: the highest count, and among
        // equal counts the key seen first.
        let (count, first) = (self.counts[i], self.firsts[i]);
        if count > self.best.0 || (count == self.best.0 && first < self.best.1) {
            self.best = (count, first);
        }
    }

    /// The highest count and where its key was first seen (the earliest among equal counts).
    fn most_common(&self) -> Option<(u32, u32)> {
        (self.best.0 > 0).then_some(self.best)
    }
}

impl GopherRepetition {
    /// Rules from a config.
    pub fn new(config: GopherRepetitionConfig) -> GopherRepetition {
        GopherRepetition { config }
    }

    /// Check ranges.
    pub fn validate(config: &GopherRepetitionConfig) -> Result<(), Error> {
        for (key, pairs) in [("top_n_grams", &config.top_n_grams), ("dup_n_grams", &config.dup_n_grams)] {
            if pairs.iter().any(|&(n, _)| n == 0) {
                return Err(Error::config(key, "n-gram sizes start at 1"));
            }
        }
        Ok(())
    }

    /// Measure `text`; `words` splits it into words (called only when the text is not empty).
    /// `scratch` is memory kept between calls.
    pub fn measure<'t>(
        &self,
        text: &'t str,
        words: impl FnOnce() -> Vec<&'t str>,
        scratch: &mut HashTable,
    ) -> GopherRepetitionStats {
        static PARAGRAPH: OnceLock<regex::Regex> = OnceLock::new();
        static LINE: OnceLock<regex::Regex> = OnceLock::new();
        let text_chars = pystr::len(text) as f64;
        let paragraphs: Vec<&str> = regex(r"\n{2,}", &PARAGRAPH).split(pystr::strip(text)).collect();
        let (para_dups, para_chars) = find_duplicates(paragraphs.iter().copied());
        let lines: Vec<&str> = regex(r"\n+", &LINE).split(text).collect();
        let (line_dups, line_chars) = find_duplicates(lines.iter().copied());
        let words = words();
        let table = WordTable::new(&words);
        GopherRepetitionStats {
            dup_para_frac: para_dups as f64 / paragraphs.len() as f64,
            dup_para_char_frac: para_chars as f64 / text_chars,
            dup_line_frac: line_dups as f64 / lines.len() as f64,
            dup_line_char_frac: line_chars as f64 / text_chars,
            top_n_grams: (self.config.top_n_grams.iter())
                .filter_map(|&(n, _)| Some((n, table.top_duplicate(n, scratch)? as f64 / text_chars)))
                .collect(),
            dup_n_grams: (self.config.dup_n_grams.iter())
                .map(|&(n, _)| (n, table.all_duplicate(n, scratch) as f64 / text_chars))
                .collect(),
        }
    }

    /// datatrove's decision: the first rule that fails, in its order. `None` stats: the text
    /// is empty (`empty`).
    pub fn decide(&self, s: Option<&GopherRepetitionStats>) -> Verdict {
        let Some(s) = s else {
            return Err(reason("empty"));
        };
        let c = &self.config;
        for (limit, value, name) in [
            (c.dup_para_frac, s.dup_para_frac, "dup_para_frac"),
            (c.dup_para_char_frac, s.dup_para_char_frac, "dup_para_char_frac"),
            (c.dup_line_frac, s.dup_line_frac, "dup_line_frac"),
            (c.dup_line_char_frac, s.dup_line_char_frac, "dup_line_char_frac"),
        ] {
            if limit > 0.0 && value > limit {
                return Err(reason(name));
            }
        }
        for &(n, limit) in &c.top_n_grams {
            if let Some(&(_, value)) = s.top_n_grams.iter().find(|(m, _)| *m == n) {
                if value > limit {
                    return Err(format!("top_{n}_gram").into());
                }
            }
        }
        for (&(n, limit), &(_, value)) in c.dup_n_grams.iter().zip(&s.dup_n_grams) {
            if value > limit {
                return Err(format!("duplicated_{n}_n_grams").into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_ngrams_collide_as_in_datatrove() {
        // "".join(["ab", "c"]) == "".join(["a", "bc"]): the second is a repeat.
        let s = &mut HashTable::default();
        let t = WordTable::new(&["ab", "c", "x", "a", "bc"]);
        assert_eq!(t.all_duplicate(2, s), 3);
        let t = WordTable::new(&["a", "b", "a", "b", "c"]);
        assert_eq!(t.top_duplicate(2, s), Some(3 * 2));
        // Ties go to the first seen n-gram: "aaa b" (5 chars) before "c d" (3 chars).
        let t = WordTable::new(&["aaa", "b", "c", "d"]);
        assert_eq!(t.top_duplicate(2, s), Some(5));
        // After a repeat, n words are skipped: in a b a b a b, the 2-grams at 2 and 4 repeat.
        let t = WordTable::new(&["a", "b", "a", "b", "a", "b"]);
        assert_eq!(t.all_duplicate(2, s), 4);
    }
}

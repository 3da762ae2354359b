//! Training the breadth model: a training text counted into the stored model that
//! [`Model::from_bytes`](super::Model::from_bytes) reads.
//!
//! This file is compiled twice, into the library and into its build script (`build.rs`),
//! which writes the stored model of `data/udhr-train.txt` when the library is built: nothing
//! is counted at run time.
//!
//! # The stored model
//!
//! All numbers little-endian:
//!
//! 1. [`MAGIC`];
//! 2. `u32` length, then that many bytes of UTF-8: a line per language,
//!    `code<TAB>name<TAB>default|extra<TAB>scripts` (ISO 15924 codes, comma-separated, most
//!    letters first);
//! 3. per language, [`KINDS`] `f32`: the log-probability of a feature of each kind it never saw
//!    ([`Smoothing`]);
//! 4. `u32` slot count `S` (a power of two), then `S + 1` entries of [`SLOT_BYTES`]: a `u64`
//!    feature hash (0: empty slot) and the `u32` index of the slot's first posting. Open
//!    addressing with linear probing from `hash & (S - 1)`; slot `i`'s postings run to entry
//!    `i + 1`'s first, and the last entry (hash 0) only ends the last slot's;
//! 5. `u32` postings count `P`, then `P` postings of [`POSTING_BYTES`]: a `u16` language and
//!    an `f32` gain, the log-probability of the feature in that language minus that of an
//!    unseen one.
//!
//! A feature's hash and where its postings are sit side by side, and so do a posting's
//! language and gain: looking a feature up touches two places of the table, not four
//! (docs/performance.md, `langid`).

use super::features::{for_each_feature, script_of, KINDS, ORDERS};
use std::collections::HashMap;
use unicode_script::Script;

/// The first bytes of a stored model (its format's name and version).
pub const MAGIC: &[u8; 8] = b"MLIDNB02";

/// Bytes of one entry of the slot table: the hash and the first posting.
pub const SLOT_BYTES: usize = 12;

/// Bytes of one posting: the language and the gain.
pub const POSTING_BYTES: usize = 6;

/// Natural-log cost of an n-gram a language never saw, beyond that of one seen once.
pub const UNSEEN_PENALTY: f64 = 1.0;

/// How many words a language's unseen share of words is spread over, as a natural log (see
/// [`Smoothing::of`]).
pub const UNSEEN_WORDS_LN: f64 = 8.0;

/// How a language's counts of one kind of feature become log-probabilities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Smoothing {
    /// The log of what a feature's count is divided by.
    pub ln_denominator: f64,
    /// The log-probability of a feature of that kind the language never saw.
    pub unseen: f64,
}

impl Smoothing {
    /// The smoothing of a kind of which a language's training text holds `total` features,
    /// `distinct` of them different.
    ///
    /// - **N-grams:** a feature seen `count` times has `count / total`; one never seen, that of
    ///   one seen once less [`UNSEEN_PENALTY`].
    /// - **Whole words**, by Witten-Bell: a word seen `count` times has
    ///   `count / (total + distinct)`, and the unseen share, `distinct / (total + distinct)`,
    ///   is spread over `e^UNSEEN_WORDS_LN` words. A language whose text keeps bringing new
    ///   words (one that builds long words) expects more of them.
    ///
    /// Witten-Bell replaced the same fixed cost for words on 2026-12-03. The constant was
    /// chosen on a development split of the UDHR set and on Leipzig's fr/en/es/de, never on
    /// the UDHR held-out third; Witten-Bell for n-grams too traded the UDHR set for news and
    /// did worse on the held-out third (docs/quality.md, "Smoothing").
    pub fn of(kind: usize, total: u32, distinct: u32) -> Smoothing {
        let total = f64::from(total.max(1));
        if kind == ORDERS {
            let distinct = f64::from(distinct.max(1));
            let ln_denominator = (total + distinct).ln();
            Smoothing { ln_denominator, unseen: distinct.ln() - ln_denominator - UNSEEN_WORDS_LN }
        } else {
            Smoothing { ln_denominator: total.ln(), unseen: -total.ln() - UNSEEN_PENALTY }
        }
    }
}

/// A script holding at least this share of a language's training letters is one of its scripts.
const SCRIPT_SHARE: f32 = 0.05;

/// Count `training` into a stored model: `@code<TAB>name[<TAB>default]` lines declare the
/// languages, `code<TAB>text` lines are their text, `#` lines are comments. Languages are
/// counted on all cores; the output is the same for any number.
///
/// # Panics
///
/// On a text line whose code was not declared, or more than 65,535 languages: the training
/// text is part of the library, and its build reads it.
pub fn train(training: &str) -> Vec<u8> {
    let mut header = String::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut decls: Vec<(&str, &str, bool)> = Vec::new();
    let mut texts: Vec<Vec<&str>> = Vec::new();
    for line in training.lines() {
        if let Some(decl) = line.strip_prefix('@') {
            let mut fields = decl.split('\t');
            let code = fields.next().unwrap_or_default();
            let name = fields.next().unwrap_or(code);
            index.insert(code, decls.len());
            decls.push((code, name, fields.next() == Some("default")));
            texts.push(Vec::new());
        } else if let Some((code, text)) = line.split_once('\t').filter(|_| !line.starts_with('#')) {
            let i = *index.get(code).unwrap_or_else(|| panic!("training text: undeclared language {code:?}"));
            texts[i].push(text);
        }
    }
    assert!(decls.len() <= usize::from(u16::MAX), "training text: too many languages");
    let counted = count_all(&texts);
    let mut out = MAGIC.to_vec();
    for ((code, name, default), c) in decls.iter().zip(&counted) {
        let scripts: Vec<&str> = c.scripts.iter().map(|s| s.short_name()).collect();
        let default = if *default { "default" } else { "extra" };
        header.push_str(&format!("{code}\t{name}\t{default}\t{}\n", scripts.join(",")));
    }
    put_u32(&mut out, header.len());
    out.extend_from_slice(header.as_bytes());
    for c in &counted {
        for u in c.unseen {
            out.extend_from_slice(&u.to_le_bytes());
        }
    }
    write_table(&mut out, counted);
    out
}

/// Append the feature table and its postings (parts 4 and 5 of the format).
fn write_table(out: &mut Vec<u8>, counted: Vec<Counted>) {
    // (feature, language, gain), sorted by feature: one allocation, not one a feature.
    let mut seen: Vec<(u64, u16, f32)> = Vec::with_capacity(counted.iter().map(|c| c.gains.len()).sum());
    for (i, c) in counted.into_iter().enumerate() {
        seen.extend(c.gains.into_iter().map(|(hash, gain)| (hash, i as u16, gain)));
    }
    seen.sort_unstable_by_key(|&(hash, lang, _)| (hash, lang));
    // A run: one feature's (hash, language, gain) entries.
    type Run<'a> = &'a [(u64, u16, f32)];
    let runs: Vec<Run> = seen.chunk_by(|a, b| a.0 == b.0).collect();
    // At most half full: a miss (most of a text's n-grams in most scripts) probes one or two slots.
    let slots = (runs.len() * 2).next_power_of_two().max(2);
    let mut table: Vec<Option<Run>> = vec![None; slots];
    for run in &runs {
        let mut i = run[0].0 as usize & (slots - 1);
        while table[i].is_some() {
            i = (i + 1) & (slots - 1);
        }
        table[i] = Some(run);
    }
    out.reserve(4 + (slots + 1) * SLOT_BYTES + 4 + seen.len() * POSTING_BYTES);
    put_u32(out, slots);
    let mut first = 0;
    for slot in table.iter().chain([&None]) {
        out.extend_from_slice(&slot.map_or(0, |run| run[0].0).to_le_bytes());
        put_u32(out, first);
        first += slot.map_or(0, |run| run.len());
    }
    put_u32(out, seen.len());
    for &(_, lang, gain) in table.iter().flatten().flat_map(|run| run.iter()) {
        out.extend_from_slice(&lang.to_le_bytes());
        out.extend_from_slice(&gain.to_le_bytes());
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    let n = u32::try_from(n).unwrap_or_else(|_| panic!("stored model: {n} does not fit in 32 bits"));
    out.extend_from_slice(&n.to_le_bytes());
}

/// What one language's training text holds.
struct Counted {
    /// Each feature it saw and its gain: its log-probability less that of an unseen feature
    /// of its kind.
    gains: Vec<(u64, f32)>,
    /// The log-probability of an unseen feature of each kind ([`Smoothing`]).
    unseen: [f32; KINDS],
    /// The scripts with at least [`SCRIPT_SHARE`] of the letters, most letters first.
    scripts: Vec<Script>,
}

/// Count every language's lines, on all cores.
fn count_all(texts: &[Vec<&str>]) -> Vec<Counted> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = texts.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = texts
            .chunks(per_thread)
            .map(|chunk| scope.spawn(move || chunk.iter().map(|lines| count(lines)).collect::<Vec<_>>()))
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// Count the features and scripts of one language's training lines.
fn count(lines: &[&str]) -> Counted {
    // Each feature's count and kind.
    let mut counts: HashMap<u64, (u32, usize)> = HashMap::new();
    let mut totals = [0u32; KINDS];
    let mut distinct = [0u32; KINDS];
    let mut letters: HashMap<Script, u32> = HashMap::new();
    for text in lines {
        for_each_feature(text, |kind, hash| {
            totals[kind] += 1;
            counts
                .entry(hash)
                .or_insert_with(|| {
                    distinct[kind] += 1;
                    (0, kind)
                })
                .0 += 1;
        });
        for c in text.chars().filter(|c| c.is_alphabetic()) {
            *letters.entry(script_of(c)).or_default() += 1;
        }
    }
    let all: u32 = letters.values().sum();
    let mut scripts: Vec<(Script, u32)> = letters
        .into_iter()
        .filter(|&(s, n)| s != Script::Common && s != Script::Inherited && n as f32 >= SCRIPT_SHARE * all as f32)
        .collect();
    scripts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.full_name().cmp(b.0.full_name())));
    let smoothing: [Smoothing; KINDS] = std::array::from_fn(|kind| Smoothing::of(kind, totals[kind], distinct[kind]));
    let gains = counts
        .into_iter()
        .map(|(hash, (n, kind))| {
            let Smoothing { ln_denominator, unseen } = smoothing[kind];
            (hash, (f64::from(n).ln() - ln_denominator - unseen) as f32)
        })
        .collect();
    let unseen = smoothing.map(|s| s.unseen as f32);
    Counted { gains, unseen, scripts: scripts.into_iter().map(|(s, _)| s).collect() }
}

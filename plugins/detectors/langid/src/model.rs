//! The breadth model: naive Bayes over character n-grams, for every language of the UDHR set.
//!
//! The training text (`data/udhr-train.txt`, 443 languages, about 2.8 MB) is counted when the
//! library is built (`build.rs` runs [`train::train`]) and the counts are compiled in,
//! compressed: the first detector of a process decompresses them and reads them in place. Each
//! word, lower-cased and padded with a space on both sides, gives its character n-grams of 1 to
//! [`ORDERS`] characters, and itself as a feature ([`features`]). A language's score for a text
//! is the sum over the text's features of the log of their relative frequency in its training
//! text; an n-gram it never saw costs as much as one seen once, plus [`train::UNSEEN_PENALTY`],
//! and an unseen word gets a share that grows with how varied the language's words are
//! ([`train::Smoothing`], Witten-Bell). A feature no language saw (a name, a product code) is
//! left out: it says nothing of the language, and counting it would favour the languages with
//! the least training text, for which an unseen feature is the least unlikely (German news full
//! of names came out Waama). Scores become probabilities over the languages asked about (see
//! [`Model::probabilities`]).
//!
//! Languages are only compared within a script: [`ModelLang::scripts`] says which scripts a
//! language's training text is written in, and [`dominant_script`] which script a text is.

pub mod features;
pub mod train;

pub use features::{for_each_feature, script_of, KINDS, ORDERS};
use std::fmt;
use std::sync::OnceLock;
use unicode_script::Script;

/// How many of a language's `n` UDHR sentences are training text: the first two thirds. The
/// rest is held out for `eval --held-out`.
pub fn train_lines(n: usize) -> usize {
    (n * 2).div_ceil(3)
}

/// The stored model of `data/udhr-train.txt`, written by `build.rs` (zstd-compressed).
static STORED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/udhr-model.bin.zst"));

/// One language of the model.
#[derive(Debug)]
pub struct ModelLang {
    /// ISO 639-1 code where there is one, else ISO 639-3.
    pub code: String,
    /// English name.
    pub name: String,
    /// The scripts its training text is written in.
    pub scripts: Vec<Script>,
    /// Whether it is a default candidate (one of the languages fastText lid.176 knows).
    pub default: bool,
}

/// A stored model that does not read: what was expected where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stored language model: {}", self.0)
    }
}

impl std::error::Error for FormatError {}

/// The n-gram model: per feature, the languages that saw it and how much more likely it is in
/// each than an unseen feature. The feature table is read in place from the stored model's
/// bytes (for the compiled-in model, decompressed once a process): nothing large is copied.
pub struct Model<'a> {
    langs: Vec<ModelLang>,
    /// Per language and kind of feature: the log-probability of one it never saw.
    unseen: Vec<[f32; KINDS]>,
    /// Open-addressing table, a power of two slots and a last entry that ends them: per entry
    /// a `u64` feature hash (0: empty) and the `u32` index of its first posting.
    slots: &'a [u8],
    /// Per posting, the `u16` language and the `f32` gain: its log-probability minus the
    /// language's unseen cost for that kind.
    postings: &'a [u8],
}

impl Model<'static> {
    /// The model compiled into the library, decompressed and read on first use (about 35 ms).
    pub fn global() -> &'static Model<'static> {
        static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
        static MODEL: OnceLock<Model<'static>> = OnceLock::new();
        MODEL.get_or_init(|| {
            let bytes = BYTES.get_or_init(|| {
                zstd::decode_all(STORED).unwrap_or_else(|e| panic!("the library's own model is built by build.rs: {e}"))
            });
            Model::from_bytes(bytes).unwrap_or_else(|e| panic!("{e}: the library's own model is built by build.rs"))
        })
    }
}

impl<'a> Model<'a> {
    /// Read a stored model ([`train::train`]'s output; the format is described there),
    /// checking every posting index and language index so that no lookup can go out of bounds.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Model<'a>, FormatError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(train::MAGIC.len(), "the format's name")? != train::MAGIC {
            return Err(FormatError(format!("expected {:?} at the start", String::from_utf8_lossy(train::MAGIC))));
        }
        let len = r.u32("the header's length")?;
        let header = std::str::from_utf8(r.take(len, "the header")?)
            .map_err(|e| FormatError(format!("the header is not UTF-8: {e}")))?;
        let langs = header.lines().map(parse_lang).collect::<Result<Vec<_>, _>>()?;
        let unseen = (0..langs.len())
            .map(|_| {
                let mut kinds = [0f32; KINDS];
                for k in &mut kinds {
                    *k = f32::from_bits(r.u32("an unseen cost")? as u32);
                }
                Ok(kinds)
            })
            .collect::<Result<Vec<_>, FormatError>>()?;
        let slots = r.u32("the slot count")?;
        if !slots.is_power_of_two() {
            return Err(FormatError(format!("expected a power of two slots, found {slots}")));
        }
        let table = r.take(slots.saturating_add(1).saturating_mul(train::SLOT_BYTES), "the feature table")?;
        let count = r.u32("the postings count")?;
        let postings = r.take(count.saturating_mul(train::POSTING_BYTES), "the postings")?;
        if r.at != bytes.len() {
            return Err(FormatError(format!("{} bytes after the postings", bytes.len() - r.at)));
        }
        let model = Model { langs, unseen, slots: table, postings };
        let first = |i| model.entry(i).1;
        if first(0) != 0 || (0..slots).any(|i| first(i) > first(i + 1)) || first(slots) != count {
            return Err(FormatError(format!("the slots' first postings do not run in order from 0 to {count}")));
        }
        if !(0..slots).any(|i| model.entry(i).0 == 0) {
            return Err(FormatError("expected an empty slot in the feature table, found none".to_string()));
        }
        if let Some((l, _)) = model.postings_of(0..count).find(|&(l, _)| usize::from(l) >= model.langs.len()) {
            return Err(FormatError(format!("a posting names language {l} of {}", model.langs.len())));
        }
        Ok(model)
    }

    /// The languages, in training-text order.
    pub fn langs(&self) -> &[ModelLang] {
        &self.langs
    }

    /// The languages of the postings in `range`, and their gains.
    fn postings_of(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = (u16, f32)> + 'a {
        let bytes = self.postings.get(range.start * train::POSTING_BYTES..range.end * train::POSTING_BYTES);
        bytes
            .unwrap_or_default()
            .chunks_exact(train::POSTING_BYTES)
            .map(|p| (u16::from_le_bytes([p[0], p[1]]), f32::from_le_bytes([p[2], p[3], p[4], p[5]])))
    }

    /// The postings of the feature with this hash (empty when the model does not have it).
    fn lookup(&self, hash: u64) -> std::ops::Range<usize> {
        // The entries are the slots and the one that ends them.
        let mask = self.slots.len() / train::SLOT_BYTES - 2;
        let mut i = hash as usize & mask;
        loop {
            match self.entry(i) {
                (0, _) => return 0..0,
                (h, first) if h == hash => return first..self.entry(i + 1).1,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Entry `i` of the slot table: its hash and first posting ((0, 0) past the table's end).
    fn entry(&self, i: usize) -> (u64, usize) {
        let bytes = self.slots.get(i.saturating_mul(train::SLOT_BYTES)..).unwrap_or_default();
        match bytes.first_chunk::<{ train::SLOT_BYTES }>() {
            Some(e) => (
                u64::from_le_bytes(nth(e, 0).unwrap_or_default()),
                u32::from_le_bytes(nth(&e[8..], 0).unwrap_or_default()) as usize,
            ),
            None => (0, 0),
        }
    }

    /// Log-likelihood of `text` in each language of `langs` (indices into [`Model::langs`]),
    /// written into `scores` (same order), and the number of features read that some language
    /// saw (the others count for none). Only n-grams of
    /// at least `min_order` characters (and whole words) are read: the postings of unigrams
    /// and bigrams are the longest (a Latin letter is in 350 languages' lists), and a long
    /// text is decided without them.
    pub fn log_likelihoods(&self, text: &str, langs: &[u16], min_order: usize, scores: &mut Vec<f32>) -> usize {
        // First every feature's place in the table, then their postings: the lookups do not
        // wait for one another, so the processor overlaps their cache misses.
        let mut kinds = [0u32; KINDS];
        let mut found = Vec::with_capacity(text.len());
        for_each_feature(text, |kind, hash| {
            let range = if kind + 1 >= min_order { self.lookup(hash) } else { 0..0 };
            if !range.is_empty() {
                kinds[kind] += 1;
                found.push(range);
            }
        });
        let mut all = vec![0f32; self.langs.len()];
        for range in found {
            for (lang, gain) in self.postings_of(range) {
                all[usize::from(lang)] += gain;
            }
        }
        scores.clear();
        scores.extend(langs.iter().map(|&l| {
            let unseen = &self.unseen[usize::from(l)];
            all[usize::from(l)] + kinds.iter().zip(unseen).map(|(&n, &u)| n as f32 * u).sum::<f32>()
        }));
        kinds.iter().sum::<u32>() as usize
    }

    /// The probability of each of `langs` (same order) for `text`, given a log prior for each
    /// language (n-grams of at least `min_order` characters, as [`Model::log_likelihoods`]).
    /// The log-likelihoods are divided by the number of n-gram orders before the softmax: the
    /// orders overlap, so a text holds about one independent observation per character, not
    /// five.
    pub fn probabilities(
        &self,
        text: &str,
        langs: &[u16],
        min_order: usize,
        prior: impl Fn(u16) -> f32,
    ) -> Vec<(u16, f32)> {
        let mut scores = Vec::new();
        self.log_likelihoods(text, langs, min_order, &mut scores);
        for (s, &l) in scores.iter_mut().zip(langs) {
            *s = *s / ORDERS as f32 + prior(l);
        }
        let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let weights: Vec<f32> = scores.iter().map(|s| (s - max).exp()).collect();
        let sum: f32 = weights.iter().sum();
        langs.iter().zip(weights).map(|(&l, w)| (l, w / sum)).collect()
    }
}

/// The most probable of `probabilities` that `keep` keeps (the first on a tie).
pub fn best(probabilities: &[(u16, f32)], keep: impl Fn(u16) -> bool) -> Option<(u16, f32)> {
    probabilities.iter().filter(|(l, _)| keep(*l)).fold(None, |best, &(l, p)| match best {
        Some((_, b)) if b >= p => best,
        _ => Some((l, p)),
    })
}

/// The script that most of the bytes of the letters of `text` are in, and how many letters it
/// has; `None` when it has no letters. Bytes, as the document's vote counts its segments: a
/// Han character or a Hangul syllable (3 bytes) carries more of a sentence than a Latin letter
/// (1), and a Chinese or Korean sentence that names a few Latin-script programs or brands is
/// still Chinese or Korean ("AdPlay 是 AdPlug 的控制台前端。").
pub fn dominant_script(text: &str) -> Option<(Script, usize)> {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    let mut letters = 0;
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let script = script_of(c);
        if matches!(script, Script::Common | Script::Inherited | Script::Unknown) {
            continue;
        }
        letters += 1;
        match counts.iter_mut().find(|(s, _)| *s == script) {
            Some((_, n)) => *n += c.len_utf8(),
            None => counts.push((script, c.len_utf8())),
        }
    }
    // Ties go to the script seen first.
    let mut best: Option<(Script, usize)> = None;
    for &(s, n) in &counts {
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((s, n));
        }
    }
    best.map(|(s, _)| (s, letters))
}

/// One line of the stored model's header: `code<TAB>name<TAB>default|extra<TAB>scripts`.
fn parse_lang(line: &str) -> Result<ModelLang, FormatError> {
    let bad = |what: &str| FormatError(format!("header line {line:?}: {what}"));
    let mut fields = line.split('\t');
    let (Some(code), Some(name), Some(default), Some(scripts), None) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(bad("expected 4 tab-separated fields"));
    };
    let scripts = scripts
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| Script::from_short_name(s).ok_or_else(|| bad(&format!("unknown script {s:?}"))))
        .collect::<Result<_, _>>()?;
    let default = match default {
        "default" => true,
        "extra" => false,
        other => return Err(bad(&format!("expected \"default\" or \"extra\", found {other:?}"))),
    };
    Ok(ModelLang { code: code.to_string(), name: name.to_string(), scripts, default })
}

/// The `i`th `N`-byte number of `bytes`, `None` past their end.
fn nth<const N: usize>(bytes: &[u8], i: usize) -> Option<[u8; N]> {
    bytes.get(i.checked_mul(N)?..)?.first_chunk().copied()
}

/// Reads a stored model's parts in order.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// The next `len` bytes, which hold `what`.
    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], FormatError> {
        let part = self.bytes.get(self.at..self.at.saturating_add(len)).ok_or_else(|| {
            FormatError(format!(
                "expected {len} bytes of {what} at byte {}, found {}",
                self.at,
                self.bytes.len() - self.at
            ))
        })?;
        self.at += len;
        Ok(part)
    }

    /// The next little-endian `u32`, which is `what`.
    fn u32(&mut self, what: &str) -> Result<usize, FormatError> {
        Ok(u32::from_le_bytes(nth(self.take(4, what)?, 0).unwrap_or_default()) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_script::UnicodeScript;

    fn features(text: &str) -> Vec<(usize, u64)> {
        let mut all = Vec::new();
        for_each_feature(text, |kind, hash| all.push((kind, hash)));
        all
    }

    #[test]
    fn features_of_padded_words() {
        // " ab ": 8 n-grams (the lone spaces are not) and the word; " c ": 4 and the word.
        let ab_c = features("Ab, c!");
        assert_eq!(ab_c.len(), 14);
        assert_eq!(ab_c.iter().filter(|(kind, _)| *kind == ORDERS).count(), 2);
        // The same n-gram has the same hash wherever it is; different ones differ.
        let bigrams = |text: &str| features(text).into_iter().filter(|(kind, _)| *kind == 1).collect::<Vec<_>>();
        let shared = |a: &str, b: &str| bigrams(a).iter().filter(|g| bigrams(b).contains(g)).count();
        assert_eq!(shared("xaby", "zabw"), 1, "\"ab\"");
        assert_eq!(shared("xbay", "zabw"), 0, "\"ba\" is not \"ab\"");
        assert!(ab_c.iter().all(|&(_, h)| h != 0));
    }

    #[test]
    fn a_tiny_model_ranks_by_its_text() {
        let stored =
            train::train("@aa\tA\tdefault\n@bb\tB\n# a comment\naa\tle chat et le chien\nbb\tthe cat and the dog\n");
        let model = Model::from_bytes(&stored).unwrap();
        let (lang, p) = best(&model.probabilities("le chien", &[0, 1], 1, |_| 0.0), |_| true).unwrap();
        assert_eq!(lang, 0);
        assert!(p > 0.5 && p <= 1.0);
        assert_eq!(best(&[(3, 0.25), (1, 0.5), (2, 0.5)], |_| true), Some((1, 0.5)));
        assert_eq!(best(&[(3, 0.25), (1, 0.5)], |l| l == 3), Some((3, 0.25)));
        assert_eq!((model.langs()[0].default, model.langs()[1].default), (true, false));
        assert_eq!(model.langs()[1].scripts, [Script::Latin]);
        assert_eq!(dominant_script("Привет, world!!"), Some((Script::Cyrillic, 11)));
        // Seven Han characters (21 bytes) over twelve Latin letters.
        assert_eq!(dominant_script("AdPlay 是 AdPlug 的控制台前端。").map(|(s, _)| s), Some(Script::Han));
        assert_eq!(dominant_script("123 🙂"), None);
        // The fast path agrees with Unicode's table.
        for c in '\0'..='\u{24F}' {
            assert_eq!(script_of(c), c.script(), "{c:?}");
        }
    }

    #[test]
    fn features_no_language_saw_count_for_none() {
        // bb's text is short, so a feature it never saw is less unlikely in bb than in aa.
        let stored = train::train("@aa\tA\n@bb\tB\naa\tle chat et le chien sont dans la maison\nbb\tthe cat\n");
        let model = Model::from_bytes(&stored).unwrap();
        let p = model.probabilities("Qwzx Vkjy", &[0, 1], 1, |_| 0.0);
        assert!((p[0].1 - 0.5).abs() < 1e-6 && (p[1].1 - 0.5).abs() < 1e-6, "{p:?}");
        let mut scores = Vec::new();
        assert_eq!(model.log_likelihoods("Qwzx Vkjy", &[0, 1], 1, &mut scores), 0);
        // Of " t ", the n-grams some language saw ("t", " t" of "the", "t " of "chat") count.
        assert_eq!(model.log_likelihoods("Qwzx t", &[0, 1], 1, &mut scores), 3);
    }

    #[test]
    fn unseen_words_get_the_share_witten_bell_leaves_them() {
        use train::{Smoothing, UNSEEN_PENALTY, UNSEEN_WORDS_LN};
        // Ten words, four different: the seen words keep 10 / 14 of the mass, and 4 / 14 is
        // spread over e^UNSEEN_WORDS_LN unseen words.
        let words = Smoothing::of(ORDERS, 10, 4);
        assert!((words.ln_denominator - 14f64.ln()).abs() < 1e-12);
        assert!((words.unseen - ((4.0 / 14.0f64).ln() - UNSEEN_WORDS_LN)).abs() < 1e-12);
        // A language whose words are more varied expects more unseen ones.
        assert!(Smoothing::of(ORDERS, 10, 8).unseen > words.unseen);
        // N-grams: an unseen one costs UNSEEN_PENALTY more than one seen once.
        let trigrams = Smoothing::of(2, 10, 4);
        assert!((-trigrams.ln_denominator - trigrams.unseen - UNSEEN_PENALTY).abs() < 1e-12);
        assert_eq!(trigrams, Smoothing::of(2, 10, 9), "n-grams do not depend on the distinct count");
        // No text of a kind is not a division by zero.
        assert!(Smoothing::of(ORDERS, 0, 0).unseen.is_finite() && Smoothing::of(0, 0, 0).unseen.is_finite());
        // The stored model holds these values: a word aa saw twice of its five words, four
        // different ("le" twice), against an unseen one.
        let stored = train::train("@aa\tA\n@bb\tB\naa\tle chat et le chien\nbb\tzz\n");
        let model = Model::from_bytes(&stored).unwrap();
        let mut only_words = Vec::new();
        // min_order above every n-gram order: whole words only.
        model.log_likelihoods("le", &[0], ORDERS + 1, &mut only_words);
        let expected = 2f64.ln() - Smoothing::of(ORDERS, 5, 4).ln_denominator;
        assert!((f64::from(only_words[0]) - expected).abs() < 1e-5, "{only_words:?} against {expected}");
    }

    #[test]
    fn a_damaged_model_is_an_error_not_a_panic() {
        let stored = train::train("@aa\tA\naa\tle chat\n");
        assert!(Model::from_bytes(&stored).is_ok());
        for cut in [0, 5, 12, stored.len() / 2, stored.len() - 1] {
            let err = Model::from_bytes(&stored[..cut]).err().unwrap_or_else(|| panic!("{cut} bytes read"));
            assert!(err.to_string().starts_with("stored language model: expected"), "{err}");
        }
        let mut longer = stored.clone();
        longer.push(0);
        assert_eq!(
            Model::from_bytes(&longer).err().unwrap().to_string(),
            "stored language model: 1 bytes after the postings"
        );
        let mut renamed = stored.clone();
        renamed[0] = b'X';
        assert!(Model::from_bytes(&renamed).is_err());
        // A table without an empty slot would make a lookup of an unknown feature run forever.
        let header = u32::from_le_bytes(stored[8..12].try_into().unwrap()) as usize;
        let slots_at = 12 + header + KINDS * 4;
        let slots = u32::from_le_bytes(stored[slots_at..slots_at + 4].try_into().unwrap()) as usize;
        let mut disordered = stored.clone();
        disordered[slots_at + 4 + 8] = 1;
        assert!(Model::from_bytes(&disordered).err().unwrap().to_string().contains("do not run in order"));
        let mut full = stored;
        for slot in full[slots_at + 4..slots_at + 4 + slots * train::SLOT_BYTES].chunks_exact_mut(train::SLOT_BYTES) {
            slot[..8].copy_from_slice(&7u64.to_le_bytes());
        }
        assert!(Model::from_bytes(&full).err().unwrap().to_string().contains("expected an empty slot"));
    }

    #[test]
    fn the_compiled_model_holds_every_language() {
        let model = Model::global();
        assert_eq!(model.langs().len(), 443);
        assert_eq!(model.langs().iter().filter(|l| l.default).count(), 154);
        assert!(model.langs().iter().all(|l| !l.scripts.is_empty()), "every language has a script");
    }
}

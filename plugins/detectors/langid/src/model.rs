//! The breadth model: naive Bayes over character n-grams, for every language of the UDHR set.
//!
//! The training text (`data/udhr-train.txt`, 443 languages, about 2.8 MB) is compiled into
//! the library and counted once per process, on all cores, when the first detector is built
//! (half a second on 2 cores). Each word, lower-cased and padded with a space on both sides,
//! gives its character n-grams of 1 to [`ORDERS`] characters, and itself as a feature. A language's score for a text is the sum
//! over the text's n-grams of the log of their relative frequency in its training text; an
//! n-gram it never saw costs as much as one seen once, plus [`UNSEEN_PENALTY`]. Scores become
//! probabilities over the languages asked about (see [`Model::probabilities`]).
//!
//! Languages are only compared within a script: [`ModelLang::scripts`] says which scripts a
//! language's training text is written in, and [`dominant_script`] which script a text is.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;
use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_script::{Script, UnicodeScript};

/// N-grams of 1 to `ORDERS` characters.
pub const ORDERS: usize = 5;

/// Kinds of feature: the n-grams of each order, and whole words.
const KINDS: usize = ORDERS + 1;

/// Natural-log cost of an n-gram a language never saw, beyond that of one seen once.
pub const UNSEEN_PENALTY: f32 = 1.0;

/// A script holding at least this share of a language's training letters is one of its scripts.
const SCRIPT_SHARE: f32 = 0.05;

/// How many of a language's `n` UDHR sentences are training text: the first two thirds. The
/// rest is held out for `eval --held-out`.
pub fn train_lines(n: usize) -> usize {
    (n * 2).div_ceil(3)
}

static TRAINING: &str = include_str!("../data/udhr-train.txt");

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

/// The n-gram model: per n-gram, the languages that saw it and how much more likely it is in
/// each than an unseen n-gram.
pub struct Model {
    langs: Vec<ModelLang>,
    /// n-gram key -> range in `postings`.
    table: FxHashMap<u128, (u32, u32)>,
    /// (language, log-probability minus the language's unseen cost for that order).
    postings: Vec<(u16, f32)>,
    /// Per language and kind of feature: the log-probability of one it never saw.
    unseen: Vec<[f32; KINDS]>,
}

impl Model {
    /// The model compiled into the library, counted on first use.
    pub fn global() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| Model::train(TRAINING))
    }

    /// Count `training`: `@code<TAB>name[<TAB>default]` lines declare the languages,
    /// `code<TAB>text` lines are their text, `#` lines are comments.
    ///
    /// # Panics
    ///
    /// On a text line whose code was not declared, or more than 65,535 languages: the
    /// training text is part of the library, and a test reads it.
    pub fn train(training: &str) -> Model {
        let mut langs: Vec<ModelLang> = Vec::new();
        let mut index: FxHashMap<&str, usize> = FxHashMap::default();
        let mut texts: Vec<Vec<&str>> = Vec::new();
        for line in training.lines() {
            if let Some(decl) = line.strip_prefix('@') {
                let mut fields = decl.split('\t');
                let code = fields.next().unwrap_or_default();
                let name = fields.next().unwrap_or(code);
                let default = fields.next() == Some("default");
                index.insert(code, langs.len());
                langs.push(ModelLang { code: code.to_string(), name: name.to_string(), scripts: Vec::new(), default });
                texts.push(Vec::new());
            } else if let Some((code, text)) = line.split_once('\t').filter(|_| !line.starts_with('#')) {
                let i = *index.get(code).unwrap_or_else(|| panic!("training text: undeclared language {code:?}"));
                texts[i].push(text);
            }
        }
        assert!(langs.len() <= usize::from(u16::MAX), "training text: too many languages");
        // Languages are counted on all cores: the first detector of a run waits for this.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per_thread = texts.len().div_ceil(threads).max(1);
        let counted: Vec<Counted> = std::thread::scope(|scope| {
            let workers: Vec<_> = texts
                .chunks(per_thread)
                .map(|chunk| scope.spawn(move || chunk.iter().map(|lines| count(lines)).collect::<Vec<_>>()))
                .collect();
            workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        });
        // (feature, language, count), sorted by feature below: one allocation, not one a key.
        let mut seen: Vec<(u128, u16, u32)> = Vec::with_capacity(counted.iter().map(|c| c.counts.len()).sum());
        let mut unseen = Vec::with_capacity(langs.len());
        for (i, c) in counted.into_iter().enumerate() {
            langs[i].scripts = c.scripts;
            unseen.push(c.totals.map(|t| -((t.max(1)) as f32).ln() - UNSEEN_PENALTY));
            seen.extend(c.counts.into_iter().map(|(key, count)| (key, i as u16, count)));
        }
        seen.sort_unstable();
        let keys = seen.chunk_by(|a, b| a.0 == b.0).count();
        let mut table = FxHashMap::with_capacity_and_hasher(keys, Default::default());
        let mut postings = Vec::with_capacity(seen.len());
        for run in seen.chunk_by(|a, b| a.0 == b.0) {
            let start = postings.len() as u32;
            // log(count / total) - unseen = log(count) + UNSEEN_PENALTY.
            postings.extend(run.iter().map(|&(_, lang, count)| (lang, (count as f32).ln() + UNSEEN_PENALTY)));
            table.insert(run[0].0, (start, run.len() as u32));
        }
        Model { langs, table, postings, unseen }
    }

    /// The languages, in training-text order.
    pub fn langs(&self) -> &[ModelLang] {
        &self.langs
    }

    /// Log-likelihood of `text` in each language of `langs` (indices into [`Model::langs`]),
    /// written into `scores` (same order), and the number of features read. Only n-grams of
    /// at least `min_order` characters (and whole words) are read: the postings of unigrams
    /// and bigrams are the longest (a Latin letter is in 350 languages' lists), and a long
    /// text is decided without them.
    pub fn log_likelihoods(&self, text: &str, langs: &[u16], min_order: usize, scores: &mut Vec<f32>) -> usize {
        let mut all = vec![0f32; self.langs.len()];
        let mut orders = [0u32; KINDS];
        for_each_ngram(text, |order, key| {
            if order + 1 < min_order {
                return;
            }
            orders[order] += 1;
            if let Some(&(start, len)) = self.table.get(&key) {
                for &(lang, gain) in &self.postings[start as usize..(start + len) as usize] {
                    all[usize::from(lang)] += gain;
                }
            }
        });
        scores.clear();
        scores.extend(langs.iter().map(|&l| {
            let unseen = &self.unseen[usize::from(l)];
            all[usize::from(l)] + orders.iter().zip(unseen).map(|(&n, &u)| n as f32 * u).sum::<f32>()
        }));
        orders.iter().sum::<u32>() as usize
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

/// What one language's training text holds.
struct Counted {
    /// Each feature and how often it occurs.
    counts: Vec<(u128, u32)>,
    /// How many features of each kind.
    totals: [u32; KINDS],
    /// The scripts with at least [`SCRIPT_SHARE`] of the letters, most letters first.
    scripts: Vec<Script>,
}

/// Count the features and scripts of one language's training lines.
fn count(lines: &[&str]) -> Counted {
    let mut counts: FxHashMap<u128, u32> = FxHashMap::default();
    let mut totals = [0u32; KINDS];
    let mut letters: FxHashMap<Script, u32> = FxHashMap::default();
    for text in lines {
        for_each_ngram(text, |order, key| {
            totals[order] += 1;
            *counts.entry(key).or_default() += 1;
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
    Counted { counts: counts.into_iter().collect(), totals, scripts: scripts.into_iter().map(|(s, _)| s).collect() }
}

/// The script of a character, with Katakana counted as Hiragana (both are kana).
pub fn script_of(c: char) -> Script {
    // Latin text first: unicode-script's table search is the slow part of reading a line.
    match c {
        'a'..='z' | 'A'..='Z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}' => Script::Latin,
        '\0'..='\u{7F}' => Script::Common,
        _ => match c.script() {
            Script::Katakana => Script::Hiragana,
            s => s,
        },
    }
}

/// The script most of the letters of `text` are in, and how many letters it has; `None` when
/// it has no letters.
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
            Some((_, n)) => *n += 1,
            None => counts.push((script, 1)),
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

/// Whether `c` belongs inside a word: a letter or a combining mark (Indic vowel signs and
/// viramas, Arabic harakat).
fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
        || matches!(
            get_general_category(c),
            GeneralCategory::NonspacingMark | GeneralCategory::SpacingMark | GeneralCategory::EnclosingMark
        )
}

/// The key of an n-gram: its characters (21 bits each) and its order (3 bits), collision free.
fn key(chars: &[char]) -> u128 {
    chars.iter().fold(chars.len() as u128, |k, &c| (k << 21) | c as u128)
}

/// The key of a whole (padded) word: a 64-bit hash with the top bit set, above every n-gram's.
fn word_key(word: &[char]) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    word.hash(&mut h);
    (1u128 << 127) | u128::from(h.finish())
}

/// Call `f(kind, key)` for every character n-gram of every word of `text` (kind: the order
/// index, 0 for unigrams) and for every word itself (kind [`ORDERS`]).
pub fn for_each_ngram(text: &str, mut f: impl FnMut(usize, u128)) {
    let mut word: Vec<char> = Vec::with_capacity(32);
    let mut flush = |word: &mut Vec<char>| {
        if word.len() > 1 {
            word.push(' ');
            f(ORDERS, word_key(word));
            for start in 0..word.len() {
                for n in 1..=ORDERS.min(word.len() - start) {
                    let gram = &word[start..start + n];
                    if gram != [' '] {
                        f(n - 1, key(gram));
                    }
                }
            }
        }
        word.clear();
        word.push(' ');
    };
    word.push(' ');
    for c in text.chars() {
        if is_word_char(c) {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word);
        }
    }
    flush(&mut word);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_characters_and_length() {
        assert_ne!(key(&['a', 'b']), key(&['b', 'a']));
        assert_ne!(key(&['\0', 'a']), key(&['a']));
        assert_ne!(key(&['\u{10FFFF}'; 5]), key(&['\u{10FFFF}'; 4]));
    }

    #[test]
    fn ngrams_of_padded_words() {
        let mut grams = Vec::new();
        for_each_ngram("Ab, c!", |order, key| grams.push((order, key)));
        assert!(grams.contains(&(1, key(&['a', 'b']))));
        assert!(grams.contains(&(3, key(&[' ', 'a', 'b', ' ']))));
        assert!(!grams.iter().any(|&(_, k)| k == key(&[' '])));
    }

    #[test]
    fn a_tiny_model_ranks_by_its_text() {
        let model = Model::train("@aa\tA\n@bb\tB\naa\tle chat et le chien\nbb\tthe cat and the dog\n");
        let (lang, p) = best(&model.probabilities("le chien", &[0, 1], 1, |_| 0.0), |_| true).unwrap();
        assert_eq!(lang, 0);
        assert!(p > 0.5 && p <= 1.0);
        assert_eq!(best(&[(3, 0.25), (1, 0.5), (2, 0.5)], |_| true), Some((1, 0.5)));
        assert_eq!(best(&[(3, 0.25), (1, 0.5)], |l| l == 3), Some((3, 0.25)));
        assert_eq!(model.langs()[1].scripts, [Script::Latin]);
        assert_eq!(dominant_script("Привет, world!!"), Some((Script::Cyrillic, 11)));
        assert_eq!(dominant_script("123 🙂"), None);
        // The fast path agrees with Unicode's table.
        for c in '\0'..='\u{24F}' {
            assert_eq!(script_of(c), c.script(), "{c:?}");
        }
    }
}

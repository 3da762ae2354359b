//! `gopher_quality`: datatrove's `GopherQualityFilter`
//! (`pipeline/filters/gopher_quality_filter.py`), rule for rule.

use crate::text::{is_symbol_word, language_stop_words, DEFAULT_STOP_WORDS};
use crate::{pystr, Language, Verdict};
use moulin_plugin::Error;
use serde::{Deserialize, Serialize};

/// The `config` table of a `gopher_quality` stage: datatrove's arguments, with its defaults.
/// A threshold of 0 turns its rule off, as `None` (or 0) does in datatrove.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GopherQualityConfig {
    /// Fewer words (that are not only punctuation) → `gopher_short_doc`. Default 50.
    pub min_doc_words: u64,
    /// More such words → `gopher_long_doc`. Default 100,000.
    pub max_doc_words: u64,
    /// Mean length of those words below → `gopher_below_avg_threshold`. Default 3.
    pub min_avg_word_length: f64,
    /// Mean length above → `gopher_above_avg_threshold`. Default 10.
    pub max_avg_word_length: f64,
    /// `#` per word, or `...` and `…` per word, above → `gopher_too_many_hashes` /
    /// `gopher_too_many_ellipsis`. Default 0.1.
    pub max_symbol_word_ratio: f64,
    /// Share of lines starting with `•` or `-` above → `gopher_too_many_bullets`. Default 0.9.
    pub max_bullet_lines_ratio: f64,
    /// Share of lines ending with `...` or `…` above → `gopher_too_many_end_ellipsis`.
    /// Default 0.3.
    pub max_ellipsis_lines_ratio: f64,
    /// Share of words with a letter *below* → `gopher_below_alpha_threshold` (datatrove's
    /// name, which reads as a maximum, acts as a minimum). Default 0.8.
    pub max_non_alpha_words_ratio: f64,
    /// Fewer distinct stop words present → `gopher_enough_stop_words`. Default 2.
    pub min_stop_words: u64,
    /// The stop words: a list, or `"language"` for moulin's list of the stage's language (of
    /// the document's with `language = "auto"`; see [`crate::text::language_stop_words`]).
    /// Default datatrove's English eight (the, be, to, of, and, that, have, with), whatever
    /// the language, as in datatrove.
    pub stop_words: Option<StopWords>,
    /// Word splitting: `en` (default), `fr`, `es`, `de`, `it`, `pt`, `nl`, or `auto`
    /// (the document's `lang`).
    pub language: Language,
    /// Write the measured values to meta, under `gopher_quality`. Default false.
    pub stats: bool,
}

impl Default for GopherQualityConfig {
    fn default() -> Self {
        GopherQualityConfig {
            min_doc_words: 50,
            max_doc_words: 100_000,
            min_avg_word_length: 3.0,
            max_avg_word_length: 10.0,
            max_symbol_word_ratio: 0.1,
            max_bullet_lines_ratio: 0.9,
            max_ellipsis_lines_ratio: 0.3,
            max_non_alpha_words_ratio: 0.8,
            min_stop_words: 2,
            stop_words: None,
            language: Language::default(),
            stats: false,
        }
    }
}

/// The `stop_words` setting.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StopWords {
    /// These words.
    List(Vec<String>),
    /// `"language"`: the list of the language the words are split for.
    Named(String),
}

/// What the rules measure in one document.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct GopherQualityStats {
    /// Words (tokens that are not white space).
    pub n_words: usize,
    /// Words with a character outside datatrove's punctuation set.
    pub n_non_symbol_words: usize,
    /// Their mean length in characters (NaN without any).
    pub mean_word_length: f64,
    /// `#` per word.
    pub hash_ratio: f64,
    /// `...` and `…` per word.
    pub ellipsis_ratio: f64,
    /// Share of lines starting with a bullet.
    pub bullet_lines_ratio: f64,
    /// Share of lines ending with an ellipsis.
    pub end_ellipsis_lines_ratio: f64,
    /// Share of words with a letter.
    pub alpha_words_ratio: f64,
    /// Distinct stop words present.
    pub stop_words: usize,
}

/// The `gopher_quality` rules, ready to judge documents.
pub struct GopherQuality {
    config: GopherQualityConfig,
    /// The stop words, or `None` for the language's.
    stop_words: Option<Vec<String>>,
}

impl GopherQuality {
    /// Rules from a config.
    pub fn new(config: GopherQualityConfig) -> GopherQuality {
        let list = |words: &[&str]| words.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut stop_words = match &config.stop_words {
            None => Some(list(DEFAULT_STOP_WORDS)),
            Some(StopWords::List(words)) => Some(words.clone()),
            Some(StopWords::Named(_)) => None,
        };
        // datatrove intersects sets: a word listed twice counts once.
        if let Some(words) = &mut stop_words {
            words.sort();
            words.dedup();
        }
        GopherQuality { config, stop_words }
    }

    /// Check ranges and names.
    pub fn validate(config: &GopherQualityConfig) -> Result<(), Error> {
        if let Some(StopWords::Named(name)) = &config.stop_words {
            if name != "language" {
                return Err(Error::config(
                    "stop_words",
                    format!("expected a list of words or \"language\", found \"{name}\""),
                ));
            }
        }
        crate::check_ratio("max_symbol_word_ratio", config.max_symbol_word_ratio)?;
        crate::check_ratio("max_bullet_lines_ratio", config.max_bullet_lines_ratio)?;
        crate::check_ratio("max_ellipsis_lines_ratio", config.max_ellipsis_lines_ratio)?;
        crate::check_ratio("max_non_alpha_words_ratio", config.max_non_alpha_words_ratio)
    }

    /// Measure `text`, split into `words` by the rules of language `lang`.
    pub fn measure(&self, text: &str, words: &[&str], lang: &str) -> GopherQualityStats {
        let n_words = words.len();
        let (mut n_non_symbol, mut non_symbol_chars, mut alpha) = (0usize, 0usize, 0usize);
        for w in words {
            if !is_symbol_word(w) {
                n_non_symbol += 1;
                non_symbol_chars += pystr::len(w);
            }
            if w.chars().any(pystr::is_alpha) {
                alpha += 1;
            }
        }
        let per_word = |n: usize| n as f64 / n_words as f64;
        let lines = pystr::splitlines(text);
        let per_line = |n: usize| n as f64 / lines.len() as f64;
        let bullets = lines
            .iter()
            .filter(|l| {
                let l = pystr::lstrip(l);
                l.starts_with('•') || l.starts_with('-')
            })
            .count();
        let end_ellipsis = lines
            .iter()
            .filter(|l| {
                let l = pystr::rstrip(l);
                l.ends_with("...") || l.ends_with('…')
            })
            .count();
        let stop_words = match &self.stop_words {
            Some(list) => list.iter().filter(|s| words.contains(&s.as_str())).count(),
            None => language_stop_words(lang).iter().filter(|s| words.contains(s)).count(),
        };
        GopherQualityStats {
            n_words,
            n_non_symbol_words: n_non_symbol,
            mean_word_length: non_symbol_chars as f64 / n_non_symbol as f64,
            hash_ratio: per_word(text.matches('#').count()),
            ellipsis_ratio: per_word(text.matches("...").count() + text.matches('…').count()),
            bullet_lines_ratio: per_line(bullets),
            end_ellipsis_lines_ratio: per_line(end_ellipsis),
            alpha_words_ratio: per_word(alpha),
            stop_words,
        }
    }

    /// datatrove's decision on measured values: the first rule that fails, in its order.
    pub fn decide(&self, s: &GopherQualityStats) -> Verdict {
        let c = &self.config;
        let n = s.n_non_symbol_words as u64;
        if c.min_doc_words > 0 && n < c.min_doc_words {
            return Err(crate::reason("gopher_short_doc"));
        }
        if c.max_doc_words > 0 && n > c.max_doc_words {
            return Err(crate::reason("gopher_long_doc"));
        }
        // NaN (no such words) fails no comparison, as numpy's mean of nothing in datatrove.
        if c.min_avg_word_length > 0.0 && s.mean_word_length < c.min_avg_word_length {
            return Err(crate::reason("gopher_below_avg_threshold"));
        }
        if c.max_avg_word_length > 0.0 && s.mean_word_length > c.max_avg_word_length {
            return Err(crate::reason("gopher_above_avg_threshold"));
        }
        if c.max_symbol_word_ratio > 0.0 && s.hash_ratio > c.max_symbol_word_ratio {
            return Err(crate::reason("gopher_too_many_hashes"));
        }
        if c.max_symbol_word_ratio > 0.0 && s.ellipsis_ratio > c.max_symbol_word_ratio {
            return Err(crate::reason("gopher_too_many_ellipsis"));
        }
        if c.max_bullet_lines_ratio > 0.0 && s.bullet_lines_ratio > c.max_bullet_lines_ratio {
            return Err(crate::reason("gopher_too_many_bullets"));
        }
        if c.max_ellipsis_lines_ratio > 0.0 && s.end_ellipsis_lines_ratio > c.max_ellipsis_lines_ratio {
            return Err(crate::reason("gopher_too_many_end_ellipsis"));
        }
        if c.max_non_alpha_words_ratio > 0.0 && s.alpha_words_ratio < c.max_non_alpha_words_ratio {
            return Err(crate::reason("gopher_below_alpha_threshold"));
        }
        if c.min_stop_words > 0 && (s.stop_words as u64) < c.min_stop_words {
            return Err(crate::reason("gopher_enough_stop_words"));
        }
        Ok(())
    }
}

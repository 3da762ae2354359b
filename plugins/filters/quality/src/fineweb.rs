//! `fineweb_quality`: datatrove's `FineWebQualityFilter`
//! (`pipeline/filters/fineweb_quality_filter.py`), rule for rule.

use crate::repetition::find_duplicates;
use crate::text::is_terminal_punct;
use crate::{pystr, reason, Language, Verdict};
use moulin_plugin::Error;
use serde::{Deserialize, Serialize};

/// The `config` table of a `fineweb_quality` stage: datatrove's arguments and defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FineWebQualityConfig {
    /// Share of lines ending in terminal punctuation below → `line_punct_ratio`. Default 0.12.
    pub line_punct_thr: f64,
    /// Do not apply that rule when no line ends in punctuation. Default false.
    pub line_punct_exclude_zero: bool,
    /// The line endings that count; default datatrove's `TERMINAL_PUNCTUATION` (159
    /// characters of many scripts).
    pub stop_chars: Option<Vec<String>>,
    /// Share of short lines above → `short_line_ratio`. Default 0.67.
    pub short_line_thr: f64,
    /// A short line has at most this many characters. Default 30.
    pub short_line_length: usize,
    /// Characters in repeated lines per character (new lines not counted) above →
    /// `char_dup_ratio`. Default 0.01.
    pub char_duplicates_ratio: f64,
    /// New lines per word above → `list_ratio`. Default 0.3.
    pub new_line_ratio: f64,
    /// Word splitting: `en` (default), `fr`, `es`, `de`, `it`, `pt`, `nl`, or `auto`.
    pub language: Language,
    /// Write the measured values to meta, under `fineweb_quality`. Default false.
    pub stats: bool,
}

impl Default for FineWebQualityConfig {
    fn default() -> Self {
        FineWebQualityConfig {
            line_punct_thr: 0.12,
            line_punct_exclude_zero: false,
            stop_chars: None,
            short_line_thr: 0.67,
            short_line_length: 30,
            char_duplicates_ratio: 0.01,
            new_line_ratio: 0.3,
            language: Language::default(),
            stats: false,
        }
    }
}

/// What the rules measure in one document.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FineWebQualityStats {
    /// Lines that are not blank.
    pub lines: usize,
    /// Share of them ending in terminal punctuation.
    pub line_punct_ratio: f64,
    /// Share of them with at most `short_line_length` characters.
    pub short_line_ratio: f64,
    /// Characters of repeated lines per character of the text without new lines.
    pub char_dup_ratio: f64,
    /// New lines per word.
    pub list_ratio: f64,
}

/// The `fineweb_quality` rules.
pub struct FineWebQuality {
    config: FineWebQualityConfig,
}

impl FineWebQuality {
    /// Rules from a config.
    pub fn new(config: FineWebQualityConfig) -> FineWebQuality {
        FineWebQuality { config }
    }

    /// Check ranges.
    pub fn validate(config: &FineWebQualityConfig) -> Result<(), Error> {
        crate::check_ratio("line_punct_thr", config.line_punct_thr)?;
        crate::check_ratio("short_line_thr", config.short_line_thr)
    }

    fn ends_with_stop(&self, line: &str) -> bool {
        match &self.config.stop_chars {
            None => line.chars().next_back().is_some_and(is_terminal_punct),
            Some(stops) => stops.iter().any(|s| line.ends_with(s.as_str())),
        }
    }

    /// Measure `text`; `words` splits it (called only when it has a line that is not blank).
    pub fn measure<'t>(&self, text: &'t str, words: impl FnOnce() -> Vec<&'t str>) -> FineWebQualityStats {
        let lines: Vec<&str> = text.split('\n').filter(|l| !pystr::strip(l).is_empty()).collect();
        if lines.is_empty() {
            return FineWebQualityStats::default();
        }
        let n = lines.len() as f64;
        let punct = lines.iter().filter(|l| self.ends_with_stop(l)).count();
        let short = lines.iter().filter(|l| pystr::len(l) <= self.config.short_line_length).count();
        let dup_chars = find_duplicates(lines.iter().copied()).1;
        let chars_without_newlines = pystr::len(text) - text.matches('\n').count();
        let n_words = words().len();
        FineWebQualityStats {
            lines: lines.len(),
            line_punct_ratio: punct as f64 / n,
            short_line_ratio: short as f64 / n,
            char_dup_ratio: dup_chars as f64 / chars_without_newlines as f64,
            list_ratio: text.matches('\n').count() as f64 / n_words as f64,
        }
    }

    /// datatrove's decision: the first rule that fails, in its order.
    pub fn decide(&self, s: &FineWebQualityStats) -> Verdict {
        let c = &self.config;
        if s.lines == 0 {
            return Err(reason("empty"));
        }
        if s.line_punct_ratio < c.line_punct_thr && !(s.line_punct_ratio == 0.0 && c.line_punct_exclude_zero) {
            return Err(reason("line_punct_ratio"));
        }
        if s.short_line_ratio > c.short_line_thr {
            return Err(reason("short_line_ratio"));
        }
        if s.char_dup_ratio > c.char_duplicates_ratio {
            return Err(reason("char_dup_ratio"));
        }
        if s.list_ratio > c.new_line_ratio {
            return Err(reason("list_ratio"));
        }
        Ok(())
    }
}

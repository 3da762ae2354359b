//! `c4_quality`: datatrove's `C4QualityFilter` (`pipeline/filters/c4_filters.py`), line
//! rules and document rules, and optionally its `C4BadWordsFilter` with a word list you give.

use crate::text::{C4_END_PUNCTUATION, C4_POLICY_SUBSTRINGS};
use crate::words::{Cache, Tokenizer};
use crate::{pystr, reason, Language, Verdict};
use moulin_plugin::{Error, StageContext};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The `config` table of a `c4_quality` stage: datatrove's arguments and defaults. FineWeb
/// runs it with `filter_no_terminal_punct = false`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct C4QualityConfig {
    /// Judge lines (`splitlines()`, default true); false: judge spaCy's sentences instead.
    pub split_paragraph: bool,
    /// Remove Wikipedia-style citations (`[1]`, `[edit]`, `[citation needed]`). Default true.
    pub remove_citations: bool,
    /// Drop lines that do not end in `. ? ! " '` or that end in `...`. Default true.
    pub filter_no_terminal_punct: bool,
    /// Fewer sentences in the kept lines → `too_few_sentences`; -1 turns it off. Default 5.
    pub min_num_sentences: i64,
    /// Drop lines with fewer words (split on white space, counted before citations go).
    /// Default 3.
    pub min_words_per_line: i64,
    /// Drop lines with a word longer than this (characters); -1 turns it off. Default 1000.
    pub max_word_length: i64,
    /// A line with "lorem ipsum" → `lorem_ipsum`. Default true.
    pub filter_lorem_ipsum: bool,
    /// Drop lines with "javascript". Default true.
    pub filter_javascript: bool,
    /// A line with `{` → `curly_bracket`. Default true.
    pub filter_curly_bracket: bool,
    /// Drop lines with "terms of use", "privacy policy", cookie notices. Default true.
    pub filter_policy: bool,
    /// Sentence splitting: `en` (default), `fr`, `es`, `de`, `it`, `pt`, `nl`, or `auto`.
    pub language: Language,
    /// A bad-words list (one word or phrase a line, as the LDNOOBW lists C4 used): a document
    /// containing one, case ignored, is dropped first, with `document_removed_with_badwords`
    /// (datatrove's `C4BadWordsFilter` with `keep_fraction = 0`). Relative to the project.
    pub bad_words_file: Option<PathBuf>,
    /// Bad words given inline, added to the file's.
    pub bad_words: Vec<String>,
    /// Match bad words only between non-word characters (true, the default); false for
    /// languages written without spaces (datatrove does so for ja, th, zh).
    pub bad_words_boundaries: bool,
    /// Write the measured values to meta, under `c4_quality`. Default false.
    pub stats: bool,
}

impl Default for C4QualityConfig {
    fn default() -> Self {
        C4QualityConfig {
            split_paragraph: true,
            remove_citations: true,
            filter_no_terminal_punct: true,
            min_num_sentences: 5,
            min_words_per_line: 3,
            max_word_length: 1000,
            filter_lorem_ipsum: true,
            filter_javascript: true,
            filter_curly_bracket: true,
            filter_policy: true,
            language: Language::default(),
            bad_words_file: None,
            bad_words: Vec::new(),
            bad_words_boundaries: true,
            stats: false,
        }
    }
}

/// What the rules saw in one document: lines in, and lines dropped by each line rule.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct C4QualityStats {
    /// Lines (or sentences) judged.
    pub lines: usize,
    /// Lines kept.
    pub lines_kept: usize,
    /// Sentences in the kept lines.
    pub sentences: usize,
    /// Lines dropped for a word over `max_word_length`.
    pub too_long_word: usize,
    /// Lines dropped for their ending.
    pub no_terminal_punct: usize,
    /// Lines dropped for too few words.
    pub too_few_words: usize,
    /// Lines dropped for "javascript".
    pub javascript: usize,
    /// Lines dropped for a policy phrase.
    pub policy: usize,
}

/// The outcome for one document: the verdict, what was measured, and the new text as pieces
/// of the old (byte ranges; lines are joined by [`C4Quality::separator`]).
pub struct C4Outcome {
    /// Kept or the reason to drop.
    pub verdict: Verdict,
    /// The counts.
    pub stats: C4QualityStats,
    /// The kept lines, each as the byte ranges of the old text it is made of.
    pub lines: Vec<Vec<std::ops::Range<usize>>>,
}

/// The `c4_quality` rules.
pub struct C4Quality {
    config: C4QualityConfig,
    bad_words: Option<regex::Regex>,
}

fn citation() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"\[\d*\]|\[edit\]|\[citation needed\]").expect("static pattern"))
}

impl C4Quality {
    /// Rules from a config; reads the bad-words file.
    pub fn new(config: C4QualityConfig, ctx: &StageContext) -> Result<C4Quality, Error> {
        let mut words: Vec<String> = config.bad_words.iter().map(|w| w.trim().to_lowercase()).collect();
        if let Some(path) = &config.bad_words_file {
            let path = ctx.resolve(path);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::config("bad_words_file", format!("cannot read {}: {e}", path.display())))?;
            words.extend(text.lines().map(|l| l.trim().to_lowercase()));
        }
        words.retain(|w| !w.is_empty());
        words.sort();
        words.dedup();
        let bad_words = if words.is_empty() {
            None
        } else {
            let alternation = words.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|");
            let pattern =
                if config.bad_words_boundaries { format!(r"(?:\W|^)({alternation})(?:\W|$)") } else { alternation };
            Some(
                regex::RegexBuilder::new(&pattern)
                    .size_limit(64 << 20)
                    .build()
                    .map_err(|e| Error::config("bad_words_file", format!("the list does not make a pattern: {e}")))?,
            )
        };
        Ok(C4Quality { config, bad_words })
    }

    /// What joins the kept lines: `\n`, or a space when sentences are judged (as datatrove
    /// joins them).
    pub fn separator(&self) -> char {
        if self.config.split_paragraph {
            '\n'
        } else {
            ' '
        }
    }

    /// Judge `text`, as `C4QualityFilter.filter` does.
    pub fn judge(&self, text: &str, tok: &Tokenizer, cache: &mut Cache) -> C4Outcome {
        let c = &self.config;
        let mut out = C4Outcome { verdict: Ok(()), stats: C4QualityStats::default(), lines: Vec::new() };
        if let Some(bad) = &self.bad_words {
            if bad.is_match(&text.to_lowercase()) {
                out.verdict = Err(reason("document_removed_with_badwords"));
                return out;
            }
        }
        let units: Vec<&str> = if c.split_paragraph { pystr::splitlines(text) } else { tok.sentences(text, cache) };
        let base = text.as_ptr() as usize;
        for unit in units {
            out.stats.lines += 1;
            let line = pystr::strip(unit);
            let start = line.as_ptr() as usize - base;
            let n_words = pystr::split_whitespace(line).count() as i64;
            if c.max_word_length != -1
                && pystr::split_whitespace(line).any(|w| pystr::len(w) as i64 > c.max_word_length)
            {
                out.stats.too_long_word += 1;
                continue;
            }
            // The line after citations are removed, as pieces of the old text.
            let mut pieces = Vec::new();
            let mut kept = String::new();
            let mut at = 0;
            if c.remove_citations {
                for m in citation().find_iter(line) {
                    pieces.push(start + at..start + m.start());
                    kept.push_str(&line[at..m.start()]);
                    at = m.end();
                }
            }
            pieces.push(start + at..start + line.len());
            let line: &str = if pieces.len() == 1 {
                &line[at..]
            } else {
                kept.push_str(&line[at..]);
                &kept
            };
            if c.filter_no_terminal_punct && (!line.ends_with(C4_END_PUNCTUATION) || line.ends_with("...")) {
                out.stats.no_terminal_punct += 1;
                continue;
            }
            if n_words < c.min_words_per_line {
                out.stats.too_few_words += 1;
                continue;
            }
            let lower = line.to_lowercase();
            if c.filter_lorem_ipsum && lower.contains("lorem ipsum") {
                out.verdict = Err(reason("lorem_ipsum"));
                return out;
            }
            if c.filter_javascript && lower.contains("javascript") {
                out.stats.javascript += 1;
                continue;
            }
            if c.filter_curly_bracket && line.contains('{') {
                out.verdict = Err(reason("curly_bracket"));
                return out;
            }
            if c.filter_policy && C4_POLICY_SUBSTRINGS.iter().any(|p| lower.contains(p)) {
                out.stats.policy += 1;
                continue;
            }
            if c.min_num_sentences != -1 {
                out.stats.sentences += if c.split_paragraph { tok.sentences(line, cache).len() } else { 1 };
            }
            pieces.retain(|r| !r.is_empty());
            out.lines.push(pieces);
            out.stats.lines_kept += 1;
        }
        if (out.stats.sentences as i64) < c.min_num_sentences {
            out.verdict = Err(reason("too_few_sentences"));
        }
        out
    }
}

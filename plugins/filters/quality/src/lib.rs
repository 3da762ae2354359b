/*!
`quality`: the quality filters web-corpus pipelines run (FineWeb, RefinedWeb, Dolma, DCLM),
decision for decision as datatrove 0.10.1 makes them.

Four stages, each datatrove's filter of the same name, with its settings as config keys, its
defaults and its reason strings:

| stage | datatrove | drops with |
|---|---|---|
| `gopher_quality` | `GopherQualityFilter` | `gopher_short_doc`, `gopher_long_doc`, `gopher_below_avg_threshold`, `gopher_above_avg_threshold`, `gopher_too_many_hashes`, `gopher_too_many_ellipsis`, `gopher_too_many_bullets`, `gopher_too_many_end_ellipsis`, `gopher_below_alpha_threshold`, `gopher_enough_stop_words` |
| `gopher_repetition` | `GopherRepetitionFilter` | `empty`, `dup_para_frac`, `dup_para_char_frac`, `dup_line_frac`, `dup_line_char_frac`, `top_{n}_gram`, `duplicated_{n}_n_grams` |
| `c4_quality` | `C4QualityFilter` (+ `C4BadWordsFilter` with a list) | `lorem_ipsum`, `curly_bracket`, `too_few_sentences`, `document_removed_with_badwords`; drops lines too |
| `fineweb_quality` | `FineWebQualityFilter` | `empty`, `line_punct_ratio`, `short_line_ratio`, `char_dup_ratio`, `list_ratio` |

Text is judged as it arrives, the way datatrove judges it: lengths in characters, lines split
as each filter splits them (`splitlines()`, `split("\n")`, `\n{2,}`), and words split as spaCy's
`blank("en")` tokenizer splits them ([`words`]); `language` selects the rules of `fr`, `es`,
`de`, `it`, `pt` or `nl`, or `auto` the document's `lang`. With `stats = true` a stage writes what it measured to meta
under its name, to tune thresholds by.

```
use moulin_plugin::testkit::{docs, Harness};
use moulin_quality::GopherQualityFilter;

let article = "The committee said that the plan would have to be changed with care. ".repeat(8);
let mut stage = Harness::new::<GopherQualityFilter>(serde_json::json!({ "stats": true }))?;
let out = stage.process(docs(&[("a", &article), ("b", "Too short to be an article.")]))?;
assert_eq!(out.kept[0].meta()["gopher_quality"]["n_words"], 112);
assert_eq!(out.dropped[0].drop_reason(), Some("gopher_short_doc"));
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

pub mod c4;
pub mod fineweb;
pub mod gopher;
pub mod pystr;
pub mod repetition;
pub mod text;
pub mod words;

use moulin_plugin::{Annotate, Annotates, Annotation, Document, Error, Stage, StageContext, Transform, Transforms};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use words::{Cache, Tokenizer};

pub use c4::{C4Quality, C4QualityConfig};
pub use fineweb::{FineWebQuality, FineWebQualityConfig};
pub use gopher::{GopherQuality, GopherQualityConfig};
pub use repetition::{GopherRepetition, GopherRepetitionConfig};

/// A filter's decision: keep, or drop with datatrove's reason.
pub type Verdict = Result<(), Cow<'static, str>>;

fn reason(r: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(r)
}

fn check_ratio(key: &str, value: f64) -> Result<(), Error> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(Error::config(key, format!("expected a number from 0 up, found {value}")))
    }
}

/// Which word-splitting rules a stage uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// spaCy's rules for one language of [`words::LANGUAGES`]; `en`, datatrove's default, is
    /// what a document without `lang` gets.
    Code(&'static str),
    /// The document's `lang` (from `langid`) when it is one of [`words::LANGUAGES`], else
    /// English.
    Auto,
}

impl Default for Language {
    fn default() -> Self {
        Language::Code("en")
    }
}

impl TryFrom<String> for Language {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s == "auto" {
            return Ok(Language::Auto);
        }
        match words::LANGUAGES.iter().find(|l| **l == s) {
            Some(code) => Ok(Language::Code(code)),
            None => Err(format!("expected one of {} or auto, found `{s}`", words::LANGUAGES.join(", "))),
        }
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Language::try_from(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl Language {
    /// The language code for a document whose language is `doc_lang`.
    pub fn code(self, doc_lang: &str) -> &'static str {
        match self {
            Language::Code(code) => code,
            Language::Auto => {
                let base = doc_lang.split(['-', '_']).next().unwrap_or_default();
                words::LANGUAGES.iter().find(|l| **l == base).copied().unwrap_or("en")
            }
        }
    }

    /// The tokenizer for a document whose language is `doc_lang`.
    pub fn tokenizer(self, doc_lang: &str) -> &'static Tokenizer {
        words::tokenizer(self.code(doc_lang)).expect("a built-in language")
    }
}

/// Write `stats` to meta under `key` when asked, and drop the document on a failed verdict.
fn conclude<S: Serialize>(doc: &mut Annotation<'_>, key: &str, stats: Option<&S>, verdict: Verdict) {
    if let Some(stats) = stats {
        doc.set_meta_field(key, serde_json::to_value(stats).unwrap_or_default());
    }
    if let Err(reason) = verdict {
        doc.drop_with(reason.into_owned());
    }
}

/// The `gopher_quality` stage.
pub struct GopherQualityFilter {
    rules: GopherQuality,
    language: Language,
    stats: bool,
    cache: Cache,
}

impl Stage for GopherQualityFilter {
    type Config = GopherQualityConfig;
    type Role = Annotates;
    const NAME: &'static str = "gopher_quality";
    const SUMMARY: &'static str = "Gopher's quality rules as datatrove's GopherQualityFilter applies them.";
    const EXAMPLE_CONFIG: &'static str = "min_doc_words = 50\nlanguage = \"en\"";

    fn validate(config: &GopherQualityConfig) -> Result<(), Error> {
        GopherQuality::validate(config)
    }

    fn new(config: GopherQualityConfig, _ctx: &StageContext) -> Result<Self, Error> {
        let (language, stats) = (config.language, config.stats);
        Ok(GopherQualityFilter { rules: GopherQuality::new(config), language, stats, cache: Cache::new() })
    }
}

impl Annotate for GopherQualityFilter {
    fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
        let lang = self.language.code(doc.lang());
        let tok = words::tokenizer(lang).expect("a built-in language");
        let words = tok.words(doc.text(), &mut self.cache);
        let stats = self.rules.measure(doc.text(), &words, lang);
        let verdict = self.rules.decide(&stats);
        conclude(doc, Self::NAME, self.stats.then_some(&stats), verdict);
        Ok(())
    }
}

/// The `gopher_repetition` stage.
pub struct GopherRepetitionFilter {
    rules: GopherRepetition,
    language: Language,
    stats: bool,
    cache: Cache,
    scratch: repetition::HashTable,
}

impl Stage for GopherRepetitionFilter {
    type Config = GopherRepetitionConfig;
    type Role = Annotates;
    const NAME: &'static str = "gopher_repetition";
    const SUMMARY: &'static str = "Gopher's repetition rules as datatrove's GopherRepetitionFilter applies them.";
    const EXAMPLE_CONFIG: &'static str = "dup_line_frac = 0.3\ntop_n_grams = [[2, 0.2], [3, 0.18], [4, 0.16]]";

    fn validate(config: &GopherRepetitionConfig) -> Result<(), Error> {
        GopherRepetition::validate(config)
    }

    fn new(config: GopherRepetitionConfig, _ctx: &StageContext) -> Result<Self, Error> {
        let (language, stats) = (config.language, config.stats);
        Ok(GopherRepetitionFilter {
            rules: GopherRepetition::new(config),
            language,
            stats,
            cache: Cache::new(),
            scratch: Default::default(),
        })
    }
}

impl Annotate for GopherRepetitionFilter {
    fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
        let tok = self.language.tokenizer(doc.lang());
        let text = doc.text();
        let (cache, scratch) = (&mut self.cache, &mut self.scratch);
        let stats = (!text.is_empty()).then(|| self.rules.measure(text, || tok.words(text, cache), scratch));
        let verdict = self.rules.decide(stats.as_ref());
        conclude(doc, Self::NAME, stats.as_ref().filter(|_| self.stats), verdict);
        Ok(())
    }
}

/// The `c4_quality` stage: drops lines (a transform: the text changes) and documents.
pub struct C4QualityFilter {
    rules: C4Quality,
    language: Language,
    stats: bool,
    cache: Cache,
}

impl Stage for C4QualityFilter {
    type Config = C4QualityConfig;
    type Role = Transforms;
    const NAME: &'static str = "c4_quality";
    const SUMMARY: &'static str =
        "C4's line and document rules as datatrove's C4QualityFilter applies them; a bad-words list as an option.";
    const EXAMPLE_CONFIG: &'static str = "filter_no_terminal_punct = false   # as FineWeb runs it";

    fn validate(config: &C4QualityConfig) -> Result<(), Error> {
        if let Some(path) = &config.bad_words_file {
            if path.as_os_str().is_empty() {
                return Err(Error::config("bad_words_file", "expected a file name, found an empty string"));
            }
        }
        Ok(())
    }

    fn new(config: C4QualityConfig, ctx: &StageContext) -> Result<Self, Error> {
        let (language, stats) = (config.language, config.stats);
        Ok(C4QualityFilter { rules: C4Quality::new(config, ctx)?, language, stats, cache: Cache::new() })
    }
}

impl Transform for C4QualityFilter {
    fn process(&mut self, doc: &mut Document) -> Result<(), Error> {
        let tok = self.language.tokenizer(doc.lang());
        let outcome = self.rules.judge(doc.text(), tok, &mut self.cache);
        if outcome.verdict.is_ok() {
            c4_rewrite(doc, &outcome.lines, self.rules.separator());
        }
        conclude(&mut Annotation::new(doc), Self::NAME, self.stats.then_some(&outcome.stats), outcome.verdict);
        Ok(())
    }
}

/// Replace the text by the kept lines joined by `separator` and stripped, as datatrove does,
/// moving spans with it (a span in a removed part shrinks or goes).
fn c4_rewrite(doc: &mut Document, lines: &[Vec<std::ops::Range<usize>>], separator: char) {
    let old = doc.text();
    let mut text = String::with_capacity(old.len());
    // (old start, old end, new start) of every copied piece, in order.
    let mut map: Vec<(usize, usize, usize)> = Vec::new();
    for (i, pieces) in lines.iter().enumerate() {
        if i > 0 {
            text.push(separator);
        }
        for r in pieces {
            map.push((r.start, r.end, text.len()));
            text.push_str(&old[r.clone()]);
        }
    }
    let lead = text.len() - text.trim_start_matches(pystr::is_space).len();
    let kept_end = text.trim_end_matches(pystr::is_space).len().max(lead);
    if text[lead..kept_end] == *old {
        return;
    }
    let stripped = text[lead..kept_end].to_string();
    let new_len = stripped.len();
    doc.set_text_remapped(stripped, |o| {
        // The first piece that ends at or after `o`: inside it, `o` moves with it; in a gap
        // before it, `o` goes to its start.
        let i = map.partition_point(|&(_, end, _)| end < o);
        let at = match map.get(i) {
            Some(&(start, _, new_start)) if o >= start => new_start + (o - start),
            Some(&(_, _, new_start)) => new_start,
            None => text.len(),
        };
        at.saturating_sub(lead).min(new_len)
    });
}

/// The `fineweb_quality` stage.
pub struct FineWebQualityFilter {
    rules: FineWebQuality,
    language: Language,
    stats: bool,
    cache: Cache,
}

impl Stage for FineWebQualityFilter {
    type Config = FineWebQualityConfig;
    type Role = Annotates;
    const NAME: &'static str = "fineweb_quality";
    const SUMMARY: &'static str = "FineWeb's line rules as datatrove's FineWebQualityFilter applies them.";
    const EXAMPLE_CONFIG: &'static str = "line_punct_thr = 0.12\nshort_line_thr = 0.67";

    fn validate(config: &FineWebQualityConfig) -> Result<(), Error> {
        FineWebQuality::validate(config)
    }

    fn new(config: FineWebQualityConfig, _ctx: &StageContext) -> Result<Self, Error> {
        let (language, stats) = (config.language, config.stats);
        Ok(FineWebQualityFilter { rules: FineWebQuality::new(config), language, stats, cache: Cache::new() })
    }
}

impl Annotate for FineWebQualityFilter {
    fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
        let tok = self.language.tokenizer(doc.lang());
        let text = doc.text();
        let stats = self.rules.measure(text, || tok.words(text, &mut self.cache));
        let verdict = self.rules.decide(&stats);
        conclude(doc, Self::NAME, self.stats.then_some(&stats), verdict);
        Ok(())
    }
}

moulin_plugin::export_plugin!(GopherQualityFilter, GopherRepetitionFilter, C4QualityFilter, FineWebQualityFilter);

/*!
`boilerplate`: removes site chrome from scraped text, line by line, and keeps the article.

Each line is judged as jusText judges paragraphs (see [`classify`]):

- sure signs first: a line matching one of the patterns (a file of regular expressions,
  inline patterns, and a built-in list of calls to action in French, English, Spanish and
  German), containing one of the configured phrases, shaped like a ticker (many short
  headlines separated by wide gaps, or running on without sentence ends), or repeated in
  many documents of the same source;
- then its features: length, stop-word density (numbers apart) with the stop list of the
  document's language (98 lists, jusText's; for a document whose language is not known, the
  list that holds most of its words, or none: lines are then judged by length and links),
  links, whether it speaks to the reader (you and we together: an appeal);
- then its context: a short line between boilerplate is boilerplate, one between article
  lines is kept, a run of near-good lines is kept, the few short lines right before article
  text are its title and dateline;
- then the main block: the run of lines with the most article text less its boilerplate,
  short lines counting against it (a comment thread's names and dates, a teaser list's
  headlines); article text outside it goes, as does a small block cut off from the article
  by sure boilerplate (a site pitch after it).

Removed lines are counted in the document's meta (`boilerplate`), and with `keep_spans`
each leaves an empty `boilerplate` span where it was, labelled with the reason and carrying
the removed text. A document left with fewer than `min_chars` characters is dropped.

It gives the same lines before or after `normalize`: a ticker is found by the wide gaps
between its headlines, and, once `normalize` has collapsed them, by headlines that run on
without the punctuation that ends a sentence ([`classify::is_run_on_ticker`]).

```
use moulin_boilerplate::Boilerplate;
use moulin_plugin::testkit::{docs, Harness};

let page = "Accueil  |  Politique  |  Économie  |  Sport  |  Culture\n\
            Le conseil municipal a adopté hier soir, après plus de trois heures de débats, le \
            budget de la ville pour l'année prochaine, qui prévoit une hausse des investissements.\n\
            Partager sur Facebook";
let mut stage = Harness::new::<Boilerplate>(serde_json::json!({ "min_chars": 20 }))?;
let out = stage.process(docs(&[("a", page)]))?;
assert!(out.kept[0].text().starts_with("Le conseil municipal"));
assert!(out.kept[0].text().ends_with("investissements."));
assert_eq!(out.kept[0].meta()["boilerplate"]["lines_removed"], 2);
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

pub mod classify;
pub mod stoplists;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use classify::{Class, Judge, Line, Reason, StopWords, Thresholds};
use moulin_plugin::{
    Document, Error, PassPlan, PassResult, Passes, Records, Span, Stage, StageContext, Transform, Transforms,
};
use regex::RegexSet;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// What to do with boilerplate lines.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Cut them from the text (the default).
    Remove,
    /// Keep the text and cover each boilerplate line with a `boilerplate` span.
    Mark,
}

/// Lines repeated across the documents of one source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Repeated {
    /// A line found in at least this many documents of its source is boilerplate. 0 (the
    /// default) turns the check off; on, it costs a pass over the input before the main pass (merged over every shard of a sharded run).
    pub min_documents: usize,
    /// What makes documents one source: `"folder"` (the default: the folder of the input
    /// file), `"file"` (the input file, for one JSONL file per site), or a JSON pointer into
    /// the document's meta (`"/metadata/site"`).
    pub source: String,
}

impl Default for Repeated {
    fn default() -> Self {
        Repeated { min_documents: 0, source: "folder".into() }
    }
}

/// The `config` table of a `boilerplate` stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BoilerplateConfig {
    /// A file of patterns, one regular expression per line, `#` comments (relative to the
    /// project file). A line matching any of them is boilerplate.
    pub patterns_file: Option<PathBuf>,
    /// More patterns, inline.
    pub patterns: Vec<String>,
    /// Also use the built-in patterns (calls to action, cookie and rights notices, share
    /// and follow links, in fr/en/es/de). Default true.
    pub default_patterns: bool,
    /// Phrases: a line containing one (case-insensitive) is boilerplate.
    pub phrases: Vec<String>,
    /// Judge lines by their features and context, as jusText does. Default true; false
    /// keeps only the sure signs (patterns, phrases, tickers, repetition).
    pub features: bool,
    /// Lines shorter than this (characters) are judged by context. Default 70.
    pub length_low: usize,
    /// Lines longer than this with enough stop words are article text. Default 200.
    pub length_high: usize,
    /// Stop-word density under which a line is boilerplate. Default 0.30.
    pub stopwords_low: f32,
    /// Stop-word density from which a line is (near) article text. Default 0.32.
    pub stopwords_high: f32,
    /// Share of a line's characters in links, addresses and domains above which it is
    /// boilerplate. Default 0.2.
    pub max_link_density: f32,
    /// Short lines kept before article text as its heading (datelines, bylines and
    /// near-good lines apart). Default 1.
    pub max_heading_lines: usize,
    /// Segments separated by wide gaps that make a line a ticker; 0 turns it off. Default 4.
    pub ticker_min_segments: usize,
    /// Near-good lines between boilerplate are kept when their run (near-good and short
    /// lines) holds at least this many near-good lines: an article of short paragraphs.
    /// Default 3; 0 or 1 keeps every near-good line.
    pub near_good_run: usize,
    /// The main block is the run of lines whose article text less this many times its
    /// boilerplate (by characters) is the largest; article text outside it goes. Default
    /// 0.5; 0 turns it off.
    pub main_block_penalty: f32,
    /// A block separated from the main text by sure boilerplate goes when its article text
    /// is less than this share of the main block's. Default 0.25; 0 turns it off.
    pub satellite_ratio: f32,
    /// Lines repeated across a source's documents.
    pub repeated: Repeated,
    /// `remove` (default) or `mark`.
    pub action: Action,
    /// With `remove`: leave an empty `boilerplate` span where each line was cut, with the
    /// removed text in its attributes. Default false.
    pub keep_spans: bool,
    /// Drop a document left with fewer characters than this. Default 50; 0 keeps all.
    pub min_chars: usize,
}

impl Default for BoilerplateConfig {
    fn default() -> Self {
        let t = Thresholds::default();
        BoilerplateConfig {
            patterns_file: None,
            patterns: Vec::new(),
            default_patterns: true,
            phrases: Vec::new(),
            features: true,
            length_low: t.length_low,
            length_high: t.length_high,
            stopwords_low: t.stopwords_low,
            stopwords_high: t.stopwords_high,
            max_link_density: t.max_link_density,
            max_heading_lines: t.max_heading_lines,
            ticker_min_segments: t.ticker_min_segments,
            near_good_run: t.near_good_run,
            main_block_penalty: t.main_block_penalty,
            satellite_ratio: t.satellite_ratio,
            repeated: Repeated::default(),
            action: Action::Remove,
            keep_spans: false,
            min_chars: 50,
        }
    }
}

impl BoilerplateConfig {
    /// The classifier's thresholds from this configuration. (They are flat keys of the
    /// config table rather than a nested `Thresholds`: serde cannot flatten a struct into
    /// one that denies unknown fields.)
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            length_low: self.length_low,
            length_high: self.length_high,
            stopwords_low: self.stopwords_low,
            stopwords_high: self.stopwords_high,
            max_link_density: self.max_link_density,
            max_heading_lines: self.max_heading_lines,
            ticker_min_segments: self.ticker_min_segments,
            near_good_run: self.near_good_run,
            main_block_penalty: self.main_block_penalty,
            satellite_ratio: self.satellite_ratio,
        }
    }
}

/// The built-in patterns (`patterns/default.txt`).
pub const DEFAULT_PATTERNS: &str = include_str!("../patterns/default.txt");

/// The patterns of a pattern file's text: one per line, blank lines and `#` comments
/// skipped. Returns `(line number, pattern)`.
pub fn pattern_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
}

fn compile(
    config: &BoilerplateConfig,
    ctx: Option<&StageContext>,
) -> Result<(Option<RegexSet>, Option<AhoCorasick>), Error> {
    let mut patterns: Vec<String> = Vec::new();
    let mut check = |key: &str, where_: String, p: &str| -> Result<(), Error> {
        regex::Regex::new(p).map_err(|e| Error::config(key, format!("{where_}: bad pattern {p:?}: {e}")))?;
        patterns.push(p.to_string());
        Ok(())
    };
    if config.default_patterns {
        for (n, p) in pattern_lines(DEFAULT_PATTERNS) {
            check("default_patterns", format!("built-in pattern {n}"), p)?;
        }
    }
    if let (Some(file), Some(ctx)) = (&config.patterns_file, ctx) {
        let path = ctx.resolve(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::config("patterns_file", format!("cannot read {}: {e}", path.display())))?;
        for (n, p) in pattern_lines(&text) {
            check("patterns_file", format!("{}:{n}", path.display()), p)?;
        }
    }
    for (i, p) in config.patterns.iter().enumerate() {
        check("patterns", format!("patterns[{i}]"), p)?;
    }
    let set = if patterns.is_empty() {
        None
    } else {
        Some(RegexSet::new(&patterns).map_err(|e| Error::config("patterns", format!("the patterns together: {e}")))?)
    };
    let phrases = if config.phrases.is_empty() {
        None
    } else {
        Some(
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(config.phrases.iter().map(|p| p.to_lowercase()))
                .map_err(|e| Error::config("phrases", e.to_string()))?,
        )
    };
    Ok((set, phrases))
}

/// The `boilerplate` stage.
pub struct Boilerplate {
    config: BoilerplateConfig,
    thresholds: Thresholds,
    patterns: Option<RegexSet>,
    phrases: Option<AhoCorasick>,
    source_id: String,
    /// Main pass: the line hashes repeated in at least `min_documents` documents, by the
    /// hash of their source.
    repeated: HashMap<u64, HashSet<u64>>,
}

/// A hash that is the same in every process and build (`DefaultHasher`'s algorithm is not
/// promised to stay), since the pass's records are merged across processes: FNV-1a.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn line_hash(collapsed: &str) -> u64 {
    stable_hash(collapsed)
}

/// A pass record's key: the source's hash, then the line's, big-endian (so that keys sort
/// by source).
fn repeated_key(source: u64, line: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&source.to_be_bytes());
    key[8..].copy_from_slice(&line.to_be_bytes());
    key
}

fn count_of(value: &[u8]) -> u64 {
    value.try_into().map(u64::from_le_bytes).unwrap_or(0)
}

impl Boilerplate {
    fn source_of(&self, doc: &Document) -> String {
        let meta = doc.meta();
        let path = meta.get("source").and_then(|s| s.get("path")).and_then(Value::as_str).unwrap_or("");
        match self.config.repeated.source.as_str() {
            "folder" => path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string(),
            "file" => path.to_string(),
            pointer => Value::Object(meta)
                .pointer(pointer)
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .unwrap_or_default(),
        }
    }

    /// The distinct collapsed lines of a text, hashed.
    fn line_hashes(text: &str) -> HashSet<u64> {
        text.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| l.chars().any(char::is_alphabetic))
            .map(|l| line_hash(&l))
            .collect()
    }

    fn classify(&self, doc: &Document) -> Vec<Line> {
        // Only the features need a stop list (detecting one reads the text).
        let stop = match StopWords::for_language(doc.lang()) {
            Some(stop) => stop,
            None if self.config.features => StopWords::detect(doc.text()),
            None => StopWords::none(),
        };
        let judge = Judge { thresholds: &self.thresholds, stop: &stop, features: self.config.features };
        let repeated =
            if self.repeated.is_empty() { None } else { self.repeated.get(&stable_hash(&self.source_of(doc))) };
        judge.classify(doc.text(), |_content, collapsed| {
            if self.patterns.as_ref().is_some_and(|p| p.is_match(collapsed)) {
                return Some(Reason::Pattern);
            }
            if self.phrases.as_ref().is_some_and(|p| p.is_match(&collapsed.to_lowercase())) {
                return Some(Reason::Phrase);
            }
            if repeated.is_some_and(|r| r.contains(&line_hash(collapsed))) {
                return Some(Reason::Repeated);
            }
            None
        })
    }
}

impl Stage for Boilerplate {
    type Config = BoilerplateConfig;
    type Role = Transforms;
    const NAME: &'static str = "boilerplate";
    const SUMMARY: &'static str =
        "Removes site chrome line by line: patterns, tickers, repeated template lines, jusText-style features and context.";
    const EXAMPLE_CONFIG: &'static str =
        "patterns_file = \"boilerplate_patterns.txt\"\nrepeated = { min_documents = 3 }\nkeep_spans = true";
    fn validate(config: &BoilerplateConfig) -> Result<(), Error> {
        compile(config, None)?;
        for (key, v) in [
            ("stopwords_low", config.stopwords_low),
            ("stopwords_high", config.stopwords_high),
            ("max_link_density", config.max_link_density),
            ("satellite_ratio", config.satellite_ratio),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::config(key, format!("expected a share in [0, 1], found {v}")));
            }
        }
        if !(config.main_block_penalty >= 0.0 && config.main_block_penalty.is_finite()) {
            return Err(Error::config(
                "main_block_penalty",
                format!("expected a weight of 0 (off) or more, found {}", config.main_block_penalty),
            ));
        }
        if config.stopwords_low > config.stopwords_high {
            return Err(Error::config("stopwords_low", "expected stopwords_low <= stopwords_high"));
        }
        let source = &config.repeated.source;
        if !(source == "folder" || source == "file" || source.starts_with('/')) {
            return Err(Error::config(
                "repeated.source",
                format!("expected \"folder\", \"file\" or a JSON pointer such as \"/metadata/site\", found {source:?}"),
            ));
        }
        Ok(())
    }

    fn new(config: BoilerplateConfig, ctx: &StageContext) -> Result<Self, Error> {
        let (patterns, phrases) = compile(&config, Some(ctx))?;
        let thresholds = config.thresholds();
        let mut repeated: HashMap<u64, HashSet<u64>> = HashMap::new();
        if config.repeated.min_documents > 0 && ctx.pass.is_none() {
            match PassResult::open(ctx, 0) {
                None => tracing::warn!(
                    "`repeated` needs a pass over the input, which this pipeline did not run: repeated lines are not removed"
                ),
                Some(result) => {
                    for record in result.records()? {
                        let (key, _count) = record?;
                        let source = u64::from_be_bytes(key[..8].try_into().unwrap_or_default());
                        let line = u64::from_be_bytes(key[8..].try_into().unwrap_or_default());
                        repeated.entry(source).or_default().insert(line);
                    }
                }
            }
        }
        Ok(Boilerplate {
            thresholds,
            patterns,
            phrases,
            source_id: if ctx.stage_id.is_empty() { Self::NAME.to_string() } else { ctx.stage_id.clone() },
            repeated,
            config,
        })
    }
}

impl Transform for Boilerplate {
    fn process(&mut self, doc: &mut Document) -> Result<(), Error> {
        let lines = self.classify(doc);
        apply(doc, &lines, &self.config, &self.source_id);
        Ok(())
    }
}

/// `repeated`: one pass counts, for each source, the documents each line is in.
impl Passes for Boilerplate {
    fn plan(config: &BoilerplateConfig) -> PassPlan {
        // Global: a line repeated across shards is as much a template line as one repeated
        // within a shard, and a sharded run then removes what an unsharded one does.
        PassPlan { passes: u32::from(config.repeated.min_documents > 0), global: true }
    }

    fn observe(&mut self, _pass: u32, doc: &Document, records: &mut Records) -> Result<(), Error> {
        let source = stable_hash(&self.source_of(doc));
        for line in Self::line_hashes(doc.text()) {
            records.push(repeated_key(source, line), 1u64.to_le_bytes());
        }
        Ok(())
    }

    fn combine(&self, _pass: u32, _key: &[u8], values: &[Vec<u8>]) -> Vec<u8> {
        values.iter().map(|v| count_of(v)).sum::<u64>().to_le_bytes().to_vec()
    }

    fn result(&self, _pass: u32, _key: &[u8], value: Vec<u8>) -> Option<Vec<u8>> {
        (count_of(&value) >= self.config.repeated.min_documents as u64).then_some(value)
    }
}

moulin_plugin::export_plugin!(Boilerplate[passes]);

/// Remove (or mark) the boilerplate lines of `doc`, count them in its meta, and drop it when
/// too little is left.
fn apply(doc: &mut Document, lines: &[Line], config: &BoilerplateConfig, source: &str) {
    let text = doc.text();
    let kept: Vec<bool> = lines.iter().map(|l| l.blank || l.class != Class::Bad).collect();
    let mut by_reason: BTreeMap<&'static str, u64> = BTreeMap::new();
    let (mut removed_lines, mut removed_chars) = (0u64, 0u64);
    for (line, &k) in lines.iter().zip(&kept) {
        if !k {
            removed_lines += 1;
            removed_chars += line.chars as u64;
            *by_reason.entry(line.reason.unwrap_or(Reason::Context).as_str()).or_default() += 1;
        }
    }
    let mut spans = Vec::new();
    let remaining_chars;
    match config.action {
        Action::Mark => {
            for (line, &k) in lines.iter().zip(&kept) {
                if !k {
                    let mut span = Span::new(
                        line.start as u64,
                        line.end as u64,
                        "boilerplate",
                        line.reason.unwrap_or(Reason::Context).as_str(),
                        source,
                    );
                    span.score = f32::NAN;
                    spans.push(span);
                }
            }
            remaining_chars = text.chars().count() as u64 - removed_chars;
        }
        Action::Remove => {
            let (out, map, cut) = remove_lines(text, lines, &kept, config.keep_spans);
            if config.keep_spans {
                for c in cut {
                    let at = c.at as u64;
                    let mut span = Span::new(at, at, "boilerplate", c.reason, source);
                    span.attrs_json = json!({ "text": c.text }).to_string().into();
                    spans.push(span);
                }
            }
            remaining_chars = out.chars().count() as u64;
            if out != text {
                doc.set_text_remapped(out, |o| map.at(o));
            }
        }
    }
    for span in spans {
        doc.add_span(span);
    }
    if removed_lines > 0 {
        doc.set_meta_field(
            "boilerplate",
            json!({ "lines_removed": removed_lines, "chars_removed": removed_chars, "by_reason": by_reason }),
        );
    }
    if (remaining_chars as usize) < config.min_chars {
        doc.drop_with(format!("boilerplate: {remaining_chars} characters left (min_chars {})", config.min_chars));
    }
}

/// Where a removed line was cut.
struct Cut {
    /// Offset in the new text.
    at: usize,
    /// The line's content.
    text: String,
    /// Why it went.
    reason: &'static str,
}

/// Old byte offsets to new ones after lines are removed: a segment a line (where it started,
/// where it starts now, whether it was kept), so that it costs a few words a line rather
/// than one a byte of the text (320 MB for a 40 MB document).
struct Remap {
    segments: Vec<(usize, usize, bool)>,
    len: usize,
}

impl Remap {
    /// The new offset of old offset `o`: shifted inside a kept line, the cut's place inside a
    /// removed one, never past the new text's end.
    fn at(&self, o: usize) -> usize {
        let k = self.segments.partition_point(|&(start, ..)| start <= o).saturating_sub(1);
        let (start, now, kept) = self.segments[k];
        let at = if kept { now + (o - start) } else { now };
        at.min(self.len)
    }
}

/// The text without the lines not `kept`, the map from old byte offsets to new ones, and
/// (with `cuts`) where each removed line was cut.
///
/// A run of removed and blank lines becomes one blank line when it held a blank line and
/// has kept lines on both sides, and nothing otherwise (so paragraphs stay paragraphs and
/// no blank line is left at either end). Runs with nothing removed are left as they are.
fn remove_lines(text: &str, lines: &[Line], kept: &[bool], cuts: bool) -> (String, Remap, Vec<Cut>) {
    // Each line as it is (with its line end), taken in order: every line is visited once.
    let mut raws = text.split_inclusive('\n');
    let mut raw = || raws.next().expect("a line of the text for each line classified");
    let n = lines.len();
    let mut out = String::with_capacity(text.len());
    let mut map = Remap { segments: Vec::with_capacity(n + 1), len: 0 };
    let mut cut = Vec::new();
    let mut offset = 0;
    let mut i = 0;
    let mut emitted_content = false;
    let kept_content = |i: usize| kept[i] && !lines[i].blank;
    while i < n {
        if kept_content(i) {
            map.segments.push((offset, out.len(), true));
            let line = raw();
            out.push_str(line);
            offset += line.len();
            emitted_content = true;
            i += 1;
            continue;
        }
        // A run of blank or removed lines.
        let run_start = i;
        while i < n && !kept_content(i) {
            i += 1;
        }
        let run = run_start..i;
        let removed_any = run.clone().any(|j| !kept[j]);
        let has_blank = run.clone().any(|j| lines[j].blank);
        let content_after = i < n;
        if !removed_any {
            for _ in run {
                map.segments.push((offset, out.len(), true));
                let line = raw();
                out.push_str(line);
                offset += line.len();
            }
            continue;
        }
        if !content_after && !text.ends_with('\n') && out.ends_with('\n') {
            // The removed lines ended the text: so does the last kept line now.
            out.pop();
        }
        let at = out.len();
        if has_blank && emitted_content && content_after {
            out.push('\n');
        }
        for j in run {
            map.segments.push((offset, at, false));
            if cuts && !kept[j] {
                let line = &lines[j];
                cut.push(Cut {
                    at,
                    text: text[line.start..line.end].to_string(),
                    reason: line.reason.unwrap_or(Reason::Context).as_str(),
                });
            }
            offset += raw().len();
        }
    }
    map.segments.push((text.len(), out.len(), false));
    map.len = out.len();
    (out, map, cut)
}

/*!
`entities`: people, places and organisations in French and English text, as `entity` spans.

Each span has byte offsets, a label (`PER`, `LOC`, `ORG`, `MISC`, or a user list's own), a
score, and attributes naming the list or rule that fired (`{"rule": "places", "id":
"geonames:2988507"}`). Three sources of candidates work together:

- **gazetteers** matched with aho-corasick, leftmost-longest on word boundaries, ignoring
  case (but `Paris` never matches `paris`) and accents: the built-in places (33,751 names
  from GeoNames and CLDR, with their GeoNames ids), a list of organisations common in the
  news, and any number of user lists (TSV: name, label, optional canonical id);
- **rules** for French and English (see [`rules`]): titles before names (`M.`, `Mme`,
  `général`, `President`...), capitalised names with particles (`de`, `al-`, `van`),
  organisation cues (`ministère de...`, `Banque...`, acronyms), addresses, elision
  (`l'OTAN`), given names, and sentence-initial words not taken as names on their own;
- **regex rules** from the config, each with a label (and a layer, to keep them apart).

Overlaps resolve to one span per place, longest first, then by priority; a name found once
labels its other mentions in the document (`Milley` after `Mark Milley`). No model is
trained: the rules and word lists were written by reading errors on the HIPE-2022 NewsEye
French `dev` and `dev2` splits (mostly `dev`); docs/quality.md gives the figures on both.

```
use moulin_entities::Entities;
use moulin_plugin::testkit::{docs, Harness};

let mut stage = Harness::new::<Entities>(serde_json::json!({}))?;
let text = "Le général Mark Milley a parlé à Kaboul. Selon l'AFP, Milley a aussi rencontré l'OTAN.";
let out = stage.process(docs(&[("a", text)]))?;
let spans: Vec<(&str, &str)> = out.kept[0]
    .spans()
    .iter()
    .map(|s| (&text[s.start as usize..s.end as usize], s.label.as_str()))
    .collect();
assert_eq!(
    spans,
    [("général Mark Milley", "PER"), ("Kaboul", "LOC"), ("AFP", "ORG"), ("Milley", "PER"), ("OTAN", "ORG")]
);
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

pub mod fold;
pub mod gazetteer;
pub mod lexicon;
pub mod rules;
pub mod tokens;

use gazetteer::{parse_list, CaseMode, Gazetteer};
use moulin_plugin::{Annotate, Annotates, Annotation, Error, Span, Stage, StageContext};
use rules::{Entity, Pattern, RankedList, RegexRule, Tagger};
use rustc_hash::FxHashSet as HashSet;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// The built-in places list (see `data/NOTICE.md`).
pub const PLACES: &str = include_str!("../data/places.tsv");
/// The built-in organisations list.
pub const ORGANISATIONS: &str = include_str!("../data/organisations.tsv");
/// The built-in given names, one per line.
pub const FIRST_NAMES: &str = include_str!("../data/first_names.txt");

/// A user list in the config.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListConfig {
    /// The TSV file (`name<TAB>label[<TAB>id]`), relative to the project file.
    pub path: PathBuf,
    /// The label of rows that give none.
    #[serde(default)]
    pub label: Option<String>,
    /// `smart` (default), `sensitive` or `insensitive`.
    #[serde(default)]
    pub case: CaseMode,
    /// Whether accents are ignored when matching (default true).
    #[serde(default = "yes")]
    pub ignore_accents: bool,
    /// Rank among candidates of the same length (default 50: above the built-in lists and
    /// rules).
    #[serde(default = "list_priority")]
    pub priority: u8,
}

/// A user regex rule in the config.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// The rule's name in span attributes (default `rule<N>`).
    #[serde(default)]
    pub name: Option<String>,
    /// A regex (Rust `regex` syntax).
    pub pattern: String,
    /// The label of its spans.
    pub label: String,
    /// The layer of its spans (default `entity`). Spans in another layer do not compete
    /// with entities.
    #[serde(default = "entity_layer")]
    pub layer: String,
    /// Rank among candidates of the same length (default 60: above everything built in).
    #[serde(default = "rule_priority")]
    pub priority: u8,
}

fn yes() -> bool {
    true
}
fn list_priority() -> u8 {
    50
}
fn rule_priority() -> u8 {
    60
}
fn entity_layer() -> String {
    "entity".into()
}

/// The `config` table of an `entities` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EntitiesConfig {
    /// Use the built-in places (default true).
    pub places: bool,
    /// Use the built-in organisations (default true).
    pub organisations: bool,
    /// Use the built-in given names (default true).
    pub first_names: bool,
    /// User lists.
    pub lists: Vec<ListConfig>,
    /// User regex rules.
    pub rules: Vec<RuleConfig>,
    /// More titles that open a person's name (`adjudant`, `Rabbi`).
    pub titles: Vec<String>,
    /// More head nouns that open an organisation's name (`coopérative`).
    pub org_cues: Vec<String>,
    /// Whether a title is part of the person's span (`général Mark Milley`, as in HIPE),
    /// default true.
    pub include_titles: bool,
    /// Whether capitalised names no list or cue classifies are guessed (multi-word: `PER`;
    /// one word after `à`/`en`: `LOC`; else `PER`), default true.
    pub guess: bool,
    /// Whether a name found once labels its other mentions in the document, default true.
    pub consistency: bool,
    /// Whether the built-in French/English rules run (titles, name runs, cues, addresses,
    /// guesses), default true. With it off and the built-in lists off, only `lists` and
    /// `rules` tag, and the text is not analysed into words (the fast path for a regex job).
    pub builtin_rules: bool,
    /// Keep only spans with these labels (default: all).
    pub labels: Vec<String>,
    /// Drop spans scoring under this (default 0).
    pub min_score: f32,
    /// The most spans a document gets (default 100,000); past it the rest of the document
    /// is not tagged and meta `entities_cut_at` is the byte where tagging stopped.
    pub max_spans: usize,
}

/// Text longer than this is tagged a window at a time (cut at a line end, else a space),
/// so that the tagger's working memory is bounded by the window, not the document; a
/// name's consistency (`Milley` after `Mark Milley`) holds within a window.
pub const WINDOW_BYTES: usize = 256 << 10;

/// `text` in windows of at most `size` bytes (one longer only when it has no line end or
/// space to cut at), each with its byte offset.
fn windows(text: &str, size: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let rest = &text[at..];
        let mut end = rest.len();
        if end > size {
            let mut limit = size;
            while !rest.is_char_boundary(limit) {
                limit -= 1;
            }
            let head = &rest[..limit];
            end = head.rfind('\n').or_else(|| head.rfind(char::is_whitespace)).map_or(limit, |i| i + 1);
            if end == 0 {
                end = limit.max(rest.char_indices().nth(1).map_or(rest.len(), |(i, _)| i));
            }
        }
        let window = (at, &rest[..end]);
        at += end;
        Some(window)
    })
}

impl Default for EntitiesConfig {
    fn default() -> Self {
        EntitiesConfig {
            places: true,
            organisations: true,
            first_names: true,
            lists: Vec::new(),
            rules: Vec::new(),
            titles: Vec::new(),
            org_cues: Vec::new(),
            include_titles: true,
            guess: true,
            consistency: true,
            builtin_rules: true,
            labels: Vec::new(),
            min_score: 0.0,
            max_spans: 100_000,
        }
    }
}

/// The `entities` stage.
pub struct Entities {
    tagger: Arc<Tagger>,
    labels: Vec<String>,
    min_score: f32,
    max_spans: usize,
    source: String,
}

/// The built-in lists, compiled once per process.
fn builtin() -> &'static (Arc<Gazetteer>, Arc<Gazetteer>, HashSet<String>) {
    static BUILTIN: OnceLock<(Arc<Gazetteer>, Arc<Gazetteer>, HashSet<String>)> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let list = |name: &str, text: &str| {
            let entries = parse_list(text, None)
                .unwrap_or_else(|e| panic!("built-in list {name}, line {}: {}", e.line, e.message));
            Arc::new(Gazetteer::new(name, entries, CaseMode::Smart, true).expect("built-in lists compile"))
        };
        let names =
            FIRST_NAMES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from);
        (list("places", PLACES), list("organisations", ORGANISATIONS), names.collect())
    })
}

fn compile_rules(rules: &[RuleConfig]) -> Result<Vec<RegexRule>, Error> {
    rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let regex =
                Pattern::new(&r.pattern).map_err(|e| Error::config(format!("rules.{i}.pattern"), e.to_string()))?;
            if r.label.trim().is_empty() {
                return Err(Error::config(format!("rules.{i}.label"), "expected a label, found an empty string"));
            }
            Ok(RegexRule {
                name: r.name.clone().unwrap_or_else(|| format!("rule{i}")),
                regex,
                label: r.label.clone(),
                layer: r.layer.clone(),
                priority: r.priority,
            })
        })
        .collect()
}

/// Make the tagger for a configuration.
pub fn tagger(config: &EntitiesConfig, ctx: &StageContext) -> Result<Tagger, Error> {
    let (places, organisations, first_names) = builtin();
    let mut lists = Vec::new();
    if config.places {
        lists.push(RankedList { list: places.clone(), priority: 30, score: 0.9 });
    }
    if config.organisations {
        lists.push(RankedList { list: organisations.clone(), priority: 35, score: 0.9 });
    }
    for (i, l) in config.lists.iter().enumerate() {
        let path = ctx.resolve(&l.path);
        let list = Gazetteer::load(&path, l.label.as_deref(), l.case, l.ignore_accents).map_err(|e| {
            let at = if e.line > 0 { format!("{}:{}", path.display(), e.line) } else { path.display().to_string() };
            Error::config(format!("lists.{i}.path"), format!("{at}: {}", e.message))
        })?;
        lists.push(RankedList { list: Arc::new(list), priority: l.priority, score: 1.0 });
    }
    let names = if config.first_names { first_names.clone() } else { HashSet::default() };
    let mut tagger = Tagger::new(lists, compile_rules(&config.rules)?, names);
    tagger.titles = config.titles.iter().map(|t| fold::fold_word(t)).collect();
    tagger.org_cues = config.org_cues.iter().map(|t| fold::fold_word(t)).collect();
    tagger.include_titles = config.include_titles;
    tagger.guess = config.guess;
    tagger.consistency = config.consistency && config.builtin_rules;
    tagger.builtin_rules = config.builtin_rules;
    Ok(tagger)
}

impl Stage for Entities {
    type Config = EntitiesConfig;
    type Role = Annotates;
    const NAME: &'static str = "entities";
    const SUMMARY: &'static str =
        "Named entities (PER, LOC, ORG, MISC) from gazetteers, French/English rules and regexes, as `entity` spans.";
    const EXAMPLE_CONFIG: &'static str = "lists = [{ path = \"people.tsv\", label = \"PER\" }]\n\
        rules = [{ name = \"ticker\", pattern = '\\$[A-Z]{2,5}\\b', label = \"ORG\" }]";

    fn validate(config: &EntitiesConfig) -> Result<(), Error> {
        compile_rules(&config.rules)?;
        if !(0.0..=1.0).contains(&config.min_score) {
            return Err(Error::config("min_score", format!("expected a score in [0, 1], found {}", config.min_score)));
        }
        Ok(())
    }

    fn new(config: EntitiesConfig, ctx: &StageContext) -> Result<Self, Error> {
        // One tagger per configuration and project, shared by the workers' instances.
        static TAGGERS: OnceLock<Mutex<HashMap<String, Arc<Tagger>>>> = OnceLock::new();
        let key = format!("{}\u{0}{}", serde_json::to_string(&config).unwrap_or_default(), ctx.project_dir.display());
        let cached = TAGGERS.get_or_init(Default::default).lock().map(|m| m.get(&key).cloned()).ok().flatten();
        let tagger = match cached {
            Some(t) => t,
            None => {
                let t = Arc::new(tagger(&config, ctx)?);
                if let Ok(mut m) = TAGGERS.get_or_init(Default::default).lock() {
                    m.insert(key, t.clone());
                }
                t
            }
        };
        let source = if ctx.stage_id.is_empty() { Self::NAME.to_string() } else { ctx.stage_id.clone() };
        let (labels, min_score, max_spans) = (config.labels, config.min_score, config.max_spans);
        Ok(Entities { tagger, labels, min_score, max_spans, source })
    }
}

impl Annotate for Entities {
    fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
        let (spans, cut_at) = self.spans_of(doc.text());
        for span in spans {
            doc.add_span(span);
        }
        if let Some(at) = cut_at {
            doc.set_meta_field("entities_cut_at", at.into());
        }
        Ok(())
    }
}

impl Entities {
    /// The spans of `text`, a window at a time, at most `max_spans`; and where tagging
    /// stopped when it reached them.
    fn spans_of(&self, text: &str) -> (Vec<Span>, Option<usize>) {
        let mut spans = Vec::new();
        for (offset, window) in windows(text, WINDOW_BYTES) {
            for e in self.tagger.tag(window) {
                if e.score < self.min_score || !self.labels.is_empty() && !self.labels.contains(&e.label) {
                    continue;
                }
                if spans.len() == self.max_spans {
                    return (spans, Some(offset + e.start));
                }
                spans.push(self.span(e, offset));
            }
        }
        (spans, None)
    }

    /// The span of an entity found in a window starting at byte `offset`.
    fn span(&self, e: Entity, offset: usize) -> Span {
        let (start, end) = ((offset + e.start) as u64, (offset + e.end) as u64);
        let mut span = Span::new(start, end, &e.layer, &e.label, &self.source);
        span.score = e.score;
        let mut attrs = serde_json::Map::new();
        attrs.insert("rule".into(), e.rule.into());
        if let Some(id) = e.id {
            attrs.insert("id".into(), id.into());
        }
        span.attrs_json = serde_json::Value::Object(attrs).to_string().into();
        span
    }
}

moulin_plugin::export_plugin!(Entities);

/*!
`dedup`: removes duplicate documents (exact, or near by MinHash), or the paragraphs and lines
a document repeats from another, over the whole input: every shard of a sharded run, in
bounded memory.

The stage has one pass over the input before the main pass ([`Passes`]). In it every
document is normalised ([`text::Normalize`], datatrove's `simplify_text` by default) and
signed: by MinHash over shingles ([`minhash`]: word 5-grams, 14 bands × 8 rows, seed 1 by
default), or by a 128-bit hash of the normalised text (`method = "exact"`). The host sorts the
records on disk and merges them over every worker and shard; the cluster step
([`cluster::cluster`]) then takes the documents in the order in which copies stay (`keep`:
the first in input order by default), compares each LSH candidate with the kept copies it
shares a band with, and removes it for the first whose similarity reaches `threshold`
(0.8): a removal is always checked against the copy that stays. In the main pass each
document is dropped (`action = "drop"`: the reason names the kept copy and the similarity)
or annotated (`action = "annotate"`: meta `dedup` with the cluster, its size, the kept id and
the similarity). The run's manifest gives, per stage, the clusters, the largest and their
sizes; `passes/<stage>/pass-0/merged/removed.jsonl` lists every removal (under the output
folder, beside the shards of a sharded run).

A run can write the documents that stay as an index (`index = "dir"`, [`index`]), and a
later project dedup against it read-only (`against = ["dir"]`): the index's copies stay.

With `level = "paragraph"` or `"line"`, the units of the text (blocks between blank lines, or
lines) are compared instead, by the hash of their normalised text: every occurrence of a
repeated unit but the first (in the same order) is removed from its document, or covered by
a `dedup` span with `action = "annotate"`.

```
use moulin_dedup::Dedup;
use moulin_plugin::testkit::{docs, Harness};

let story = "Le chef d'état-major américain a rencontré les talibans à Doha pour parler du retrait des troupes.";
let input = docs(&[("a", story), ("b", &format!("{story} Avec AFP.")), ("c", "Une tout autre histoire, sans rapport aucun avec la première.")]);
let mut stage = Harness::with_passes::<Dedup>(serde_json::json!({ "threshold": 0.5 }), vec![vec![input.clone()]])?;
let out = stage.process(input)?;
assert_eq!(out.kept.iter().map(|d| d.id()).collect::<Vec<_>>(), ["a", "c"]);
assert!(out.dropped[0].drop_reason().unwrap().starts_with("dedup: near duplicate; kept a, similarity"));
assert_eq!(stage.pass_summaries()[0].counts["clusters"], 1);
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

pub mod cluster;
pub mod index;
pub mod minhash;
pub mod order;
pub mod text;

use cluster::{ClusterSettings, Decisions, Repeated};
use minhash::Signer;
use moulin_plugin::{
    Document, Error, MergeSummary, Merged, PassPlan, PassResult, Passes, Records, Span, Stage, StageContext, Transform,
    Transforms,
};
use order::{Keep, Rank};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use text::{Cut, Normalize};
use twox_hash::{XxHash3_128, XxHash3_64};

/// How documents are compared.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Equal normalised text (a 128-bit hash of it).
    Exact,
    /// MinHash LSH, verified by the estimated Jaccard similarity (the default).
    Minhash,
}

/// What is compared.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Whole documents (the default).
    #[default]
    Document,
    /// Paragraphs (blocks between blank lines) repeated from another document, or within one.
    Paragraph,
    /// Lines repeated from another document, or within one.
    Line,
}

/// What happens to a duplicate.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Drop the document (the reason names the kept copy), or cut the repeated unit.
    #[default]
    Drop,
    /// Keep it and say so: meta `dedup` (documents), `dedup` spans (units).
    Annotate,
}

/// The `dedup` stage's settings. Every one has a default: an empty table is MinHash over word
/// 5-grams, 14 bands × 8 rows, threshold 0.8, the first copy kept, duplicates dropped.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// `minhash` (the default at the document level) or `exact` (the only one for units).
    pub method: Option<Method>,
    /// `document`, `paragraph` or `line`.
    pub level: Level,
    /// `drop` or `annotate`.
    pub action: Action,
    /// Which copy stays: `first` (input order), `longest`, `shortest`, `highest` or
    /// `lowest` (of the number in meta field `keep_field`).
    pub keep: Keep,
    /// The meta field `keep = "highest"` or `"lowest"` reads.
    pub keep_field: Option<String>,
    /// How text is normalised before it is compared.
    pub normalize: Normalize,
    /// Shingles of `word`s (the default) or `char`acters.
    pub shingle: minhash::Unit,
    /// Shingle length: 5 words, or 24 characters, by default.
    pub ngram: Option<usize>,
    /// LSH bands (at most 255).
    pub bands: usize,
    /// Hashes per band.
    pub rows: usize,
    /// The seed of the MinHash permutations.
    pub seed: u64,
    /// The estimated Jaccard similarity with the kept copy a removal needs.
    pub threshold: f64,
    /// A cluster larger than this is a warning in the run's summary.
    pub cluster_warning: u64,
    /// Write the documents that stay here, as an index a later run can dedup against
    /// (relative to the project file's folder).
    pub index: Option<PathBuf>,
    /// Indexes (written by `index`) to dedup against, read-only: a document near one of
    /// theirs is removed, theirs stays.
    pub against: Vec<PathBuf>,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            method: None,
            level: Level::Document,
            action: Action::Drop,
            keep: Keep::First,
            keep_field: None,
            normalize: Normalize::default(),
            shingle: minhash::Unit::Word,
            ngram: None,
            bands: 14,
            rows: 8,
            seed: 1,
            threshold: 0.8,
            cluster_warning: 1000,
            index: None,
            against: Vec::new(),
        }
    }
}

impl DedupConfig {
    /// The method, with its default for the level.
    pub fn method(&self) -> Method {
        self.method.unwrap_or(if self.level == Level::Document { Method::Minhash } else { Method::Exact })
    }

    /// What the signatures depend on, for an index.
    fn index_params(&self) -> index::IndexParams {
        index::IndexParams {
            method: if self.method() == Method::Exact { "exact" } else { "minhash" }.into(),
            normalize: self.normalize,
            shingle: if self.shingle == minhash::Unit::Word { "word" } else { "char" }.into(),
            ngram: self.ngram(),
            bands: self.bands,
            rows: self.rows,
            seed: self.seed,
        }
    }

    fn ngram(&self) -> usize {
        self.ngram.unwrap_or(if self.shingle == minhash::Unit::Word { 5 } else { 24 })
    }

    fn cut(&self) -> Option<Cut> {
        match self.level {
            Level::Document => None,
            Level::Paragraph => Some(Cut::Paragraphs),
            Level::Line => Some(Cut::Lines),
        }
    }
}

/// The `dedup` stage.
pub struct Dedup {
    config: DedupConfig,
    signer: Signer,
    /// The normalised text, reused.
    scratch: String,
    /// Shingle hashes, reused.
    hashes: Vec<u64>,
    /// The main pass's lookups (document level, unit levels).
    decisions: Option<Arc<Decisions>>,
    repeated: Option<Arc<Repeated>>,
    /// `index` and `against`, resolved against the project's folder.
    index: Option<PathBuf>,
    against: Vec<PathBuf>,
}

impl Stage for Dedup {
    type Config = DedupConfig;
    type Role = Transforms;
    const NAME: &'static str = "dedup";
    const SUMMARY: &'static str =
        "Removes exact and near-duplicate documents (MinHash LSH, verified), or repeated paragraphs and lines, over every shard.";
    const EXAMPLE_CONFIG: &'static str = "method = \"minhash\"\nthreshold = 0.8\naction = \"drop\"";

    fn validate(config: &DedupConfig) -> Result<(), Error> {
        if config.bands == 0 || config.bands > 255 {
            return Err(Error::config("bands", format!("expected 1 to 255 bands, found {}", config.bands)));
        }
        if config.rows == 0 {
            return Err(Error::config("rows", "expected at least one row a band, found 0"));
        }
        if !(config.threshold > 0.0 && config.threshold <= 1.0) {
            return Err(Error::config(
                "threshold",
                format!("expected a similarity in (0, 1], found {}", config.threshold),
            ));
        }
        if config.ngram == Some(0) {
            return Err(Error::config("ngram", "expected a shingle of at least 1, found 0"));
        }
        if config.level != Level::Document && config.method == Some(Method::Minhash) {
            return Err(Error::config(
                "method",
                "`level = \"paragraph\"` and `\"line\"` compare units by their normalised text: use `method = \"exact\"` (or leave it out)",
            ));
        }
        if config.level != Level::Document && (config.index.is_some() || !config.against.is_empty()) {
            let key = if config.index.is_some() { "index" } else { "against" };
            return Err(Error::config(key, "an index holds documents: it needs `level = \"document\"`"));
        }
        match (config.keep, &config.keep_field) {
            (Keep::Highest | Keep::Lowest, None) => {
                Err(Error::config("keep_field", "`keep = \"highest\"` or `\"lowest\"` needs the meta field to read"))
            }
            (Keep::First | Keep::Longest | Keep::Shortest, Some(_)) => {
                Err(Error::config("keep_field", "`keep_field` is read only with `keep = \"highest\"` or `\"lowest\"`"))
            }
            _ => Ok(()),
        }
    }

    fn new(config: DedupConfig, ctx: &StageContext) -> Result<Self, Error> {
        let signer = Signer::new(config.shingle, config.ngram(), config.bands, config.rows, config.seed);
        let index = config.index.as_deref().map(|p| ctx.resolve(p));
        let against: Vec<PathBuf> = config.against.iter().map(|p| ctx.resolve(p)).collect();
        for dir in &against {
            index::check(dir, &config.index_params())?;
        }
        let (mut decisions, mut repeated) = (None, None);
        if ctx.pass.is_none() {
            let result = PassResult::open(ctx, 0).ok_or_else(|| {
                Error::other(
                    "`dedup` needs its pass over the input before the main pass, which this pipeline did not run (a project's run does; in tests, `Harness::with_passes`)",
                )
            })?;
            match config.level {
                Level::Document => decisions = Some(Decisions::load(result.dir())?),
                Level::Paragraph | Level::Line => repeated = Some(Repeated::load(result.dir())?),
            }
        }
        Ok(Dedup { config, signer, scratch: String::new(), hashes: Vec::new(), decisions, repeated, index, against })
    }
}

impl Dedup {
    /// The signature of a document's normalised text (in `scratch`), `None` when empty.
    fn signature(&mut self) -> Option<Vec<u32>> {
        match self.config.method() {
            Method::Minhash => self.signer.sign(&self.scratch, &mut self.hashes),
            Method::Exact if self.scratch.is_empty() => None,
            Method::Exact => {
                let h = XxHash3_128::oneshot(self.scratch.as_bytes()).to_le_bytes();
                Some(h.chunks(4).map(|c| u32::from_le_bytes(c.try_into().expect("4"))).collect())
            }
        }
    }

    /// The hashes a signature starts with, cut into bands.
    fn hashes(&self) -> usize {
        if self.config.method() == Method::Exact {
            4
        } else {
            self.config.bands * self.config.rows
        }
    }

    fn rows(&self) -> usize {
        if self.config.method() == Method::Exact {
            4
        } else {
            self.config.rows
        }
    }

    fn rank(&self, doc: &Document) -> Result<Vec<u8>, Error> {
        Rank::of(doc, self.config.keep, self.config.keep_field.as_deref())
    }

    /// The hash of a unit's normalised text, `None` when nothing is left of it.
    fn unit_hash(&mut self, text: &str) -> Option<u64> {
        self.config.normalize.apply(text, &mut self.scratch);
        (!self.scratch.is_empty()).then(|| XxHash3_64::oneshot(self.scratch.as_bytes()))
    }

    fn observe_units(&mut self, doc: &Document, cut: Cut, records: &mut Records) -> Result<(), Error> {
        let rank = self.rank(doc)?;
        for (i, unit) in text::units(doc.text(), cut).into_iter().enumerate() {
            let Some(hash) = self.unit_hash(&doc.text()[unit.start..unit.end]) else { continue };
            let mut key = vec![cluster::UNIT];
            key.extend_from_slice(&hash.to_be_bytes());
            let mut value = 1u64.to_le_bytes().to_vec();
            value.extend_from_slice(&rank);
            value.extend_from_slice(&(i as u32).to_be_bytes());
            records.push(key, value);
        }
        Ok(())
    }

    fn process_document(&self, doc: &mut Document) {
        let Some(decision) = self.decisions.as_ref().and_then(|d| d.get(doc.id())) else { return };
        let kind = if decision.exact { "exact" } else { "near" };
        let of = if decision.in_index { " in an index" } else { "" };
        if decision.removed && self.config.action == Action::Drop {
            doc.drop_with(format!(
                "dedup: {kind} duplicate{of}; kept {}, similarity {:.3}",
                decision.kept, decision.similarity
            ));
        } else {
            doc.set_meta_field(
                "dedup",
                serde_json::json!({
                    "cluster": decision.kept,
                    "size": decision.size,
                    "kept": decision.kept,
                    "duplicate": decision.removed,
                    "method": kind,
                    "in_index": decision.in_index,
                    "similarity": (f64::from(decision.similarity) * 1000.0).round() / 1000.0,
                }),
            );
        }
    }

    fn process_units(&mut self, doc: &mut Document, cut: Cut) {
        let Some(repeated) = self.repeated.clone() else { return };
        let me = cluster::id_hash(doc.id());
        let units = text::units(doc.text(), cut);
        let mut cut_out = Vec::new();
        for (i, unit) in units.iter().enumerate() {
            let Some(hash) = self.unit_hash(&doc.text()[unit.start..unit.end]) else { continue };
            if repeated.first(hash).is_some_and(|first| first != (me, i as u32)) {
                cut_out.push(*unit);
            }
        }
        if cut_out.is_empty() {
            return;
        }
        let chars: usize = cut_out.iter().map(|u| doc.text()[u.start..u.end].chars().count()).sum();
        if self.config.action == Action::Annotate {
            for u in &cut_out {
                let mut span = Span::new(u.start as u64, u.end as u64, "dedup", "repeated", Self::NAME);
                span.score = f32::NAN;
                doc.add_span(span);
            }
        } else {
            remove_units(doc, &cut_out);
            if doc.text().trim().is_empty() {
                doc.drop_with(format!("dedup: every {} is repeated elsewhere", self.unit_name()));
            }
        }
        doc.set_meta_field("dedup", serde_json::json!({ "units_removed": cut_out.len(), "chars_removed": chars }));
    }

    fn unit_name(&self) -> &'static str {
        if self.config.level == Level::Line {
            "line"
        } else {
            "paragraph"
        }
    }
}

/// Cut `units` (in order) and what follows each up to the next unit out of the text, moving
/// the spans.
fn remove_units(doc: &mut Document, units: &[text::Unit]) {
    let text = doc.text();
    let mut out = String::with_capacity(text.len());
    // (old offset where a kept stretch starts, its new offset), in order.
    let mut moves: Vec<(usize, usize, usize)> = Vec::new();
    let mut at = 0;
    for u in units {
        moves.push((at, u.start, out.len()));
        out.push_str(&text[at..u.start]);
        at = u.until;
    }
    moves.push((at, text.len(), out.len()));
    out.push_str(&text[at..]);
    doc.set_text_remapped(out, |old| {
        // In a kept stretch: moved with it; in a cut one: to where the next stretch starts.
        let i = moves.partition_point(|(start, _, _)| *start <= old).saturating_sub(1);
        let (start, end, new) = moves[i];
        new + old.min(end) - start.min(old)
    });
}

impl Transform for Dedup {
    fn process(&mut self, doc: &mut Document) -> Result<(), Error> {
        match self.config.cut() {
            None => self.process_document(doc),
            Some(cut) => self.process_units(doc, cut),
        }
        Ok(())
    }
}

impl Passes for Dedup {
    fn plan(_config: &DedupConfig) -> PassPlan {
        // Global: a copy in another shard is as much a copy, and a sharded run then removes
        // what an unsharded one does.
        PassPlan { passes: 1, global: true }
    }

    fn observe(&mut self, _pass: u32, doc: &Document, records: &mut Records) -> Result<(), Error> {
        records.push(cluster::count_key("documents"), 1u64.to_le_bytes());
        if let Some(cut) = self.config.cut() {
            return self.observe_units(doc, cut, records);
        }
        let rank = self.rank(doc)?;
        self.config.normalize.apply(doc.text(), &mut self.scratch);
        let Some(signature) = self.signature() else {
            records.push(cluster::count_key("documents without text"), 1u64.to_le_bytes());
            return Ok(());
        };
        for (b, rows) in signature[..self.hashes()].chunks(self.rows()).enumerate() {
            records.push(cluster::band_key(b, minhash::band_hash(rows)), 1u32.to_le_bytes());
        }
        let mut key = vec![cluster::DOC];
        key.extend_from_slice(&rank);
        records.push(key, cluster::signature_bytes(&signature));
        Ok(())
    }

    fn combine(&self, _pass: u32, key: &[u8], values: &[Vec<u8>]) -> Vec<u8> {
        cluster::combine(key, values)
    }

    fn merge(&self, _pass: u32, records: Merged<'_>, output: &Path) -> Result<MergeSummary, Error> {
        if self.config.level != Level::Document {
            return cluster::repeated(records, output);
        }
        let exact = self.config.method() == Method::Exact;
        let settings = ClusterSettings {
            rows: self.rows(),
            hashes: self.hashes(),
            threshold: if exact { 1.0 } else { self.config.threshold },
            warn_over: self.config.cluster_warning,
            exact,
            index: self.index.clone().map(|dir| (dir, self.config.index_params())),
            against: self.against.clone(),
        };
        cluster::cluster(records, output, &settings)
    }
}

moulin_plugin::export_plugin!(Dedup[passes]);

#[cfg(test)]
mod tests;

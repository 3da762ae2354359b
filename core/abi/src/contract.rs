//! The JSON that crosses the ABI, as types both sides use.
//!
//! The ABI passes some things as JSON text: the context a stage is made with, the manifest
//! a library describes itself with. The host writes the one and reads the other, the SDK the
//! other way round, and both go through these types, so that a field renamed on one side is
//! renamed on the other (and a plugin built before the rename is caught by the test that
//! builds one from an earlier SDK). Fields added after ABI 1.0 have defaults, so that older
//! plugins and hosts still understand each other; the layout of the ABI's own types does not
//! depend on any of this.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The files and folders the host writes in a run's output folder (and in each shard's):
/// an exporter's files go by other names (the SDK's `output::validate_path` refuses these).
pub const RUN_FILES: &[&str] = &[
    "manifest.json",
    "manifest.json.partial",
    "errors.jsonl",
    "journal.jsonl",
    "run.lock",
    "stats.json",
    "stats.json.partial",
    "report.html",
    "report.html.partial",
    "passes",
    "slurm",
    ".moulin-join",
];

/// Facts about the run a stage instance is made for (the SDK's `StageContext`).
///
/// Fields are added as the host learns to tell stages more; in tests, build one with
/// `StageContext { stage_id: "x".into(), ..Default::default() }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageContext {
    /// The stage id from the project file (`clean`, `export`, ...). Use it as the `source`
    /// of spans.
    pub stage_id: String,
    /// The run's output folder; exporters write below it.
    pub output_dir: PathBuf,
    /// Which worker this instance serves (0-based); exporters have one instance, worker 0.
    pub worker: usize,
    /// How many workers the run has.
    pub threads: usize,
    /// The folder of the project file: relative paths in a stage's config (a pattern file,
    /// a gazetteer) are relative to it. Empty for an embedder's pipeline (then the current
    /// folder).
    #[serde(default)]
    pub project_dir: PathBuf,
    /// True for an instance made for a pass before the main pass (or a probe that only
    /// answers the host). Plugins of an SDK before 0.3 read it; later ones read `pass`.
    #[serde(default)]
    pub observing: bool,
    /// For a stage of an SDK before 0.3 that observes, in the main pass: what every
    /// instance's `finish` returned in the observation pass, in worker order.
    #[serde(default)]
    pub observations: Vec<serde_json::Value>,
    /// For an exporter of a project run: where to start. In a resumed run, what its
    /// `checkpoint` returned at the resume point: everything it wrote after that point is to
    /// be discarded, and numbering goes on from there. In a new run, `{}`: whatever an
    /// earlier run left under its names is to be discarded. `None` outside a project run (an
    /// embedder's pipeline, a test). The SDK's `output::Outputs::for_stage` does all of it.
    #[serde(default)]
    pub resume: Option<serde_json::Value>,
    /// During a pass before the main pass: which one, and the folder this instance writes
    /// what it learns into (its own: one per worker). `None` in the main pass.
    #[serde(default)]
    pub pass: Option<PassContext>,
    /// For a stage with passes, after them: the folder of each finished pass's merged
    /// result, in pass order ([`MergeRequest::output`]).
    #[serde(default)]
    pub pass_results: Vec<PathBuf>,
}

/// The pass a stage instance is made for ([`StageContext::pass`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PassContext {
    /// The pass, from 0.
    pub index: u32,
    /// The folder this instance writes into; the host makes it, empty, before the pass.
    pub dir: PathBuf,
}

/// What a stage's configuration asks for before the main pass: its answer to
/// [`crate::ext::OBSERVES`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassPlan {
    /// How many passes over the input (0: none).
    pub passes: u32,
    /// On a sharded run, whether a pass spans every shard: each shard's pass results are
    /// merged with every other's before any shard goes on. Otherwise each shard merges its
    /// own.
    #[serde(default)]
    pub global: bool,
}

/// What an exporter says of its files: the JSON its `finish` returns (the run manifest's
/// stage `summary`), and its resume state at a resume point ([`crate::ext::CHECKPOINT`]),
/// which the host hands back in [`StageContext::resume`]. The SDK's `output` module writes
/// and reads it; `moulin merge` reads it from every shard's manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// The complete files, relative to the output folder, in order.
    #[serde(default)]
    pub files: Vec<String>,
    /// Documents in them.
    #[serde(default)]
    pub documents: u64,
    /// Rows in them (tokens, for CoNLL; documents otherwise).
    #[serde(default)]
    pub rows: u64,
    /// Their bytes.
    #[serde(default)]
    pub bytes: u64,
    /// The length of each file of `files` when it was completed: a resumed run checks the
    /// files it keeps against it (empty from exporters built before it was added).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_bytes: Vec<u64>,
    /// In a resume state of an exporter that writes one file: that file, open, as far as
    /// it was written then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<OpenFile>,
    /// How `moulin merge --concat` joins every shard's files into one; none: they are left
    /// as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concatenate: Option<Join>,
    /// What else the exporter counts (`overlapping_spans_dropped`, say); `moulin merge`
    /// sums the numbers over the shards.
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
}

/// What an exporter writes in the output folder: the answer to [`crate::ext::WRITES`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Writes {
    /// Its `path`s, relative to the output folder (`docs.jsonl`; its numbered parts,
    /// `docs.part-00000.jsonl`, are named after it).
    pub paths: Vec<String>,
}

/// The file an exporter that writes one file had open at a resume point: how much of it was
/// written and counted then.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenFile {
    /// Its name relative to the output folder.
    pub name: String,
    /// Its length then.
    pub bytes: u64,
    /// Documents in it then.
    pub documents: u64,
    /// Rows in it then.
    pub rows: u64,
}

/// How the files of an exporter join ([`ExportSummary::concatenate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Join {
    /// Byte after byte (JSONL, CoNLL, CSV without a header; compressed streams too, whose
    /// frames follow one another).
    Bytes,
    /// Byte after byte, without the first line of every file but the first (CSV's header).
    SkipFirstLine,
    /// By the exporter itself ([`crate::ext::JOIN`]): the host loads its library and asks
    /// (Parquet's row groups). `parquet_row_groups` is what manifests before it said.
    #[serde(alias = "parquet_row_groups")]
    Plugin,
}

/// The payload of [`crate::ext::JOIN`]: write `sources`, in order, as one file `target`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The files to join, in order.
    pub sources: Vec<PathBuf>,
    /// The file to write (complete, or absent after a failure).
    pub target: PathBuf,
}

/// The payload of [`crate::ext::MERGE`]: merge what the instances of one pass wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MergeRequest {
    /// The pass, from 0.
    pub pass: u32,
    /// Every instance's folder ([`PassContext::dir`]), of every shard for a global pass,
    /// sorted. The merge must not depend on their order.
    pub inputs: Vec<PathBuf>,
    /// The folder the merged result goes into; the host makes it, empty. The main pass
    /// (and later passes) find it in [`StageContext::pass_results`].
    pub output: PathBuf,
}

/// What a merge found: the answer to [`crate::ext::MERGE`]. The host keeps it in the pass's
/// journal line and in the run manifest's entry for the stage, prints its warnings in the
/// run's summary, and draws its histograms in the report page. Everything is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeSummary {
    /// Named counts (`clusters`, `largest cluster`, `documents removed`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub counts: std::collections::BTreeMap<String, u64>,
    /// Named distributions, each a value and how often it occurs (`cluster size`: size →
    /// clusters of that size).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub histograms: std::collections::BTreeMap<String, std::collections::BTreeMap<u64, u64>>,
    /// What the run's summary warns about (a cluster over the size limit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl MergeSummary {
    /// Add `other`'s counts, histograms and warnings to these (shards that merged passes
    /// of their own).
    pub fn add(&mut self, other: &MergeSummary) {
        for (k, v) in &other.counts {
            *self.counts.entry(k.clone()).or_default() += v;
        }
        for (name, h) in &other.histograms {
            let mine = self.histograms.entry(name.clone()).or_default();
            for (value, n) in h {
                *mine.entry(*value).or_default() += n;
            }
        }
        self.warnings.extend(other.warnings.iter().cloned());
    }
}

impl StageContext {
    /// `path` as the project means it: relative to the project file's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() || self.project_dir.as_os_str().is_empty() {
            path.to_path_buf()
        } else {
            self.project_dir.join(path)
        }
    }
}

/// What a stage does, which decides what the host allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum StageKind {
    /// Cleaners: may rewrite the text (keeping spans valid) and drop documents.
    Transform,
    /// Detectors, taggers: may add spans, set the language and meta, and drop documents, but
    /// not change the text.
    Annotate,
    /// Exporters: write documents; run once, after every other stage, in document order.
    Export,
}

impl StageKind {
    /// The name used in manifests and project files.
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Transform => "transform",
            StageKind::Annotate => "annotate",
            StageKind::Export => "export",
        }
    }
}

impl std::fmt::Display for StageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stage a library offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageManifest {
    /// The stage name projects use.
    pub name: String,
    /// What it does.
    pub kind: StageKind,
    /// One line.
    pub summary: String,
    /// An example `config` table (TOML).
    #[serde(default)]
    pub example_config: String,
    /// Whether the stage may ask for passes over the input before the main pass (its answer
    /// to `moulin.observes` says how many).
    #[serde(default)]
    pub observes: bool,
}

/// A library's manifest (`PluginModule::manifest_json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryManifest {
    /// The library's name (its crate name).
    pub name: String,
    /// The library's version.
    pub version: String,
    /// The ABI version it was built against.
    pub abi_version: String,
    /// The SDK version it was built with.
    #[serde(default)]
    pub sdk_version: String,
    /// The compiler that built it.
    #[serde(default)]
    pub rustc: String,
    /// Its stages.
    pub stages: Vec<StageManifest>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contracts_round_trip_and_need_their_required_fields() {
        let ctx = StageContext {
            stage_id: "s".into(),
            output_dir: "out".into(),
            worker: 1,
            threads: 2,
            project_dir: "p".into(),
            observing: true,
            observations: vec![serde_json::json!({ "a": 1 })],
            resume: Some(serde_json::json!({})),
            pass: Some(PassContext { index: 1, dir: "out/passes/s/pass-1/worker-0".into() }),
            pass_results: vec!["out/passes/s/pass-0/merged".into()],
        };
        let text = serde_json::to_string(&ctx).unwrap();
        assert_eq!(serde_json::from_str::<StageContext>(&text).unwrap(), ctx);
        // A field renamed on one side only is an error, not a default.
        let renamed = text.replace("\"stage_id\"", "\"stage\"");
        assert!(serde_json::from_str::<StageContext>(&renamed).unwrap_err().to_string().contains("stage_id"));

        let m = LibraryManifest {
            name: "moulin-x".into(),
            version: "0.1.0".into(),
            abi_version: "1.0.0".into(),
            sdk_version: "0.2.0".into(),
            rustc: "1.95".into(),
            stages: vec![StageManifest {
                name: "x".into(),
                kind: StageKind::Annotate,
                summary: "X.".into(),
                example_config: String::new(),
                observes: false,
            }],
        };
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains("\"kind\":\"annotate\""), "{text}");
        assert_eq!(serde_json::from_str::<LibraryManifest>(&text).unwrap(), m);
        assert!(serde_json::from_str::<LibraryManifest>(&text.replace("\"stages\"", "\"stage\"")).is_err());
    }

    #[test]
    fn export_summaries_round_trip_and_read_older_manifests() {
        let summary = ExportSummary {
            files: vec!["d.part-00000.jsonl".into()],
            documents: 2,
            rows: 2,
            bytes: 10,
            file_bytes: vec![10],
            open: Some(OpenFile { name: "d.jsonl".into(), bytes: 3, documents: 1, rows: 1 }),
            concatenate: Some(Join::SkipFirstLine),
            extra: [("dropped".to_string(), serde_json::json!(2))].into(),
        };
        let text = serde_json::to_string(&summary).unwrap();
        assert!(text.contains("\"dropped\":2"), "{text}");
        assert!(text.contains("\"concatenate\":\"skip_first_line\""), "{text}");
        assert_eq!(serde_json::from_str::<ExportSummary>(&text).unwrap(), summary);
        let old: ExportSummary = serde_json::from_str(r#"{"files": [], "concatenate": "parquet_row_groups"}"#).unwrap();
        assert_eq!(old.concatenate, Some(Join::Plugin));
        assert!(serde_json::from_str::<ExportSummary>(&text.replace("\"name\"", "\"file\"")).is_err());
        let join = JoinRequest { sources: vec!["a".into()], target: "t".into() };
        let text = serde_json::to_string(&join).unwrap();
        assert_eq!(serde_json::from_str::<JoinRequest>(&text).unwrap(), join);
    }

    #[test]
    fn pass_contracts_round_trip() {
        let plan = PassPlan { passes: 2, global: true };
        let text = serde_json::to_string(&plan).unwrap();
        assert_eq!(serde_json::from_str::<PassPlan>(&text).unwrap(), plan);
        assert!(serde_json::from_str::<PassPlan>(&text.replace("passes", "pass")).is_err());
        let merge = MergeRequest { pass: 1, inputs: vec!["a".into(), "b".into()], output: "m".into() };
        let text = serde_json::to_string(&merge).unwrap();
        assert_eq!(serde_json::from_str::<MergeRequest>(&text).unwrap(), merge);
        assert!(serde_json::from_str::<MergeRequest>(&text.replace("output", "out")).is_err());
        // A context from a host before passes (no `pass`, no `pass_results`) still reads.
        let old = r#"{"stage_id":"s","output_dir":"o","worker":0,"threads":1}"#;
        let ctx: StageContext = serde_json::from_str(old).unwrap();
        assert_eq!((ctx.pass, ctx.pass_results.len()), (None, 0));
        // A merge summary: what an SDK before it answered (files, keys) reads as empty.
        let mut summary = MergeSummary::default();
        summary.counts.insert("clusters".into(), 3);
        summary.histograms.entry("cluster size".into()).or_default().insert(2, 3);
        let text = serde_json::to_string(&summary).unwrap();
        assert_eq!(serde_json::from_str::<MergeSummary>(&text).unwrap(), summary);
        let old: MergeSummary = serde_json::from_str(r#"{"files":2,"keys":10,"kept":4}"#).unwrap();
        assert_eq!(old, MergeSummary::default());
        let mut sum = summary.clone();
        sum.add(&summary);
        assert_eq!((sum.counts["clusters"], sum.histograms["cluster size"][&2]), (6, 6));
    }
}

//! What a run counts and reports: per file, per stage, in all; the error records of
//! `errors.jsonl`.

pub use moulin_abi::contract::MergeSummary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One line of `errors.jsonl`: a file, record or document that could not be processed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorRecord {
    /// The input file's id (its path below the input root), when the error is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The archive member (`dir/a.jsonl`; `inner.tar!/a.txt` when nested), when the error is
    /// about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// The 1-based record number in the file or member, when the error is about a record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// The document id, when there is a document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The stage id, when a stage failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// `walk`, `read` (a record), `file` (the file's stream broke), `document`, `panic`,
    /// `contract`, `span`, `export`, ...
    pub kind: String,
    /// What was wrong.
    pub message: String,
}

impl ErrorRecord {
    /// A record of this kind and message, about nothing in particular yet.
    pub fn new(kind: &str, message: String) -> ErrorRecord {
        ErrorRecord { path: None, member: None, record: None, id: None, stage: None, kind: kind.to_string(), message }
    }
}

/// Counts for one input file. `documents = exported + dropped + failed` always holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FileReport {
    /// The file's id.
    pub path: String,
    /// Records read (documents and records that could not be read).
    pub documents: u64,
    /// Documents written by the exporters.
    pub exported: u64,
    /// Documents a stage dropped.
    pub dropped: u64,
    /// Records and documents that failed.
    pub failed: u64,
    /// Records and archive members that are not documents, by reason (`WARC request
    /// record`, `payload image/png`, `archive member not included`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, u64>,
    /// Set when the file's stream broke or it could not be opened (what was read before
    /// counts as usual).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl FileReport {
    /// No counts yet for the file `path`.
    pub fn new(path: &str) -> FileReport {
        FileReport { path: path.to_string(), ..Default::default() }
    }
}

/// Counts and time for one stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct StageReport {
    /// The stage id.
    pub id: String,
    /// The stage name (`plugin = ...`).
    pub plugin: String,
    /// `transform`, `annotate` or `export`.
    pub kind: String,
    /// Documents given to the stage.
    pub documents_in: u64,
    /// Documents it passed on (exporters: wrote).
    pub documents_out: u64,
    /// Documents it dropped, by reason.
    pub dropped: BTreeMap<String, u64>,
    /// Documents that failed in it.
    pub failed: u64,
    /// Documents that made the stage panic (each failed alone; the stage was remade).
    pub restarts: u64,
    /// Time spent in it, summed over workers.
    pub seconds: f64,
    /// What an exporter reported at the end (files, rows, bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<serde_json::Value>,
    /// Wall time of the passes before the main pass this stage asked for, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observation_seconds: Option<f64>,
    /// What the merges of those passes found (deduplication: its clusters), their summaries
    /// added up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_summary: Option<MergeSummary>,
    /// Whether those passes spanned every shard: then each shard's `pass_summary` is the
    /// same, and merging shards keeps it once instead of adding.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pass_global: bool,
}

impl StageReport {
    pub(crate) fn merge(&mut self, other: &StageReport) {
        self.documents_in += other.documents_in;
        self.documents_out += other.documents_out;
        for (reason, n) in &other.dropped {
            *self.dropped.entry(reason.clone()).or_default() += n;
        }
        self.failed += other.failed;
        self.restarts += other.restarts;
        self.seconds += other.seconds;
        match (&mut self.pass_summary, &other.pass_summary) {
            (None, Some(theirs)) => {
                self.pass_summary = Some(theirs.clone());
                self.pass_global = other.pass_global;
            }
            (Some(mine), Some(theirs)) if !(self.pass_global && other.pass_global) => mine.add(theirs),
            _ => {}
        }
    }
}

/// Totals of a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Totals {
    /// Input files read.
    pub files: u64,
    /// Files whose stream broke or that could not be opened.
    pub files_failed: u64,
    /// Problems met while walking the input (unreadable folders, symlink loops, files with
    /// no reader).
    pub walk_errors: u64,
    /// Records read.
    pub documents: u64,
    /// Documents exported.
    pub exported: u64,
    /// Documents dropped.
    pub dropped: u64,
    /// Records and documents failed.
    pub failed: u64,
    /// Records and archive members that are not documents, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Bytes of input text (decompressed, decoded).
    pub text_bytes: u64,
    /// Bytes of input files on disk.
    pub input_bytes: u64,
    /// What the exported documents hold: languages, scores, spans.
    pub content: crate::content::Content,
}

/// The report of a run, also written as `manifest.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    /// Totals.
    pub totals: Totals,
    /// Per stage, in pipeline order.
    pub stages: Vec<StageReport>,
    /// Per input file, in walk order.
    pub files: Vec<FileReport>,
    /// Wall time of the run, over every attempt up to its last resume point.
    pub seconds: f64,
    /// Worker threads used.
    pub threads: usize,
    /// The folder the run wrote to (`part-I-of-N` below the output folder for a shard).
    pub output_dir: std::path::PathBuf,
    /// The shard, for a sharded run.
    pub shard: Option<crate::shard::Shard>,
    /// Which start of the run this is: 1, or more when it was resumed.
    pub attempt: u32,
    /// Input files that earlier attempts completed (counted here, not read again).
    pub files_already_done: u64,
    /// The most frequent entities of the exported documents (an estimate).
    pub entities: crate::content::FrequentEntities,
    /// The run paused before its main pass, where the run options' `until_pass` asked:
    /// which pass. Nothing was exported; a run with `resume` goes on.
    pub paused: Option<String>,
}

impl RunReport {
    /// Whether anything failed: a record, a document, a file or a folder.
    pub fn has_failures(&self) -> bool {
        self.totals.failed > 0 || self.totals.files_failed > 0 || self.totals.walk_errors > 0
    }

    /// Megabytes of input text per second.
    pub fn text_mb_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.totals.text_bytes as f64 / 1e6 / self.seconds
        } else {
            0.0
        }
    }
}

/// `stats.json`: a running run's counts so far, rewritten whole (by way of a `.partial` file
/// renamed) every `[pipeline] stats_seconds` and at its end; what `moulin status` shows of
/// a run that is going.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LiveStats {
    /// When it was written (seconds since 1970).
    pub updated_unix: u64,
    /// Seconds the run has taken so far (this attempt and those before it).
    pub seconds: f64,
    /// Whether the run had ended when it was written.
    pub finished: bool,
    /// Counts so far.
    pub totals: Totals,
    /// Per stage (transform and annotate, then export), counts so far.
    pub stages: Vec<StageReport>,
    /// This attempt so far, sampled at each rewrite: `[seconds, documents, text bytes]`,
    /// at most 512 samples (past that, every other one is dropped).
    #[serde(default)]
    pub timeline: Vec<(f64, u64, u64)>,
    /// The input files this attempt took longest to read (decompress, parse), slowest first:
    /// `[file id, seconds]`, at most 10.
    #[serde(default)]
    pub slowest_files: Vec<(String, f64)>,
}

impl LiveStats {
    /// The file's name in a run's output folder (a shard's, for a sharded run).
    pub const FILE_NAME: &'static str = "stats.json";
}

/// `manifest.json`, as a run writes it beside its outputs: the one definition both the run
/// (which writes it) and `moulin status`/`merge` (which read it) use. Every field is
/// required when it is read, so that a renamed field is an error, not a default.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunManifest {
    /// The shard, for a sharded run (`null` otherwise).
    pub shard: Option<crate::shard::Shard>,
    /// The moulin that ran it.
    pub moulin_version: String,
    /// The plugin ABI it loaded.
    pub abi_version: String,
    /// The project.
    pub project: ProjectEntry,
    /// The project's configuration, as it was read (every default filled in).
    pub config: serde_json::Value,
    /// The plugin libraries the stages came from.
    pub plugins: Vec<PluginEntry>,
    /// How the run went.
    pub run: RunEntry,
    /// Totals.
    pub totals: Totals,
    /// Per stage, in pipeline order.
    pub stages: Vec<StageReport>,
    /// Per input file, in walk order.
    pub files: Vec<FileReport>,
    /// The most frequent entities of the exported documents: an estimate, so not part of
    /// `totals` (see [`crate::content`]).
    pub entities: crate::content::FrequentEntities,
}

/// The project of a [`RunManifest`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProjectEntry {
    /// `[project] name`.
    pub name: String,
    /// The project file.
    pub file: std::path::PathBuf,
}

/// A plugin library of a [`RunManifest`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PluginEntry {
    /// The library's crate name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The ABI it was built for.
    pub abi_version: String,
    /// The SDK it was built with.
    pub sdk_version: String,
    /// The compiler that built it.
    pub rustc: String,
    /// Where it was loaded from (`null`: linked in).
    pub path: Option<std::path::PathBuf>,
    /// Its SHA-256, hex.
    pub sha256: Option<String>,
}

/// How a run ended: `ok`, `failures` (some inputs failed) or `stopped`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RunStatus {
    /// Everything was read and written.
    Ok,
    /// The run finished; some records, documents, files or folders failed.
    Failures,
    /// The run had to stop.
    Stopped,
}

/// The `run` part of a [`RunManifest`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunEntry {
    /// How it ended.
    pub status: RunStatus,
    /// Why it stopped, when it did.
    pub stopped_because: Option<String>,
    /// Worker threads.
    pub threads: usize,
    /// When this attempt started, in seconds since 1970.
    pub started_unix: u64,
    /// Wall time over every attempt.
    pub seconds: f64,
    /// Megabytes of input text per second.
    pub text_mb_per_second: f64,
    /// The errors file, relative to the output folder.
    pub errors_file: String,
    /// The journal, relative to the output folder.
    pub journal_file: String,
    /// Which start of the run this was.
    pub attempt: u32,
    /// Input files that earlier attempts completed.
    pub files_already_done: u64,
}

/// `manifest.json` of `moulin merge`: the shards' manifests combined.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MergedManifest {
    /// The moulin that merged.
    pub moulin_version: String,
    /// The shard folders, in order.
    pub merged_from: Vec<String>,
    /// The first shard's project.
    pub project: ProjectEntry,
    /// The first shard's configuration.
    pub config: serde_json::Value,
    /// The first shard's plugin libraries.
    pub plugins: Vec<PluginEntry>,
    /// The joined errors file.
    pub errors_file: String,
    /// The files `--concat` joined.
    pub concatenated: Vec<ConcatenatedFile>,
    /// Totals over every shard.
    pub totals: Totals,
    /// Per stage, over every shard.
    pub stages: Vec<StageReport>,
    /// Per input file, every shard's in order.
    pub files: Vec<FileReport>,
    /// The shards' estimates of the most frequent entities, merged.
    pub entities: crate::content::FrequentEntities,
}

/// A file `moulin merge --concat` wrote.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConcatenatedFile {
    /// The exporter's stage id.
    pub stage: String,
    /// The file, relative to the output folder.
    pub file: String,
    /// Its size.
    pub bytes: u64,
}

impl fmt::Display for RunReport {
    /// The summary `moulin run` prints: totals, skipped records, a table of the stages with
    /// their drop reasons, where the outputs are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = self;
        let output = &report.output_dir;
        let t = &report.totals;
        if let Some(shard) = report.shard {
            writeln!(f, "shard {shard}: {} of the input files", t.files)?;
        }
        if report.attempt > 1 {
            writeln!(
                f,
                "resumed (attempt {}): {} files were done by earlier attempts",
                report.attempt, report.files_already_done
            )?;
        }
        write!(f, "{} files ({} failed), {} documents: ", t.files, t.files_failed, t.documents)?;
        writeln!(
            f,
            "{} exported, {} dropped, {} failed; {:.1} MB of text in {:.2} s ({:.1} MB/s, {} threads)",
            t.exported,
            t.dropped,
            t.failed,
            t.text_bytes as f64 / 1e6,
            report.seconds,
            report.text_mb_per_second(),
            report.threads
        )?;
        if t.walk_errors > 0 {
            writeln!(f, "{} problems while walking the input", t.walk_errors)?;
        }
        if !t.skipped.is_empty() {
            let reasons: Vec<String> = t.skipped.iter().map(|(reason, n)| format!("{n} {reason}")).collect();
            writeln!(f, "{} records skipped, not documents: {}", t.skipped.values().sum::<u64>(), reasons.join(", "))?;
        }
        // Columns as wide as their longest entry (stage ids and plugin names are the user's).
        let id_w = report.stages.iter().map(|s| s.id.len()).chain([16]).max().unwrap_or(16);
        let plugin_w = report.stages.iter().map(|s| s.plugin.len()).chain([12]).max().unwrap_or(12);
        writeln!(
            f,
            "{:<id_w$} {:<plugin_w$} {:>10} {:>10} {:>9} {:>8} {:>9}",
            "stage", "plugin", "in", "out", "dropped", "failed", "seconds"
        )?;
        for s in &report.stages {
            let dropped: u64 = s.dropped.values().sum();
            writeln!(
                f,
                "{:<id_w$} {:<plugin_w$} {:>10} {:>10} {:>9} {:>8} {:>9.3}",
                s.id, s.plugin, s.documents_in, s.documents_out, dropped, s.failed, s.seconds
            )?;
            for (reason, n) in &s.dropped {
                writeln!(f, "{:<id_w$}   dropped {n}: {reason}", "")?;
            }
            if s.restarts > 0 {
                writeln!(
                    f,
                    "{:<id_w$}   {} document(s) made it panic: each failed, the rest of its batch went on",
                    "", s.restarts
                )?;
            }
            if let Some(summary) = &s.pass_summary {
                let counts: Vec<String> = summary.counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
                if !counts.is_empty() {
                    writeln!(f, "{:<id_w$}   passes: {}", "", counts.join(", "))?;
                }
                for warning in &summary.warnings {
                    writeln!(f, "{:<id_w$}   warning: {warning}", "")?;
                }
            }
        }
        writeln!(f, "outputs in {}", output.display())?;
        if report.has_failures() {
            writeln!(f, "failures are listed in {}", output.join("errors.jsonl").display())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> RunManifest {
        RunManifest {
            shard: None,
            moulin_version: "0.1.0".into(),
            abi_version: "1.0.0".into(),
            project: ProjectEntry { name: "p".into(), file: "p.toml".into() },
            config: serde_json::json!({ "name": "p" }),
            plugins: vec![PluginEntry {
                name: "moulin-normalize".into(),
                version: "0.1.0".into(),
                abi_version: "1.0.0".into(),
                sdk_version: "0.2.0".into(),
                rustc: "1.95".into(),
                path: Some("lib.so".into()),
                sha256: None,
            }],
            run: RunEntry {
                status: RunStatus::Failures,
                stopped_because: None,
                threads: 2,
                started_unix: 1,
                seconds: 0.5,
                text_mb_per_second: 1.0,
                errors_file: "errors.jsonl".into(),
                journal_file: "journal.jsonl".into(),
                attempt: 1,
                files_already_done: 0,
            },
            totals: Totals { files: 1, documents: 2, exported: 1, failed: 1, ..Default::default() },
            stages: vec![StageReport {
                id: "n".into(),
                summary: Some(serde_json::json!({ "rows": 1 })),
                ..Default::default()
            }],
            files: vec![FileReport { path: "a.txt".into(), documents: 2, ..Default::default() }],
            entities: Default::default(),
        }
    }

    #[test]
    fn the_manifest_round_trips_and_a_missing_field_is_an_error() {
        let m = manifest();
        let text = serde_json::to_string_pretty(&m).unwrap();
        assert_eq!(serde_json::from_str::<RunManifest>(&text).unwrap(), m);
        assert!(text.contains("\"status\": \"failures\""), "{text}");
        // A field the reader expects and the writer no longer writes (renamed, say) is an
        // error, in the run, the stages and the totals alike.
        for (path, key) in
            [("run", "attempt"), ("totals", "exported"), ("totals", "content"), ("", "files"), ("", "entities")]
        {
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let parent = if path.is_empty() { &mut v } else { &mut v[path] };
            parent.as_object_mut().unwrap().remove(key);
            let e = serde_json::from_value::<RunManifest>(v).unwrap_err();
            assert!(e.to_string().contains(&format!("missing field `{key}`")), "{e}");
        }
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["stages"][0].as_object_mut().unwrap().remove("documents_in");
        assert!(serde_json::from_value::<RunManifest>(v).is_err());
    }

    #[test]
    fn the_summary_shows_totals_stages_and_reasons() {
        let report = RunReport {
            totals: Totals { files: 2, documents: 10, exported: 7, dropped: 2, failed: 1, ..Default::default() },
            stages: vec![StageReport {
                id: "a_rather_long_stage_id".into(),
                plugin: "gopher_repetition".into(),
                documents_in: 10,
                documents_out: 7,
                dropped: [("dup_line_frac".to_string(), 2)].into(),
                failed: 1,
                restarts: 1,
                ..Default::default()
            }],
            threads: 2,
            output_dir: "out".into(),
            ..Default::default()
        };
        let shown = report.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert!(lines[0].starts_with("2 files (0 failed), 10 documents: 7 exported, 2 dropped, 1 failed;"), "{shown}");
        // The columns are as wide as the stage id and plugin name.
        assert!(lines[1].starts_with("stage                  plugin            "), "{shown}");
        assert!(lines[2].starts_with("a_rather_long_stage_id gopher_repetition"), "{shown}");
        assert!(shown.contains("dropped 2: dup_line_frac"), "{shown}");
        assert!(shown.contains("1 document(s) made it panic"), "{shown}");
        assert!(shown.ends_with("failures are listed in out/errors.jsonl\n"), "{shown}");
    }
}

//! What a run counts and reports: per file, per stage, in all; the error records of
//! `errors.jsonl`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One line of `errors.jsonl`: a file, record or document that could not be processed.
#[derive(Debug, Clone, Serialize, PartialEq)]
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

/// Counts for one input file. `documents = exported + dropped + failed` always holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
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
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, u64>,
    /// Set when the file's stream broke or it could not be opened (what was read before
    /// counts as usual).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Counts and time for one stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<serde_json::Value>,
    /// Wall time of the observation pass this stage asked for, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation_seconds: Option<f64>,
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
    }
}

/// Totals of a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
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

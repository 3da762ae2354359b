//! The ledger: every finished batch counted into the per-file reports and the totals, its
//! errors written to `errors.jsonl`, and resume points committed to the journal.

use super::journal::{self, Journal};
use crate::corpus::InputFile;
use crate::reorder::Checkpoint;
use crate::report::{ErrorRecord, FileReport, StageReport, Totals};
use crate::stages::Finished;
use crate::Error;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

/// The most kinds of skip reasons a run counts apart.
pub(crate) const MAX_SKIP_REASONS: usize = 64;
/// Where the skip reasons past [`MAX_SKIP_REASONS`] are counted.
pub(crate) const OTHER_SKIP_REASONS: &str = "other reasons (past 64 kinds)";

/// What earlier attempts of a resumed run did (defaults for a new run).
#[derive(Debug, Default)]
pub(crate) struct Earlier {
    /// This attempt's number (1 for a new run).
    pub attempt: u32,
    /// Input files done by earlier attempts.
    pub files_done: usize,
    /// Per stage, their counts.
    pub stages: Vec<StageReport>,
    /// Each exporter's state to continue from.
    pub exporters: Vec<serde_json::Value>,
    /// Their seconds.
    pub seconds: f64,
    /// The passes they finished.
    pub passes: Vec<journal::PassDone>,
}

/// The counts of a run, and where they are written.
pub(crate) struct Ledger {
    /// What earlier attempts did.
    pub earlier: Earlier,
    /// Per input file, in walk order (earlier attempts' first).
    pub reports: Vec<FileReport>,
    /// In all.
    pub totals: Totals,
    /// The most frequent entities of the documents exported so far.
    pub entities: crate::content::FrequentEntities,
    /// Documents finished by this attempt.
    pub documents_done: u64,
    log: RunLog,
    started: Instant,
}

impl Ledger {
    /// A ledger that continues `reports` and `totals`, writing to `errors` and `journal`;
    /// `committed` files are in the journal already, and its next commit is `next_commit`.
    pub fn new(
        earlier: Earlier,
        reports: Vec<FileReport>,
        totals: Totals,
        errors: (std::fs::File, PathBuf),
        journal: Journal,
        next_commit: u64,
    ) -> Ledger {
        let committed = earlier.files_done;
        Ledger {
            earlier,
            reports,
            totals,
            entities: Default::default(),
            documents_done: 0,
            log: RunLog {
                errors: BufWriter::new(errors.0),
                errors_path: errors.1,
                journal,
                files_committed: committed,
                next_commit,
                failed: None,
            },
            started: Instant::now(),
        }
    }

    /// Write an error record (with its file) to `errors.jsonl`.
    pub fn error(&mut self, record: &ErrorRecord) {
        self.log.error(record)
    }

    /// The run's seconds: earlier attempts' and this one's so far.
    pub fn seconds(&self) -> f64 {
        self.earlier.seconds + self.started.elapsed().as_secs_f64()
    }

    /// The run's report: what it counted, with `stages` (this attempt's and the earlier
    /// ones' counts, [`Ledger::stages`]).
    pub fn report(
        &self,
        stages: Vec<StageReport>,
        threads: usize,
        output: &std::path::Path,
        shard: Option<crate::shard::Shard>,
    ) -> crate::report::RunReport {
        crate::report::RunReport {
            totals: self.totals.clone(),
            stages,
            files: self.reports.clone(),
            seconds: self.seconds(),
            threads,
            output_dir: output.to_path_buf(),
            shard,
            attempt: self.earlier.attempt,
            files_already_done: self.earlier.files_done as u64,
            entities: self.entities.clone(),
            paused: None,
        }
    }

    /// Count a finished batch; its errors go to `errors.jsonl` with their file filled in.
    pub fn account(&mut self, batch: &Finished, files: &[InputFile]) {
        let (reports, totals) = (&mut self.reports, &mut self.totals);
        totals.text_bytes += batch.text_bytes;
        for &(origin, n) in &batch.read {
            reports[origin as usize].documents += n;
            totals.documents += n;
        }
        for &origin in &batch.origins {
            reports[origin as usize].exported += 1;
        }
        for (origin, reason, n) in &batch.skipped {
            // The reasons come from the input (a WARC's payload types): past a bound, new
            // ones are counted together, so that the manifest stays small.
            let reason = if totals.skipped.contains_key(reason) || totals.skipped.len() < MAX_SKIP_REASONS {
                reason.clone()
            } else {
                OTHER_SKIP_REASONS.to_string()
            };
            *reports[*origin as usize].skipped.entry(reason.clone()).or_default() += n;
            *totals.skipped.entry(reason).or_default() += n;
        }
        totals.exported += batch.origins.len() as u64;
        totals.content.add(&batch.docs);
        self.entities.add(&batch.docs);
        for (origin, _, _) in &batch.dropped {
            reports[*origin as usize].dropped += 1;
        }
        totals.dropped += batch.dropped.len() as u64;
        let mut failed_documents = 0;
        for f in &batch.failures {
            let file = &files[f.origin as usize];
            let report = &mut reports[f.origin as usize];
            if f.counts_as_document {
                report.failed += 1;
                totals.failed += 1;
                failed_documents += 1;
            } else {
                report.error = Some(f.record.message.clone());
                totals.files_failed += 1;
                tracing::warn!(path = %file.path.display(), error = %f.record.message, "Input file damaged; what was read before the damage is kept.");
            }
            let mut record = f.record.clone();
            record.path = Some(file.id.clone());
            self.log.error(&record);
        }
        self.documents_done += (batch.origins.len() + batch.dropped.len()) as u64 + failed_documents;
    }

    /// The counts of earlier attempts plus `now`, this attempt's; what the exporters report
    /// (`summary`) is this attempt's, which counts earlier files too.
    pub fn stages(&self, now: &[StageReport]) -> Vec<StageReport> {
        now.iter()
            .enumerate()
            .map(|(i, s)| match self.earlier.stages.get(i) {
                Some(b) => {
                    let mut merged = b.clone();
                    merged.merge(s);
                    merged.summary = s.summary.clone().or(merged.summary);
                    merged
                }
                None => s.clone(),
            })
            .collect()
    }

    /// Append a line to the journal (a pass done).
    pub fn record(&mut self, entry: &impl serde::Serialize) {
        if self.log.failed.is_none() {
            if let Err(e) = self.log.journal.append(entry) {
                self.log.failed = Some(e.into());
            }
        }
    }

    /// Record a resume point the engine reached.
    pub fn resume_point(&mut self, point: &Checkpoint) {
        let stages = self.stages(&point.stages);
        let seconds = self.seconds();
        self.commit(&stages, &point.exporters, point.files_done as usize, seconds, false);
    }

    /// Record a resume point: `errors.jsonl` is synced first, then the commit appended to
    /// the journal. `exporters`: each exporter's state to continue from (or its summary, at
    /// the end); `done`: the run's last commit.
    pub fn commit(
        &mut self,
        stages: &[StageReport],
        exporters: &[serde_json::Value],
        files_done: usize,
        seconds: f64,
        done: bool,
    ) {
        let log = &mut self.log;
        let Some(errors_bytes) = log.sync_errors() else { return };
        if journal::crash_point("after-errors", log.next_commit) {
            std::process::abort();
        }
        let commit = journal::Commit {
            commit: log.next_commit,
            files_done,
            files: self.reports[log.files_committed..files_done].to_vec(),
            totals: self.totals.clone(),
            stages: stages.to_vec(),
            exporters: exporters.to_vec(),
            errors_bytes,
            seconds,
            done,
            entities: self.entities.clone(),
        };
        match log.journal.append(&commit) {
            Ok(()) => {
                log.files_committed = files_done;
                log.next_commit += 1;
            }
            Err(e) => log.failed = Some(e.into()),
        }
    }

    /// The first failure to write `errors.jsonl` or the journal, if any; else flush.
    pub fn flush(&mut self) -> Result<(), Error> {
        if let Some(e) = self.log.failed.take() {
            return Err(e);
        }
        self.log.errors.flush().map_err(|source| Error::Io { path: self.log.errors_path.clone(), source })
    }
}

/// Where a run writes what it is doing: `errors.jsonl` and the journal. The first failure
/// to write either is kept and returned by [`Ledger::flush`] (the pipeline's sink cannot
/// stop the run).
struct RunLog {
    errors: BufWriter<std::fs::File>,
    errors_path: PathBuf,
    journal: Journal,
    files_committed: usize,
    next_commit: u64,
    failed: Option<Error>,
}

impl RunLog {
    fn error(&mut self, record: &ErrorRecord) {
        if self.failed.is_some() {
            return;
        }
        let written = serde_json::to_writer(&mut self.errors, record)
            .map_err(std::io::Error::from)
            .and_then(|_| self.errors.write_all(b"\n"));
        if let Err(e) = written {
            self.failed = Some(Error::Io { path: self.errors_path.clone(), source: e });
        }
    }

    /// Flush and sync `errors.jsonl`; its length, or `None` after a failure.
    fn sync_errors(&mut self) -> Option<u64> {
        if self.failed.is_some() {
            return None;
        }
        let synced = self
            .errors
            .flush()
            .and_then(|_| self.errors.get_ref().sync_data())
            .and_then(|_| self.errors.get_ref().metadata());
        match synced {
            Ok(m) => Some(m.len()),
            Err(e) => {
                self.failed = Some(Error::Io { path: self.errors_path.clone(), source: e });
                None
            }
        }
    }
}

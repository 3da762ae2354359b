//! Where a run starts: a new journal and `errors.jsonl`, or, with `--resume`, the journal it
//! continues, checked against the project and the input, with `errors.jsonl` cut back to
//! its last resume point.

use super::journal::{self, Attempt, Header, Journal, State};
use super::ledger::{Earlier, Ledger};
use crate::corpus::{InputFile, WalkError};
use crate::report::{ErrorRecord, FileReport, RunReport, Totals};
use crate::shard::Shard;
use crate::Error;
use std::path::Path;

/// How a run starts.
pub(crate) enum Start {
    /// Its journal counts it as complete: nothing to do, and this was its report.
    Complete(RunReport),
    /// Run, counting into this ledger.
    Run(Ledger),
}

/// What a run starts from.
pub(crate) struct Opening<'a> {
    /// The run's output folder (its shard's).
    pub output: &'a Path,
    /// What decides the run's outputs ([`super::manifest::fingerprint`]).
    pub fingerprint: &'a super::manifest::Fingerprint,
    /// The shard run, if any.
    pub shard: Option<Shard>,
    /// The input files, in order.
    pub files: &'a [InputFile],
    /// Continue the journal there is, if any.
    pub resume: bool,
    /// This attempt.
    pub attempt: Attempt,
    /// How many exporters the run has.
    pub exporters: usize,
}

impl Opening<'_> {
    /// Open the journal and `errors.jsonl`: new ones, or the ones a resumed run continues.
    /// A new run writes `walk_errors` and commit 0.
    pub fn start(mut self, walk_errors: &[WalkError]) -> Result<Start, Error> {
        let header = Header {
            named: self.fingerprint.named.clone(),
            ..Header::new(
                self.fingerprint.digest.clone(),
                self.shard,
                self.files.iter().map(|f| (f.id.clone(), f.size)).collect(),
            )
        };
        let path = self.output.join(journal::FILE_NAME);
        let previous = if self.resume { journal::read(&path)? } else { None };
        match previous.filter(|state| state.last.is_some()) {
            Some(state) => self.continue_journal(state, &header),
            None => {
                self.attempt.attempt = 1;
                self.new_journal(&header, walk_errors).map(Start::Run)
            }
        }
    }

    fn continue_journal(mut self, state: State, header: &Header) -> Result<Start, Error> {
        let path = self.output.join(journal::FILE_NAME);
        if let Some(why) = state.header.mismatch(header) {
            return Err(Error::Resume { path, message: format!("{why}; run without --resume to start over") });
        }
        if state.done() {
            tracing::info!(output = %self.output.display(), "The run is already complete; nothing to do.");
            return Ok(Start::Complete(finished_report(&state, self.output, self.shard, self.attempt.threads)));
        }
        let last = state.last.clone().expect("kept only with a commit");
        self.attempt.attempt = state.attempts + 1;
        let mut journal = Journal::resume(&path, &state)?;
        journal.append(&self.attempt)?;
        let errors_path = self.output.join("errors.jsonl");
        let io = |source| Error::Io { path: errors_path.clone(), source };
        let errors = std::fs::OpenOptions::new().append(true).open(&errors_path).map_err(io)?;
        let length = errors.metadata().map_err(io)?.len();
        if length < last.errors_bytes {
            let message = format!(
                "{} holds {length} bytes, less than the {} the journal counts",
                errors_path.display(),
                last.errors_bytes
            );
            return Err(Error::Resume { path, message });
        }
        errors.set_len(last.errors_bytes).map_err(io)?;
        let earlier = Earlier {
            attempt: self.attempt.attempt,
            files_done: state.files_done,
            stages: last.stages,
            exporters: last.exporters,
            seconds: last.seconds,
            passes: state.passes,
        };
        let mut reports = state.files;
        reports.extend(self.files[state.files_done..].iter().map(|f| FileReport::new(&f.id)));
        let mut ledger = Ledger::new(earlier, reports, last.totals, (errors, errors_path), journal, last.commit + 1);
        ledger.entities = last.entities;
        Ok(Start::Run(ledger))
    }

    fn new_journal(&self, header: &Header, walk_errors: &[WalkError]) -> Result<Ledger, Error> {
        let mut journal = Journal::create(&self.output.join(journal::FILE_NAME), header)?;
        journal.append(&self.attempt)?;
        let errors_path = self.output.join("errors.jsonl");
        let errors =
            std::fs::File::create(&errors_path).map_err(|source| Error::Io { path: errors_path.clone(), source })?;
        let totals = Totals {
            files: self.files.len() as u64,
            walk_errors: walk_errors.len() as u64,
            input_bytes: self.files.iter().map(|f| f.size).sum(),
            ..Default::default()
        };
        let reports = self.files.iter().map(|f| FileReport::new(&f.id)).collect();
        // Every exporter starts from `{}` in a new run: it then removes what an earlier run
        // left under its names.
        let earlier =
            Earlier { attempt: 1, exporters: vec![serde_json::json!({}); self.exporters], ..Default::default() };
        let mut ledger = Ledger::new(earlier, reports, totals, (errors, errors_path), journal, 0);
        for e in walk_errors {
            tracing::warn!(path = %e.path.display(), error = %e.message, "Skipped part of the input.");
            let record =
                ErrorRecord { path: Some(e.path.display().to_string()), ..ErrorRecord::new("walk", e.message.clone()) };
            ledger.error(&record);
        }
        // Commit 0: a resume before the first resume point starts from here.
        let exporters = ledger.earlier.exporters.clone();
        ledger.commit(&[], &exporters, 0, 0.0, false);
        Ok(ledger)
    }
}

/// The report of a run its journal counts as complete.
fn finished_report(state: &State, output: &Path, shard: Option<Shard>, threads: usize) -> RunReport {
    let last = state.last.clone().unwrap_or_default();
    RunReport {
        totals: last.totals,
        stages: last.stages,
        files: state.files.clone(),
        seconds: last.seconds,
        threads,
        output_dir: output.to_path_buf(),
        shard,
        attempt: state.attempts,
        files_already_done: state.files.len() as u64,
        entities: last.entities,
        paused: None,
    }
}

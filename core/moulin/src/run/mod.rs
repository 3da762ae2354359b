//! Running a project: the input walked and sharded, the journal opened or continued
//! ([`resume`]), the passes before the main pass ([`passes`]), the main pass through the
//! engine, every batch counted ([`ledger`]), and the manifest written ([`manifest`]).

pub(crate) mod journal;
mod ledger;
mod live;
mod manifest;
mod passes;
mod resume;

use crate::batch::Reader;
use crate::config::ConfigError;
use crate::corpus::{self, InputFile, ReadOptions, WalkError};
use crate::engine::{Checkpoints, Engine, EngineOutcome};
use crate::error::Problem;
use crate::project::Project;
use crate::report::RunReport;
use crate::shard::Shard;
use crate::stages::StageSpec;
use crate::Error;
use journal::Attempt;
use ledger::Ledger;
use resume::{Opening, Start};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Reports progress of a run; the CLI draws a bar with it.
pub trait Progress: Send + Sync {
    /// The run starts: this many bytes in this many files.
    fn start(&self, total_bytes: u64, files: u64);
    /// So far: bytes read from disk, documents finished.
    fn advance(&self, bytes_read: u64, documents: u64);
    /// The run, or the pass, is over.
    fn finish(&self);
    /// A pass before the main pass begins (`start`, `advance` and `finish` then follow it):
    /// pass `pass` (from 0) of `passes` of stage `stage`. The main pass follows the last.
    fn pass(&self, _stage: &str, _pass: u32, _passes: u32) {}
    /// Pass `pass` (from 0) of stage `stage` is being merged, which shows no progress of its
    /// own; `finish` follows when it is done. The default ignores it.
    fn merging(&self, _stage: &str, _pass: u32) {}
    /// Every stage's counts so far in the main pass (transform and annotate, then export),
    /// after each batch; the default ignores them.
    fn stages(&self, _stages: &[crate::report::StageReport]) {}
}

/// How to run a project (what the command line decides; the project file describes the
/// pipeline).
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Worker threads; 0 means one per core. More than 4 a core are cut to that, with a
    /// warning: they would only cost memory.
    pub threads: usize,
    /// Write outputs here instead of the project's output folder.
    pub output: Option<PathBuf>,
    /// Progress reporting.
    pub progress: Option<Arc<dyn Progress>>,
    /// Run one shard of the input: the files [`crate::shard::partition`] gives it, written
    /// to `part-I-of-N` below the output folder, with its own manifest and journal.
    pub shard: Option<Shard>,
    /// Continue the run the output folder's journal records, if there is one: the input
    /// files it counts as done are not read again, and what was written after its last
    /// resume point is replaced. A run the journal counts as complete is not run again.
    pub resume: bool,
    /// Stop once this run's workers of pass K over every shard (a global pass, counted from
    /// 0 in stage order) are done, before the pass is merged: nothing is exported, and a run
    /// with `resume` goes on from there. `moulin slurm` runs each such pass as a job array of
    /// its own, the next one depending on it (docs/cluster.md).
    pub until_pass: Option<u32>,
}

/// The outcome of a run that went to its end (some inputs may have failed: see
/// [`RunReport::has_failures`]).
pub type RunResult = Result<RunReport, Error>;

impl Project {
    /// Run with default options (one thread per core, the project's output folder).
    pub fn run(&self) -> RunResult {
        self.run_with(&RunOptions::default())
    }

    /// Run the project over its inputs. Bad inputs are reported in `errors.jsonl` and the
    /// report, and the run goes on; `Err` means the run could not start or had to stop.
    ///
    /// Every run keeps a journal (`journal.jsonl`, described in docs/cluster.md) in its output
    /// folder; with [`RunOptions::resume`], a run continues the journal it finds there.
    pub fn run_with(&self, options: &RunOptions) -> RunResult {
        let started_unix = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let output_root = options.output.clone().unwrap_or_else(|| self.config.output.clone());
        let output = match options.shard {
            Some(shard) => output_root.join(shard.dir_name()),
            None => output_root.clone(),
        };
        std::fs::create_dir_all(&output).map_err(|source| Error::Io { path: output.clone(), source })?;
        // Held to the end of the run: no other run writes here meanwhile.
        let _lock = journal::lock(&output)?;
        let threads = crate::engine::worker_threads(options.threads);
        let read_options = ReadOptions::new(&self.config.input).map_err(|e| self.input_problem(e.to_string()))?;
        let (files, walk_errors) = self.input_files(&read_options, &output_root, options.shard);
        let fingerprint = manifest::fingerprint(self, &output_root);
        let opening = Opening {
            output: &output,
            fingerprint: &fingerprint,
            shard: options.shard,
            files: &files,
            resume: options.resume,
            attempt: Attempt { attempt: 0, started_unix, threads },
            exporters: self.stages().iter().filter(|s| s.kind == crate::StageKind::Export).count(),
        };
        let mut ledger = match opening.start(&walk_errors)? {
            Start::Complete(report) => return Ok(report),
            Start::Run(ledger) => ledger,
        };
        if ledger.earlier.attempt == 1 {
            // A new run: what passes of an earlier run left is not this run's.
            let passes = output.join("passes");
            if passes.exists() {
                std::fs::remove_dir_all(&passes).map_err(|source| Error::Io { path: passes, source })?;
            }
        }
        let reader = Reader {
            files: &files,
            options: &read_options,
            batch_documents: self.config.pipeline.batch_documents,
            batch_bytes: self.config.pipeline.batch_bytes as u64,
        };
        let mut engine = self.engine(&ledger, threads, &output, options);
        let passes = passes::Passes {
            reader: &reader,
            output: &output,
            output_root: &output_root,
            shard: options.shard,
            threads,
            max_stage_restarts: engine.max_stage_restarts,
            shard_wait: std::time::Duration::from_secs(self.config.pipeline.shard_wait_seconds),
            progress: options.progress.as_ref(),
            fingerprint: &fingerprint.digest,
            until: options.until_pass,
        };
        let observed = match passes.run(&mut engine.stages, &mut ledger)? {
            passes::PassesDone::Done(observed) => observed,
            passes::PassesDone::Paused(at) => {
                ledger.flush()?;
                let (shard, attempt) = (options.shard, ledger.earlier.attempt);
                return Ok(RunReport {
                    output_dir: output,
                    shard,
                    threads,
                    attempt,
                    paused: Some(at),
                    ..Default::default()
                });
            }
        };
        let outcome = main_pass(&engine, &reader, &self.config.pipeline, &mut ledger, options)?;

        let mut stages = ledger.stages(&outcome.stages);
        passes::Passed::report(observed, &mut stages);
        let report = ledger.report(stages, threads, &output, options.shard);
        let written = manifest::write_manifest(self, &output, &report, started_unix, outcome.fatal.as_ref());
        if written.is_ok() {
            // The page is for people; a run does not fail for want of it.
            if let Err(e) = crate::report_page::write(&output) {
                tracing::warn!("{e}");
            }
        }
        if let Some(reason) = outcome.fatal {
            if let Err(e) = written {
                tracing::error!("after the run stopped ({reason}): {e}");
            }
            return Err(Error::Stopped { reason, report: Box::new(report) });
        }
        written?;
        // The last commit holds every exporter's summary.
        let summaries: Vec<serde_json::Value> =
            report.stages[engine.stages.len()..].iter().map(|s| s.summary.clone().unwrap_or_default()).collect();
        ledger.commit(&report.stages, &summaries, files.len(), report.seconds, true);
        ledger.flush()?;
        Ok(report)
    }

    /// The passes over every shard (global passes) the stages ask for, in the order a run
    /// makes them: each stage's id and the pass. `moulin slurm` runs each as a job array of
    /// its own ([`RunOptions::until_pass`]).
    pub fn global_passes(&self) -> Result<Vec<(String, u32)>, Error> {
        let mut passes = Vec::new();
        for spec in self.stages() {
            let (plan, _) = spec.pass_plan(&self.config.output, 1)?;
            if plan.global {
                passes.extend((0..plan.passes).map(|p| (spec.id.clone(), p)));
            }
        }
        Ok(passes)
    }

    /// The input files of this run, in order, and what the walk could not read. The output
    /// folder (every shard's, for a sharded run) is never input.
    fn input_files(
        &self,
        read_options: &ReadOptions,
        output_root: &Path,
        shard: Option<Shard>,
    ) -> (Vec<InputFile>, Vec<WalkError>) {
        let skip = [output_root.to_path_buf()];
        let (files, walk_errors) = corpus::walk(
            &self.config.input.paths,
            &read_options.selector,
            &skip,
            self.config.input.follow_outside_links,
        );
        let Some(shard) = shard else { return (files, walk_errors) };
        let sizes: Vec<u64> = files.iter().map(|f| f.size).collect();
        let shard_of = crate::shard::partition(&sizes, shard.count);
        let mine = files.into_iter().zip(shard_of).filter(|(_, s)| *s == shard.index).map(|(f, _)| f).collect();
        // Every shard meets the same problems while walking; the first reports them.
        (mine, if shard.index == 0 { walk_errors } else { Vec::new() })
    }

    /// The engine of the main pass: the project's stages, each exporter with the state it
    /// continues from.
    fn engine(&self, ledger: &Ledger, threads: usize, output: &Path, options: &RunOptions) -> Engine {
        let (stages, mut exporters): (Vec<StageSpec>, Vec<StageSpec>) =
            self.stages().iter().cloned().partition(|s| s.kind != crate::StageKind::Export);
        for (i, exporter) in exporters.iter_mut().enumerate() {
            exporter.resume = Some(ledger.earlier.exporters.get(i).cloned().unwrap_or_else(|| serde_json::json!({})));
        }
        Engine {
            stages,
            exporters,
            threads,
            output_dir: output.to_path_buf(),
            max_stage_restarts: self.config.pipeline.max_stage_restarts,
            checkpoint: if options.resume || options.shard.is_some() { Checkpoints::Warn } else { Checkpoints::On },
        }
    }

    fn input_problem(&self, message: String) -> Error {
        Error::Invalid(vec![Problem::Config(ConfigError {
            file: self.config.file.clone(),
            line: None,
            key: Some("input".into()),
            message,
        })])
    }
}

/// The main pass: every input file not done yet through the engine, each finished batch
/// counted into the ledger and each resume point committed, with progress.
fn main_pass(
    engine: &Engine,
    reader: &Reader<'_>,
    pipeline: &crate::config::PipelineConfig,
    ledger: &mut Ledger,
    options: &RunOptions,
) -> Result<EngineOutcome, Error> {
    let first = ledger.earlier.files_done;
    let files = reader.files;
    let bytes_read = Arc::new(AtomicU64::new(0));
    if let Some(p) = &options.progress {
        p.start(files[first..].iter().map(|f| f.size).sum(), (files.len() - first) as u64);
    }
    let counter = bytes_read.clone();
    let source = move |emit: &mut dyn FnMut(crate::batch::Batch) -> bool| {
        reader.read(first, counter, Some(pipeline.checkpoint_bytes), emit)
    };
    let mut live = live::Live::new(&engine.output_dir, pipeline.stats_seconds);
    let sink = |batch, stages: &[crate::report::StageReport], checkpoint: Option<crate::reorder::Checkpoint>| {
        ledger.account(&batch, files);
        live.files_read(&batch.file_seconds, files);
        if let Some(point) = &checkpoint {
            ledger.resume_point(point);
        }
        live.update(ledger, stages, false);
        if let Some(p) = &options.progress {
            p.advance(bytes_read.load(Ordering::Relaxed), ledger.documents_done);
            p.stages(stages);
        }
    };
    let outcome = engine.run(source, sink).map_err(Error::Setup)?;
    live.update(ledger, &outcome.stages, true);
    if let Some(p) = &options.progress {
        p.finish();
    }
    // A stage that stopped the run (an exporter on a full disk) is the cause; that
    // errors.jsonl could not be written then either is said after it.
    match (ledger.flush(), &outcome.fatal) {
        (Err(e), Some(reason)) => tracing::error!("after the run stopped ({reason}): {e}"),
        (written, _) => written?,
    }
    Ok(outcome)
}

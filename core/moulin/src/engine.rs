//! The engine: a reader thread makes numbered batches ([`crate::batch`]), N workers run every
//! transform and annotate stage on them, each with its own instances ([`crate::stages`]), the
//! calling thread puts finished batches back in order ([`crate::reorder`]) and hands them to
//! the exporters' thread ([`crate::export`]), and counts them as they come back.
//!
//! ```text
//! source -> batches (seq) -> bounded channel -> N workers -> reorder by seq -> export thread -> sink
//! ```
//!
//! Memory is bounded whatever the corpus size: at most `window` batches exist at once (the
//! reader takes a token before making a batch; the collecting end gives it back), so a slow
//! batch cannot make the reorder buffer grow without end. Output is the same whatever the
//! number of workers, because exporters see batches in sequence order.

use crate::batch::Batch;
use crate::export::{Exported, Exporters, ToExport};
use crate::reorder::{Checkpoint, Collector};
use crate::report::StageReport;
use crate::stages::{Finished, Msg, StageSpec, Worker};
use crate::StageError;
use crossbeam_channel::{bounded, Receiver, Sender};
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;

/// How a pipeline runs.
#[derive(Clone, Debug)]
pub struct Engine {
    /// Transform and annotate stages, in order.
    pub stages: Vec<StageSpec>,
    /// Export stages, in order.
    pub exporters: Vec<StageSpec>,
    /// Worker threads.
    pub threads: usize,
    /// Where exporters write.
    pub output_dir: PathBuf,
    /// Documents that may make one stage panic over the run.
    pub max_stage_restarts: usize,
    /// Record resume points where the source marks them ([`Batch::checkpoint`]), if every
    /// exporter can complete its files mid-run. `Warn`: say so when one cannot.
    pub checkpoint: Checkpoints,
}

/// Whether a run records resume points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Checkpoints {
    /// No.
    #[default]
    Off,
    /// Yes, when every exporter can.
    On,
    /// Yes, and warn when an exporter cannot (a run that is meant to be resumed).
    Warn,
}

/// The result of [`Engine::run`].
#[derive(Debug, Default)]
pub struct EngineOutcome {
    /// Per stage (transform and annotate, then export), in order.
    pub stages: Vec<StageReport>,
    /// Set when the run stopped early.
    pub fatal: Option<StageError>,
    /// For each transform and annotate stage, what each worker's instance returned from
    /// `finish` (JSON; `null` when it failed), in worker order. Empty when the run stopped.
    pub finished: Vec<Vec<serde_json::Value>>,
}

impl Engine {
    /// Run the pipeline. `source` runs on its own thread and hands batches to `emit`, which
    /// returns false when the run has stopped. `sink` gets each finished batch, in order, on
    /// the calling thread, after the exporters, with every stage's counts so far and the
    /// resume point it ends at. `Err`:
    /// a stage could not be made, and nothing was read.
    pub fn run(
        &self,
        source: impl FnOnce(&mut dyn FnMut(Batch) -> bool) + Send,
        mut sink: impl FnMut(Finished, &[StageReport], Option<Checkpoint>),
    ) -> Result<EngineOutcome, StageError> {
        let threads = self.threads.max(1);
        // Every instance is made first, so a stage that cannot start stops the run before
        // any input is read.
        let instances = (0..threads)
            .map(|w| self.stages.iter().map(|s| s.instantiate(&self.output_dir, w, threads)).collect())
            .collect::<Result<Vec<Vec<_>>, _>>()?;
        let mut exporters = Exporters::new(&self.exporters, &self.output_dir, threads)?;
        let checkpoints =
            self.checkpoint != Checkpoints::Off && exporters.can_checkpoint(self.checkpoint == Checkpoints::Warn);
        let restarts: Vec<AtomicUsize> = self.stages.iter().map(|_| AtomicUsize::new(0)).collect();
        let mut stats = self.stage_reports();
        let window = threads * 4;
        let (batch_tx, batch_rx) = bounded::<(u64, Batch)>(threads * 2);
        let (done_tx, done_rx) = bounded::<Msg>(window);
        let (token_tx, token_rx) = bounded::<()>(window);
        for _ in 0..window {
            token_tx.send(()).expect("the token channel has room for the window");
        }
        let collected = std::thread::scope(|scope| {
            scope.spawn(move || number_batches(source, token_rx, batch_tx));
            for (index, instances) in instances.into_iter().enumerate() {
                let worker = Worker {
                    stages: &self.stages,
                    output_dir: &self.output_dir,
                    threads,
                    max_stage_restarts: self.max_stage_restarts,
                    index,
                    instances,
                    restarts: &restarts,
                };
                let (rx, tx) = (batch_rx.clone(), done_tx.clone());
                scope.spawn(move || worker.serve(rx, tx));
            }
            drop((batch_rx, done_tx));
            // The exporters, on a thread of their own: serialising and compressing run beside
            // the workers. At most `window` batches exist, so neither channel fills.
            let (export_tx, export_rx) = bounded::<ToExport>(window);
            let (exported_tx, exported_rx) = bounded::<Exported>(window);
            let exporters = &mut exporters;
            scope.spawn(move || exporters.serve(export_rx, exported_tx, checkpoints));
            let mut collector = Collector { stats: &mut stats };
            let collected = collector.collect(&done_rx, export_tx, &exported_rx, &token_tx, &mut sink);
            // Dropping the receiving ends stops the reader, the workers and the export thread
            // if the run ended early.
            drop((done_rx, token_tx, exported_rx));
            collected
        });
        let finished = collected.and_then(|mut by_worker| {
            exporters.finish(&mut stats[self.stages.len()..])?;
            by_worker.sort_by_key(|(worker, _)| *worker);
            Ok((0..self.stages.len()).map(|si| by_worker.iter().map(|(_, s)| s[si].clone()).collect()).collect())
        });
        Ok(match finished {
            Ok(finished) => EngineOutcome { stages: stats, fatal: None, finished },
            Err(fatal) => EngineOutcome { stages: stats, fatal: Some(fatal), finished: Vec::new() },
        })
    }

    /// An empty report for every stage, exporters last.
    fn stage_reports(&self) -> Vec<StageReport> {
        self.stages
            .iter()
            .chain(&self.exporters)
            .map(|s| StageReport {
                id: s.id.clone(),
                plugin: s.name.clone(),
                kind: s.kind.to_string(),
                ..Default::default()
            })
            .collect()
    }
}

/// How many workers a run has when `asked` for (0: one per core): at most 4 a core, since
/// more only cost memory (every worker holds an instance of every stage). Says so when it
/// caps.
pub(crate) fn worker_threads(asked: usize) -> usize {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    match asked {
        0 => cores,
        n if n > 4 * cores => {
            tracing::warn!(
                asked = n,
                cores,
                "More worker threads than 4 a core only cost memory: running {}.",
                4 * cores
            );
            4 * cores
        }
        n => n,
    }
}

/// The reader's end: number the source's batches, each once a token says there is room.
fn number_batches(
    source: impl FnOnce(&mut dyn FnMut(Batch) -> bool),
    tokens: Receiver<()>,
    batches: Sender<(u64, Batch)>,
) {
    let mut seq = 0u64;
    let mut emit = |batch: Batch| -> bool {
        if tokens.recv().is_err() {
            return false;
        }
        let ok = batches.send((seq, batch)).is_ok();
        seq += 1;
        ok
    };
    source(&mut emit);
}

//! The reorder hop: the collecting end of the pipeline puts batches back in their input
//! order as workers finish them, hands each to the exporters, completes the exporters'
//! files where a resume point is due, and passes the batch on to be counted.

use crate::export::Exporters;
use crate::report::StageReport;
use crate::stages::{Finished, Msg};
use crate::StageError;
use crossbeam_channel::{Receiver, Sender};
use std::collections::BTreeMap;

/// The run's state at a resume point.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// Input files done.
    pub files_done: u32,
    /// What each exporter returned (its resume state), in order.
    pub exporters: Vec<serde_json::Value>,
    /// Per stage (transform and annotate, then export), counts so far.
    pub stages: Vec<StageReport>,
}

/// The collecting end, on the calling thread.
pub struct Collector<'a, 'e> {
    /// The exporters.
    pub exporters: &'a mut Exporters<'e>,
    /// Per stage (transform and annotate, then export), counts so far.
    pub stats: &'a mut [StageReport],
    /// How many of them are transform and annotate stages.
    pub stages: usize,
    /// Whether resume points are recorded.
    pub checkpoints: bool,
}

impl Collector<'_, '_> {
    /// Take workers' messages until they are all done; each batch goes, in order, to the
    /// exporters and then to `sink` with the resume point it ends at, if any, and gives its
    /// token back. Returns what each worker's instances returned at the end of input, or the
    /// error that stops the run.
    pub fn collect(
        &mut self,
        done: &Receiver<Msg>,
        tokens: &Sender<()>,
        sink: &mut dyn FnMut(Finished, Option<Checkpoint>),
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, StageError> {
        let mut pending: BTreeMap<u64, (Box<Finished>, Vec<StageReport>)> = BTreeMap::new();
        let mut next = 0u64;
        let mut finished_by_worker = Vec::new();
        for msg in done {
            match msg {
                Msg::Fatal(e) => return Err(e),
                Msg::Finished(worker, results) => finished_by_worker.push((worker, results)),
                Msg::Done { seq, batch, stats } => {
                    pending.insert(seq, (batch, stats));
                }
            }
            while let Some((batch, batch_stats)) = pending.remove(&next) {
                next += 1;
                for (total, s) in self.stats.iter_mut().zip(&batch_stats) {
                    total.merge(s);
                }
                let mut batch = *batch;
                self.exporters.export(&mut batch, &mut self.stats[self.stages..])?;
                let checkpoint = match batch.files_done {
                    Some(files_done) if self.checkpoints => Some(Checkpoint {
                        files_done,
                        exporters: self.exporters.checkpoint()?,
                        stages: self.stats.to_vec(),
                    }),
                    _ => None,
                };
                sink(batch, checkpoint);
                let _ = tokens.send(());
            }
        }
        Ok(finished_by_worker)
    }
}

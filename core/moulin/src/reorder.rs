//! The reorder hop: the collecting end of the pipeline puts batches back in their input
//! order as workers finish them, hands each to the export thread, and passes each exported
//! batch on to be counted, with the resume point it ends at.

use crate::export::{Exported, ToExport};
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

/// Where each exported batch goes, in order: the batch, every stage's counts so far, and
/// the resume point it ends at.
pub type Sink<'a> = dyn FnMut(Finished, &[StageReport], Option<Checkpoint>) + 'a;

/// The collecting end, on the calling thread.
pub struct Collector<'a> {
    /// Per stage (transform and annotate, then export), counts so far: of the batches that
    /// came back from the exporters, so that a resume point counts what it holds.
    pub stats: &'a mut [StageReport],
}

impl Collector<'_> {
    /// Take workers' messages until they are all done; each batch goes, in order, to the
    /// export thread (`to_export`), and when it comes back exported (`exported`), to `sink`
    /// with every stage's counts so far and the resume point it ends at, if any, and gives
    /// its token back. Returns what each
    /// worker's instances returned at the end of input, or the error that stops the run.
    pub fn collect(
        &mut self,
        done: &Receiver<Msg>,
        to_export: Sender<ToExport>,
        exported: &Receiver<Exported>,
        tokens: &Sender<()>,
        sink: &mut Sink<'_>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, StageError> {
        let mut pending: BTreeMap<u64, (Box<Finished>, Vec<StageReport>)> = BTreeMap::new();
        let (mut next, mut in_flight) = (0u64, 0usize);
        let mut finished_by_worker = Vec::new();
        // Once every worker is done, only the exporters' answers are awaited.
        let never = crossbeam_channel::never();
        let mut workers_done = false;
        while !(workers_done && in_flight == 0 && pending.is_empty()) {
            let workers = if workers_done { &never } else { done };
            crossbeam_channel::select! {
                recv(workers) -> msg => match msg {
                    Err(_) => workers_done = true,
                    Ok(Msg::Fatal(e)) => return Err(e),
                    Ok(Msg::Finished(worker, results)) => finished_by_worker.push((worker, results)),
                    Ok(Msg::Done { seq, batch, stats }) => {
                        pending.insert(seq, (batch, stats));
                        while let Some((batch, stats)) = pending.remove(&next) {
                            next += 1;
                            in_flight += 1;
                            to_export.send(ToExport { batch, stats }).map_err(|_| StageError::Crashed)?;
                        }
                    }
                },
                recv(exported) -> msg => match msg.map_err(|_| StageError::Crashed)? {
                    Exported::Fatal(e) => return Err(e),
                    Exported::Done { batch, stats, states } => {
                        in_flight -= 1;
                        for (total, s) in self.stats.iter_mut().zip(&stats) {
                            total.merge(s);
                        }
                        let checkpoint = states.zip(batch.files_done).map(|(exporters, files_done)| Checkpoint {
                            files_done,
                            exporters,
                            stages: self.stats.to_vec(),
                        });
                        sink(*batch, self.stats, checkpoint);
                        let _ = tokens.send(());
                    }
                },
            }
        }
        Ok(finished_by_worker)
    }
}

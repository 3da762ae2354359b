//! The export hop: the run's exporters, one instance each, on a thread of their own, handed
//! finished batches in document order (so that serialising and compressing run beside the
//! workers and the collecting end, and output is the same for any number of threads). A
//! per-document export error fails that document; an exporter that fails as a whole stops
//! the run.

use crate::batch::Failure;
use crate::plugins::plugin_error_text;
use crate::report::StageReport;
use crate::stages::{Finished, StageSpec};
use crate::StageError;
use crossbeam_channel::{Receiver, Sender};
use moulin_abi::{
    abi_stable::std_types::{RResult, RSlice},
    StageBox,
};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

/// A batch for the export thread, in order, with its transform and annotate stages' counts.
pub struct ToExport {
    /// The batch.
    pub batch: Box<Finished>,
    /// Per transform and annotate stage, this batch's counts.
    pub stats: Vec<StageReport>,
}

/// What the export thread gives back, in order.
pub enum Exported {
    /// A batch, exported.
    Done {
        /// The batch, without the documents an exporter failed (they are in its failures).
        batch: Box<Finished>,
        /// Per stage (transform and annotate, then export), this batch's counts.
        stats: Vec<StageReport>,
        /// At a resume point, each exporter's state to continue from.
        states: Option<Vec<serde_json::Value>>,
    },
    /// An exporter failed as a whole: the run stops.
    Fatal(StageError),
}

/// Every exporter of a run, made and in order.
pub struct Exporters<'a> {
    specs: &'a [StageSpec],
    instances: Vec<StageBox>,
}

impl<'a> Exporters<'a> {
    /// Make one instance of each exporter.
    pub fn new(specs: &'a [StageSpec], output_dir: &Path, threads: usize) -> Result<Exporters<'a>, StageError> {
        let instances = specs.iter().map(|s| s.instantiate(output_dir, 0, threads)).collect::<Result<_, _>>()?;
        Ok(Exporters { specs, instances })
    }

    /// Whether every exporter can complete its files mid-run ([`moulin_abi::ext::CHECKPOINT`]);
    /// `warn`: say so when one cannot (a run meant to be resumed).
    pub fn can_checkpoint(&mut self, warn: bool) -> bool {
        for (exporter, spec) in self.instances.iter_mut().zip(self.specs) {
            let answer =
                exporter.call_ext(moulin_abi::ext::CHECKPOINT.into(), moulin_abi::ext::CHECKPOINT_PROBE.into());
            if !matches!(answer, RResult::ROk(answer) if answer.as_str() == "true") {
                let message = "This exporter cannot make its output durable mid-run (one Parquet file, or an exporter without checkpoints): the run records no resume point before its end, and a killed run starts over. For Parquet, set max_documents_per_file or max_bytes_per_file.";
                if warn {
                    tracing::warn!(stage = %spec.id, "{message}");
                } else {
                    tracing::debug!(stage = %spec.id, "{message}");
                }
                return false;
            }
        }
        true
    }

    /// The export thread: export each batch as it comes, in order, and complete the files
    /// where a resume point is due (`checkpoints`); hand each back on `done`. Stops at the
    /// first failure, or when the collecting end has gone.
    pub fn serve(&mut self, batches: Receiver<ToExport>, done: Sender<Exported>, checkpoints: bool) {
        for ToExport { mut batch, mut stats } in batches {
            let mut export_stats = vec![StageReport::default(); self.specs.len()];
            let states = self.export(&mut batch, &mut export_stats).and_then(|()| match batch.files_done {
                Some(_) if checkpoints => self.checkpoint().map(Some),
                _ => Ok(None),
            });
            let message = match states {
                Ok(states) => {
                    stats.extend(export_stats);
                    Exported::Done { batch, stats, states }
                }
                Err(e) => Exported::Fatal(e),
            };
            let fatal = matches!(message, Exported::Fatal(_));
            if done.send(message).is_err() || fatal {
                return;
            }
        }
    }

    /// Ask every exporter to complete its open file; their resume states, in order.
    pub fn checkpoint(&mut self) -> Result<Vec<serde_json::Value>, StageError> {
        self.instances
            .iter_mut()
            .zip(self.specs)
            .map(|(exporter, spec)| match exporter.call_ext(moulin_abi::ext::CHECKPOINT.into(), "".into()) {
                RResult::ROk(state) => serde_json::from_str(&state)
                    .map_err(|e| failed(spec, format!("returned a resume state that is not JSON: {e}"))),
                RResult::RErr(e) => Err(failed(
                    spec,
                    format!("could not complete its files at a resume point: {}", plugin_error_text(&e)),
                )),
            })
            .collect()
    }

    /// Hand a finished batch to every exporter; `stats` holds one report per exporter.
    /// Documents an exporter fails leave the batch as failures.
    pub fn export(&mut self, batch: &mut Finished, stats: &mut [StageReport]) -> Result<(), StageError> {
        if self.instances.is_empty() || batch.docs.is_empty() {
            return Ok(());
        }
        let mut failed_docs = BTreeSet::new();
        for ((exporter, spec), stat) in self.instances.iter_mut().zip(self.specs).zip(stats) {
            stat.documents_in += batch.docs.len() as u64;
            let started = Instant::now();
            let result = exporter.export(RSlice::from_slice(&batch.docs));
            stat.seconds += started.elapsed().as_secs_f64();
            let errors = match result {
                RResult::ROk(errors) => errors,
                RResult::RErr(e) => {
                    return Err(failed(spec, format!("failed, its output is incomplete: {}", plugin_error_text(&e))))
                }
            };
            stat.failed += errors.len() as u64;
            stat.documents_out += (batch.docs.len() - errors.len()) as u64;
            for e in errors.iter() {
                let k = e.index as usize;
                if let Some(doc) = batch.docs.get(k) {
                    let message = plugin_error_text(&e.error);
                    batch.failures.push(Failure::document(batch.origins[k], &doc.id, &spec.id, "export", message));
                    failed_docs.insert(k);
                }
            }
        }
        if !failed_docs.is_empty() {
            let docs = std::mem::take(&mut batch.docs);
            let origins = std::mem::take(&mut batch.origins);
            for (k, (doc, origin)) in docs.into_iter().zip(origins).enumerate() {
                if !failed_docs.contains(&k) {
                    batch.docs.push(doc);
                    batch.origins.push(origin);
                }
            }
        }
        Ok(())
    }

    /// End of input: every exporter closes its files; its summary goes into its report.
    pub fn finish(&mut self, stats: &mut [StageReport]) -> Result<(), StageError> {
        for ((exporter, spec), stat) in self.instances.iter_mut().zip(self.specs).zip(stats) {
            match exporter.finish() {
                RResult::ROk(summary) => stat.summary = serde_json::from_str(&summary).ok(),
                RResult::RErr(e) => return Err(failed(spec, format!("could not finish: {}", plugin_error_text(&e)))),
            }
        }
        Ok(())
    }
}

fn failed(spec: &StageSpec, message: String) -> StageError {
    StageError::Exporter { stage: spec.id.clone(), message }
}

//! The export hop: the run's exporters, one instance each, handed finished batches in
//! document order. A per-document export error fails that document; an exporter that fails
//! as a whole stops the run.

use crate::batch::Failure;
use crate::plugins::plugin_error_text;
use crate::report::StageReport;
use crate::stages::{Finished, StageSpec};
use crate::StageError;
use moulin_abi::{
    abi_stable::std_types::{RResult, RSlice},
    StageBox,
};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

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
            let answer = exporter.call_ext(moulin_abi::ext::CHECKPOINT.into(), "probe".into());
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

//! The pipeline: a reader thread makes numbered batches, N workers run every transform and
//! annotate stage on them (each worker with its own stage instances), and the calling thread
//! puts finished batches back in order and hands them to the exporters.
//!
//! ```text
//! source -> batches (seq) -> bounded channel -> N workers -> reorder by seq -> exporters
//! ```
//!
//! Memory is bounded whatever the corpus size: at most `window` batches exist at once (the
//! reader takes a token before making a batch; the exporting end gives it back), so a slow
//! batch cannot make the reorder buffer grow without end. Output is the same whatever the
//! number of workers, because exporters see batches in sequence order.

use crate::plugins::{plugin_error_text, Library, StageKind};
use crate::report::{ErrorRecord, StageReport};
use crossbeam_channel::{bounded, Receiver, Sender};
use moulin_abi::{
    abi_stable::std_types::{RResult, RSlice, RString, RVec},
    Doc, ErrorKind, StageBox,
};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// A stage ready to be instantiated: which library, which stage, which config.
#[derive(Clone, Debug)]
pub struct StageSpec {
    /// The stage id from the project.
    pub id: String,
    /// The stage name in its library.
    pub name: String,
    /// What kind of stage.
    pub kind: StageKind,
    /// The library offering it.
    pub library: Library,
    /// Its configuration, JSON.
    pub config_json: String,
    /// The project file's folder (relative paths in the config are relative to it).
    pub project_dir: PathBuf,
    /// Made for the observation pass.
    pub observing: bool,
    /// What the observation pass's instances returned, for the main pass.
    pub observations: Vec<serde_json::Value>,
    /// For an exporter: the state it continues from (`moulin_plugin::StageContext::resume`).
    pub resume: Option<serde_json::Value>,
}

impl StageSpec {
    /// A spec with no project folder and no observations.
    pub fn new(id: &str, kind: StageKind, library: Library, name: &str, config_json: String) -> StageSpec {
        StageSpec {
            id: id.to_string(),
            name: name.to_string(),
            kind,
            library,
            config_json,
            project_dir: PathBuf::new(),
            observing: false,
            observations: Vec::new(),
            resume: None,
        }
    }

    /// The context an instance for `worker` is made with (the SDK reads it as its
    /// `StageContext`, the same type).
    pub fn context_json(&self, output_dir: &std::path::Path, worker: usize, threads: usize) -> String {
        let ctx = moulin_abi::contract::StageContext {
            stage_id: self.id.clone(),
            output_dir: output_dir.to_path_buf(),
            worker,
            threads,
            project_dir: self.project_dir.clone(),
            observing: self.observing,
            observations: self.observations.clone(),
            resume: self.resume.clone(),
        };
        serde_json::to_string(&ctx).unwrap_or_default()
    }

    /// Make an instance for `worker`.
    pub fn instantiate(&self, output_dir: &std::path::Path, worker: usize, threads: usize) -> Result<StageBox, String> {
        self.library
            .new_stage(&self.name, &self.config_json, &self.context_json(output_dir, worker, threads))
            .map_err(|e| format!("stage `{}` ({}): {}", self.id, self.name, plugin_error_text(&e)))
    }
}

/// A failure inside a batch, tied to its origin (input file index).
#[derive(Debug, Clone)]
pub struct Failure {
    /// The input file index (0 for documents an embedder supplies).
    pub origin: u32,
    /// Whether it is a record or document (counted in `failed`), or a file-level problem.
    pub counts_as_document: bool,
    /// The record for `errors.jsonl` (its `path` is filled in from the origin).
    pub record: ErrorRecord,
}

/// What the source hands to the pipeline.
#[derive(Debug, Default)]
pub struct Batch {
    /// Documents.
    pub docs: Vec<Doc>,
    /// The origin of each document.
    pub origins: Vec<u32>,
    /// Read failures so far.
    pub failures: Vec<Failure>,
    /// How many records each origin contributed (documents and bad records).
    pub read: Vec<(u32, u64)>,
    /// Records and members skipped (not documents), by origin and reason.
    pub skipped: Vec<(u32, String, u64)>,
    /// Bytes of text in the batch.
    pub text_bytes: u64,
    /// Set on a batch that ends at an input-file boundary where a resume point is due: how
    /// many input files are done with it. After exporting it, the engine asks every
    /// exporter to complete its open file.
    pub checkpoint: Option<u32>,
}

impl Batch {
    /// Count one record of `origin` as read.
    pub fn count_read(&mut self, origin: u32) {
        match self.read.last_mut() {
            Some((o, n)) if *o == origin => *n += 1,
            _ => self.read.push((origin, 1)),
        }
    }

    /// Count one record or member of `origin` skipped for `reason`.
    pub fn count_skipped(&mut self, origin: u32, reason: String) {
        match self.skipped.iter_mut().find(|(o, r, _)| *o == origin && *r == reason) {
            Some((.., n)) => *n += 1,
            None => self.skipped.push((origin, reason, 1)),
        }
    }

    /// Whether the batch holds nothing at all.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
            && self.failures.is_empty()
            && self.read.is_empty()
            && self.skipped.is_empty()
            && self.checkpoint.is_none()
    }
}

/// A batch that went through every transform and annotate stage and the exporters.
#[derive(Debug, Default)]
pub struct Finished {
    /// Documents that were exported (or, with no exporter, that came through).
    pub docs: Vec<Doc>,
    /// Their origins.
    pub origins: Vec<u32>,
    /// Documents dropped: origin, stage index, document.
    pub dropped: Vec<(u32, usize, Doc)>,
    /// Everything that failed.
    pub failures: Vec<Failure>,
    /// Records read per origin.
    pub read: Vec<(u32, u64)>,
    /// Records and members skipped, by origin and reason.
    pub skipped: Vec<(u32, String, u64)>,
    /// Bytes of text read.
    pub text_bytes: u64,
    /// A resume point after this batch ([`Batch::checkpoint`]): input files done, every
    /// exporter's resume state, and every stage's counts so far. Set only when every
    /// exporter completed its files.
    pub checkpoint: Option<Checkpoint>,
}

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

struct Processed {
    seq: u64,
    batch: Finished,
    stats: Vec<StageReport>,
}

enum Msg {
    Done(Box<Processed>),
    Fatal(String),
    /// A worker's end of input: its instances' `finish` results.
    Finished(usize, Vec<serde_json::Value>),
}

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
    /// Restarts allowed per stage after panics, over the run.
    pub max_stage_restarts: usize,
    /// Record resume points where the source marks them ([`Batch::checkpoint`]), if every
    /// exporter can complete its files mid-run. `Warn`: say so when one cannot.
    pub checkpoint: Checkpoints,
}

/// Whether a run records resume points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
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
    pub fatal: Option<String>,
    /// For each transform and annotate stage, what each worker's instance returned from
    /// `finish` (JSON; `null` when it failed), in worker order. Empty when the run stopped.
    pub finished: Vec<Vec<serde_json::Value>>,
}

fn doc_failure(origin: u32, id: &str, stage: &str, kind: &str, message: String) -> Failure {
    Failure {
        origin,
        counts_as_document: true,
        record: ErrorRecord {
            path: None,
            member: None,
            record: None,
            id: Some(id.to_string()),
            stage: Some(stage.to_string()),
            kind: kind.to_string(),
            message,
        },
    }
}

struct Worker<'a> {
    engine: &'a Engine,
    index: usize,
    instances: Vec<StageBox>,
    /// Per stage, over the run: documents that made it panic.
    restarts: &'a [AtomicUsize],
}

/// What one stage made of a batch, by position in its input: the documents it returned, in
/// order, and the positions that failed, with the error's kind and message.
#[derive(Default)]
struct StageOutput {
    returned: Vec<(usize, Doc)>,
    failed: Vec<(usize, String, String)>,
}

impl Worker<'_> {
    /// Run every stage on a batch. `Err` is fatal for the run.
    fn process(&mut self, batch: Batch, stats: &mut [StageReport]) -> Result<Finished, String> {
        let mut out = Finished {
            failures: batch.failures,
            read: batch.read,
            skipped: batch.skipped,
            text_bytes: batch.text_bytes,
            ..Default::default()
        };
        let files_done = batch.checkpoint;
        let mut docs = batch.docs;
        let mut origins = batch.origins;
        for (si, spec) in self.engine.stages.iter().enumerate() {
            if docs.is_empty() {
                break;
            }
            stats[si].documents_in += docs.len() as u64;
            let ids: Vec<RString> = docs.iter().map(|d| d.id.clone()).collect();
            // An annotate stage must not change the text. Its buffer's address and length
            // are compared before and after: cheap, and it catches a replaced text, though
            // not one rewritten in place to the same length.
            let texts: Vec<(usize, usize)> = if spec.kind == StageKind::Annotate {
                docs.iter().map(|d| (d.text.as_ptr() as usize, d.text.len())).collect()
            } else {
                Vec::new()
            };
            let started = Instant::now();
            let output = self.run_stage(si, std::mem::take(&mut docs), &ids, &mut stats[si]);
            let stat = &mut stats[si];
            stat.seconds += started.elapsed().as_secs_f64();
            let output = output?;
            for (i, kind, message) in output.failed {
                stat.failed += 1;
                out.failures.push(doc_failure(origins[i], &ids[i], &spec.id, &kind, message));
            }
            let mut next_origins = Vec::with_capacity(output.returned.len());
            for (i, doc) in output.returned {
                let origin = origins[i];
                if spec.kind == StageKind::Annotate && (doc.text.as_ptr() as usize, doc.text.len()) != texts[i] {
                    stat.failed += 1;
                    out.failures.push(doc_failure(
                        origin,
                        &doc.id,
                        &spec.id,
                        "contract",
                        "an annotate stage changed the text".into(),
                    ));
                    continue;
                }
                if let Some((_, problem)) = doc.find_invalid_span() {
                    stat.failed += 1;
                    out.failures.push(doc_failure(origin, &doc.id, &spec.id, "span", problem));
                    continue;
                }
                if let Some(reason) = doc.drop_reason.as_ref().into_option() {
                    *stat.dropped.entry(reason.to_string()).or_default() += 1;
                    out.dropped.push((origin, si, doc));
                    continue;
                }
                stat.documents_out += 1;
                docs.push(doc);
                next_origins.push(origin);
            }
            origins = next_origins;
        }
        out.docs = docs;
        out.origins = origins;
        out.checkpoint =
            files_done.map(|files_done| Checkpoint { files_done, exporters: Vec::new(), stages: Vec::new() });
        Ok(out)
    }

    /// Run stage `si` on `docs` (whose ids are `ids`). A panic costs only the documents that
    /// cause it: the documents of a call that panicked are split in halves, and the halves
    /// run again, each on a new instance after a panic, until every document that panics on
    /// its own is found. Those fail; the others go on as if nothing had happened. The
    /// documents are copied before each call, since a panicking call loses them.
    fn run_stage(
        &mut self,
        si: usize,
        docs: Vec<Doc>,
        ids: &[RString],
        stat: &mut StageReport,
    ) -> Result<StageOutput, String> {
        let mut out = StageOutput::default();
        // Halves still to run, as (documents, position of the first); the left half first,
        // so that what comes back stays in input order.
        let mut todo = vec![(docs, 0usize)];
        while let Some((docs, base)) = todo.pop() {
            let backup = docs.clone();
            let Some(message) = self.call(si, docs, base, ids, &mut out) else { continue };
            let spec = &self.engine.stages[si];
            self.instances[si] = spec.instantiate(&self.engine.output_dir, self.index, self.engine.threads)?;
            if backup.len() > 1 {
                let mut left = backup;
                let right = left.split_off(left.len() / 2);
                let mid = base + left.len();
                todo.push((right, mid));
                todo.push((left, base));
                continue;
            }
            let used = self.restarts[si].fetch_add(1, Ordering::SeqCst) + 1;
            if used > self.engine.max_stage_restarts {
                return Err(format!(
                    "stage `{}`: {used} documents made it panic, more than max_stage_restarts ({}); last panic: {message}",
                    spec.id, self.engine.max_stage_restarts
                ));
            }
            stat.restarts += 1;
            tracing::warn!(stage = %spec.id, worker = self.index, id = %ids[base], error = %message, "A document made the stage panic; it failed and the stage was remade.");
            out.failed.push((base, "panic".into(), message));
        }
        Ok(out)
    }

    /// One call of stage `si` on `docs`, the documents at positions `base..` of the batch:
    /// what came back and what failed goes into `out`. Returns the message of a panic, which
    /// leaves nothing in `out`.
    fn call(
        &mut self,
        si: usize,
        docs: Vec<Doc>,
        base: usize,
        ids: &[RString],
        out: &mut StageOutput,
    ) -> Option<String> {
        let n = docs.len();
        let fail_all = |out: &mut StageOutput, kind: &str, message: &str| {
            out.failed.extend((base..base + n).map(|i| (i, kind.to_string(), message.to_string())));
        };
        let batch_out = match self.instances[si].process(RVec::from(docs)) {
            RResult::ROk(b) => b,
            RResult::RErr(e) if e.kind == ErrorKind::PANIC => return Some(plugin_error_text(&e)),
            RResult::RErr(e) => {
                fail_all(out, e.kind.name(), &plugin_error_text(&e));
                return None;
            }
        };
        // The batch contract: every input document back, in order, but those in errors.
        let mut errors: BTreeMap<usize, &moulin_abi::PluginError> = BTreeMap::new();
        for e in batch_out.errors.iter() {
            errors.entry(e.index as usize).or_insert(&e.error);
        }
        let kept: Vec<usize> = (0..n).filter(|i| !errors.contains_key(i)).collect();
        let returned: Vec<Doc> = batch_out.docs.into_vec();
        let contract_ok = errors.keys().next_back().is_none_or(|&i| i < n)
            && returned.len() == kept.len()
            && returned.iter().zip(&kept).all(|(d, &i)| d.id == ids[base + i]);
        if !contract_ok {
            let got: Vec<&str> = returned.iter().take(3).map(|d| d.id.as_str()).collect();
            let message = format!(
                "stage broke the batch contract: expected {} documents back in order (of {n}, {} failed), got {} starting {got:?}",
                kept.len(),
                errors.len(),
                returned.len()
            );
            fail_all(out, "contract", &message);
            return None;
        }
        for (&i, error) in &errors {
            out.failed.push((base + i, error.kind.name().to_string(), plugin_error_text(error)));
        }
        out.returned.extend(kept.into_iter().map(|i| base + i).zip(returned));
        None
    }
}

impl Engine {
    /// Run the pipeline. `source` runs on its own thread and hands batches to `emit`, which
    /// returns false when the run has stopped. `sink` gets each finished batch, in order, on
    /// the calling thread, after the exporters.
    pub fn run(
        &self,
        source: impl FnOnce(&mut dyn FnMut(Batch) -> bool) + Send,
        mut sink: impl FnMut(Finished),
    ) -> Result<EngineOutcome, String> {
        let threads = self.threads.max(1);
        // Make every instance first, so a stage that cannot start stops the run before any
        // input is read.
        let mut workers_instances = Vec::with_capacity(threads);
        for w in 0..threads {
            let instances: Result<Vec<_>, _> =
                self.stages.iter().map(|s| s.instantiate(&self.output_dir, w, threads)).collect();
            workers_instances.push(instances?);
        }
        let mut exporters: Vec<StageBox> =
            self.exporters.iter().map(|s| s.instantiate(&self.output_dir, 0, threads)).collect::<Result<_, _>>()?;
        let checkpoints = self.checkpoint != Checkpoints::Off && self.exporters_can_checkpoint(&mut exporters);
        let restarts: Vec<AtomicUsize> = self.stages.iter().map(|_| AtomicUsize::new(0)).collect();
        let mut stats: Vec<StageReport> = self
            .stages
            .iter()
            .chain(&self.exporters)
            .map(|s| StageReport {
                id: s.id.clone(),
                plugin: s.name.clone(),
                kind: s.kind.to_string(),
                ..Default::default()
            })
            .collect();
        let window = threads * 4;
        let (batch_tx, batch_rx) = bounded::<(u64, Batch)>(threads * 2);
        let (done_tx, done_rx) = bounded::<Msg>(window);
        let (token_tx, token_rx) = bounded::<()>(window);
        for _ in 0..window {
            token_tx.send(()).expect("the token channel has room for the window");
        }
        let mut fatal = None;
        let mut finished_by_worker: Vec<(usize, Vec<serde_json::Value>)> = Vec::new();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let mut seq = 0u64;
                let mut emit = |batch: Batch| -> bool {
                    if token_rx.recv().is_err() {
                        return false;
                    }
                    let ok = batch_tx.send((seq, batch)).is_ok();
                    seq += 1;
                    ok
                };
                source(&mut emit);
            });
            for (index, instances) in workers_instances.into_iter().enumerate() {
                let rx: Receiver<(u64, Batch)> = batch_rx.clone();
                let tx: Sender<Msg> = done_tx.clone();
                let restarts = &restarts;
                let n_stages = self.stages.len();
                scope.spawn(move || {
                    let mut worker = Worker { engine: self, index, instances, restarts };
                    for (seq, batch) in rx {
                        let mut local = vec![StageReport::default(); n_stages];
                        let msg = match worker.process(batch, &mut local) {
                            Ok(batch) => Msg::Done(Box::new(Processed { seq, batch, stats: local })),
                            Err(e) => Msg::Fatal(e),
                        };
                        let stop = matches!(msg, Msg::Fatal(_));
                        if tx.send(msg).is_err() || stop {
                            return;
                        }
                    }
                    let finished = worker
                        .instances
                        .iter_mut()
                        .zip(&self.stages)
                        .map(|(instance, spec)| match instance.finish() {
                            RResult::ROk(summary) => serde_json::from_str(&summary).unwrap_or(serde_json::Value::Null),
                            RResult::RErr(e) => {
                                tracing::warn!(stage = %spec.id, error = %plugin_error_text(&e), "A stage could not finish.");
                                serde_json::Value::Null
                            }
                        })
                        .collect();
                    let _ = tx.send(Msg::Finished(index, finished));
                });
            }
            drop(batch_rx);
            drop(done_tx);
            let mut pending: BTreeMap<u64, Processed> = BTreeMap::new();
            let mut next = 0u64;
            'collect: for msg in &done_rx {
                match msg {
                    Msg::Fatal(e) => {
                        fatal = Some(e);
                        break;
                    }
                    Msg::Done(p) => {
                        pending.insert(p.seq, *p);
                    }
                    Msg::Finished(worker, summaries) => {
                        finished_by_worker.push((worker, summaries));
                        continue;
                    }
                }
                while let Some(p) = pending.remove(&next) {
                    next += 1;
                    for (si, s) in p.stats.iter().enumerate() {
                        stats[si].merge(s);
                    }
                    let mut finished = p.batch;
                    if let Err(e) = self.export(&mut exporters, &mut finished, &mut stats) {
                        fatal = Some(e);
                        break 'collect;
                    }
                    if !checkpoints {
                        finished.checkpoint = None;
                    } else if let Some(point) = &mut finished.checkpoint {
                        match self.checkpoint(&mut exporters) {
                            Ok(states) => {
                                point.exporters = states;
                                point.stages = stats.clone();
                            }
                            Err(e) => {
                                fatal = Some(e);
                                break 'collect;
                            }
                        }
                    }
                    sink(finished);
                    let _ = token_tx.send(());
                }
            }
            // Stop the reader and workers if the run ended early.
            drop(done_rx);
            drop(token_tx);
        });
        if fatal.is_none() {
            for (i, (exporter, spec)) in exporters.iter_mut().zip(&self.exporters).enumerate() {
                match exporter.finish() {
                    RResult::ROk(summary) => {
                        stats[self.stages.len() + i].summary = serde_json::from_str(&summary).ok();
                    }
                    RResult::RErr(e) => {
                        fatal = Some(format!("exporter `{}` could not finish: {}", spec.id, plugin_error_text(&e)));
                        break;
                    }
                }
            }
        }
        let mut finished = Vec::new();
        if fatal.is_none() {
            finished_by_worker.sort_by_key(|(worker, _)| *worker);
            finished = (0..self.stages.len())
                .map(|si| finished_by_worker.iter().map(|(_, s)| s[si].clone()).collect())
                .collect();
        }
        Ok(EngineOutcome { stages: stats, fatal, finished })
    }

    /// Whether every exporter can complete its files mid-run ([`moulin_abi::ext::CHECKPOINT`]).
    fn exporters_can_checkpoint(&self, exporters: &mut [StageBox]) -> bool {
        for (exporter, spec) in exporters.iter_mut().zip(&self.exporters) {
            let can = matches!(exporter.call_ext(moulin_abi::ext::CHECKPOINT.into(), "probe".into()), RResult::ROk(answer) if answer.as_str() == "true");
            if !can {
                let message = "This exporter cannot make its output durable mid-run (one Parquet file, or an exporter without checkpoints): the run records no resume point before its end, and a killed run starts over. For Parquet, set max_documents_per_file or max_bytes_per_file.";
                if self.checkpoint == Checkpoints::Warn {
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
    fn checkpoint(&self, exporters: &mut [StageBox]) -> Result<Vec<serde_json::Value>, String> {
        exporters
            .iter_mut()
            .zip(&self.exporters)
            .map(|(exporter, spec)| match exporter.call_ext(moulin_abi::ext::CHECKPOINT.into(), "".into()) {
                RResult::ROk(state) => serde_json::from_str(&state)
                    .map_err(|e| format!("exporter `{}` returned a resume state that is not JSON: {e}", spec.id)),
                RResult::RErr(e) => Err(format!(
                    "exporter `{}` could not complete its files at a resume point: {}",
                    spec.id,
                    plugin_error_text(&e)
                )),
            })
            .collect()
    }

    /// Hand a finished batch to every exporter. Per-document export errors fail those
    /// documents; an exporter that fails as a whole stops the run.
    fn export(
        &self,
        exporters: &mut [StageBox],
        batch: &mut Finished,
        stats: &mut [StageReport],
    ) -> Result<(), String> {
        if exporters.is_empty() || batch.docs.is_empty() {
            return Ok(());
        }
        let mut failed: BTreeMap<usize, ()> = BTreeMap::new();
        for (i, (exporter, spec)) in exporters.iter_mut().zip(&self.exporters).enumerate() {
            let stat = &mut stats[self.stages.len() + i];
            stat.documents_in += batch.docs.len() as u64;
            let started = Instant::now();
            let result = exporter.export(RSlice::from_slice(&batch.docs));
            stat.seconds += started.elapsed().as_secs_f64();
            match result {
                RResult::ROk(errors) => {
                    stat.failed += errors.len() as u64;
                    stat.documents_out += (batch.docs.len() - errors.len()) as u64;
                    for e in errors.iter() {
                        let k = e.index as usize;
                        if let Some(doc) = batch.docs.get(k) {
                            batch.failures.push(doc_failure(
                                batch.origins[k],
                                &doc.id,
                                &spec.id,
                                "export",
                                plugin_error_text(&e.error),
                            ));
                            failed.insert(k, ());
                        }
                    }
                }
                RResult::RErr(e) => {
                    return Err(format!(
                        "exporter `{}` failed, its output is incomplete: {}",
                        spec.id,
                        plugin_error_text(&e)
                    ))
                }
            }
        }
        if !failed.is_empty() {
            let docs = std::mem::take(&mut batch.docs);
            let origins = std::mem::take(&mut batch.origins);
            for (k, (doc, origin)) in docs.into_iter().zip(origins).enumerate() {
                if !failed.contains_key(&k) {
                    batch.docs.push(doc);
                    batch.origins.push(origin);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_read_groups_runs_of_an_origin() {
        let mut b = Batch::default();
        for o in [0, 0, 1, 1, 1, 0] {
            b.count_read(o);
        }
        assert_eq!(b.read, vec![(0, 2), (1, 3), (0, 1)]);
        assert!(!b.is_empty());
    }
}

//! The stages hop: a worker runs every transform and annotate stage on a batch, with its own
//! instances, and checks what each stage gives back against the contract (every document
//! back in order, annotate stages leave the text alone, spans inside the text). A panic costs
//! only the documents that cause it.

use crate::batch::{Batch, Failure};
use crate::plugins::{plugin_error_text, Library, StageKind};
use crate::report::StageReport;
use crate::StageError;
use crossbeam_channel::{Receiver, Sender};
use moulin_abi::{
    abi_stable::std_types::{RResult, RString, RVec},
    Doc, ErrorKind, StageBox,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
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
    /// Made for a pass before the main pass (or to answer the host: a probe).
    pub observing: bool,
    /// In a pass: which one, and its folder (each worker writes in `worker-<n>` below it).
    pub pass: Option<(u32, PathBuf)>,
    /// The merged result of each pass done, in order.
    pub pass_results: Vec<PathBuf>,
    /// What a pass's instances returned from `finish` (for stages of an SDK before 0.3, their
    /// observations), for the main pass.
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
            pass: None,
            pass_results: Vec::new(),
            observations: Vec::new(),
            resume: None,
        }
    }

    /// The context an instance for `worker` is made with (the SDK reads it as its
    /// `StageContext`, the same type).
    pub fn context_json(&self, output_dir: &Path, worker: usize, threads: usize) -> String {
        let ctx = moulin_abi::contract::StageContext {
            stage_id: self.id.clone(),
            output_dir: output_dir.to_path_buf(),
            worker,
            threads,
            project_dir: self.project_dir.clone(),
            observing: self.observing,
            observations: self.observations.clone(),
            resume: self.resume.clone(),
            pass: self.pass.as_ref().map(|(index, dir)| moulin_abi::contract::PassContext {
                index: *index,
                dir: dir.join(format!("worker-{worker}")),
            }),
            pass_results: self.pass_results.clone(),
        };
        serde_json::to_string(&ctx).unwrap_or_default()
    }

    /// The spec of an instance that only answers the host (whether the configuration is
    /// good, what passes it needs): made as for a pass, with no folder, so that it expects
    /// no pass result and writes nothing.
    pub fn probe(&self) -> StageSpec {
        StageSpec { observing: true, pass: Some((0, PathBuf::new())), ..self.clone() }
    }

    /// What passes the stage wants: its manifest says it may have some, and an instance made
    /// with its configuration (in `output_dir`) says how many. `true` from an SDK before
    /// passes is one local observation pass (the legacy flag is then set).
    pub(crate) fn pass_plan(
        &self,
        output_dir: &Path,
        threads: usize,
    ) -> Result<(moulin_abi::contract::PassPlan, bool), crate::Error> {
        use moulin_abi::contract::PassPlan;
        let may = self.library.manifest.stages.iter().any(|s| s.name == self.name && s.observes);
        if !may {
            return Ok((PassPlan::default(), false));
        }
        let mut probe = self.probe().instantiate(output_dir, 0, threads).map_err(crate::Error::Setup)?;
        let answer = match probe.call_ext(moulin_abi::ext::OBSERVES.into(), "".into()) {
            moulin_abi::abi_stable::std_types::RResult::ROk(answer) => answer.to_string(),
            moulin_abi::abi_stable::std_types::RResult::RErr(_) => return Ok((PassPlan::default(), false)),
        };
        Ok(match answer.as_str() {
            "true" => (PassPlan { passes: 1, global: false }, true),
            "false" => (PassPlan::default(), false),
            json => {
                let plan = serde_json::from_str(json).map_err(|e| crate::Error::Pass {
                    stage: self.id.clone(),
                    pass: 0,
                    message: format!("the stage's plan of passes is not a PassPlan: {e} (it said {json:?})"),
                })?;
                (plan, false)
            }
        })
    }

    /// Make an instance for `worker`.
    pub fn instantiate(&self, output_dir: &Path, worker: usize, threads: usize) -> Result<StageBox, StageError> {
        self.library.new_stage(&self.name, &self.config_json, &self.context_json(output_dir, worker, threads)).map_err(
            |e| StageError::Make { stage: self.id.clone(), plugin: self.name.clone(), message: plugin_error_text(&e) },
        )
    }
}

/// A batch that went through every transform and annotate stage: what is left to export,
/// and everything to count.
#[derive(Debug, Default)]
pub struct Finished {
    /// Documents that came through every stage (after the exporters: that were exported).
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
    /// [`Batch::file_seconds`].
    pub file_seconds: Vec<(u32, f64)>,
    /// Input files done when this batch is: set on a batch after which a resume point is due
    /// ([`Batch::checkpoint`]).
    pub files_done: Option<u32>,
}

/// What a worker tells the collecting end.
pub enum Msg {
    /// Batch number `seq`, through every stage, with the workers' counts for it.
    Done {
        /// The batch's number.
        seq: u64,
        /// The batch.
        batch: Box<Finished>,
        /// Per transform and annotate stage, this batch's counts.
        stats: Vec<StageReport>,
    },
    /// The run cannot go on.
    Fatal(StageError),
    /// A worker's end of input: what each of its instances' `finish` returned.
    Finished(usize, Vec<serde_json::Value>),
}

/// One worker: its instances of every transform and annotate stage.
pub struct Worker<'a> {
    /// The stages, in order.
    pub stages: &'a [StageSpec],
    /// Where stages write.
    pub output_dir: &'a Path,
    /// The run's workers.
    pub threads: usize,
    /// Documents that may make one stage panic over the run.
    pub max_stage_restarts: usize,
    /// This worker's number.
    pub index: usize,
    /// Its instances, one per stage.
    pub instances: Vec<StageBox>,
    /// Per stage, over the run: documents that made it panic.
    pub restarts: &'a [AtomicUsize],
}

/// What one stage made of a batch, by position in its input: the documents it returned, in
/// order, and the positions that failed, with the error's kind and message.
#[derive(Default)]
struct StageOutput {
    returned: Vec<(usize, Doc)>,
    failed: Vec<(usize, String, String)>,
}

impl Worker<'_> {
    /// Take batches from `rx` until the input ends, and send each, finished, to `tx`; then
    /// send what every instance's `finish` returned. Stops at the first fatal error, or when
    /// the collecting end has gone.
    pub fn serve(mut self, rx: Receiver<(u64, Batch)>, tx: Sender<Msg>) {
        for (seq, batch) in rx {
            let mut stats = vec![StageReport::default(); self.stages.len()];
            let msg = match self.process(batch, &mut stats) {
                Ok(batch) => Msg::Done { seq, batch: Box::new(batch), stats },
                Err(e) => Msg::Fatal(e),
            };
            let stop = matches!(msg, Msg::Fatal(_));
            if tx.send(msg).is_err() || stop {
                return;
            }
        }
        let finished = self.finish();
        let _ = tx.send(Msg::Finished(self.index, finished));
    }

    /// End of input: what each instance's `finish` returned (JSON; `null` when it failed).
    fn finish(&mut self) -> Vec<serde_json::Value> {
        self.instances
            .iter_mut()
            .zip(self.stages)
            .map(|(instance, spec)| match instance.finish() {
                RResult::ROk(summary) => serde_json::from_str(&summary).unwrap_or(serde_json::Value::Null),
                RResult::RErr(e) => {
                    tracing::warn!(stage = %spec.id, error = %plugin_error_text(&e), "A stage could not finish.");
                    serde_json::Value::Null
                }
            })
            .collect()
    }

    /// Run every stage on a batch. `Err` is fatal for the run.
    fn process(&mut self, batch: Batch, stats: &mut [StageReport]) -> Result<Finished, StageError> {
        let mut out = Finished {
            failures: batch.failures,
            read: batch.read,
            skipped: batch.skipped,
            text_bytes: batch.text_bytes,
            file_seconds: batch.file_seconds,
            ..Default::default()
        };
        let files_done = batch.checkpoint;
        let mut docs = batch.docs;
        let mut origins = batch.origins;
        for (si, spec) in self.stages.iter().enumerate() {
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
                out.failures.push(Failure::document(origins[i], &ids[i], &spec.id, &kind, message));
            }
            let mut next_origins = Vec::with_capacity(output.returned.len());
            for (i, doc) in output.returned {
                let origin = origins[i];
                if spec.kind == StageKind::Annotate && (doc.text.as_ptr() as usize, doc.text.len()) != texts[i] {
                    stat.failed += 1;
                    out.failures.push(Failure::document(
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
                    out.failures.push(Failure::document(origin, &doc.id, &spec.id, "span", problem));
                    continue;
                }
                if let Some(reason) = doc.drop_reason.as_ref().into_option() {
                    *stat.dropped.entry(moulin_abi::drop_class(reason).to_string()).or_default() += 1;
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
        out.files_done = files_done;
        Ok(out)
    }

    /// Run stage `si` on `docs` (whose ids are `ids`). A panic costs only the documents that
    /// cause it: the documents of a call that panicked are split in halves, and the halves
    /// run again, each on a new instance after a panic, until every document that panics on
    /// its own is found. Those fail; the others go on as if nothing had happened. The
    /// documents of a call of several are copied before it, since a panicking call loses them.
    fn run_stage(
        &mut self,
        si: usize,
        docs: Vec<Doc>,
        ids: &[RString],
        stat: &mut StageReport,
    ) -> Result<StageOutput, StageError> {
        let mut out = StageOutput::default();
        // Halves still to run, as (documents, position of the first); the left half first,
        // so that what comes back stays in input order.
        let mut todo = vec![(docs, 0usize)];
        while let Some((docs, base)) = todo.pop() {
            // A call of one document needs no copy: after a panic it fails, by its id. (A
            // document large enough to fill a batch on its own is not copied.)
            let backup = (docs.len() > 1).then(|| docs.clone());
            let Some(message) = self.call(si, docs, base, ids, &mut out) else { continue };
            let spec = &self.stages[si];
            self.instances[si] = spec.instantiate(self.output_dir, self.index, self.threads)?;
            if let Some(mut left) = backup {
                let right = left.split_off(left.len() / 2);
                let mid = base + left.len();
                todo.push((right, mid));
                todo.push((left, base));
                continue;
            }
            let used = self.restarts[si].fetch_add(1, Ordering::SeqCst) + 1;
            if used > self.max_stage_restarts {
                return Err(StageError::TooManyPanics {
                    stage: spec.id.clone(),
                    documents: used,
                    max: self.max_stage_restarts,
                    last: message,
                });
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

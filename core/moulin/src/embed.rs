//! Running stages over documents the caller supplies: the embedding API.
//!
//! A stream has no second pass: a stage whose configuration needs passes before the main
//! pass (see `moulin_plugin::Passes`; `boilerplate` with `repeated`) is refused by
//! [`PipelineBuilder::build`]. Run a [`crate::Project`] for that.

use crate::batch::{Batch, Failure};
use crate::config::ConfigError;
use crate::engine::{Engine, EngineOutcome};
use crate::error::Problem;
use crate::plugins::{plugin_error_key, plugin_error_text, Registry, StageKind};
use crate::report::StageReport;
use crate::stages::{Finished, StageSpec};
use crate::{Error, StageError};
use crossbeam_channel::{bounded, Receiver};
use moulin_abi::Doc;
use std::path::PathBuf;
use std::thread::JoinHandle;

/// Builds a [`Pipeline`] from stages of a [`Registry`].
pub struct PipelineBuilder {
    registry: Registry,
    stages: Vec<(String, String, serde_json::Value)>,
    threads: usize,
    output_dir: PathBuf,
    batch_documents: usize,
    max_stage_restarts: usize,
}

impl PipelineBuilder {
    /// Start a pipeline over the stages of `registry`.
    pub fn new(registry: Registry) -> Self {
        PipelineBuilder {
            registry,
            stages: Vec::new(),
            threads: 1,
            output_dir: ".".into(),
            batch_documents: 256,
            max_stage_restarts: crate::config::default_max_stage_restarts(),
        }
    }

    /// Add a stage: its id, the stage name on the registry, its config.
    pub fn stage(mut self, id: &str, plugin: &str, config: serde_json::Value) -> Self {
        self.stages.push((id.to_string(), plugin.to_string(), config));
        self
    }

    /// Worker threads (default 1; at most 4 a core).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = crate::engine::worker_threads(threads.max(1));
        self
    }

    /// How many documents may make one stage panic before the pipeline stops (default
    /// 1000, as `[pipeline] max_stage_restarts`).
    pub fn max_stage_restarts(mut self, documents: usize) -> Self {
        self.max_stage_restarts = documents;
        self
    }

    /// Where exporters write (default: the current folder).
    pub fn output_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.output_dir = dir.into();
        self
    }

    /// Documents per batch (default 256).
    pub fn batch_documents(mut self, n: usize) -> Self {
        self.batch_documents = n.max(1);
        self
    }

    /// Resolve the stages and check their configurations; every problem is returned.
    pub fn build(self) -> Result<Pipeline, Error> {
        let mut problems = Vec::new();
        let mut specs = Vec::new();
        for (index, (id, plugin, config)) in self.stages.iter().enumerate() {
            let problem = |key: &str, message: String| {
                Problem::Config(ConfigError {
                    file: "(pipeline builder)".into(),
                    line: None,
                    key: Some(format!("stage[{index}].{key}")),
                    message,
                })
            };
            let Some((lib, manifest)) = self.registry.stage(plugin) else {
                let near = self.registry.nearest(plugin);
                problems
                    .push(problem("plugin", format!("unknown plugin stage `{plugin}`; nearest: {}", near.join(", "))));
                continue;
            };
            let config_json = config.to_string();
            if let Err(e) = lib.check_config(&manifest.name, &config_json) {
                let key = plugin_error_key(&e).map(|k| format!("config.{k}")).unwrap_or_else(|| "config".into());
                problems.push(problem(&key, plugin_error_text(&e)));
                continue;
            }
            let spec = StageSpec::new(id, manifest.kind, lib.clone(), &manifest.name, config_json);
            // A stream has no second pass: a stage whose configuration needs one would run
            // without what it learns (`repeated` lines never found), so it is refused.
            match spec.pass_plan(&self.output_dir, self.threads) {
                Ok((plan, _)) if plan.passes > 0 => problems.push(problem(
                    "config",
                    format!(
                        "stage `{id}` ({plugin}) needs {} pass(es) over the input before the main pass, which a Pipeline over a stream cannot make: run it in a project (`Project::run`, `moulin run`), or turn off the setting that needs it",
                        plan.passes
                    ),
                )),
                Ok(_) => {}
                Err(e) => problems.push(problem("config", e.to_string())),
            }
            specs.push(spec);
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let (stages, exporters) = specs.into_iter().partition(|s: &StageSpec| s.kind != StageKind::Export);
        Ok(Pipeline {
            engine: Engine {
                stages,
                exporters,
                threads: self.threads,
                output_dir: self.output_dir,
                max_stage_restarts: self.max_stage_restarts,
                checkpoint: Default::default(),
            },
            batch_documents: self.batch_documents,
        })
    }
}

/// A pipeline of loaded stages, ready to process documents.
#[derive(Clone, Debug)]
pub struct Pipeline {
    engine: Engine,
    batch_documents: usize,
}

/// What became of one document.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// It went through every stage.
    Kept(Doc),
    /// A stage dropped it.
    Dropped {
        /// The document as the stage left it.
        doc: Doc,
        /// The stage id.
        stage: String,
        /// The stage's reason.
        reason: String,
    },
    /// It failed.
    Failed {
        /// The document id.
        id: String,
        /// The stage id, when a stage failed.
        stage: Option<String>,
        /// What went wrong.
        message: String,
    },
}

/// An item the caller could not make a document of ([`Pipeline::process_items`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// The item's id, when it has one.
    pub id: Option<String>,
    /// What was wrong with it: what was expected, what was found.
    pub message: String,
}

/// The processed documents, as an iterator; batches come back in input order.
pub struct Outputs {
    rx: Receiver<Outcome>,
    handle: Option<JoinHandle<Result<EngineOutcome, StageError>>>,
}

impl Iterator for Outputs {
    type Item = Outcome;
    fn next(&mut self) -> Option<Outcome> {
        self.rx.recv().ok()
    }
}

impl Outputs {
    /// Wait for the end and return per-stage counts (drains what was not read).
    pub fn finish(mut self) -> Result<Vec<StageReport>, Error> {
        for _ in self.rx.iter() {}
        let handle = self.handle.take().expect("finish is called once");
        let outcome = handle.join().map_err(|_| Error::Setup(StageError::Crashed))?.map_err(Error::Setup)?;
        match outcome.fatal {
            Some(reason) => Err(Error::Stopped {
                reason,
                report: Box::new(crate::report::RunReport { stages: outcome.stages, ..Default::default() }),
            }),
            None => Ok(outcome.stages),
        }
    }
}

impl Pipeline {
    /// Run the stages over `docs` on the pipeline's worker threads. There is one outcome for
    /// every document, in input order, whatever the number of threads.
    ///
    /// The documents are read on a thread of the pipeline's own, while the caller reads the
    /// outcomes, so the iterator must be `Send` and own what it yields (`'static`: a
    /// `Vec<Doc>`'s `into_iter()`, or an iterator that reads a file it opened itself); collect
    /// borrowed data into a `Vec` first.
    pub fn process<I>(&self, docs: I) -> Outputs
    where
        I: IntoIterator<Item = Doc>,
        I::IntoIter: Send + 'static,
    {
        self.process_items(docs.into_iter().map(Ok))
    }

    /// As [`Pipeline::process`], over items that may not be documents: the caller turns its
    /// own records into documents, and one it could not turn (a [`Rejected`]) fails in its
    /// place, in order, without reaching a stage ([`Outcome::Failed`] with no stage), so that
    /// every item has its outcome.
    pub fn process_items<I>(&self, items: I) -> Outputs
    where
        I: IntoIterator<Item = Result<Doc, Rejected>>,
        I::IntoIter: Send + 'static,
    {
        let engine = self.engine.clone();
        let per_batch = self.batch_documents;
        let mut items = items.into_iter();
        let (tx, rx) = bounded::<Outcome>(per_batch * 4);
        let handle = std::thread::spawn(move || {
            let source = move |emit: &mut dyn FnMut(Batch) -> bool| loop {
                let mut batch = Batch::default();
                // A document's origin is its place in the batch: outcomes are put back in that
                // order at the end (a stage keeps its documents in order, but drops and
                // failures are collected apart).
                for (k, item) in items.by_ref().take(per_batch).enumerate() {
                    batch.count_read(0);
                    match item {
                        Ok(doc) => {
                            batch.text_bytes += doc.text.len() as u64;
                            batch.docs.push(doc);
                            batch.origins.push(k as u32);
                        }
                        Err(Rejected { id, message }) => {
                            let mut failure = Failure::record(k as u32, None, None, message);
                            failure.record.id = id;
                            batch.failures.push(failure);
                        }
                    }
                }
                if batch.is_empty() || !emit(batch) {
                    return;
                }
            };
            let stage_ids: Vec<String> = engine.stages.iter().map(|s| s.id.clone()).collect();
            let sink = |batch: Finished, _: &[StageReport], _| {
                let kept = batch.docs.into_iter().zip(batch.origins).map(|(doc, at)| (at, Outcome::Kept(doc)));
                let dropped = batch.dropped.into_iter().map(|(at, stage, doc)| {
                    let reason = doc.drop_reason.as_ref().into_option().map(|r| r.to_string()).unwrap_or_default();
                    (at, Outcome::Dropped { reason, doc, stage: stage_ids[stage].clone() })
                });
                let failed = batch.failures.into_iter().map(|f| {
                    let outcome = Outcome::Failed {
                        id: f.record.id.unwrap_or_default(),
                        stage: f.record.stage,
                        message: f.record.message,
                    };
                    (f.origin, outcome)
                });
                let mut outcomes: Vec<(u32, Outcome)> = kept.chain(dropped).chain(failed).collect();
                outcomes.sort_by_key(|(at, _)| *at);
                for (_, outcome) in outcomes {
                    if tx.send(outcome).is_err() {
                        return;
                    }
                }
            };
            engine.run(source, sink)
        });
        Outputs { rx, handle: Some(handle) }
    }
}

//! Run a stage on documents in-process, without building a cdylib or starting the host.
//!
//! The harness calls the stage through the same ABI trait object and panic guard the host
//! uses, and checks what the host checks (the batch contract, span validity), so a test here
//! fails where a run would.

use crate::{export, Document, Error, Stage, StageContext};
use moulin_abi::{
    abi_stable::std_types::{RResult, RSlice, RVec},
    Doc, StageBox,
};

/// A stage instance under test.
pub struct Harness {
    stage: StageBox,
    name: &'static str,
}

/// What a batch came out as.
#[derive(Debug, Default)]
pub struct Processed {
    /// Documents that went on, in order.
    pub kept: Vec<Document>,
    /// Documents the stage dropped, with their reason set.
    pub dropped: Vec<Document>,
    /// Documents that failed: id and error.
    pub failed: Vec<(String, Error)>,
}

impl Harness {
    /// Make a stage from a config given as JSON (`serde_json::json!({...})`), with a context
    /// whose stage id is the stage name and whose output folder is the current folder.
    pub fn new<S: Stage>(config: serde_json::Value) -> Result<Self, Error> {
        Self::with_context::<S>(config, Self::context::<S>())
    }

    fn context<S: Stage>() -> StageContext {
        StageContext {
            stage_id: S::NAME.to_string(),
            output_dir: ".".into(),
            worker: 0,
            threads: 1,
            ..Default::default()
        }
    }

    /// Run the observation pass of a stage with [`Stage::OBSERVES`] as the host does: one
    /// instance per element of `workers` (each a list of batches) made with `observing`
    /// set, whose [`Stage::finish`] results are then given to a new instance, returned.
    pub fn observed<S: Stage>(config: serde_json::Value, workers: Vec<Vec<Vec<Document>>>) -> Result<Self, Error> {
        let mut observations = Vec::new();
        for (worker, batches) in workers.into_iter().enumerate() {
            let ctx = StageContext { observing: true, worker, ..Self::context::<S>() };
            let mut observer = Self::with_context::<S>(config.clone(), ctx)?;
            for batch in batches {
                let before: Vec<(String, String)> =
                    batch.iter().map(|d| (d.id().to_string(), d.text().to_string())).collect();
                let out = observer.process(batch)?;
                let after: Vec<(String, String)> =
                    out.kept.iter().map(|d| (d.id().to_string(), d.text().to_string())).collect();
                if before != after {
                    return Err(Error::other(format!("stage `{}` changed documents while observing", S::NAME)));
                }
            }
            observations.push(observer.finish()?);
        }
        Self::with_context::<S>(config, StageContext { observations, ..Self::context::<S>() })
    }

    /// Make a stage with a given context (an exporter's output folder, say).
    pub fn with_context<S: Stage>(config: serde_json::Value, ctx: StageContext) -> Result<Self, Error> {
        let stage = export::make::<S>(&config.to_string(), &ctx)?;
        Ok(Harness { stage, name: S::NAME })
    }

    /// Process a batch as the host would. An error here is a batch-level failure (a panic,
    /// or a broken batch contract).
    pub fn process(&mut self, docs: Vec<Document>) -> Result<Processed, Error> {
        let ids: Vec<String> = docs.iter().map(|d| d.id().to_string()).collect();
        let batch: RVec<Doc> = docs.into_iter().map(Document::into_abi).collect();
        let out = match self.stage.process(batch) {
            RResult::ROk(out) => out,
            RResult::RErr(e) => return Err(Error::from_abi(&e)),
        };
        let mut result = Processed::default();
        let failed: std::collections::BTreeMap<usize, Error> =
            out.errors.iter().map(|e| (e.index as usize, Error::from_abi(&e.error))).collect();
        let expected: Vec<&String> =
            ids.iter().enumerate().filter(|(i, _)| !failed.contains_key(i)).map(|(_, id)| id).collect();
        let got: Vec<&str> = out.docs.iter().map(|d| d.id.as_str()).collect();
        if expected.len() != got.len() || expected.iter().zip(&got).any(|(a, b)| a.as_str() != *b) {
            return Err(Error::other(format!(
                "stage `{}` broke the batch contract: expected documents {expected:?} back, got {got:?}",
                self.name
            )));
        }
        for (i, e) in failed {
            result.failed.push((ids.get(i).cloned().unwrap_or_default(), e));
        }
        for doc in out.docs.into_iter() {
            if let Some((_, problem)) = doc.find_invalid_span() {
                return Err(Error::other(format!("stage `{}` left a bad span on `{}`: {problem}", self.name, doc.id)));
            }
            let doc = Document::from_abi(doc);
            if doc.drop_reason().is_some() {
                result.dropped.push(doc);
            } else {
                result.kept.push(doc);
            }
        }
        Ok(result)
    }

    /// Export a batch; returns per-document errors as `(index, error)`.
    pub fn export(&mut self, docs: &[Document]) -> Result<Vec<(usize, Error)>, Error> {
        let abi: Vec<Doc> = docs.iter().map(|d| d.clone().into_abi()).collect();
        match self.stage.export(RSlice::from_slice(&abi)) {
            RResult::ROk(errors) => Ok(errors.iter().map(|e| (e.index as usize, Error::from_abi(&e.error))).collect()),
            RResult::RErr(e) => Err(Error::from_abi(&e)),
        }
    }

    /// End of input; returns the stage's summary.
    pub fn finish(&mut self) -> Result<serde_json::Value, Error> {
        match self.stage.finish() {
            RResult::ROk(s) => serde_json::from_str(&s).map_err(|e| Error::other(format!("summary is not JSON: {e}"))),
            RResult::RErr(e) => Err(Error::from_abi(&e)),
        }
    }
}

/// Check a config the way `moulin check` does.
pub fn check_config<S: Stage>(config: serde_json::Value) -> Result<(), Error> {
    export::check::<S>(&config.to_string()).map(|_| ())
}

/// Documents from `(id, text)` pairs.
pub fn docs(items: &[(&str, &str)]) -> Vec<Document> {
    items.iter().map(|(id, text)| Document::new(id, text)).collect()
}

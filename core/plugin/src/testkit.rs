//! Run a stage on documents in-process, without building a cdylib or starting the host.
//!
//! The harness calls the stage through the same ABI trait object and panic guard the host
//! uses, and enforces what the host enforces, document by document: a document whose
//! processing panics fails alone (the stage is remade and the rest of the batch run again),
//! an annotate stage that changed a text fails that document, a bad span fails its document,
//! a broken batch contract fails the batch's documents. So a test that passes here passes
//! in a run.

use crate::{export, Document, Error, ErrorKind, Kind, Stage, StageContext};
use moulin_abi::{
    abi_stable::std_types::{RResult, RSlice, RVec},
    Doc, StageBox,
};

/// A stage instance under test.
pub struct Harness {
    stage: StageBox,
    name: &'static str,
    kind: Kind,
    /// Makes a new instance, as the host does after a panic.
    remake: Box<dyn Fn() -> Result<StageBox, Error>>,
}

/// What a batch came out as.
#[derive(Debug, Default)]
pub struct Processed {
    /// Documents that went on, in order.
    pub kept: Vec<Document>,
    /// Documents the stage dropped, with their reason set.
    pub dropped: Vec<Document>,
    /// Documents that failed, in order: id and error (a panic is an error of kind
    /// [`ErrorKind::PANIC`]).
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
        let config = config.to_string();
        let stage = export::make::<S>(&config, &ctx)?;
        let remake = Box::new(move || export::make::<S>(&config, &ctx));
        Ok(Harness { stage, name: S::NAME, kind: S::KIND, remake })
    }

    /// Process a batch as the host would, document by document. `Err` only when the stage
    /// cannot be made again after a panic.
    pub fn process(&mut self, docs: Vec<Document>) -> Result<Processed, Error> {
        let mut result = Processed::default();
        // As the host: halves of a batch that panicked run again on a new instance, the left
        // one first, until each document that panics on its own is found.
        let mut todo = vec![docs];
        while let Some(docs) = todo.pop() {
            let backup = docs.clone();
            match self.call(docs, &mut result) {
                Ok(()) => continue,
                Err(panic) => {
                    self.stage = (self.remake)()?;
                    if backup.len() == 1 {
                        result.failed.push((backup[0].id().to_string(), panic));
                    } else {
                        let mut left = backup;
                        let right = left.split_off(left.len() / 2);
                        todo.push(right);
                        todo.push(left);
                    }
                }
            }
        }
        Ok(result)
    }

    /// One call on `docs`; the outcome goes into `result`. `Err`: the call panicked.
    fn call(&mut self, docs: Vec<Document>, result: &mut Processed) -> Result<(), Error> {
        let before: Vec<(String, String)> = docs.iter().map(|d| (d.id().to_string(), d.text().to_string())).collect();
        let batch: RVec<Doc> = docs.into_iter().map(Document::into_abi).collect();
        let out = match self.stage.process(batch) {
            RResult::ROk(out) => out,
            RResult::RErr(e) if e.kind == ErrorKind::PANIC => return Err(Error::from_abi(&e)),
            RResult::RErr(e) => {
                result.failed.extend(before.into_iter().map(|(id, _)| (id, Error::from_abi(&e))));
                return Ok(());
            }
        };
        let failed: std::collections::BTreeMap<usize, Error> =
            out.errors.iter().map(|e| (e.index as usize, Error::from_abi(&e.error))).collect();
        let expected: Vec<&(String, String)> =
            before.iter().enumerate().filter(|(i, _)| !failed.contains_key(i)).map(|(_, d)| d).collect();
        let got: Vec<&str> = out.docs.iter().map(|d| d.id.as_str()).collect();
        if failed.keys().any(|&i| i >= before.len())
            || expected.len() != got.len()
            || expected.iter().zip(&got).any(|((a, _), b)| a.as_str() != *b)
        {
            let ids: Vec<&str> = before.iter().map(|(id, _)| id.as_str()).collect();
            let message = format!(
                "stage `{}` broke the batch contract: expected {ids:?} but the failed back, got {got:?}",
                self.name
            );
            result.failed.extend(before.into_iter().map(|(id, _)| (id, Error::other(message.clone()))));
            return Ok(());
        }
        for (i, e) in failed {
            result.failed.push((before[i].0.clone(), e));
        }
        for (doc, (_, text)) in out.docs.into_iter().zip(expected) {
            if self.kind == Kind::Annotate && doc.text.as_str() != text {
                let e = Error::other(format!("stage `{}` is an annotate stage and changed the text", self.name));
                result.failed.push((doc.id.to_string(), e));
                continue;
            }
            if let Some((_, problem)) = doc.find_invalid_span() {
                let e = Error::other(format!("stage `{}` left a bad span: {problem}", self.name));
                result.failed.push((doc.id.to_string(), e));
                continue;
            }
            let doc = Document::from_abi(doc);
            if doc.drop_reason().is_some() {
                result.dropped.push(doc);
            } else {
                result.kept.push(doc);
            }
        }
        Ok(())
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

//! Run a stage on documents in-process, without building a cdylib or starting the host.
//!
//! The harness calls the stage through the same ABI trait object and panic guard the host
//! uses, and enforces what the host enforces, document by document: a document whose
//! processing panics fails alone (the stage is remade and the rest of the batch run again),
//! an annotate stage that changed a text fails that document, a bad span fails its document,
//! a broken batch contract fails the batch's documents. So a test that passes here passes
//! in a run.

use crate::{export, Document, Error, ErrorKind, Kind, Passes, Stage, StageContext};
use moulin_abi::contract::{MergeRequest, PassContext};
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
    /// Where the results of [`Harness::with_passes`] are, for as long as the harness lives.
    _passes: Option<TempFolder>,
    /// What each pass's merge said, in pass order.
    summaries: Vec<crate::MergeSummary>,
}

/// A folder of its own under the system's temporary folder, removed when dropped.
struct TempFolder(std::path::PathBuf);

impl TempFolder {
    fn new() -> Result<TempFolder, Error> {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("moulin-testkit-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        create(dir).map(TempFolder)
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn create(dir: std::path::PathBuf) -> Result<std::path::PathBuf, Error> {
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
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

    /// Run the passes of a stage with [`Passes`] as the host does, then make its main-pass
    /// instance, returned: for each pass, one instance per element of `workers` (each a list
    /// of batches, given again to every pass) observes its batches, and what they recorded
    /// is merged into the pass's result, which later passes and the main instance read. The
    /// results are kept in a temporary folder, removed with the harness.
    pub fn with_passes<S: Passes>(config: serde_json::Value, workers: Vec<Vec<Vec<Document>>>) -> Result<Self, Error> {
        let config_json = config.to_string();
        let plan = S::plan(&export::check::<S>(&config_json)?);
        let folder = TempFolder::new()?;
        let (mut results, mut summaries) = (Vec::new(), Vec::new());
        for pass in 0..plan.passes {
            let pass_dir = folder.0.join(format!("pass-{pass}"));
            let mut inputs = Vec::new();
            for (worker, batches) in workers.iter().enumerate() {
                let dir = pass_dir.join(format!("worker-{worker}"));
                let ctx = StageContext {
                    worker,
                    pass: Some(PassContext { index: pass, dir: create(dir.clone())? }),
                    pass_results: results.clone(),
                    ..Self::context::<S>()
                };
                let mut observer = Self::make_with::<S>(config_json.clone(), ctx, export::make_with_passes::<S>)?;
                for batch in batches {
                    let before: Vec<(String, String)> =
                        batch.iter().map(|d| (d.id().to_string(), d.text().to_string())).collect();
                    let out = observer.process(batch.clone())?;
                    let after: Vec<(String, String)> =
                        out.kept.iter().map(|d| (d.id().to_string(), d.text().to_string())).collect();
                    if out.failed.is_empty() && before != after {
                        return Err(Error::other(format!("stage `{}` changed documents in pass {pass}", S::NAME)));
                    }
                }
                observer.finish()?;
                inputs.push(dir);
            }
            let output = create(pass_dir.join("merged"))?;
            let request = MergeRequest { pass, inputs, output: output.clone() };
            let ctx =
                StageContext { pass: Some(PassContext { index: pass, dir: output.clone() }), ..Self::context::<S>() };
            let mut merger = export::make_with_passes::<S>(&config_json, &ctx)?;
            let payload = serde_json::to_string(&request).map_err(|e| Error::other(e.to_string()))?;
            match merger.call_ext(moulin_abi::ext::MERGE.into(), payload.as_str().into()) {
                RResult::ROk(summary) => summaries.push(
                    serde_json::from_str(summary.as_str())
                        .map_err(|e| Error::other(format!("the merge's summary does not read: {e}")))?,
                ),
                RResult::RErr(e) => return Err(Error::from_abi(&e)),
            }
            results.push(output);
        }
        let ctx = StageContext { pass_results: results, ..Self::context::<S>() };
        let mut harness = Self::make_with::<S>(config_json, ctx, export::make_with_passes::<S>)?;
        harness._passes = Some(folder);
        harness.summaries = summaries;
        Ok(harness)
    }

    /// What each pass's merge said ([`crate::Passes::merge`]), in pass order: empty for a
    /// harness made without passes.
    pub fn pass_summaries(&self) -> &[crate::MergeSummary] {
        &self.summaries
    }

    /// Make a stage with a given context (an exporter's output folder, say).
    pub fn with_context<S: Stage>(config: serde_json::Value, ctx: StageContext) -> Result<Self, Error> {
        Self::make_with::<S>(config.to_string(), ctx, export::make::<S>)
    }

    fn make_with<S: Stage>(
        config: String,
        ctx: StageContext,
        make: fn(&str, &StageContext) -> Result<StageBox, Error>,
    ) -> Result<Self, Error> {
        let stage = make(&config, &ctx)?;
        let remake = Box::new(move || make(&config, &ctx));
        Ok(Harness {
            stage,
            name: S::NAME,
            kind: crate::stage::kind_of::<S>(),
            remake,
            _passes: None,
            summaries: Vec::new(),
        })
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

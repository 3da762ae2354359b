//! The `python` stage: a Python callable run as a transform on the pipeline's workers,
//! built with the plugin SDK and linked into this module (not a plugin library).
//!
//! The callable is kept in a table of this process; the stage's config names it by number,
//! so that the pipeline's stages stay what the engine runs everywhere: a stage name and a
//! JSON config. Each call takes the GIL; Rust stages around it run without it.

use crate::convert;
use moulin_plugin::{Document, Error, Stage, StageContext, Transform, Transforms};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The callables of this process's pipelines, by number.
static CALLABLES: Mutex<Option<HashMap<u64, Arc<Py<PyAny>>>>> = Mutex::new(None);
static NEXT: AtomicU64 = AtomicU64::new(1);

/// Keep `f` for a pipeline's `python` stage: its number for the stage's config.
pub fn register(f: Py<PyAny>) -> u64 {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    CALLABLES.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashMap::new).insert(n, Arc::new(f));
    n
}

/// Forget a callable (its pipeline is gone).
pub fn unregister(n: u64) {
    if let Some(table) = CALLABLES.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        table.remove(&n);
    }
}

fn callable(n: u64) -> Option<Arc<Py<PyAny>>> {
    CALLABLES.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|t| t.get(&n).cloned())
}

/// The `config` of a `python` stage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonConfig {
    /// The callable's number ([`register`]).
    pub callable: u64,
    /// Whether it takes a list of documents and returns a list of results.
    #[serde(default)]
    pub batch: bool,
}

/// A Python callable as a stage.
pub struct PythonStage {
    f: Arc<Py<PyAny>>,
    batch: bool,
    stage_id: String,
}

impl Stage for PythonStage {
    type Config = PythonConfig;
    type Role = Transforms;
    const NAME: &'static str = "python";
    const SUMMARY: &'static str =
        "A Python callable (moulin's Python package): returns the document, None to drop it, or a reason.";

    fn validate(config: &PythonConfig) -> Result<(), Error> {
        match callable(config.callable) {
            Some(_) => Ok(()),
            None => {
                Err(Error::config("callable", format!("no Python callable number {} in this process", config.callable)))
            }
        }
    }

    fn new(config: PythonConfig, ctx: &StageContext) -> Result<Self, Error> {
        Self::validate(&config)?;
        let f = callable(config.callable).expect("validated");
        Ok(PythonStage { f, batch: config.batch, stage_id: ctx.stage_id.clone() })
    }
}

impl Transform for PythonStage {
    fn process(&mut self, doc: &mut Document) -> Result<(), Error> {
        Python::attach(|py| {
            let dict = convert::to_dict(py, doc.as_abi()).map_err(|e| failure(py, e))?;
            let result = self.call(py, dict.into_any())?;
            self.apply(doc, &result).map_err(|e| failure(py, e))
        })
    }

    fn process_batch(&mut self, docs: &mut [Document], errors: &mut Vec<(usize, Error)>) {
        if !self.batch {
            for (i, doc) in docs.iter_mut().enumerate() {
                if let Err(e) = self.process(doc) {
                    errors.push((i, e));
                }
            }
            return;
        }
        Python::attach(|py| match self.call_batch(py, docs) {
            Ok(failed) => errors.extend(failed),
            // The call failed as a whole (nothing was applied): each document again alone,
            // so that only the ones that raise fail.
            Err(_) if docs.len() > 1 => {
                for (i, doc) in docs.iter_mut().enumerate() {
                    match self.call_batch(py, std::slice::from_mut(doc)) {
                        Ok(failed) => errors.extend(failed.into_iter().map(|(_, e)| (i, e))),
                        Err(e) => errors.push((i, e)),
                    }
                }
            }
            Err(e) => errors.push((0, e)),
        });
    }
}

impl PythonStage {
    fn call<'py>(&self, py: Python<'py>, arg: Bound<'py, PyAny>) -> Result<Bound<'py, PyAny>, Error> {
        self.f.bind(py).call1((arg,)).map_err(|e| failure(py, e))
    }

    /// Call the batch form on `docs` and apply what it returns: the documents whose result
    /// is not one (each fails alone), or the error of a call that failed as a whole (then
    /// nothing was applied).
    fn call_batch(&self, py: Python<'_>, docs: &mut [Document]) -> Result<Vec<(usize, Error)>, Error> {
        let list = PyList::empty(py);
        for doc in docs.iter() {
            list.append(convert::to_dict(py, doc.as_abi()).map_err(|e| failure(py, e))?).map_err(|e| failure(py, e))?;
        }
        let results = self.call(py, list.into_any())?;
        let results: Vec<Bound<'_, PyAny>> = results
            .try_iter()
            .and_then(|it| it.collect::<PyResult<_>>())
            .map_err(|e| Error::document(format!("the batch form must return a list: {e}")))?;
        if results.len() != docs.len() {
            return Err(Error::document(format!(
                "the batch form returned {} results for {} documents",
                results.len(),
                docs.len()
            )));
        }
        let mut failed = Vec::new();
        for (i, (doc, result)) in docs.iter_mut().zip(&results).enumerate() {
            if let Err(e) = self.apply(doc, result) {
                failed.push((i, failure(py, e)));
            }
        }
        Ok(failed)
    }

    /// What the callable returned, applied: a dict replaces the document's fields, `None`
    /// drops it, a string drops it with that reason.
    fn apply(&self, doc: &mut Document, result: &Bound<'_, PyAny>) -> PyResult<()> {
        if result.is_none() {
            doc.drop_with(format!("{}: dropped", self.stage_id));
        } else if let Ok(reason) = result.cast::<PyString>() {
            doc.drop_with(reason.to_cow()?);
        } else if let Ok(dict) = result.cast::<PyDict>() {
            let mut abi = std::mem::replace(doc, Document::new("", "")).into_abi();
            let outcome = convert::update(&mut abi, dict);
            *doc = Document::from_abi(abi);
            outcome?;
        } else {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "a Python stage returns a dict, None (drop) or a str (drop, with that reason); found {}",
                result.get_type().name()?
            )));
        }
        Ok(())
    }
}

/// A Python exception as a document's failure, with its traceback.
fn failure(py: Python<'_>, e: PyErr) -> Error {
    let traceback = (|| -> PyResult<String> {
        let format = py.import("traceback")?.getattr("format_exception")?;
        let lines: Vec<String> = format.call1((e.get_type(py), e.value(py), e.traceback(py)))?.extract()?;
        Ok(lines.concat())
    })();
    Error::document(traceback.unwrap_or_else(|_| e.to_string()).trim_end().to_string())
}

moulin_plugin::export_plugin!(PythonStage);

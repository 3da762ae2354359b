//! `moulin.Pipeline`: stages (plugin stages and Python callables) over documents the caller
//! has, as dicts or as Arrow data.

use crate::errors::to_py;
use crate::report::to_python;
use crate::{convert, pystage};
use moulin::{Doc, Outcome, PipelineBuilder, Registry, Rejected, StageReport};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyList};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Documents read from the caller's iterable at a time, under one hold of the GIL.
const CHUNK: usize = 256;

/// A pipeline of stages, ready to process documents.
#[pyclass(module = "moulin", frozen)]
pub struct Pipeline {
    pipeline: moulin::Pipeline,
    /// The numbers of this pipeline's Python callables ([`pystage::register`]).
    callables: Vec<u64>,
}

impl Pipeline {
    /// The engine's pipeline.
    pub fn engine(&self) -> &moulin::Pipeline {
        &self.pipeline
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        for &n in &self.callables {
            pystage::unregister(n);
        }
    }
}

/// One stage of a pipeline as the caller wrote it.
enum StageArg {
    Plugin { id: String, plugin: String, config: serde_json::Value },
    Python { id: String, f: Py<PyAny>, batch: bool },
}

fn stage_arg(index: usize, item: &Bound<'_, PyAny>) -> PyResult<StageArg> {
    let wrong = |what: String| PyTypeError::new_err(format!("stages[{index}]: {what}"));
    if !item.is_instance_of::<PyDict>() {
        if !item.is_callable() {
            return Err(wrong(format!(
                "expected a dict {{\"id\", \"plugin\", \"config\"}}, a dict {{\"id\", \"python\", \"batch\"}} or a callable, found {}",
                item.get_type().name()?
            )));
        }
        let id =
            item.getattr("__name__").and_then(|n| n.extract::<String>()).unwrap_or_else(|_| format!("python{index}"));
        return Ok(StageArg::Python { id, f: item.clone().unbind(), batch: false });
    }
    let dict = item.cast::<PyDict>()?;
    let text = |key: &str| -> PyResult<Option<String>> {
        match dict.get_item(key)? {
            None => Ok(None),
            Some(v) => v.extract().map(Some).map_err(|_| wrong(format!("`{key}`: expected a str"))),
        }
    };
    if let Some(f) = dict.get_item("python")? {
        if !f.is_callable() {
            return Err(wrong("`python`: expected a callable".into()));
        }
        let batch = match dict.get_item("batch")? {
            None => false,
            Some(b) => b.extract().map_err(|_| wrong("`batch`: expected a bool".into()))?,
        };
        let id = text("id")?.unwrap_or_else(|| format!("python{index}"));
        return Ok(StageArg::Python { id, f: f.unbind(), batch });
    }
    let Some(plugin) = text("plugin")? else {
        return Err(wrong("expected a `plugin` (a stage name) or a `python` callable".into()));
    };
    let config = match dict.get_item("config")? {
        None => serde_json::json!({}),
        Some(c) => {
            let json: String = convert::dumps(&c).map_err(|e| wrong(format!("`config`: {e}")))?;
            serde_json::from_str(&json).map_err(|e| wrong(format!("`config`: {e}")))?
        }
    };
    Ok(StageArg::Plugin { id: text("id")?.unwrap_or_else(|| plugin.clone()), plugin, config })
}

/// Stage ids made unique (`<lambda>`, `<lambda>-2`): the report and the outcomes name
/// stages by id.
fn unique_ids(args: &mut [StageArg]) {
    let mut seen = std::collections::HashSet::new();
    for arg in args {
        let id = match arg {
            StageArg::Plugin { id, .. } | StageArg::Python { id, .. } => id,
        };
        let base = id.clone();
        let mut n = 1;
        while !seen.insert(id.clone()) {
            n += 1;
            *id = format!("{base}-{n}");
        }
    }
}

#[pymethods]
impl Pipeline {
    /// See `moulin.Pipeline` in `moulin/__init__.py`.
    #[new]
    #[pyo3(signature = (stages, plugin_path=None, threads=None, output_dir=None, batch_documents=None, max_stage_restarts=None))]
    fn new(
        py: Python<'_>,
        stages: &Bound<'_, PyAny>,
        plugin_path: Option<Vec<PathBuf>>,
        threads: Option<usize>,
        output_dir: Option<PathBuf>,
        batch_documents: Option<usize>,
        max_stage_restarts: Option<usize>,
    ) -> PyResult<Pipeline> {
        let mut args: Vec<StageArg> =
            stages.try_iter()?.enumerate().map(|(i, s)| stage_arg(i, &s?)).collect::<PyResult<_>>()?;
        unique_ids(&mut args);
        let paths = moulin::plugins::search_path(&plugin_path.unwrap_or_default());
        let (mut registry, load_errors) = py.detach(|| Registry::discover(&paths));
        if args.iter().any(|a| matches!(a, StageArg::Python { .. })) {
            registry
                .add_module(pystage::moulin_plugin_module())
                .map_err(|e| crate::errors::PluginError::new_err(e.to_string()))?;
        }
        let mut callables = Vec::new();
        let mut builder = PipelineBuilder::new(registry);
        for arg in args {
            builder = match arg {
                StageArg::Plugin { id, plugin, config } => builder.stage(&id, &plugin, config),
                StageArg::Python { id, f, batch } => {
                    let n = pystage::register(f);
                    callables.push(n);
                    builder.stage(&id, "python", serde_json::json!({ "callable": n, "batch": batch }))
                }
            };
        }
        if let Some(t) = threads {
            builder = builder.threads(t);
        }
        if let Some(dir) = output_dir {
            builder = builder.output_dir(dir);
        }
        if let Some(n) = batch_documents {
            builder = builder.batch_documents(n);
        }
        if let Some(n) = max_stage_restarts {
            builder = builder.max_stage_restarts(n);
        }
        match py.detach(|| builder.build()) {
            Ok(pipeline) => {
                // A library on the path that did not load, while every stage asked for is
                // there, is said as a warning (a project run refuses it, since it cannot
                // tell which stages a library would have offered).
                let pipeline = Pipeline { pipeline, callables };
                for e in &load_errors {
                    PyErr::warn(
                        py,
                        &py.get_type::<pyo3::exceptions::PyRuntimeWarning>(),
                        &std::ffi::CString::new(e.to_string()).unwrap_or_default(),
                        1,
                    )?;
                }
                Ok(pipeline)
            }
            Err(e) => {
                for n in callables {
                    pystage::unregister(n);
                }
                // Why a stage is unknown may be a library that did not load: said with it.
                let e = match e {
                    moulin::Error::Invalid(mut problems) => {
                        problems.extend(load_errors.into_iter().map(moulin::Problem::Load));
                        moulin::Error::Invalid(problems)
                    }
                    other => other,
                };
                Err(to_py(py, e))
            }
        }
    }

    /// Run the stages over an iterable of dicts (or strs); see `moulin.Pipeline.process`.
    #[pyo3(signature = (docs, outcomes=false))]
    fn process(slf: &Bound<'_, Self>, docs: &Bound<'_, PyAny>, outcomes: bool) -> PyResult<Outputs> {
        let error = Arc::new(Mutex::new(None));
        let items = Items {
            iter: docs.try_iter()?.unbind(),
            index: 0,
            chunk: VecDeque::new(),
            done: false,
            error: error.clone(),
        };
        let outputs = slf.get().pipeline.process_items(items);
        Ok(Outputs::new(slf.clone().unbind(), outputs, outcomes, error))
    }

    /// Run the stages over an Arrow C stream; see `moulin.Pipeline.process_arrow`.
    #[pyo3(signature = (stream, outcomes=false))]
    fn _process_arrow(
        slf: &Bound<'_, Self>,
        stream: &Bound<'_, PyAny>,
        outcomes: bool,
    ) -> PyResult<crate::arrow::Stream> {
        crate::arrow::process(slf.py(), slf, stream, outcomes)
    }
}

/// The caller's iterable, read a chunk at a time under the GIL (on the pipeline's reading
/// thread); an item that is not a document fails in its place, an exception the iterable
/// raises ends the input and is raised again to the caller.
struct Items {
    iter: Py<PyIterator>,
    index: u64,
    chunk: VecDeque<Result<Doc, Rejected>>,
    done: bool,
    error: Arc<Mutex<Option<PyErr>>>,
}

impl Iterator for Items {
    type Item = Result<Doc, Rejected>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.chunk.is_empty() && !self.done {
            Python::attach(|py| {
                let mut iter = self.iter.bind(py).clone();
                for _ in 0..CHUNK {
                    match iter.next() {
                        None => {
                            self.done = true;
                            break;
                        }
                        Some(Err(e)) => {
                            *self.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                            self.done = true;
                            break;
                        }
                        Some(Ok(item)) => {
                            let doc = convert::from_item(&item, self.index).map_err(|e| Rejected {
                                id: item.get_item("id").ok().and_then(|id| id.extract().ok()),
                                message: format!("item {}: {}", self.index, e.value(py)),
                            });
                            self.chunk.push_back(doc);
                            self.index += 1;
                        }
                    }
                }
            });
        }
        self.chunk.pop_front()
    }
}

/// The processed documents, in input order: an iterator of dicts.
#[pyclass(module = "moulin")]
pub struct Outputs {
    /// Kept alive while its documents are processed: its Python stages' callables are
    /// forgotten when it goes.
    pipeline: Option<Py<Pipeline>>,
    inner: Option<moulin::Outputs>,
    outcomes: bool,
    source_error: Arc<Mutex<Option<PyErr>>>,
    /// Documents kept, dropped, failed so far.
    #[pyo3(get)]
    kept: u64,
    #[pyo3(get)]
    dropped: u64,
    #[pyo3(get)]
    failed: u64,
    failures: Vec<(String, Option<String>, String)>,
    stages: Option<Vec<StageReport>>,
}

impl Outputs {
    fn new(
        pipeline: Py<Pipeline>,
        inner: moulin::Outputs,
        outcomes: bool,
        source_error: Arc<Mutex<Option<PyErr>>>,
    ) -> Outputs {
        Outputs {
            pipeline: Some(pipeline),
            inner: Some(inner),
            outcomes,
            source_error,
            kept: 0,
            dropped: 0,
            failed: 0,
            failures: Vec::new(),
            stages: None,
        }
    }

    /// The end: wait for the pipeline's threads; raise what stopped it, or what the input
    /// raised.
    fn end(&mut self, py: Python<'_>) -> PyResult<()> {
        if let Some(inner) = self.inner.take() {
            let stages = py.detach(|| inner.finish()).map_err(|e| to_py(py, e));
            self.pipeline = None;
            self.stages = Some(stages?);
        }
        match self.source_error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// An outcome as a dict: the document, with `outcome` (`kept`, `dropped`, `failed`),
/// `stage` and `reason` when the caller asked for outcomes.
fn outcome_dict<'py>(py: Python<'py>, outcome: Outcome, with_outcome: bool) -> PyResult<Bound<'py, PyDict>> {
    let (dict, status, stage, reason) = match outcome {
        Outcome::Kept(doc) => (convert::to_dict(py, &doc)?, "kept", None, None),
        Outcome::Dropped { doc, stage, reason } => (convert::to_dict(py, &doc)?, "dropped", Some(stage), Some(reason)),
        Outcome::Failed { id, stage, message } => {
            let dict = PyDict::new(py);
            dict.set_item("id", id)?;
            (dict, "failed", stage, Some(message))
        }
        other => return Err(PyTypeError::new_err(format!("an outcome this package does not know: {other:?}"))),
    };
    if with_outcome {
        dict.set_item("outcome", status)?;
        dict.set_item("stage", stage)?;
        dict.set_item("reason", reason)?;
    }
    Ok(dict)
}

#[pymethods]
impl Outputs {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        loop {
            let Some(inner) = self.inner.as_mut() else {
                return Ok(None);
            };
            let Some(outcome) = py.detach(|| inner.next()) else {
                self.end(py)?;
                return Ok(None);
            };
            match &outcome {
                Outcome::Kept(_) => self.kept += 1,
                Outcome::Dropped { .. } => {
                    self.dropped += 1;
                    if !self.outcomes {
                        continue;
                    }
                }
                Outcome::Failed { id, stage, message } => {
                    self.failed += 1;
                    self.failures.push((id.clone(), stage.clone(), message.clone()));
                    if !self.outcomes {
                        continue;
                    }
                }
                _ => {}
            }
            return outcome_dict(py, outcome, self.outcomes).map(Some);
        }
    }

    /// The documents that failed so far: dicts `id`, `stage` (None when the item was not a
    /// document), `error` (a Python stage's traceback, a panic's message).
    #[getter]
    fn failures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for (id, stage, error) in &self.failures {
            let dict = PyDict::new(py);
            dict.set_item("id", id)?;
            dict.set_item("stage", stage)?;
            dict.set_item("error", error)?;
            list.append(dict)?;
        }
        Ok(list)
    }

    /// Read what is left (counting it) and return every stage's counts: dicts as
    /// `Report.stages`.
    fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        while self.__next__(py)?.is_some() {}
        self.end(py)?;
        to_python(py, &self.stages)
    }
}

//! `moulin.run` and `moulin.check`: a project file, as `moulin run` and `moulin check` take it.

use crate::errors::{self, to_py};
use crate::report::{to_python, Report};
use moulin::shard::Shard;
use moulin::{Progress, Project, RunOptions, StageReport};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::path::PathBuf;
use std::sync::Arc;

/// How a run shows its progress: the terminal bar, a Python callable, or not at all.
#[derive(FromPyObject)]
pub enum ProgressArg {
    /// `"terminal"`: the bar `moulin run` draws on standard error.
    Named(String),
    /// A callable given one dict per event.
    Callback(Py<PyAny>),
}

/// `moulin.run`'s options (a dict with every key; `moulin/__init__.py` documents them).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct RunArgs {
    output: Option<PathBuf>,
    threads: Option<usize>,
    shard: Option<String>,
    resume: bool,
    until_pass: Option<u32>,
    progress: Option<ProgressArg>,
}

/// Run a project file; see `moulin.run` in `moulin/__init__.py` for the options.
#[pyfunction]
pub fn run(py: Python<'_>, project: PathBuf, options: RunArgs) -> PyResult<Report> {
    let RunArgs { output, threads, shard, resume, until_pass, progress } = options;
    let shard = shard
        .map(|value| Shard::from_arg(&value, |name| std::env::var(name).ok()))
        .transpose()
        .map_err(|e| PyValueError::new_err(format!("shard: {e}")))?;
    let progress: Option<Arc<dyn Progress>> = match progress {
        None => None,
        Some(ProgressArg::Named(name)) if name == "terminal" => {
            Some(Arc::new(moulin::terminal::TerminalProgress::stderr()))
        }
        Some(ProgressArg::Named(name)) => {
            return Err(PyValueError::new_err(format!(
                "progress: expected \"terminal\", a callable, True, False or None, found {name:?}"
            )))
        }
        Some(ProgressArg::Callback(f)) => Some(Arc::new(Callback(f))),
    };
    let options = RunOptions { threads: threads.unwrap_or(0), output, progress, shard, resume, until_pass };
    // Without the GIL: the run's threads take it for a Python progress callback.
    let result = py.detach(|| Project::load(&project).and_then(|p| p.run_with(&options)));
    result.map(Report::from).map_err(|e| to_py(py, e))
}

/// Check a project file without reading its input: the list of problems (dicts: kind,
/// file, line, key, message), empty when the project can run.
#[pyfunction]
pub fn check<'py>(py: Python<'py>, project: PathBuf) -> PyResult<Bound<'py, PyList>> {
    let check = py.detach(|| Project::check(&project));
    let list = PyList::empty(py);
    for problem in &check.problems {
        list.append(errors::problem_dict(py, problem)?)?;
    }
    Ok(list)
}

/// A Python callable as a run's progress: called with a dict per event, `{"event":
/// "start", "total_bytes", "files"}`, `"advance"` (`bytes_read`, `documents`), `"stages"`
/// (`stages`: id, documents_in, documents_out, dropped, failed), `"pass"` (`stage`, `pass`,
/// `passes`), `"merging"` (`stage`, `pass`), `"finish"`. An exception it raises is printed
/// (as Python prints an unraisable one) and the run goes on.
struct Callback(Py<PyAny>);

impl Callback {
    fn send(&self, event: &str, fill: impl FnOnce(&Bound<'_, PyDict>) -> PyResult<()>) {
        Python::attach(|py| {
            let result = (|| {
                let dict = PyDict::new(py);
                dict.set_item("event", event)?;
                fill(&dict)?;
                self.0.bind(py).call1((dict,)).map(|_| ())
            })();
            if let Err(e) = result {
                e.write_unraisable(py, Some(self.0.bind(py)));
            }
        });
    }
}

impl Progress for Callback {
    fn start(&self, total_bytes: u64, files: u64) {
        self.send("start", |d| {
            d.set_item("total_bytes", total_bytes)?;
            d.set_item("files", files)
        });
    }
    fn advance(&self, bytes_read: u64, documents: u64) {
        self.send("advance", |d| {
            d.set_item("bytes_read", bytes_read)?;
            d.set_item("documents", documents)
        });
    }
    fn finish(&self) {
        self.send("finish", |_| Ok(()));
    }
    fn pass(&self, stage: &str, pass: u32, passes: u32) {
        self.send("pass", |d| {
            d.set_item("stage", stage)?;
            d.set_item("pass", pass)?;
            d.set_item("passes", passes)
        });
    }
    fn merging(&self, stage: &str, pass: u32) {
        self.send("merging", |d| {
            d.set_item("stage", stage)?;
            d.set_item("pass", pass)
        });
    }
    fn stages(&self, stages: &[StageReport]) {
        self.send("stages", |d| {
            let brief: Vec<serde_json::Value> = stages
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "id": s.id, "documents_in": s.documents_in, "documents_out": s.documents_out,
                        "dropped": s.dropped.values().sum::<u64>(), "failed": s.failed,
                    })
                })
                .collect();
            d.set_item("stages", to_python(d.py(), &brief)?)
        });
    }
}

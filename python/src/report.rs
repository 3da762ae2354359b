//! What a run or a pipeline reports, as Python objects.

use pyo3::prelude::*;
use serde::Serialize;

/// A JSON-serialisable value as Python objects (through Python's `json.loads`, which is C).
pub fn to_python<'py>(py: Python<'py>, value: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    crate::convert::json(py)?.0.bind(py).call1((text,))
}

/// The report of a run: `str(report)` is the summary `moulin run` prints.
#[pyclass(module = "moulin", frozen)]
pub struct Report {
    report: moulin::RunReport,
}

impl From<moulin::RunReport> for Report {
    fn from(report: moulin::RunReport) -> Report {
        Report { report }
    }
}

#[pymethods]
impl Report {
    /// Totals: files, documents read, exported, dropped, failed, bytes, ...
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.report.totals)
    }

    /// Per stage, in pipeline order: id, plugin, kind, documents in and out, dropped by
    /// reason, failed, restarts, seconds, an exporter's summary, a pass's summary.
    #[getter]
    fn stages<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.report.stages)
    }

    /// Per input file, in walk order: path, format, documents, failed, skipped, bytes.
    #[getter]
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.report.files)
    }

    /// The folder the run wrote to.
    #[getter]
    fn output_dir(&self) -> String {
        self.report.output_dir.display().to_string()
    }

    /// Wall time in seconds.
    #[getter]
    fn seconds(&self) -> f64 {
        self.report.seconds
    }

    /// Worker threads used.
    #[getter]
    fn threads(&self) -> usize {
        self.report.threads
    }

    /// The pass the run paused after (`until_pass`), or None.
    #[getter]
    fn paused(&self) -> Option<String> {
        self.report.paused.clone()
    }

    /// Whether anything failed: a record, a document, a file or a folder (the CLI's exit
    /// status 1).
    fn has_failures(&self) -> bool {
        self.report.has_failures()
    }

    /// The whole report as a dict (the fields above, and the run's entities, attempt, shard).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.report)
    }

    fn __str__(&self) -> String {
        self.report.to_string()
    }

    fn __repr__(&self) -> String {
        let t = &self.report.totals;
        format!(
            "<moulin.Report {}: {} documents, {} exported, {} dropped, {} failed>",
            self.report.output_dir.display(),
            t.documents,
            t.exported,
            t.dropped,
            t.failed
        )
    }
}

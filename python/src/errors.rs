//! The exceptions: one class per way a project or pipeline can fail, all under
//! `moulin.MoulinError`.

use moulin::{Error, Problem};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

create_exception!(moulin, MoulinError, PyException, "Every error moulin raises.");
create_exception!(
    moulin,
    ConfigError,
    MoulinError,
    "A project file, a pipeline's stages or a stage's config is wrong. `problems` lists every problem found (dicts: kind, file, line, key, message); `file`, `line` and `key` are the first one's."
);
create_exception!(
    moulin,
    PluginError,
    MoulinError,
    "A plugin library could not be loaded, or a stage could not be made. `problems` as ConfigError's."
);
create_exception!(
    moulin,
    RunStopped,
    MoulinError,
    "A run or pipeline had to stop before the end (an exporter failed, a stage kept panicking). `report` counts what was done."
);
create_exception!(
    moulin,
    ResumeError,
    MoulinError,
    "`resume=True` found a journal it cannot continue. Nothing was run."
);
create_exception!(moulin, OutputLocked, MoulinError, "Another run holds the output folder's lock. Nothing was run.");
create_exception!(moulin, PassError, MoulinError, "A pass before the main pass failed. Nothing was exported.");
create_exception!(
    moulin,
    OutputError,
    MoulinError,
    "The run's own outputs (manifest, journal, report) could not be written."
);

/// A problem as a dict: `kind` (`config` or `plugin`), `file`, `line`, `key`, `message`.
pub fn problem_dict<'py>(py: Python<'py>, problem: &Problem) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    match problem {
        Problem::Config(e) => {
            dict.set_item("kind", "config")?;
            dict.set_item("file", e.file.display().to_string())?;
            dict.set_item("line", e.line)?;
            dict.set_item("key", e.key.as_deref())?;
            dict.set_item("message", &e.message)?;
        }
        Problem::Load(e) => {
            dict.set_item("kind", "plugin")?;
            dict.set_item("file", e.path.display().to_string())?;
            dict.set_item("line", None::<usize>)?;
            dict.set_item("key", None::<&str>)?;
            dict.set_item("message", e.to_string())?;
        }
        _ => {
            dict.set_item("kind", "other")?;
            dict.set_item("message", problem.to_string())?;
        }
    }
    Ok(dict)
}

/// The exception for an engine error.
pub fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::Invalid(problems) => invalid(py, &message, &problems).unwrap_or_else(|e| e),
        Error::Setup(_) => PluginError::new_err(message),
        Error::Stopped { report, .. } => {
            let err = RunStopped::new_err(message);
            let report = Py::new(py, crate::report::Report::from(*report));
            if let Err(e) = report.and_then(|r| err.value(py).setattr("report", r)) {
                return e;
            }
            err
        }
        Error::Resume { .. } => ResumeError::new_err(message),
        Error::Lock(_) => OutputLocked::new_err(message),
        Error::Pass { .. } => PassError::new_err(message),
        _ => OutputError::new_err(message),
    }
}

/// ConfigError when a problem is in the configuration, else PluginError; with `problems`
/// and the first configuration problem's `file`, `line` and `key`.
fn invalid(py: Python<'_>, message: &str, problems: &[Problem]) -> PyResult<PyErr> {
    let first = problems.iter().find_map(|p| match p {
        Problem::Config(c) => Some(c),
        _ => None,
    });
    let err = match first {
        Some(_) => ConfigError::new_err(message.to_string()),
        None => PluginError::new_err(message.to_string()),
    };
    let value = err.value(py);
    let list = PyList::empty(py);
    for p in problems {
        list.append(problem_dict(py, p)?)?;
    }
    value.setattr("problems", list)?;
    value.setattr("file", first.map(|c| c.file.display().to_string()))?;
    value.setattr("line", first.and_then(|c| c.line))?;
    value.setattr("key", first.and_then(|c| c.key.clone()))?;
    Ok(err)
}

/// Add the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("MoulinError", py.get_type::<MoulinError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("PluginError", py.get_type::<PluginError>())?;
    m.add("RunStopped", py.get_type::<RunStopped>())?;
    m.add("ResumeError", py.get_type::<ResumeError>())?;
    m.add("OutputLocked", py.get_type::<OutputLocked>())?;
    m.add("PassError", py.get_type::<PassError>())?;
    m.add("OutputError", py.get_type::<OutputError>())?;
    Ok(())
}

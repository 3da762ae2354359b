/*!
The native module of moulin's Python package (`moulin._native`), made with PyO3.

The Python package (`python/moulin/__init__.py`) is the documented API; this module gives
it what runs in Rust:

- `run` and `check`: a project file, as `moulin run` and `moulin check` take it
  ([`project`]), with a [`report::Report`] and one exception class per failure ([`errors`]);
- `Pipeline`: plugin stages and Python callables ([`pystage`], the `python` stage linked in
  with the plugin SDK) over dicts ([`convert`]) or Arrow data ([`arrow`]).

The GIL is released while the engine runs; a Python stage, the caller's iterable and a
progress callback take it when they are called. The package is tested by pytest
(`python/tests`): an extension module links against no libpython, so there is no cargo test.
*/
#![deny(missing_docs)]

pub mod arrow;
pub mod convert;
pub mod errors;
pub mod pipeline;
pub mod project;
pub mod pystage;
pub mod report;

use pyo3::prelude::*;

/// Look for plugin libraries in `folder` too, after the folders the `moulin` command looks
/// in (the package's `plugins` folder: `moulin/__init__.py` adds it when it exists).
#[pyfunction]
fn search_also(folder: std::path::PathBuf) {
    moulin::plugins::also_search(folder);
}

/// The module: its functions and classes.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(project::run, m)?)?;
    m.add_function(wrap_pyfunction!(project::check, m)?)?;
    m.add_function(wrap_pyfunction!(search_also, m)?)?;
    m.add_class::<pipeline::Pipeline>()?;
    m.add_class::<pipeline::Outputs>()?;
    m.add_class::<report::Report>()?;
    m.add_class::<arrow::Stream>()?;
    m.add("ABI_VERSION", moulin::ABI_VERSION)?;
    errors::register(m)
}

//! The engine's error type.

use crate::config::ConfigError;
use crate::plugins::LoadError;
use crate::report::RunReport;
use std::fmt;
use std::path::PathBuf;

/// A problem that stops a project from running.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Problem {
    /// In the project file (including a stage's `config`, checked by its plugin).
    Config(ConfigError),
    /// A plugin library that could not be loaded.
    Load(LoadError),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Config(e) => e.fmt(f),
            Problem::Load(e) => e.fmt(f),
        }
    }
}

/// What can stop a project from loading or running. Bad input files and documents are not
/// errors of the run: they are counted in its report and listed in `errors.jsonl`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The project file, a plugin library or a stage configuration is wrong; every problem
    /// found is listed.
    #[error("{} problem(s):\n{}", .0.len(), .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    /// A stage could not be made when the run started.
    #[error("cannot start the pipeline: {0}")]
    Setup(String),
    /// Writing the run's outputs failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `--resume` found a journal it cannot continue (another project, changed input, a
    /// damaged journal). Nothing was run.
    #[error("cannot resume from {}: {message}", path.display())]
    Resume {
        /// The journal.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A pass before the main pass could not be run or merged, or a shard waited too long
    /// for the others at a global pass. Nothing was exported.
    #[error("pass {pass} of stage `{stage}`: {message}")]
    Pass {
        /// The stage id.
        stage: String,
        /// The pass, from 0.
        pass: u32,
        /// What went wrong.
        message: String,
    },
    /// The output folder could not be locked: another run holds it, or the lock file
    /// cannot be made. Nothing was run.
    #[error("{0}")]
    Lock(#[from] LockError),
    /// The run had to stop before the end (an exporter failed, a stage kept panicking). The
    /// report counts what was done.
    #[error("the run stopped: {message}")]
    Stopped {
        /// Why.
        message: String,
        /// What was done before.
        report: Box<RunReport>,
    },
}

impl Error {
    /// Whether the error is about configuration or plugins (nothing was run).
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Invalid(_))
    }
}

/// Why the lock on a run's output folder could not be taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// Another process holds the lock.
    #[error("another moulin run is writing to {} (it holds {}); wait for it to end, or stop it", .0.parent().map(|p| p.display().to_string()).unwrap_or_default(), .0.display())]
    Busy(PathBuf),
    /// The lock file could not be created.
    #[error("{}: {source}", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

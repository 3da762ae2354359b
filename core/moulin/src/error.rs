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
    Setup(StageError),
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
    /// `report.html` could not be made: the manifest it is made from is not one.
    #[error("cannot make the report from {}: {message}", path.display())]
    Report {
        /// The manifest.
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
    #[error("the run stopped: {reason}")]
    Stopped {
        /// Why.
        reason: StageError,
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

/// What stops the engine: a stage cannot be made, keeps panicking, or an exporter fails as
/// a whole. (What goes wrong with one document fails that document, not the run.)
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StageError {
    /// A stage could not be made (when the run starts, or again after a panic).
    #[error("stage `{stage}` ({plugin}): {message}")]
    Make {
        /// The stage id.
        stage: String,
        /// The stage's name in its library.
        plugin: String,
        /// The plugin's error.
        message: String,
    },
    /// More documents made one stage panic than `max_stage_restarts` allows.
    #[error("stage `{stage}`: {documents} documents made it panic, more than max_stage_restarts ({max}); last panic: {last}")]
    TooManyPanics {
        /// The stage id.
        stage: String,
        /// Documents that made it panic so far.
        documents: usize,
        /// `max_stage_restarts`.
        max: usize,
        /// The last panic's message.
        last: String,
    },
    /// An exporter failed as a whole: its output is incomplete.
    #[error("exporter `{stage}` {message}")]
    Exporter {
        /// The stage id.
        stage: String,
        /// What it could not do, and the plugin's error.
        message: String,
    },
    /// A thread of the engine itself panicked (a bug of moulin's).
    #[error("the pipeline's own thread panicked")]
    Crashed,
}

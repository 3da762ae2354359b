//! Runs split into shards over a cluster: how far each shard is ([`status`]), one summary
//! of all of them once they are done ([`merge`]), and the Slurm job array scripts that run
//! them ([`slurm_scripts`]).
//!
//! A sharded run's output folder holds one folder per shard, `part-I-of-N`, each with its
//! outputs, `manifest.json`, `errors.jsonl` and `journal.jsonl` (written by the run's journal).
//!
//! ```
//! use moulin::cluster::{slurm_scripts, SlurmOptions};
//!
//! let options = SlurmOptions::new("/bin/moulin".into(), "/p/project.toml".into(), "/p/out".into(), 4);
//! let scripts = slurm_scripts(&options, std::path::Path::new("/p/out"));
//! let (name, script) = &scripts[0];
//! assert_eq!(name, "moulin-slurm.sh");
//! assert!(script.contains("#SBATCH --array=0-3"));
//! assert!(script.contains("--shard auto/4 --resume"));
//! ```

mod merge;
mod slurm;

pub use merge::{merge, Merged};
pub use slurm::{slurm_scripts, SlurmOptions, SCRIPT, SUBMIT};

use crate::report::Totals;
use crate::run::journal;
use crate::shard::Shard;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What stops a status or a merge.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The folder does not hold what was expected.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file or folder.
        path: PathBuf,
        /// What was expected and what was found.
        message: String,
    },
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ClusterError {
    let path = path.to_path_buf();
    move |source| ClusterError::Io { path, source }
}

impl From<journal::JournalError> for ClusterError {
    fn from(e: journal::JournalError) -> ClusterError {
        match e {
            journal::JournalError::Io { path, source } => ClusterError::Io { path, source },
            journal::JournalError::Format { path, line, message } => {
                ClusterError::Invalid { path, message: format!("line {line}: {message}") }
            }
        }
    }
}

/// How far a shard (or an unsharded run) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum State {
    /// Finished: outputs and manifest complete.
    Done,
    /// Started, stopped before its end: resume it.
    Partial,
    /// Started and running now (a process holds its lock).
    Running,
    /// Not started: no journal.
    Missing,
}

impl State {
    /// `done`, `partial`, `running` or `missing`.
    pub fn name(self) -> &'static str {
        match self {
            State::Done => "done",
            State::Partial => "partial",
            State::Running => "running",
            State::Missing => "missing",
        }
    }
}

/// One shard's line in [`status`].
#[derive(Debug, Clone, Serialize)]
pub struct ShardStatus {
    /// The shard (`None` for an unsharded run).
    pub shard: Option<Shard>,
    /// Its folder.
    pub dir: PathBuf,
    /// How far it is.
    pub state: State,
    /// Starts so far (more than one: it was resumed).
    pub attempts: u32,
    /// Input files done, of `files`.
    pub files_done: usize,
    /// Its input files.
    pub files: usize,
    /// Counts at its last resume point.
    pub totals: Totals,
    /// For a run going now, its counts so far per stage (`stats.json`), when it wrote them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<crate::report::LiveStats>,
}

impl ShardStatus {
    /// Records, documents, files and folders that failed.
    pub fn errors(&self) -> u64 {
        self.totals.failed + self.totals.files_failed + self.totals.walk_errors
    }
}

/// Every shard of the run in a folder, in order; shards that never started are `Missing`,
/// those that are being run now `Running`.
pub fn status(dir: &Path) -> Result<Vec<ShardStatus>, ClusterError> {
    let mut shards: Vec<Shard> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        if let Some(shard) = entry.file_name().to_str().and_then(Shard::from_dir_name) {
            shards.push(shard);
        }
    }
    let counts: std::collections::BTreeSet<usize> = shards.iter().map(|s| s.count).collect();
    let one = |shard: Option<Shard>, dir: PathBuf| -> Result<ShardStatus, ClusterError> {
        let state = journal::read(&dir.join(journal::FILE_NAME))?;
        Ok(match state {
            None => ShardStatus {
                shard,
                dir,
                state: State::Missing,
                attempts: 0,
                files_done: 0,
                files: 0,
                totals: Totals::default(),
                live: None,
            },
            Some(s) => {
                let state = if s.done() {
                    State::Done
                } else if journal::is_locked(&dir) {
                    State::Running
                } else {
                    State::Partial
                };
                // A stats file a run is rewriting is read whole or not at all (it is renamed
                // into place); one that cannot be read is simply not shown.
                let live = (state == State::Running)
                    .then(|| std::fs::read_to_string(dir.join(crate::report::LiveStats::FILE_NAME)).ok())
                    .flatten()
                    .and_then(|text| serde_json::from_str(&text).ok());
                ShardStatus {
                    shard,
                    state,
                    dir,
                    attempts: s.attempts,
                    files_done: s.files_done,
                    files: s.header.files.len(),
                    totals: s.last.map(|c| c.totals).unwrap_or_default(),
                    live,
                }
            }
        })
    };
    match counts.len() {
        0 if dir.join(journal::FILE_NAME).exists() => Ok(vec![one(None, dir.to_path_buf())?]),
        0 => Err(ClusterError::Invalid {
            path: dir.to_path_buf(),
            message: format!("no run here: expected {} or part-I-of-N folders", journal::FILE_NAME),
        }),
        1 => {
            let count = *counts.iter().next().expect("one count");
            (0..count)
                .map(|index| {
                    let shard = Shard { index, count };
                    one(Some(shard), dir.join(shard.dir_name()))
                })
                .collect()
        }
        _ => Err(ClusterError::Invalid {
            path: dir.to_path_buf(),
            message: format!(
                "shard folders of {} different splits ({}): keep those of one",
                counts.len(),
                counts.iter().map(|n| format!("part-*-of-{n}")).collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}

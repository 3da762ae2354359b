//! `stats.json`: a running run's counts, per stage, rewritten every few seconds so that
//! `moulin status` (and anything else) can show how a run is going.

use super::ledger::Ledger;
use crate::report::{LiveStats, StageReport};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Writes `stats.json` at most every `every`, whole or not at all (a `.partial` renamed).
pub(crate) struct Live {
    path: PathBuf,
    every: Duration,
    last: Option<Instant>,
    started: Instant,
    timeline: Vec<(f64, u64, u64)>,
    slowest: Vec<(String, f64)>,
}

/// How many of the slowest files are kept.
const SLOWEST: usize = 10;

/// The most samples of the timeline kept.
const SAMPLES: usize = 512;

impl Live {
    /// For a run whose output folder (its shard's) is `output`.
    pub(crate) fn new(output: &Path, every_seconds: f64) -> Live {
        let every = Duration::from_secs_f64(every_seconds);
        let path = output.join(LiveStats::FILE_NAME);
        Live { path, every, last: None, started: Instant::now(), timeline: Vec::new(), slowest: Vec::new() }
    }

    /// Note how long the files of a batch took to read.
    pub(crate) fn files_read(&mut self, seconds: &[(u32, f64)], files: &[crate::corpus::InputFile]) {
        for &(origin, s) in seconds {
            if self.slowest.len() < SLOWEST || self.slowest.last().is_some_and(|l| s > l.1) {
                self.slowest.push((files[origin as usize].id.clone(), s));
                self.slowest.sort_by(|a, b| b.1.total_cmp(&a.1));
                self.slowest.truncate(SLOWEST);
            }
        }
    }

    /// Rewrite the file if it is due (or `finished`), from the ledger's totals and every
    /// stage's counts so far. A file that cannot be written is logged once a write: the
    /// run does not depend on it.
    pub(crate) fn update(&mut self, ledger: &Ledger, stages: &[StageReport], finished: bool) {
        if !finished && self.last.is_some_and(|at| at.elapsed() < self.every) {
            return;
        }
        self.last = Some(Instant::now());
        if self.timeline.len() == SAMPLES {
            // Half the samples, evenly: the line keeps its shape, the file its size.
            self.timeline = self.timeline.iter().step_by(2).copied().collect();
        }
        let t = &ledger.totals;
        self.timeline.push((self.started.elapsed().as_secs_f64(), t.documents, t.text_bytes));
        let stats = LiveStats {
            updated_unix: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
            seconds: ledger.seconds(),
            finished,
            totals: ledger.totals.clone(),
            stages: ledger.stages(stages),
            timeline: self.timeline.clone(),
            slowest_files: self.slowest.clone(),
        };
        if let Err(e) = write(&self.path, &stats) {
            tracing::warn!(path = %self.path.display(), error = %e, "Could not write the run's live counts.");
        }
    }
}

fn write(path: &Path, stats: &LiveStats) -> std::io::Result<()> {
    let partial = path.with_extension("json.partial");
    let text = serde_json::to_vec_pretty(stats).map_err(std::io::Error::other)?;
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, path)
}

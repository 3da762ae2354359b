//! Passes before the main pass. A stage that must see the whole input first (lines repeated
//! across a site's pages, near-duplicate documents) asks for passes (its answer to
//! [`moulin_abi::ext::OBSERVES`], a [`PassPlan`]). Each pass runs the stages before it, and
//! it observing, over every input file, with progress; nothing is exported or counted. Each
//! worker's instance writes what it learns into a folder of its own:
//!
//! ```text
//! <output>/passes/<stage>/pass-<k>/worker-<w>/   what each worker wrote
//! <output>/passes/<stage>/pass-<k>/workers.json  written once every worker is done
//! <output>/passes/<stage>/pass-<k>/merged/       the merged result, for the later passes and the main pass
//! ```
//!
//! One new instance then merges the workers' folders ([`moulin_abi::ext::MERGE`]); for a
//! global pass of a sharded run, every shard's, once every shard has written its
//! `workers.json` (a shard waits for the others, up to `[pipeline] shard_wait_seconds`),
//! and once for all shards: into `<output root>/passes/<stage>/pass-<k>/merged/`, by the
//! first shard to lock `merge.lock` there, the others reading its `merged.json`. A merged
//! pass is recorded in the journal: a resumed run does not run it again, and one killed after
//! its workers were done only merges again. With `until` (`--until-pass K`) a run stops once
//! its workers of global pass K are done: `moulin slurm` makes each a job array of its own.

use super::journal::PassDone;
use super::ledger::Ledger;
use super::Progress;
use crate::batch::{Batch, Reader};
use crate::engine::{Checkpoints, Engine};
use crate::plugins::plugin_error_text;
use crate::shard::Shard;
use crate::stages::StageSpec;
use crate::Error;
use moulin_abi::abi_stable::std_types::RResult;
use moulin_abi::contract::{MergeRequest, MergeSummary, PassPlan};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What every pass of a run shares.
pub(crate) struct Passes<'a> {
    /// The input.
    pub reader: &'a Reader<'a>,
    /// This run's output folder (its shard's).
    pub output: &'a Path,
    /// The output folder of every shard.
    pub output_root: &'a Path,
    /// The shard run, if any.
    pub shard: Option<Shard>,
    /// Worker threads.
    pub threads: usize,
    /// As for the main pass.
    pub max_stage_restarts: usize,
    /// How long to wait for the other shards at a global pass.
    pub shard_wait: Duration,
    /// Progress reporting.
    pub progress: Option<&'a Arc<dyn Progress>>,
    /// The project's fingerprint: pass folders another project (or configuration) left are
    /// not taken for this one's.
    pub fingerprint: &'a str,
    /// Pause once this shard's workers of this pass over every shard (counted from 0 over the
    /// run's global passes) are done, before it is merged ([`super::RunOptions::until_pass`]).
    pub until: Option<u32>,
}

/// How the passes went.
pub(crate) enum PassesDone {
    /// Every pass is done: what each stage's did.
    Done(Vec<Passed>),
    /// The run paused where [`Passes::until`] asked: which pass.
    Paused(String),
}

/// What the passes of one stage did, for its entry in the manifest.
pub(crate) struct Passed {
    /// The stage's index.
    pub stage: usize,
    /// The passes' seconds.
    pub seconds: f64,
    /// Their merges' summaries, added up.
    pub summary: MergeSummary,
    /// Whether they spanned every shard.
    pub global: bool,
}

impl Passed {
    /// Put what the passes did in the stages' entries of the run's report.
    pub fn report(passed: Vec<Passed>, stages: &mut [crate::report::StageReport]) {
        for p in passed {
            let stage = &mut stages[p.stage];
            stage.observation_seconds = Some(p.seconds);
            stage.pass_summary = Some(p.summary);
            stage.pass_global = p.global;
        }
    }
}

/// `merged.json`: a global pass of a sharded run, merged once for every shard.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MergedOnce {
    /// The fingerprint of the project that merged it.
    fingerprint: String,
    /// The worker folders it merged, of every shard.
    inputs: Vec<PathBuf>,
    /// What the merge found.
    summary: MergeSummary,
}

/// `workers.json`: the folders a pass's workers wrote, once they are all done.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Workers {
    /// The fingerprint of the project that wrote it.
    fingerprint: String,
    workers: Vec<PathBuf>,
    /// What each worker's instance returned at the end of the pass, in worker order.
    finished: Vec<serde_json::Value>,
}

impl Passes<'_> {
    /// Run every pass the stages ask for, in stage order, each stage's before the next
    /// stage's; each stage's spec gets its results for the main pass. Passes the journal
    /// counts as done are not run again. Returns what each stage that had passes did, or,
    /// with `until`, where the run paused.
    pub fn run(&self, stages: &mut [StageSpec], ledger: &mut Ledger) -> Result<PassesDone, Error> {
        let mut timed = Vec::new();
        let mut global = 0u32;
        for i in 0..stages.len() {
            let (plan, legacy) = stages[i].pass_plan(self.output, self.threads)?;
            let mut seconds = 0.0;
            let mut summary = MergeSummary::default();
            for pass in 0..plan.passes {
                let done = ledger.earlier.passes.iter().find(|p| p.pass_done == stages[i].id && p.pass == pass);
                let done = done.filter(|d| d.result.as_ref().is_none_or(|r| r.is_dir()));
                let pause = plan.global && self.until == Some(global);
                let done = match done {
                    // Run again after the pass was merged: nothing to do here.
                    Some(_) if pause => {
                        return Ok(PassesDone::Paused(format!(
                            "stage `{}`, pass {} (merged before)",
                            stages[i].id,
                            pass + 1
                        )))
                    }
                    Some(done) => done.clone(),
                    None => {
                        let started = Instant::now();
                        let workers = self.workers(stages, i, pass, plan)?;
                        if pause {
                            return Ok(PassesDone::Paused(format!(
                                "stage `{}`, pass {}: this shard's part is done, not merged",
                                stages[i].id,
                                pass + 1
                            )));
                        }
                        let done = self.merge_pass(&stages[i], pass, plan, legacy, workers, started)?;
                        ledger.record(&done);
                        done
                    }
                };
                global += u32::from(plan.global);
                seconds += done.seconds;
                summary.add(&done.summary);
                stages[i].pass_results.extend(done.result.clone());
                stages[i].observations = done.observations;
            }
            if plan.passes > 0 {
                timed.push(Passed { stage: i, seconds, summary, global: plan.global });
            }
        }
        match self.until {
            Some(k) => Err(Error::Pass {
                stage: String::new(),
                pass: k,
                message: format!("there is no pass {k} over every shard to stop at: the project has {global}"),
            }),
            None => Ok(PassesDone::Done(timed)),
        }
    }

    /// A pass's `workers.json`, when it is whole, of this project, and its folders are there.
    fn read_workers(&self, path: &Path) -> Option<Workers> {
        let text = std::fs::read_to_string(path).ok()?;
        let workers: Workers = serde_json::from_str(&text).ok()?;
        (workers.fingerprint == self.fingerprint && workers.workers.iter().all(|d| d.is_dir())).then_some(workers)
    }

    fn pass_dir(&self, output: &Path, stage: &str, pass: u32) -> PathBuf {
        output.join("passes").join(stage).join(format!("pass-{pass}"))
    }

    /// The workers' part of pass `pass` of stage `i`: run, unless a crashed or paused run
    /// already did it.
    fn workers(&self, stages: &[StageSpec], i: usize, pass: u32, plan: PassPlan) -> Result<Workers, Error> {
        let stage = &stages[i];
        let dir = self.pass_dir(self.output, &stage.id, pass);
        let workers_file = dir.join("workers.json");
        if let Some(workers) = self.read_workers(&workers_file) {
            return Ok(workers);
        }
        self.observe(stages, i, pass, plan, &dir)?;
        if super::journal::crash_point("pass", u64::from(pass)) {
            std::process::abort();
        }
        self.read_workers(&workers_file).ok_or_else(|| Error::Pass {
            stage: stage.id.clone(),
            pass,
            message: format!("{} was not written", workers_file.display()),
        })
    }

    /// Merge pass `pass` of `stage` (every shard's workers for a global pass of a sharded
    /// run), and say what it left.
    fn merge_pass(
        &self,
        stage: &StageSpec,
        pass: u32,
        plan: PassPlan,
        legacy: bool,
        workers: Workers,
        started: Instant,
    ) -> Result<PassDone, Error> {
        let fail = |message: String| Error::Pass { stage: stage.id.clone(), pass, message };
        let dir = self.pass_dir(self.output, &stage.id, pass);
        let mut done = PassDone {
            pass_done: stage.id.clone(),
            pass,
            result: None,
            observations: workers.finished.clone(),
            seconds: 0.0,
            summary: MergeSummary::default(),
        };
        if !legacy {
            let (result, summary) = match self.shard {
                Some(shard) if plan.global && shard.count > 1 => {
                    let inputs = self.wait_for_shards(&stage.id, pass, shard)?;
                    self.merge_once(stage, pass, inputs)?
                }
                _ => self.merge(stage, pass, &dir, workers.workers).map_err(fail)?,
            };
            (done.result, done.summary) = (Some(result), summary);
        }
        done.seconds = started.elapsed().as_secs_f64();
        Ok(done)
    }

    /// A global pass of a sharded run is merged once, for every shard, into
    /// `<output root>/passes/<stage>/pass-<k>/`: the first shard to lock `merge.lock` there
    /// merges and writes `merged.json`; the others wait for it and read the same result. Where
    /// the file system cannot lock, each shard merges on its own (the same result).
    fn merge_once(&self, stage: &StageSpec, pass: u32, inputs: Vec<PathBuf>) -> Result<(PathBuf, MergeSummary), Error> {
        let fail = |message: String| Error::Pass { stage: stage.id.clone(), pass, message };
        let shared = self.pass_dir(self.output_root, &stage.id, pass);
        std::fs::create_dir_all(&shared).map_err(|e| fail(format!("{}: {e}", shared.display())))?;
        let done_file = shared.join("merged.json");
        // Merged after every shard's part was written: not what an earlier run left.
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let parts: Vec<PathBuf> = inputs.iter().filter_map(|d| d.parent()).map(|d| d.join("workers.json")).collect();
        let read_done = || -> Option<MergeSummary> {
            let text = std::fs::read_to_string(&done_file).ok()?;
            let done: MergedOnce = serde_json::from_str(&text).ok()?;
            let when = modified(&done_file)?;
            let after_parts = parts.iter().all(|p| modified(p).is_some_and(|m| m <= when));
            (done.fingerprint == self.fingerprint
                && done.inputs == inputs
                && after_parts
                && shared.join("merged").is_dir())
            .then_some(done.summary)
        };
        let lock_path = shared.join("merge.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| fail(format!("{}: {e}", lock_path.display())))?;
        let started = Instant::now();
        loop {
            if let Some(summary) = read_done() {
                return Ok((shared.join("merged"), summary));
            }
            match fs4::FileExt::try_lock(&lock) {
                Ok(()) => {
                    let merged = match read_done() {
                        Some(summary) => Ok((shared.join("merged"), summary)),
                        None => {
                            self.merge(stage, pass, &shared, inputs.clone()).map_err(fail).and_then(|(dir, summary)| {
                                let record = MergedOnce {
                                    fingerprint: self.fingerprint.to_string(),
                                    inputs: inputs.clone(),
                                    summary,
                                };
                                let tmp = shared.join("merged.json.partial");
                                std::fs::write(&tmp, serde_json::to_string_pretty(&record).unwrap_or_default())
                                    .and_then(|_| std::fs::rename(&tmp, &done_file))
                                    .map_err(|e| fail(format!("{}: {e}", done_file.display())))?;
                                Ok((dir, record.summary))
                            })
                        }
                    };
                    let _ = fs4::FileExt::unlock(&lock);
                    return merged;
                }
                Err(fs4::TryLockError::WouldBlock) if started.elapsed() < self.shard_wait => {
                    std::thread::sleep(Duration::from_millis(200))
                }
                Err(fs4::TryLockError::WouldBlock) => {
                    return Err(fail(format!(
                        "another shard held {} for longer than shard_wait_seconds",
                        lock_path.display()
                    )))
                }
                Err(fs4::TryLockError::Error(e)) => {
                    tracing::warn!(path = %lock_path.display(), error = %e, "Cannot lock: this shard merges the pass on its own.");
                    let dir = self.pass_dir(self.output, &stage.id, pass);
                    return self.merge(stage, pass, &dir, inputs).map_err(fail);
                }
            }
        }
    }

    /// The workers' part of a pass: the stages up to `i` over every input file, stage `i`
    /// observing; then `workers.json`.
    fn observe(&self, stages: &[StageSpec], i: usize, pass: u32, plan: PassPlan, dir: &Path) -> Result<(), Error> {
        let stage = &stages[i];
        let fail = |message: String| Error::Pass { stage: stage.id.clone(), pass, message };
        let io = |path: &Path, e: std::io::Error| fail(format!("{}: {e}", path.display()));
        // What a killed attempt left of this pass goes.
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        let worker_dirs: Vec<PathBuf> = (0..self.threads).map(|w| dir.join(format!("worker-{w}"))).collect();
        for d in &worker_dirs {
            std::fs::create_dir_all(d).map_err(|e| io(d, e))?;
        }
        tracing::info!(
            stage = %stage.id,
            "Pass {} of {} over the input before the main pass{}.",
            pass + 1,
            plan.passes,
            if plan.global && self.shard.is_some() { ", merged over every shard" } else { "" }
        );
        let mut prefix = stages[..=i].to_vec();
        prefix[i].observing = true;
        prefix[i].pass = Some((pass, dir.to_path_buf()));
        let engine = Engine {
            stages: prefix,
            exporters: Vec::new(),
            threads: self.threads,
            output_dir: self.output.to_path_buf(),
            max_stage_restarts: self.max_stage_restarts,
            checkpoint: Checkpoints::Off,
        };
        let files = self.reader.files;
        let bytes_read = Arc::new(AtomicU64::new(0));
        if let Some(p) = self.progress {
            p.pass(&stage.id, pass, plan.passes);
            p.start(files.iter().map(|f| f.size).sum(), files.len() as u64);
        }
        let counter = bytes_read.clone();
        let source = move |emit: &mut dyn FnMut(Batch) -> bool| self.reader.read(0, counter, None, emit);
        let mut documents = 0u64;
        let sink = |batch: crate::stages::Finished, _: &[crate::report::StageReport], _| {
            documents += batch.read.iter().map(|(_, n)| n).sum::<u64>();
            if let Some(p) = self.progress {
                p.advance(bytes_read.load(Ordering::Relaxed), documents);
            }
        };
        let outcome = engine.run(source, sink).map_err(Error::Setup)?;
        if let Some(p) = self.progress {
            p.finish();
        }
        if let Some(fatal) = outcome.fatal {
            return Err(fail(format!("the pass stopped: {fatal}")));
        }
        let workers = Workers {
            fingerprint: self.fingerprint.to_string(),
            workers: worker_dirs,
            finished: outcome.finished[i].clone(),
        };
        let path = dir.join("workers.json");
        let tmp = dir.join("workers.json.partial");
        let text = serde_json::to_string_pretty(&workers).unwrap_or_default();
        std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, &path)).map_err(|e| io(&path, e))
    }

    /// Every shard's worker folders for a global pass, once every shard has written its
    /// `workers.json`; an error after `shard_wait`.
    fn wait_for_shards(&self, stage: &str, pass: u32, shard: Shard) -> Result<Vec<PathBuf>, Error> {
        let started = Instant::now();
        let mut said = Instant::now();
        loop {
            let mut inputs = Vec::new();
            let mut missing = Vec::new();
            for index in 0..shard.count {
                let other = self.output_root.join(Shard { index, count: shard.count }.dir_name());
                match self.read_workers(&self.pass_dir(&other, stage, pass).join("workers.json")) {
                    Some(w) => inputs.extend(w.workers),
                    None => missing.push(index.to_string()),
                }
            }
            if missing.is_empty() {
                inputs.sort();
                return Ok(inputs);
            }
            if started.elapsed() >= self.shard_wait {
                return Err(Error::Pass {
                    stage: stage.to_string(),
                    pass,
                    message: format!(
                        "shards {} did not finish the pass within {} s ([pipeline] shard_wait_seconds): a global pass needs every shard running at once",
                        missing.join(", "),
                        self.shard_wait.as_secs()
                    ),
                });
            }
            if said.elapsed() >= Duration::from_secs(30) {
                tracing::info!(stage, "Waiting for shards {} to finish pass {}.", missing.join(", "), pass + 1);
                said = Instant::now();
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Merge the `inputs` of a pass on a new instance into `dir/merged`: the folder, and
    /// what the merge found.
    fn merge(
        &self,
        stage: &StageSpec,
        pass: u32,
        dir: &Path,
        inputs: Vec<PathBuf>,
    ) -> Result<(PathBuf, MergeSummary), String> {
        let output = dir.join("merged");
        if output.exists() {
            std::fs::remove_dir_all(&output).map_err(|e| format!("{}: {e}", output.display()))?;
        }
        std::fs::create_dir_all(&output).map_err(|e| format!("{}: {e}", output.display()))?;
        let spec = StageSpec { observing: true, pass: Some((pass, dir.to_path_buf())), ..stage.clone() };
        let mut merger = spec.instantiate(self.output, 0, self.threads).map_err(|e| e.to_string())?;
        // The merge has no progress of its own: say when it starts and how long it took.
        tracing::info!(stage = %stage.id, "Merging pass {} ({} worker folders).", pass + 1, inputs.len());
        let started = Instant::now();
        let request = MergeRequest { pass, inputs, output: output.clone() };
        let payload = serde_json::to_string(&request).map_err(|e| e.to_string())?;
        if let Some(p) = self.progress {
            p.merging(&stage.id, pass);
        }
        let answer = merger.call_ext(moulin_abi::ext::MERGE.into(), payload.as_str().into());
        if let Some(p) = self.progress {
            p.finish();
        }
        match answer {
            RResult::ROk(summary) => {
                let seconds = started.elapsed().as_secs_f64();
                tracing::info!(stage = %stage.id, "Pass {} merged in {seconds:.1} s.", pass + 1);
                tracing::debug!(stage = %stage.id, pass, summary = %summary, "Pass merged.");
                let summary = serde_json::from_str(summary.as_str())
                    .map_err(|e| format!("the merge's summary is not a MergeSummary: {e}: {summary}"))?;
                Ok((output, summary))
            }
            RResult::RErr(e) => Err(format!("the merge failed: {}", plugin_error_text(&e))),
        }
    }
}

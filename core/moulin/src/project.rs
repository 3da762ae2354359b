//! A project: its file, the plugins it needs, and running it over its corpus.

use crate::config::{ConfigError, ProjectConfig, StageConfig};
use crate::corpus::{self, InputFile, Item, ReadOptions};
use crate::journal;
use crate::pipeline::{Batch, Checkpoints, Engine, Failure, Finished, StageSpec};
use crate::plugins::{plugin_error_key, plugin_error_text, LoadError, LoadProblem, Registry, StageKind};
use crate::report::{
    ErrorRecord, FileReport, PluginEntry, ProjectEntry, RunEntry, RunManifest, RunReport, RunStatus, StageReport,
    Totals,
};
use crate::shard::Shard;
use crate::Error;
use std::fmt;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

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

/// One line of `moulin check`.
#[derive(Debug, Clone)]
pub struct CheckLine {
    /// Whether the check passed.
    pub ok: bool,
    /// What was checked: `config`, `plugin`, `stage`, `input`.
    pub what: &'static str,
    /// Which one, and the outcome in a few words.
    pub detail: String,
}

/// The outcome of checking a project without reading any input.
#[derive(Debug)]
pub struct Check {
    /// One line per check, in order.
    pub lines: Vec<CheckLine>,
    /// Every problem found.
    pub problems: Vec<Problem>,
    /// The project, when there was no problem.
    pub project: Option<Project>,
}

/// Reports progress of a run; the CLI draws a bar with it.
pub trait Progress: Send + Sync {
    /// The run starts: this many bytes in this many files.
    fn start(&self, total_bytes: u64, files: u64);
    /// So far: bytes read from disk, documents finished.
    fn advance(&self, bytes_read: u64, documents: u64);
    /// The run is over.
    fn finish(&self);
}

/// How to run a project (what the command line decides; the project file describes the
/// pipeline).
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Write outputs here instead of the project's output folder.
    pub output: Option<PathBuf>,
    /// Progress reporting.
    pub progress: Option<Arc<dyn Progress>>,
    /// Run one shard of the input: the files [`crate::shard::partition`] gives it, written
    /// to `part-I-of-N` below the output folder, with its own manifest and journal.
    pub shard: Option<Shard>,
    /// Continue the run the output folder's journal records, if there is one: the input
    /// files it counts as done are not read again, and what was written after its last
    /// resume point is replaced. A run the journal counts as complete is not run again.
    pub resume: bool,
}

/// A loaded project: its configuration, the plugin libraries, the resolved stages.
#[derive(Debug)]
pub struct Project {
    /// The parsed project file.
    pub config: ProjectConfig,
    /// The loaded plugin libraries.
    pub registry: Registry,
    stages: Vec<StageSpec>,
}

/// The outcome of a run that went to its end (some inputs may have failed: see
/// [`RunReport::has_failures`]).
pub type RunResult = Result<RunReport, Error>;

impl Project {
    /// Load a project file and its plugins; every problem is returned at once.
    pub fn load(path: impl AsRef<Path>) -> Result<Project, Error> {
        let check = Project::check(path);
        match check.project {
            Some(p) => Ok(p),
            None => Err(Error::Invalid(check.problems)),
        }
    }

    /// Check a project file: the file, each plugin library, each stage and its config, the
    /// inputs. Nothing is read from the corpus and nothing is written.
    pub fn check(path: impl AsRef<Path>) -> Check {
        let path = path.as_ref();
        let mut lines = Vec::new();
        let mut problems = Vec::new();
        let (config, config_problems) = ProjectConfig::load_partial(path);
        lines.push(CheckLine {
            ok: config_problems.is_empty(),
            what: "config",
            detail: match config_problems.len() {
                0 => path.display().to_string(),
                n => format!("{} ({n} problems)", path.display()),
            },
        });
        problems.extend(config_problems.into_iter().map(Problem::Config));
        // With problems in the file, the stages that could be read are still checked, so
        // that one pass shows everything.
        let Some(config) = config else {
            return Check { lines, problems, project: None };
        };
        let (registry, load_errors) = Registry::discover(&crate::plugins::search_path(&config.plugin_paths));
        for lib in registry.libraries() {
            let stages: Vec<&str> = lib.manifest.stages.iter().map(|s| s.name.as_str()).collect();
            lines.push(CheckLine {
                ok: true,
                what: "plugin",
                detail: format!(
                    "{} {} (ABI {}): {} [{}]",
                    lib.manifest.name,
                    lib.manifest.version,
                    lib.manifest.abi_version,
                    lib.origin(),
                    stages.join(", ")
                ),
            });
        }
        for e in load_errors {
            // Two libraries offering one stage name block only a project that uses it
            // (`resolve_stage` reports it there).
            if let LoadProblem::DuplicateStage { stage, .. } = &e.problem {
                if !config.stages.iter().any(|s| s.plugin == *stage) {
                    tracing::warn!("{e}");
                    continue;
                }
            }
            lines.push(CheckLine { ok: false, what: "plugin", detail: format!("{}", e.path.display()) });
            problems.push(Problem::Load(e));
        }
        let mut stages = Vec::new();
        let mut extra_registry = Registry::new();
        for stage in &config.stages {
            match resolve_stage(&config, &registry, &mut extra_registry, stage) {
                Ok(spec) => {
                    lines.push(CheckLine {
                        ok: true,
                        what: "stage",
                        detail: format!("{} ({}, {})", stage.id, spec.name, spec.kind),
                    });
                    stages.push(spec);
                }
                Err(stage_problems) => {
                    lines.push(CheckLine {
                        ok: false,
                        what: "stage",
                        detail: format!("{} ({})", stage.id, stage.plugin),
                    });
                    problems.extend(stage_problems);
                }
            }
        }
        order_problems(&config, &stages, &mut problems);
        let project = problems.is_empty().then(|| {
            let mut registry = registry;
            for lib in extra_registry.libraries() {
                let _ = registry.add(lib.clone());
            }
            Project { config, registry, stages }
        });
        Check { lines, problems, project }
    }

    /// The resolved stages, in order.
    pub fn stages(&self) -> &[StageSpec] {
        &self.stages
    }

    /// Run with default options (one thread per core, the project's output folder).
    pub fn run(&self) -> RunResult {
        self.run_with(&RunOptions::default())
    }

    /// Run the project over its inputs. Bad inputs are reported in `errors.jsonl` and the
    /// report, and the run goes on; `Err` means the run could not start or had to stop.
    ///
    /// Every run keeps a journal (`journal.jsonl`, described in docs/cluster.md) in its output
    /// folder; with [`RunOptions::resume`], a run continues the journal it finds there.
    pub fn run_with(&self, options: &RunOptions) -> RunResult {
        let started = Instant::now();
        let started_unix = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let output_root = options.output.clone().unwrap_or_else(|| self.config.output.clone());
        let output = match options.shard {
            Some(shard) => output_root.join(shard.dir_name()),
            None => output_root.clone(),
        };
        std::fs::create_dir_all(&output).map_err(io_err(&output))?;
        // Held to the end of the run: no other run writes here meanwhile.
        let _lock = journal::lock(&output)?;
        let threads = if options.threads == 0 {
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
        } else {
            options.threads
        };
        let input_problem = |message: String| {
            Error::Invalid(vec![Problem::Config(ConfigError {
                file: self.config.file.clone(),
                line: None,
                key: Some("input".into()),
                message,
            })])
        };
        // The output folder (every shard's, for a sharded run) is never input.
        let (files, walk_errors) = corpus::walk(&self.config.input, std::slice::from_ref(&output_root))
            .map_err(|e| input_problem(e.to_string()))?;
        let (files, walk_errors) = match options.shard {
            None => (files, walk_errors),
            Some(shard) => {
                let sizes: Vec<u64> = files.iter().map(|f| f.size).collect();
                let shard_of = crate::shard::partition(&sizes, shard.count);
                let mine = files.into_iter().zip(shard_of).filter(|(_, s)| *s == shard.index).map(|(f, _)| f).collect();
                // Every shard meets the same problems while walking; the first reports them.
                (mine, if shard.index == 0 { walk_errors } else { Vec::new() })
            }
        };
        let read_options = ReadOptions::new(&self.config.input).map_err(|e| input_problem(e.to_string()))?;

        // The journal: a new one, or the one a resumed run continues.
        let header = journal::Header::new(
            self.fingerprint(),
            options.shard,
            files.iter().map(|f| (f.id.clone(), f.size)).collect(),
        );
        let journal_path = output.join(journal::FILE_NAME);
        let previous = if options.resume { journal::read(&journal_path)? } else { None };
        let previous = previous.filter(|state| state.last.is_some());
        if let Some(state) = &previous {
            if let Some(why) = state.header.mismatch(&header) {
                return Err(Error::Resume {
                    path: journal_path,
                    message: format!("{why}; run without --resume to start over"),
                });
            }
            if state.done() {
                tracing::info!(output = %output.display(), "The run is already complete; nothing to do.");
                return Ok(finished_report(state, &output, options.shard, threads));
            }
        }
        let errors_path = output.join("errors.jsonl");
        let mut resumed = Resumed::default();
        let mut log = match &previous {
            Some(state) => {
                let last = state.last.as_ref().expect("kept only with a commit");
                let mut journal = journal::Journal::resume(&journal_path, state)?;
                journal.append(&serde_json::json!({ "attempt": state.attempts + 1, "started_unix": started_unix, "threads": threads }))?;
                let errors =
                    std::fs::OpenOptions::new().append(true).open(&errors_path).map_err(io_err(&errors_path))?;
                let length = errors.metadata().map_err(io_err(&errors_path))?.len();
                if length < last.errors_bytes {
                    return Err(Error::Resume {
                        path: journal_path,
                        message: format!(
                            "{} holds {length} bytes, less than the {} the journal counts",
                            errors_path.display(),
                            last.errors_bytes
                        ),
                    });
                }
                errors.set_len(last.errors_bytes).map_err(io_err(&errors_path))?;
                resumed = Resumed {
                    attempt: state.attempts + 1,
                    files_done: state.files_done,
                    files: state.files.clone(),
                    totals: last.totals.clone(),
                    stages: last.stages.clone(),
                    exporters: last.exporters.clone(),
                    seconds: last.seconds,
                };
                RunLog::new(errors, errors_path, journal, state.files_done, last.commit + 1)
            }
            None => {
                let mut journal = journal::Journal::create(&journal_path, &header)?;
                journal
                    .append(&serde_json::json!({ "attempt": 1, "started_unix": started_unix, "threads": threads }))?;
                let errors = std::fs::File::create(&errors_path).map_err(io_err(&errors_path))?;
                resumed.attempt = 1;
                resumed.totals =
                    Totals { files: files.len() as u64, walk_errors: walk_errors.len() as u64, ..Default::default() };
                resumed.totals.input_bytes = files.iter().map(|f| f.size).sum();
                let mut log = RunLog::new(errors, errors_path, journal, 0, 0);
                for e in &walk_errors {
                    tracing::warn!(path = %e.path.display(), error = %e.message, "Skipped part of the input.");
                    log.error(&ErrorRecord {
                        path: Some(e.path.display().to_string()),
                        member: None,
                        record: None,
                        id: None,
                        stage: None,
                        kind: "walk".into(),
                        message: e.message.clone(),
                    });
                }
                log
            }
        };
        let first_file = resumed.files_done;
        let mut reports = std::mem::take(&mut resumed.files);
        reports.extend(files[first_file..].iter().map(|f| FileReport { path: f.id.clone(), ..Default::default() }));
        let mut totals = resumed.totals.clone();

        let (mut stages, mut exporters): (Vec<StageSpec>, Vec<StageSpec>) =
            self.stages.iter().cloned().partition(|s| s.kind != StageKind::Export);
        // Every exporter gets a resume state, `{}` for a new run: it then removes what an
        // earlier run (or attempt) left under its names.
        for (i, exporter) in exporters.iter_mut().enumerate() {
            exporter.resume = Some(resumed.exporters.get(i).cloned().unwrap_or_else(|| serde_json::json!({})));
        }
        if previous.is_none() {
            // Commit 0: a resume before the first resume point starts from here.
            let exporters: Vec<serde_json::Value> =
                exporters.iter().map(|e| e.resume.clone().unwrap_or_default()).collect();
            log.commit(ResumePoint {
                reports: &reports,
                totals: &totals,
                stages: &[],
                exporters: &exporters,
                files_done: 0,
                seconds: 0.0,
                done: false,
            });
        }
        let max_stage_restarts = self.config.pipeline.max_stage_restarts;
        let batch_documents = self.config.pipeline.batch_documents;
        let batch_bytes = self.config.pipeline.batch_bytes as u64;
        let source_files = &files;
        let read_options = &read_options;
        let make_source = |counter: Arc<AtomicU64>, first: usize, checkpoint_every: Option<u64>| {
            move |emit: &mut dyn FnMut(Batch) -> bool| {
                let reader = Reader {
                    files: source_files,
                    options: read_options,
                    progress: counter,
                    batch_documents,
                    batch_bytes,
                    checkpoint_every,
                };
                reader.read(first, emit);
            }
        };

        // Stages that must see the whole input first get an observation pass each: the
        // stages before them and they (observing) over every document, nothing exported and
        // nothing counted; what their instances return from `finish` goes to the main pass.
        // A resumed run observes the whole input again, so that it makes the same choices.
        let mut observed = Vec::new();
        for i in 0..stages.len() {
            if !observation_wanted(&stages[i], &output, threads)? {
                continue;
            }
            tracing::info!(stage = %stages[i].id, "Observation pass: reading the input once before the run.");
            let mut prefix = stages[..=i].to_vec();
            prefix[i].observing = true;
            let engine = Engine {
                stages: prefix,
                exporters: Vec::new(),
                threads,
                output_dir: output.clone(),
                max_stage_restarts,
                checkpoint: Checkpoints::Off,
            };
            let pass_started = Instant::now();
            let outcome =
                engine.run(make_source(Arc::new(AtomicU64::new(0)), 0, None), |_| {}).map_err(Error::Setup)?;
            if let Some(fatal) = outcome.fatal {
                return Err(Error::Setup(format!("the observation pass of stage `{}` stopped: {fatal}", stages[i].id)));
            }
            stages[i].observations = outcome.finished[i].clone();
            observed.push((i, pass_started.elapsed().as_secs_f64()));
        }

        let checkpoint = if options.resume || options.shard.is_some() { Checkpoints::Warn } else { Checkpoints::On };
        let engine = Engine { stages, exporters, threads, output_dir: output.clone(), max_stage_restarts, checkpoint };
        let bytes_read = Arc::new(AtomicU64::new(0));
        if let Some(p) = &options.progress {
            p.start(files[first_file..].iter().map(|f| f.size).sum(), (files.len() - first_file) as u64);
        }
        let source = make_source(bytes_read.clone(), first_file, Some(self.config.pipeline.checkpoint_bytes));
        let mut documents_done = 0u64;
        let sink = |batch: Finished| {
            documents_done +=
                account(&mut reports, &mut totals, &batch, files.as_slice(), &mut |record| log.error(record));
            if let Some(point) = &batch.checkpoint {
                let stages = merge_stages(&resumed.stages, &point.stages);
                let seconds = resumed.seconds + started.elapsed().as_secs_f64();
                log.commit(ResumePoint {
                    reports: &reports,
                    totals: &totals,
                    stages: &stages,
                    exporters: &point.exporters,
                    files_done: point.files_done as usize,
                    seconds,
                    done: false,
                });
            }
            if let Some(p) = &options.progress {
                p.advance(bytes_read.load(Ordering::Relaxed), documents_done);
            }
        };
        let outcome = engine.run(source, sink).map_err(Error::Setup)?;
        if let Some(p) = &options.progress {
            p.finish();
        }
        log.flush()?;

        let mut stage_reports = merge_stages(&resumed.stages, &outcome.stages);
        for (i, seconds) in observed {
            stage_reports[i].observation_seconds = Some(seconds);
        }
        let report = RunReport {
            totals,
            stages: stage_reports,
            files: reports,
            seconds: resumed.seconds + started.elapsed().as_secs_f64(),
            threads,
            output_dir: output.clone(),
            shard: options.shard,
            attempt: resumed.attempt,
            files_already_done: first_file as u64,
        };
        self.write_manifest(&output, &report, started_unix, outcome.fatal.as_deref())?;
        match outcome.fatal {
            Some(message) => Err(Error::Stopped { message, report: Box::new(report) }),
            None => {
                let summaries: Vec<serde_json::Value> = report.stages
                    [self.stages.iter().filter(|s| s.kind != StageKind::Export).count()..]
                    .iter()
                    .map(|s| s.summary.clone().unwrap_or_default())
                    .collect();
                log.commit(ResumePoint {
                    reports: &report.files,
                    totals: &report.totals,
                    stages: &report.stages,
                    exporters: &summaries,
                    files_done: files.len(),
                    seconds: report.seconds,
                    done: true,
                });
                log.flush()?;
                Ok(report)
            }
        }
    }

    /// A digest of what decides a run's outputs: the input settings, the stages and their
    /// configs, the plugins' versions. A journal is only continued by a run with the same.
    fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let plugins: Vec<(&str, &str)> = self
            .stages
            .iter()
            .map(|s| (s.library.manifest.name.as_str(), s.library.manifest.version.as_str()))
            .collect();
        let what = serde_json::json!({ "input": self.config.input, "stages": self.config.stages, "plugins": plugins });
        let digest = Sha256::digest(what.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn write_manifest(
        &self,
        output: &Path,
        report: &RunReport,
        started_unix: u64,
        fatal: Option<&str>,
    ) -> Result<(), Error> {
        let mut plugins: Vec<PluginEntry> = Vec::new();
        for spec in &self.stages {
            let lib = &spec.library;
            if plugins.iter().any(|p| p.name == lib.manifest.name) {
                continue;
            }
            let m = &lib.manifest;
            plugins.push(PluginEntry {
                name: m.name.clone(),
                version: m.version.clone(),
                abi_version: m.abi_version.clone(),
                sdk_version: m.sdk_version.clone(),
                rustc: m.rustc.clone(),
                path: lib.path.clone(),
                sha256: lib.sha256().map(str::to_string),
            });
        }
        let status = match (fatal, report.has_failures()) {
            (Some(_), _) => RunStatus::Stopped,
            (None, true) => RunStatus::Failures,
            (None, false) => RunStatus::Ok,
        };
        let manifest = RunManifest {
            shard: report.shard,
            moulin_version: env!("CARGO_PKG_VERSION").to_string(),
            abi_version: moulin_abi::ABI_VERSION.to_string(),
            project: ProjectEntry { name: self.config.name.clone(), file: self.config.file.clone() },
            config: serde_json::to_value(&self.config).unwrap_or_default(),
            plugins,
            run: RunEntry {
                status,
                stopped_because: fatal.map(str::to_string),
                threads: report.threads,
                started_unix,
                seconds: report.seconds,
                text_mb_per_second: report.text_mb_per_second(),
                errors_file: "errors.jsonl".into(),
                journal_file: journal::FILE_NAME.into(),
                attempt: report.attempt,
                files_already_done: report.files_already_done,
            },
            totals: report.totals.clone(),
            stages: report.stages.clone(),
            files: report.files.clone(),
        };
        let path = output.join("manifest.json");
        let tmp = output.join("manifest.json.partial");
        let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
        std::fs::write(&tmp, text + "\n")
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|source| Error::Io { path, source })
    }
}

/// Find the library of a stage and check its config with the plugin.
fn resolve_stage(
    config: &ProjectConfig,
    registry: &Registry,
    extra: &mut Registry,
    stage: &StageConfig,
) -> Result<StageSpec, Vec<Problem>> {
    let as_path = stage.plugin.contains('/') || stage.plugin.ends_with(std::env::consts::DLL_SUFFIX);
    let (library, manifest) = if as_path {
        let path = config.file.parent().unwrap_or(Path::new(".")).join(&stage.plugin);
        let lib = crate::plugins::load_library(&path).map_err(|e| vec![Problem::Load(e)])?;
        if lib.manifest.stages.len() != 1 {
            let names: Vec<&str> = lib.manifest.stages.iter().map(|s| s.name.as_str()).collect();
            return Err(vec![Problem::Config(config.stage_error(
                stage,
                Some("plugin"),
                format!(
                    "library {} offers {} stages ({}); put it on the plugin path and name the stage instead",
                    path.display(),
                    names.len(),
                    names.join(", ")
                ),
            ))]);
        }
        let manifest = lib.manifest.stages[0].clone();
        if let Err(e) = extra.add(lib.clone()) {
            return Err(vec![Problem::Load(e)]);
        }
        (lib, manifest)
    } else {
        match registry.stage(&stage.plugin) {
            Some((lib, m)) => (lib.clone(), m.clone()),
            None => {
                let near = registry.nearest(&stage.plugin);
                let hint = if near.is_empty() {
                    let all = registry.stage_names();
                    if all.is_empty() {
                        "no plugin library was found on the plugin path ([plugins] paths, MOULIN_PLUGIN_PATH, the moulin executable's folder)".to_string()
                    } else {
                        format!("known stages: {}", all.join(", "))
                    }
                } else {
                    format!("did you mean {}?", near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or "))
                };
                return Err(vec![Problem::Config(config.stage_error(
                    stage,
                    Some("plugin"),
                    format!("unknown plugin stage `{}`; {hint}", stage.plugin),
                ))]);
            }
        }
    };
    let config_json = stage.config.to_string();
    let config_problem = |e: &moulin_abi::PluginError| {
        let key = plugin_error_key(e).filter(|k| !k.is_empty());
        let at = key.as_ref().map(|k| format!("config.{k}"));
        vec![Problem::Config(config.stage_error(
            stage,
            Some(at.as_deref().unwrap_or("config")),
            format!("{} (stage `{}`, plugin `{}`)", plugin_error_text(e), stage.id, manifest.name),
        ))]
    };
    library.check_config(&manifest.name, &config_json).map_err(|e| config_problem(&e))?;
    let mut spec = StageSpec::new(&stage.id, manifest.kind, library, &manifest.name, config_json);
    spec.project_dir = config.file.parent().map(Path::to_path_buf).unwrap_or_default();
    // What only an instance can check (a pattern file that must exist, relative to the
    // project) is checked by making one. Not exporters: making one may create its files.
    // Made as an observer, which expects no observations and records nothing here.
    if spec.kind != StageKind::Export {
        let probe = StageSpec { observing: true, ..spec.clone() };
        spec.library
            .new_stage(&spec.name, &spec.config_json, &probe.context_json(&config.output, 0, 1))
            .map_err(|e| config_problem(&e))?;
    }
    Ok(spec)
}

/// Whether a stage wants an observation pass: its manifest says it may, and an instance
/// made with the run's configuration says yes.
fn observation_wanted(spec: &StageSpec, output: &Path, threads: usize) -> Result<bool, Error> {
    let may = spec.library.manifest.stages.iter().any(|s| s.name == spec.name && s.observes);
    if !may {
        return Ok(false);
    }
    // Made as an observer: it only answers, and an observer expects no observations.
    let probe_spec = StageSpec { observing: true, ..spec.clone() };
    let mut probe = probe_spec.instantiate(output, 0, threads).map_err(Error::Setup)?;
    Ok(match probe.call_ext(moulin_abi::ext::OBSERVES.into(), "".into()) {
        moulin_abi::abi_stable::std_types::RResult::ROk(answer) => answer.as_str() == "true",
        moulin_abi::abi_stable::std_types::RResult::RErr(_) => false,
    })
}

/// Exporters run after every other stage, and a project writes something.
fn order_problems(config: &ProjectConfig, stages: &[StageSpec], problems: &mut Vec<Problem>) {
    if let Some(first_export) = stages.iter().position(|s| s.kind == StageKind::Export) {
        if let Some(late) = stages[first_export..].iter().find(|s| s.kind != StageKind::Export) {
            let stage = config.stages.iter().find(|s| s.id == late.id).expect("resolved from the config");
            problems.push(Problem::Config(config.stage_error(
                stage,
                None,
                format!("stage `{}` ({}) comes after exporter `{}`: exporters run last, after every transform and annotate stage", late.id, late.kind, stages[first_export].id),
            )));
        }
    } else if !stages.is_empty() && stages.len() == config.stages.len() {
        problems.push(Problem::Config(ConfigError {
            file: config.file.clone(),
            line: None,
            key: Some("stage".into()),
            message: "no export stage: the run would write no documents (add one, such as `plugin = \"jsonl\"`)".into(),
        }));
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io { path, source }
}

/// What a resumed run takes over from its journal (defaults for a new run).
#[derive(Default)]
struct Resumed {
    attempt: u32,
    files_done: usize,
    files: Vec<FileReport>,
    totals: Totals,
    stages: Vec<StageReport>,
    exporters: Vec<serde_json::Value>,
    seconds: f64,
}

/// Where a run writes what it is doing: `errors.jsonl` and the journal. The first failure
/// to write either is kept and returned by [`RunLog::flush`] (the pipeline's sink cannot
/// stop the run).
struct RunLog {
    errors: BufWriter<std::fs::File>,
    errors_path: PathBuf,
    journal: journal::Journal,
    files_committed: usize,
    next_commit: u64,
    failed: Option<Error>,
}

/// What a resume point records: the counts so far and where the run stands.
struct ResumePoint<'a> {
    /// Per input file, in walk order (those up to `files_done` are committed).
    reports: &'a [FileReport],
    totals: &'a Totals,
    stages: &'a [StageReport],
    /// Each exporter's state to continue from (or its summary, at the end).
    exporters: &'a [serde_json::Value],
    files_done: usize,
    seconds: f64,
    /// The run's last commit.
    done: bool,
}

impl RunLog {
    fn new(
        errors: std::fs::File,
        errors_path: PathBuf,
        journal: journal::Journal,
        files_committed: usize,
        next_commit: u64,
    ) -> RunLog {
        RunLog { errors: BufWriter::new(errors), errors_path, journal, files_committed, next_commit, failed: None }
    }

    fn error(&mut self, record: &ErrorRecord) {
        if self.failed.is_some() {
            return;
        }
        let written = serde_json::to_writer(&mut self.errors, record)
            .map_err(std::io::Error::from)
            .and_then(|_| self.errors.write_all(b"\n"));
        if let Err(e) = written {
            self.failed = Some(Error::Io { path: self.errors_path.clone(), source: e });
        }
    }

    /// Record a resume point: `errors.jsonl` is synced first, then the commit appended.
    fn commit(&mut self, point: ResumePoint<'_>) {
        let ResumePoint { reports, totals, stages, exporters, files_done, seconds, done } = point;
        if self.failed.is_some() {
            return;
        }
        let synced = self
            .errors
            .flush()
            .and_then(|_| self.errors.get_ref().sync_data())
            .and_then(|_| self.errors.get_ref().metadata());
        let errors_bytes = match synced {
            Ok(m) => m.len(),
            Err(e) => {
                self.failed = Some(Error::Io { path: self.errors_path.clone(), source: e });
                return;
            }
        };
        if journal::crash_point("after-errors", self.next_commit) {
            std::process::abort();
        }
        let commit = journal::Commit {
            commit: self.next_commit,
            files_done,
            files: reports[self.files_committed..files_done].to_vec(),
            totals: totals.clone(),
            stages: stages.to_vec(),
            exporters: exporters.to_vec(),
            errors_bytes,
            seconds,
            done,
        };
        match self.journal.append(&commit) {
            Ok(()) => {
                self.files_committed = files_done;
                self.next_commit += 1;
            }
            Err(e) => self.failed = Some(e.into()),
        }
    }

    fn flush(&mut self) -> Result<(), Error> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.errors.flush().map_err(|source| Error::Io { path: self.errors_path.clone(), source })
    }
}

/// The counts of earlier attempts (`base`, empty for a new run) plus this one's; what the
/// exporters report at the end (`summary`) is this attempt's, which counts earlier files.
fn merge_stages(base: &[StageReport], now: &[StageReport]) -> Vec<StageReport> {
    now.iter()
        .enumerate()
        .map(|(i, s)| match base.get(i) {
            Some(b) => {
                let mut merged = b.clone();
                merged.merge(s);
                merged.summary = s.summary.clone().or(merged.summary);
                merged
            }
            None => s.clone(),
        })
        .collect()
}

/// The report of a run its journal counts as complete.
fn finished_report(state: &journal::State, output: &Path, shard: Option<Shard>, threads: usize) -> RunReport {
    let last = state.last.clone().unwrap_or_default();
    RunReport {
        totals: last.totals,
        stages: last.stages,
        files: state.files.clone(),
        seconds: last.seconds,
        threads,
        output_dir: output.to_path_buf(),
        shard,
        attempt: state.attempts,
        files_already_done: state.files.len() as u64,
    }
}

/// Reads input files in order into batches.
struct Reader<'a> {
    files: &'a [InputFile],
    options: &'a ReadOptions,
    progress: Arc<AtomicU64>,
    batch_documents: usize,
    batch_bytes: u64,
    /// Mark a resume point at the end of the file that brings the bytes read since the last
    /// one to this many.
    checkpoint_every: Option<u64>,
}

impl Reader<'_> {
    /// Read `files[first..]`; batch origins are indexes into `files`.
    fn read(&self, first: usize, emit: &mut dyn FnMut(Batch) -> bool) {
        let (files, options, batch_documents, batch_bytes) =
            (self.files, self.options, self.batch_documents, self.batch_bytes);
        let progress = &self.progress;
        let mut since_checkpoint = 0u64;
        let mut batch = Batch::default();
        for (index, file) in files.iter().enumerate().skip(first) {
            let origin = index as u32;
            let mut stopped = false;
            let result = corpus::read_file(file, options, progress.clone(), |item| {
                if stopped {
                    return;
                }
                if !matches!(item, Item::Skipped { .. }) {
                    batch.count_read(origin);
                }
                match item {
                    Item::Doc(doc) => {
                        batch.text_bytes += doc.text.len() as u64;
                        batch.docs.push(doc);
                        batch.origins.push(origin);
                    }
                    Item::BadRecord { member, record, message } => batch.failures.push(Failure {
                        origin,
                        counts_as_document: true,
                        record: ErrorRecord {
                            path: None,
                            member,
                            record,
                            id: None,
                            stage: None,
                            kind: "read".into(),
                            message,
                        },
                    }),
                    Item::Skipped { reason } => batch.count_skipped(origin, reason),
                }
                if batch.docs.len() >= batch_documents || batch.text_bytes >= batch_bytes {
                    stopped = !emit(std::mem::take(&mut batch));
                }
            });
            if stopped {
                return;
            }
            if let Err(e) = result {
                batch.failures.push(Failure {
                    origin,
                    counts_as_document: false,
                    record: ErrorRecord {
                        path: None,
                        member: e.member,
                        record: None,
                        id: None,
                        stage: None,
                        kind: "file".into(),
                        message: format!("reading stopped: {}", e.message),
                    },
                });
            }
            // A resume point ends the batch at this file's end, so that no file is split by it.
            since_checkpoint += file.size;
            if self.checkpoint_every.is_some_and(|every| since_checkpoint >= every) && index + 1 < files.len() {
                batch.checkpoint = Some((index + 1) as u32);
                if !emit(std::mem::take(&mut batch)) {
                    return;
                }
                since_checkpoint = 0;
            }
        }
        if !batch.is_empty() {
            emit(batch);
        }
    }
}

/// Count a finished batch into the per-file reports and totals; returns the documents it
/// finished. Errors are handed to `on_error` with their file filled in.
fn account(
    reports: &mut [FileReport],
    totals: &mut Totals,
    batch: &Finished,
    files: &[InputFile],
    on_error: &mut dyn FnMut(&ErrorRecord),
) -> u64 {
    totals.text_bytes += batch.text_bytes;
    for &(origin, n) in &batch.read {
        reports[origin as usize].documents += n;
        totals.documents += n;
    }
    for &origin in &batch.origins {
        reports[origin as usize].exported += 1;
    }
    for (origin, reason, n) in &batch.skipped {
        *reports[*origin as usize].skipped.entry(reason.clone()).or_default() += n;
        *totals.skipped.entry(reason.clone()).or_default() += n;
    }
    totals.exported += batch.origins.len() as u64;
    for (origin, _, _) in &batch.dropped {
        reports[*origin as usize].dropped += 1;
    }
    totals.dropped += batch.dropped.len() as u64;
    for f in &batch.failures {
        let file = &files[f.origin as usize];
        let report = &mut reports[f.origin as usize];
        if f.counts_as_document {
            report.failed += 1;
            totals.failed += 1;
        } else {
            report.error = Some(f.record.message.clone());
            totals.files_failed += 1;
            tracing::warn!(path = %file.path.display(), error = %f.record.message, "Input file damaged; what was read before the damage is kept.");
        }
        let mut record = f.record.clone();
        record.path = Some(file.id.clone());
        on_error(&record);
    }
    (batch.origins.len() + batch.dropped.len() + batch.failures.iter().filter(|f| f.counts_as_document).count()) as u64
}

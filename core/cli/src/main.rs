//! The `moulin` command.
//!
//! Exit statuses: 0 a clean run; 1 the run went to its end but some inputs failed (see
//! `errors.jsonl`); 2 nothing was run: a problem in the project file or a plugin, a journal
//! `--resume` cannot continue, another run in the output folder; 3 the run had to stop (an
//! exporter failed, a stage kept panicking, an output could not be written).

use anyhow::Context;
use clap::{Parser, Subcommand};
use moulin::cluster::{self, State};
use moulin::shard::Shard;
use moulin::terminal::{stage_counts, TerminalProgress};
use moulin::{Error, Problem, Project, Registry, RunOptions, RunReport};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

const EXIT_FAILURES: u8 = 1;
const EXIT_CONFIG: u8 = 2;
const EXIT_STOPPED: u8 = 3;

/// Corpus processing with plugin stages: cleaners, detectors, taggers, exporters.
#[derive(Parser)]
#[command(name = "moulin", version, about, long_about = None)]
#[command(
    after_help = "Exit status: 0 clean run, 1 some inputs failed, 2 nothing was run (project, plugin, journal or lock problem), 3 run stopped.\n\
Logging: RUST_LOG (e.g. RUST_LOG=moulin=debug,plugin::normalize=trace)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a project over its corpus.
    Run {
        /// The project file.
        project: PathBuf,
        /// Worker threads (default: one per core; at most 4 a core).
        #[arg(long, short = 'j', default_value_t = 0)]
        threads: usize,
        /// Write outputs here instead of the project's output folder.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
        /// Run one shard of the input: I/N (from 0), `auto` (Slurm's SLURM_ARRAY_TASK_ID and
        /// SLURM_ARRAY_TASK_COUNT) or `auto/N` (also Kubernetes' JOB_COMPLETION_INDEX).
        /// Outputs go to part-I-of-N below the output folder.
        #[arg(long, value_name = "I/N|auto|auto/N")]
        shard: Option<String>,
        /// Continue the run recorded in the output folder's journal: skip the input files it
        /// counts as done, redo the rest. Starts a new run when there is no journal.
        #[arg(long)]
        resume: bool,
        /// Stop once this shard's part of pass K over every shard (from 0, in stage order)
        /// is done, before it is merged; `--resume` goes on. `moulin slurm` runs each such
        /// pass as a job array of its own this way.
        #[arg(long, value_name = "K")]
        until_pass: Option<u32>,
    },
    /// Show how far a run is: each shard done, partial or missing, with its documents and
    /// errors. Exit status 0 when every shard is done, 1 otherwise.
    Status {
        /// The run's output folder.
        output: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write report.html again in a run's output folder (or a folder of merged shards), from
    /// its manifest.json and errors file: one page, no network needed to open it.
    Report {
        /// The run's output folder.
        output: PathBuf,
    },
    /// Combine the shards of a finished run: manifest.json and errors.jsonl over all of them,
    /// in the output folder.
    Merge {
        /// The run's output folder.
        output: PathBuf,
        /// Also join each exporter's files into one (JSONL and CoNLL by bytes, CSV with one
        /// header, Parquet by row groups).
        #[arg(long)]
        concat: bool,
    },
    /// Write an sbatch script that runs a project as a Slurm job array, one shard a task,
    /// each with --shard auto --resume; submit it with --submit.
    Slurm {
        /// The project file.
        project: PathBuf,
        /// Tasks in the array (shards).
        #[arg(long)]
        tasks: usize,
        /// Slurm partition.
        #[arg(long)]
        partition: Option<String>,
        /// Time limit of a task (Slurm's format, such as 02:00:00).
        #[arg(long)]
        time: Option<String>,
        /// CPUs (worker threads) a task.
        #[arg(long, default_value_t = 2)]
        cpus_per_task: usize,
        /// Memory a task (Slurm's --mem, such as 4G).
        #[arg(long)]
        mem: Option<String>,
        /// Most tasks running at once.
        #[arg(long)]
        max_running: Option<usize>,
        /// Output folder (default: the project's).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The folder to write the scripts into (default: the output folder): moulin-slurm.sh,
        /// one moulin-slurm-pass-K.sh per pass over every shard, and moulin-slurm-submit.sh,
        /// which submits them in order.
        #[arg(long, value_name = "DIR")]
        scripts: Option<PathBuf>,
        /// Submit them with sbatch, each job array after the one before succeeded.
        #[arg(long)]
        submit: bool,
        /// With --submit: wait until every task ends (sbatch --wait); the exit status is
        /// sbatch's.
        #[arg(long, requires = "submit")]
        wait: bool,
    },
    /// Check a project without reading its corpus: the file, each plugin, each stage.
    Check {
        /// The project file.
        project: PathBuf,
    },
    /// List the plugin libraries on the plugin path and their stages.
    Plugins {
        /// Also search these folders or library files (as `[plugins] paths` would).
        #[arg(long = "path", short = 'p')]
        paths: Vec<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    // A reader that goes away (`moulin status out | head -1`) ends the program quietly, as it
    // ends any Unix tool, instead of making println! panic.
    #[cfg(unix)]
    // SAFETY: at the start of main, before any other thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .with_target(true)
        .init();
    let result = match cli.command {
        Command::Run { project, threads, output, quiet, shard, resume, until_pass } => {
            run(project, RunArgs { threads, output, quiet, shard, resume, until_pass })
        }
        Command::Status { output, json } => status(output, json),
        Command::Merge { output, concat } => merge(output, concat),
        Command::Report { output } => report(output),
        Command::Slurm {
            project,
            tasks,
            partition,
            time,
            cpus_per_task,
            mem,
            max_running,
            output,
            scripts,
            submit,
            wait,
        } => {
            let options =
                SlurmArgs { tasks, partition, time, cpus_per_task, mem, max_running, output, scripts, submit, wait };
            slurm(project, options)
        }
        Command::Check { project } => check(project),
        Command::Plugins { paths, json } => plugins(paths, json),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", chain(&e));
            ExitCode::from(EXIT_STOPPED)
        }
    }
}

/// An error and its causes, `: `-separated; a cause whose text the message already holds
/// (library errors name their cause) is not repeated.
fn chain(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause);
        }
    }
    text
}

fn print_problems(problems: &[Problem]) {
    eprintln!("{} problem(s):", problems.len());
    for p in problems {
        eprintln!("- {}", p.to_string().replace('\n', "\n  "));
    }
}

/// Load a project; its problems are printed and give exit status 2.
fn load(file: &std::path::Path) -> anyhow::Result<Result<Project, ExitCode>> {
    match Project::load(file) {
        Ok(p) => Ok(Ok(p)),
        Err(Error::Invalid(problems)) => {
            print_problems(&problems);
            Ok(Err(ExitCode::from(EXIT_CONFIG)))
        }
        Err(e) => Err(e).context("loading the project"),
    }
}

/// `moulin run`'s options.
struct RunArgs {
    threads: usize,
    output: Option<PathBuf>,
    quiet: bool,
    shard: Option<String>,
    resume: bool,
    until_pass: Option<u32>,
}

fn run(project: PathBuf, args: RunArgs) -> anyhow::Result<ExitCode> {
    let RunArgs { threads, output, quiet, shard, resume, until_pass } = args;
    let shard = match shard.as_deref().map(|value| Shard::from_arg(value, |name| std::env::var(name).ok())).transpose()
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: --shard: {e}");
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
    };
    let project = match load(&project)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    if let Some(k) = until_pass {
        let passes = project.global_passes().context("asking the stages for their passes")?;
        if k as usize >= passes.len() {
            eprintln!("error: --until-pass {k}: the project has {} pass(es) over every shard (from 0)", passes.len());
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
    }
    let progress: Option<Arc<dyn moulin::Progress>> =
        if quiet || !std::io::stderr().is_terminal() { None } else { Some(Arc::new(TerminalProgress::stderr())) };
    let options = RunOptions { threads, output, progress, shard, resume, until_pass };
    match project.run_with(&options) {
        Ok(RunReport { paused: Some(at), output_dir, .. }) => {
            println!("{}: paused after {at} (--until-pass); `--resume` goes on", output_dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Ok(report) => {
            if resume && report.totals.files > 0 && report.files_already_done == report.totals.files {
                println!("{}: the run is already complete; nothing to do", report.output_dir.display());
            }
            print_summary(&report);
            Ok(ExitCode::from(if report.has_failures() { EXIT_FAILURES } else { 0 }))
        }
        Err(Error::Stopped { reason, report }) => {
            print_summary(&report);
            eprintln!("error: the run stopped: {reason}");
            Ok(ExitCode::from(EXIT_STOPPED))
        }
        Err(Error::Invalid(problems)) => {
            print_problems(&problems);
            Ok(ExitCode::from(EXIT_CONFIG))
        }
        Err(e @ (Error::Resume { .. } | Error::Lock(_))) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(EXIT_CONFIG))
        }
        Err(e @ Error::Pass { .. }) => {
            eprintln!("error: the run stopped before its main pass: {e}");
            Ok(ExitCode::from(EXIT_STOPPED))
        }
        Err(e) => Err(e).context("running the project"),
    }
}

fn print_summary(report: &RunReport) {
    print!("{report}");
}

fn check(project: PathBuf) -> anyhow::Result<ExitCode> {
    let check = Project::check(&project);
    for line in &check.lines {
        println!("{} {:<6} {}", if line.ok { "ok  " } else { "FAIL" }, line.what, line.detail);
    }
    if check.problems.is_empty() {
        println!("no problems");
        Ok(ExitCode::SUCCESS)
    } else {
        print_problems(&check.problems);
        Ok(ExitCode::from(EXIT_CONFIG))
    }
}

fn plugins(paths: Vec<PathBuf>, json: bool) -> anyhow::Result<ExitCode> {
    let search = moulin::plugins::search_path(&paths);
    let (registry, errors) = Registry::discover(&search);
    if json {
        let libs: Vec<_> = registry
            .libraries()
            .iter()
            .map(|l| serde_json::json!({ "path": l.path, "sha256": l.sha256(), "manifest": l.manifest }))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "search_path": search, "libraries": libs }))
                .unwrap_or_default()
        );
    } else {
        println!("plugin path: {}", search.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "));
        for lib in registry.libraries() {
            let m = &lib.manifest;
            println!(
                "\n{} {} (ABI {}, SDK {}, {})\n  {}",
                m.name,
                m.version,
                m.abi_version,
                m.sdk_version,
                m.rustc,
                lib.origin()
            );
            for s in &m.stages {
                println!("  {:<14} {:<10} {}", s.name, s.kind.to_string(), s.summary);
            }
        }
        if registry.libraries().is_empty() {
            println!("\nno plugin library found");
        }
    }
    if errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!();
        print_problems(&errors.into_iter().map(Problem::Load).collect::<Vec<_>>());
        Ok(ExitCode::from(EXIT_CONFIG))
    }
}

fn status(output: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let shards = cluster::status(&output).with_context(|| format!("reading the run in {}", output.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&shards).unwrap_or_default());
    } else {
        println!(
            "{:<18} {:<8} {:>13} {:>12} {:>12} {:>8} {:>8}",
            "shard", "state", "files", "documents", "exported", "errors", "attempts"
        );
        for s in &shards {
            let name = s
                .dir
                .file_name()
                .filter(|_| s.shard.is_some())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "(one run)".into());
            let state = s.state.name();
            let files =
                if s.state == State::Missing { "-".to_string() } else { format!("{}/{}", s.files_done, s.files) };
            // A run going now: its counts so far, not those of its last resume point.
            let totals = s.live.as_ref().map_or(&s.totals, |l| &l.totals);
            let errors = totals.failed + totals.files_failed + totals.walk_errors;
            println!(
                "{:<18} {:<8} {:>13} {:>12} {:>12} {:>8} {:>8}",
                name, state, files, totals.documents, totals.exported, errors, s.attempts
            );
            if let Some(live) = &s.live {
                println!("  stages: {}", stage_counts(&live.stages));
            }
        }
        let done = shards.iter().filter(|s| s.state == State::Done).count();
        println!("{done} of {} done", shards.len());
    }
    Ok(if shards.iter().all(|s| s.state == State::Done) { ExitCode::SUCCESS } else { ExitCode::from(EXIT_FAILURES) })
}

fn report(output: PathBuf) -> anyhow::Result<ExitCode> {
    let page = moulin::report_page::write(&output).context("writing the report")?;
    println!("{}", page.display());
    Ok(ExitCode::SUCCESS)
}

fn merge(output: PathBuf, concat: bool) -> anyhow::Result<ExitCode> {
    let merged = match cluster::merge(&output, concat) {
        Ok(m) => m,
        Err(e @ cluster::ClusterError::Invalid { .. }) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_FAILURES));
        }
        Err(e) => return Err(e).context("merging"),
    };
    let t = &merged.totals;
    println!(
        "{} shards: {} files ({} failed), {} documents: {} exported, {} dropped, {} failed",
        merged.shards, t.files, t.files_failed, t.documents, t.exported, t.dropped, t.failed
    );
    for (stage, file, bytes) in &merged.concatenated {
        println!("{stage}: {} ({bytes} bytes)", output.join(file).display());
    }
    for (stage, why) in &merged.not_concatenated {
        println!("{stage}: files left in the shard folders: {why}");
    }
    println!("manifest: {}", output.join("manifest.json").display());
    Ok(ExitCode::SUCCESS)
}

struct SlurmArgs {
    tasks: usize,
    partition: Option<String>,
    time: Option<String>,
    cpus_per_task: usize,
    mem: Option<String>,
    max_running: Option<usize>,
    output: Option<PathBuf>,
    scripts: Option<PathBuf>,
    submit: bool,
    wait: bool,
}

fn slurm(project_file: PathBuf, args: SlurmArgs) -> anyhow::Result<ExitCode> {
    if args.tasks == 0 || args.cpus_per_task == 0 {
        eprintln!("error: --tasks and --cpus-per-task must be at least 1");
        return Ok(ExitCode::from(EXIT_CONFIG));
    }
    // The project is checked here, before anything is queued.
    let project = match load(&project_file)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let absolute = |p: &std::path::Path| std::path::absolute(p).with_context(|| format!("resolving {}", p.display()));
    let output = absolute(&args.output.clone().unwrap_or_else(|| project.config.output.clone()))?;
    let mut options = cluster::SlurmOptions::new(
        std::env::current_exe().context("finding the moulin program")?,
        absolute(&project_file)?,
        output.clone(),
        args.tasks,
    );
    options.partition = args.partition;
    options.time = args.time;
    options.cpus_per_task = args.cpus_per_task;
    options.memory = args.mem;
    options.max_running = args.max_running;
    // Slurm opens the tasks' log files before they start: the folder must exist.
    std::fs::create_dir_all(output.join("slurm"))
        .with_context(|| format!("creating {}", output.join("slurm").display()))?;
    options.passes = match project.global_passes() {
        Ok(passes) => passes,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
    };
    let dir = absolute(&args.scripts.unwrap_or_else(|| output.clone()))?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, text) in cluster::slurm_scripts(&options, &dir) {
        let path = dir.join(&name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    let submit = dir.join(cluster::SUBMIT);
    if !options.passes.is_empty() {
        println!(
            "{} pass(es) over every shard: a job array each, then the run's, each after the one before",
            options.passes.len()
        );
    }
    if !args.submit {
        println!("submit them with: bash {}", submit.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut sbatch = std::process::Command::new("bash");
    sbatch.arg(&submit);
    if args.wait {
        sbatch.arg("--wait");
    }
    let status = sbatch.status().context("running sbatch (is Slurm installed, and sbatch on PATH?)")?;
    println!("follow it with: moulin status {}", output.display());
    if !status.success() {
        eprintln!("error: sbatch exited with {status}");
        return Ok(ExitCode::from(EXIT_STOPPED));
    }
    if args.wait {
        println!("then: moulin merge {} --concat", output.display());
    }
    Ok(ExitCode::SUCCESS)
}

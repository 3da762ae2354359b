//! The `moulin` command.
//!
//! Exit statuses: 0 a clean run; 1 the run went to its end but some inputs failed (see
//! `errors.jsonl`); 2 a problem in the project file or a plugin (nothing was run); 3 the run
//! had to stop (an exporter failed, a stage kept panicking, an output could not be written).

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
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
#[command(after_help = "Exit status: 0 clean run, 1 some inputs failed, 2 project or plugin problem, 3 run stopped.\n\
Logging: RUST_LOG (e.g. RUST_LOG=moulin=debug,plugin::normalize=trace).")]
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
        /// Worker threads (default: one per core).
        #[arg(long, short = 'j', default_value_t = 0)]
        threads: usize,
        /// Write outputs here instead of the project's output folder.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
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
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .with_target(true)
        .init();
    let result = match cli.command {
        Command::Run { project, threads, output, quiet } => run(project, threads, output, quiet),
        Command::Check { project } => check(project),
        Command::Plugins { paths, json } => plugins(paths, json),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_STOPPED)
        }
    }
}

fn print_problems(problems: &[Problem]) {
    eprintln!("{} problem(s):", problems.len());
    for p in problems {
        eprintln!("- {}", p.to_string().replace('\n', "\n  "));
    }
}

struct Bar(ProgressBar);

impl moulin::Progress for Bar {
    fn start(&self, total_bytes: u64, files: u64) {
        self.0.set_length(total_bytes);
        self.0.set_message(format!("{files} files"));
    }
    fn advance(&self, bytes_read: u64, documents: u64) {
        self.0.set_position(bytes_read);
        self.0.set_message(format!("{documents} documents"));
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn run(project: PathBuf, threads: usize, output: Option<PathBuf>, quiet: bool) -> anyhow::Result<ExitCode> {
    let project = match Project::load(&project) {
        Ok(p) => p,
        Err(Error::Invalid(problems)) => {
            print_problems(&problems);
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
        Err(e) => return Err(e).context("loading the project"),
    };
    let progress: Option<Arc<dyn moulin::Progress>> = if quiet || !std::io::stderr().is_terminal() {
        None
    } else {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg}")
                .expect("the template is valid"),
        );
        Some(Arc::new(Bar(bar)))
    };
    let output_dir = output.clone().unwrap_or_else(|| project.config.output.clone());
    let options = RunOptions { threads, output, progress };
    match project.run_with(&options) {
        Ok(report) => {
            print_summary(&report, &output_dir);
            Ok(ExitCode::from(if report.has_failures() { EXIT_FAILURES } else { 0 }))
        }
        Err(Error::Stopped { message, report }) => {
            print_summary(&report, &output_dir);
            eprintln!("error: the run stopped: {message}");
            Ok(ExitCode::from(EXIT_STOPPED))
        }
        Err(Error::Invalid(problems)) => {
            print_problems(&problems);
            Ok(ExitCode::from(EXIT_CONFIG))
        }
        Err(e) => Err(e).context("running the project"),
    }
}

fn print_summary(report: &RunReport, output: &std::path::Path) {
    let t = &report.totals;
    println!(
        "{} files ({} failed), {} documents: {} exported, {} dropped, {} failed; {:.1} MB of text in {:.2} s ({:.1} MB/s, {} threads)",
        t.files,
        t.files_failed,
        t.documents,
        t.exported,
        t.dropped,
        t.failed,
        t.text_bytes as f64 / 1e6,
        report.seconds,
        report.text_mb_per_second(),
        report.threads
    );
    if t.walk_errors > 0 {
        println!("{} problems while walking the input", t.walk_errors);
    }
    if !t.skipped.is_empty() {
        let reasons: Vec<String> = t.skipped.iter().map(|(reason, n)| format!("{n} {reason}")).collect();
        println!("{} records skipped, not documents: {}", t.skipped.values().sum::<u64>(), reasons.join(", "));
    }
    println!("{:<16} {:<12} {:>10} {:>10} {:>9} {:>8} {:>9}", "stage", "plugin", "in", "out", "dropped", "failed", "seconds");
    for s in &report.stages {
        let dropped: u64 = s.dropped.values().sum();
        println!("{:<16} {:<12} {:>10} {:>10} {:>9} {:>8} {:>9.3}", s.id, s.plugin, s.documents_in, s.documents_out, dropped, s.failed, s.seconds);
        for (reason, n) in &s.dropped {
            println!("{:<16}   dropped {n}: {reason}", "");
        }
        if s.restarts > 0 {
            println!("{:<16}   remade {} time(s) after a panic", "", s.restarts);
        }
    }
    println!("outputs in {}", output.display());
    if report.has_failures() {
        println!("failures are listed in {}", output.join("errors.jsonl").display());
    }
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
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "search_path": search, "libraries": libs })).unwrap_or_default());
    } else {
        println!("plugin path: {}", search.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "));
        for lib in registry.libraries() {
            let m = &lib.manifest;
            println!("\n{} {} (ABI {}, SDK {}, {})\n  {}", m.name, m.version, m.abi_version, m.sdk_version, m.rustc, lib.origin());
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

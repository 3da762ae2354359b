//! The Slurm job array script that runs a sharded run's tasks.

use std::path::PathBuf;

/// What [`slurm_script`] writes.
#[derive(Debug, Clone)]
pub struct SlurmOptions {
    /// The moulin program the tasks run (an absolute path).
    pub moulin: PathBuf,
    /// The project file (an absolute path).
    pub project: PathBuf,
    /// The run's output folder (absolute); shards go below it and the tasks' logs to
    /// `slurm/` in it.
    pub output: PathBuf,
    /// Tasks in the array: shards.
    pub tasks: usize,
    /// `--partition`.
    pub partition: Option<String>,
    /// `--time` (such as `02:00:00`).
    pub time: Option<String>,
    /// `--cpus-per-task`: each task's worker threads.
    pub cpus_per_task: usize,
    /// `--mem` (such as `4G`).
    pub memory: Option<String>,
    /// The job's name.
    pub job_name: String,
    /// Most tasks running at once (`--array=0-N%K`).
    pub max_running: Option<usize>,
}

impl SlurmOptions {
    /// Defaults: 2 CPUs a task, no partition, time or memory given (the cluster's).
    pub fn new(moulin: PathBuf, project: PathBuf, output: PathBuf, tasks: usize) -> SlurmOptions {
        let job_name =
            format!("moulin-{}", project.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
        SlurmOptions {
            moulin,
            project,
            output,
            tasks,
            partition: None,
            time: None,
            cpus_per_task: 2,
            memory: None,
            job_name,
            max_running: None,
        }
    }
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-+:=@%,".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// An sbatch script for a job array of `tasks` tasks, each running its shard with
/// `--shard auto/N --resume`: a task that is requeued or run again continues where it
/// stopped. The count is written out so that the array task id is the shard whatever the
/// array holds: `sbatch --array=3,5 script` runs shards 3 and 5 again. A task whose run went to its end with failed inputs (exit status 1) counts as
/// done: its failures are in its `errors.jsonl`.
pub fn slurm_script(o: &SlurmOptions) -> String {
    let mut s = String::from("#!/bin/bash\n");
    s += &format!("# Written by `moulin slurm` ({}): one task a shard.\n", env!("CARGO_PKG_VERSION"));
    s += &format!("#SBATCH --job-name={}\n", shell_quote(&o.job_name));
    let max_running = o.max_running.map(|k| format!("%{k}")).unwrap_or_default();
    s += &format!("#SBATCH --array=0-{}{max_running}\n", o.tasks.saturating_sub(1));
    s += "#SBATCH --ntasks=1\n";
    s += &format!("#SBATCH --cpus-per-task={}\n", o.cpus_per_task);
    if let Some(p) = &o.partition {
        s += &format!("#SBATCH --partition={}\n", shell_quote(p));
    }
    if let Some(t) = &o.time {
        s += &format!("#SBATCH --time={}\n", shell_quote(t));
    }
    if let Some(m) = &o.memory {
        s += &format!("#SBATCH --mem={}\n", shell_quote(m));
    }
    let logs = o.output.join("slurm");
    s += &format!("#SBATCH --output={}\n", shell_quote(&logs.join("%A_%a.out").to_string_lossy()));
    s += "#SBATCH --open-mode=append\n";
    s += "#SBATCH --requeue\n\n";
    s += "set -u\n";
    s += &format!(
        "{} run {} --output {} --shard auto/{} --resume --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" --quiet\n",
        shell_quote(&o.moulin.to_string_lossy()),
        shell_quote(&o.project.to_string_lossy()),
        shell_quote(&o.output.to_string_lossy()),
        o.tasks
    );
    s += "status=$?\n";
    s += "# 1: the run went to its end and some inputs failed (listed in errors.jsonl).\n";
    s += "if [ \"$status\" -eq 1 ]; then exit 0; fi\n";
    s += "exit \"$status\"\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_quotes_what_it_must() {
        let mut o = SlurmOptions::new("/opt/moulin bin/moulin".into(), "/p/it's.toml".into(), "/p/out".into(), 8);
        o.partition = Some("short".into());
        o.time = Some("01:00:00".into());
        o.max_running = Some(2);
        let s = slurm_script(&o);
        assert!(s.contains("#SBATCH --array=0-7%2\n"), "{s}");
        assert!(s.contains("#SBATCH --partition=short\n"));
        assert!(s.contains("#SBATCH --time=01:00:00\n"));
        assert!(
            s.contains("'/opt/moulin bin/moulin' run '/p/it'\\''s.toml' --output /p/out --shard auto/8 --resume"),
            "{s}"
        );
        assert!(s.contains("#SBATCH --output=/p/out/slurm/%A_%a.out"));
    }
}

//! The Slurm job array script that runs a sharded run's tasks.

use std::path::PathBuf;

/// What [`slurm_scripts`] writes.
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
    /// The project's passes over every shard ([`crate::Project::global_passes`]): each is a
    /// job array of its own, before the run's.
    pub passes: Vec<(String, u32)>,
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
            passes: Vec::new(),
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

/// The main script's name; the passes' scripts and the submitting one are beside it.
pub const SCRIPT: &str = "moulin-slurm.sh";
/// The script that submits every job array in order.
pub const SUBMIT: &str = "moulin-slurm-submit.sh";

/// The scripts `moulin slurm` writes into `dir`, by file name: one job array per pass over
/// every shard (`moulin-slurm-pass-<k>.sh`, each task running its shard with `--until-pass
/// k`), the run's own array ([`SCRIPT`]), and [`SUBMIT`], which submits them in order, each
/// array depending on the one before (`--dependency=afterok`). The arguments of the submit
/// script go to the last `sbatch` (`--wait`).
pub fn slurm_scripts(o: &SlurmOptions, dir: &std::path::Path) -> Vec<(String, String)> {
    let mut scripts: Vec<(String, String)> = o
        .passes
        .iter()
        .enumerate()
        .map(|(k, (stage, pass))| (format!("moulin-slurm-pass-{k}.sh"), array_script(o, Some((k, stage, *pass)))))
        .collect();
    scripts.push((SCRIPT.to_string(), array_script(o, None)));
    let mut submit = String::from("#!/bin/bash\n");
    submit += &format!(
        "# Written by `moulin slurm` ({}): the job arrays in order, each after the one before succeeded.\n",
        env!("CARGO_PKG_VERSION")
    );
    submit += "# Arguments (such as --wait) go to the last sbatch.\nset -euo pipefail\ndependency=()\n";
    for (name, _) in &scripts[..scripts.len() - 1] {
        let path = shell_quote(&dir.join(name).to_string_lossy());
        submit += &format!(
            "job=$(sbatch --parsable \"${{dependency[@]}}\" {path})\njob=${{job%%;*}}\necho \"submitted {name}: job $job\"\ndependency=(--dependency=afterok:\"$job\")\n"
        );
    }
    submit += &format!("sbatch \"${{dependency[@]}}\" \"$@\" {}\n", shell_quote(&dir.join(SCRIPT).to_string_lossy()));
    scripts.push((SUBMIT.to_string(), submit));
    scripts
}

/// An sbatch script for a job array of `tasks` tasks, each running its shard with
/// `--shard auto/N --resume` (and `--until-pass k` for pass `k` over every shard): a task
/// that is requeued or run again continues where it stopped. The count is written out so
/// that the array task id is the shard whatever the array holds: `sbatch --array=3,5 script`
/// runs shards 3 and 5 again. A task whose run went to its end with failed inputs (exit
/// status 1) counts as done: its failures are in its `errors.jsonl`.
fn array_script(o: &SlurmOptions, pass: Option<(usize, &String, u32)>) -> String {
    let mut s = String::from("#!/bin/bash\n");
    match pass {
        Some((k, stage, p)) => {
            s += &format!(
                "# Written by `moulin slurm` ({}): one task a shard, pass {} of stage `{stage}` over every shard (global pass {k}).\n",
                env!("CARGO_PKG_VERSION"),
                p + 1
            );
        }
        None => s += &format!("# Written by `moulin slurm` ({}): one task a shard.\n", env!("CARGO_PKG_VERSION")),
    }
    let name = match pass {
        Some((k, ..)) => format!("{}-pass-{k}", o.job_name),
        None => o.job_name.clone(),
    };
    s += &format!("#SBATCH --job-name={}\n", shell_quote(&name));
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
    let until = pass.map(|(k, ..)| format!(" --until-pass {k}")).unwrap_or_default();
    s += &format!(
        "{} run {} --output {} --shard auto/{} --resume{until} --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" --quiet\n",
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
        let scripts = slurm_scripts(&o, std::path::Path::new("/p/out"));
        assert_eq!(scripts.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), [SCRIPT, SUBMIT]);
        let s = &scripts[0].1;
        assert!(s.contains("#SBATCH --array=0-7%2\n"), "{s}");
        assert!(s.contains("#SBATCH --partition=short\n"));
        assert!(s.contains("#SBATCH --time=01:00:00\n"));
        assert!(
            s.contains("'/opt/moulin bin/moulin' run '/p/it'\\''s.toml' --output /p/out --shard auto/8 --resume"),
            "{s}"
        );
        assert!(s.contains("#SBATCH --output=/p/out/slurm/%A_%a.out"));
    }

    #[test]
    fn passes_over_every_shard_are_job_arrays_each_depending_on_the_one_before() {
        let mut o = SlurmOptions::new("/bin/moulin".into(), "/p/p.toml".into(), "/p/out".into(), 4);
        o.passes = vec![("dedup".into(), 0), ("other".into(), 0)];
        let scripts = slurm_scripts(&o, std::path::Path::new("/p/out"));
        let names: Vec<&str> = scripts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["moulin-slurm-pass-0.sh", "moulin-slurm-pass-1.sh", SCRIPT, SUBMIT]);
        assert!(scripts[1].1.contains("--shard auto/4 --resume --until-pass 1 --threads"), "{}", scripts[1].1);
        assert!(!scripts[2].1.contains("--until-pass"));
        let submit = &scripts[3].1;
        let first = submit.find("/p/out/moulin-slurm-pass-0.sh").unwrap();
        let second = submit.find("/p/out/moulin-slurm-pass-1.sh").unwrap();
        let last = submit.find("\"$@\" /p/out/moulin-slurm.sh").unwrap();
        assert!(first < second && second < last, "{submit}");
        assert_eq!(submit.matches("dependency=(--dependency=afterok:\"$job\")").count(), 2, "{submit}");
    }
}

//! Runs split into shards over a cluster: how far each shard is ([`status`]), one summary
//! of all of them once they are done ([`merge`]), and the Slurm job array script that runs
//! them ([`slurm_script`]).
//!
//! A sharded run's output folder holds one folder per shard, `part-I-of-N`, each with its
//! outputs, `manifest.json`, `errors.jsonl` and `journal.jsonl` (written by the run's journal).
//!
//! ```
//! use moulin::cluster::{slurm_script, SlurmOptions};
//!
//! let options = SlurmOptions::new("/bin/moulin".into(), "/p/project.toml".into(), "/p/out".into(), 4);
//! let script = slurm_script(&options);
//! assert!(script.contains("#SBATCH --array=0-3"));
//! assert!(script.contains("--shard auto/4 --resume"));
//! ```

use crate::report::{ConcatenatedFile, FileReport, MergedManifest, RunManifest, StageReport, Totals};
use crate::run::journal;
use crate::shard::Shard;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
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

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ClusterError {
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
            },
            Some(s) => ShardStatus {
                shard,
                state: if s.done() {
                    State::Done
                } else if journal::is_locked(&dir) {
                    State::Running
                } else {
                    State::Partial
                },
                dir,
                attempts: s.attempts,
                files_done: s.files_done,
                files: s.header.files.len(),
                totals: s.last.map(|c| c.totals).unwrap_or_default(),
            },
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

/// What [`merge`] wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Merged {
    /// Shards merged.
    pub shards: usize,
    /// The sums over every shard.
    pub totals: Totals,
    /// Per stage, summed.
    pub stages: Vec<StageReport>,
    /// Files written by concatenation: exporter stage id, file name in the folder, bytes.
    pub concatenated: Vec<(String, String, u64)>,
    /// Exporters whose files were left as they are, and why.
    pub not_concatenated: Vec<(String, String)>,
}

/// Combine the shards of a finished run in `dir`: `manifest.json` and `errors.jsonl` in
/// `dir` over all of them. With `concatenate`, also join each exporter's files into one
/// (`docs.jsonl.zst` from every `part-I-of-N/docs.part-NNNNN.jsonl.zst`), in shard order,
/// for the exporters whose summary says how (`"concatenate": "bytes"` or
/// `"skip_first_line"`, for a header).
pub fn merge(dir: &Path, concatenate: bool) -> Result<Merged, ClusterError> {
    let shards = status(dir)?;
    if shards.iter().any(|s| s.shard.is_none()) {
        return Err(ClusterError::Invalid {
            path: dir.to_path_buf(),
            message: "this folder holds one run, not shards: there is nothing to merge".into(),
        });
    }
    let unfinished: Vec<String> = shards
        .iter()
        .filter(|s| s.state != State::Done)
        .map(|s| format!("{} ({})", s.dir.display(), s.state.name()))
        .collect();
    if !unfinished.is_empty() {
        return Err(ClusterError::Invalid {
            path: dir.to_path_buf(),
            message: format!("not every shard is done: {}", unfinished.join(", ")),
        });
    }
    let mut manifests = Vec::new();
    for s in &shards {
        let path = s.dir.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let manifest: RunManifest = serde_json::from_str(&text).map_err(|e| ClusterError::Invalid {
            path: path.clone(),
            message: format!("expected a run manifest: {e}"),
        })?;
        manifests.push((s, path, manifest));
    }

    let mut merged = Merged { shards: shards.len(), ..Default::default() };
    let mut files: Vec<FileReport> = Vec::new();
    let mut summaries: Vec<Vec<(String, serde_json::Value)>> = Vec::new();
    for (s, path, manifest) in &manifests {
        add_totals(&mut merged.totals, &manifest.totals);
        let stages = &manifest.stages;
        if merged.stages.is_empty() {
            merged.stages = stages
                .iter()
                .map(|st| StageReport {
                    id: st.id.clone(),
                    plugin: st.plugin.clone(),
                    kind: st.kind.clone(),
                    ..Default::default()
                })
                .collect();
            summaries = vec![Vec::new(); stages.len()];
        }
        if stages.iter().map(|st| &st.id).ne(merged.stages.iter().map(|st| &st.id)) {
            return Err(ClusterError::Invalid {
                path: path.clone(),
                message: "its stages are not those of the first shard: the shards ran different projects".into(),
            });
        }
        let shard_dir = s.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for (i, st) in stages.iter().enumerate() {
            merged.stages[i].merge(st);
            if let Some(summary) = &st.summary {
                summaries[i].push((shard_dir.clone(), summary.clone()));
            }
        }
        files.extend(manifest.files.iter().cloned());
    }
    for (i, stage) in merged.stages.iter_mut().enumerate() {
        if !summaries[i].is_empty() {
            stage.summary = Some(merge_summaries(&summaries[i]));
        }
    }

    // errors.jsonl: every shard's, in shard order.
    let sources: Vec<PathBuf> = shards.iter().map(|s| s.dir.join("errors.jsonl")).collect();
    join_files(&dir.join("errors.jsonl"), &sources, false)?;

    if concatenate {
        for (i, stage) in merged.stages.iter().enumerate() {
            if stage.kind != "export" {
                continue;
            }
            match concatenate_stage(dir, &stage.id, &summaries[i])? {
                Concatenated::Joined(written) => {
                    merged.concatenated.extend(written.into_iter().map(|(name, bytes)| (stage.id.clone(), name, bytes)))
                }
                Concatenated::NotJoinable(why) => merged.not_concatenated.push((stage.id.clone(), why)),
            }
        }
    }

    let first = &manifests[0].2;
    let manifest = MergedManifest {
        moulin_version: env!("CARGO_PKG_VERSION").to_string(),
        merged_from: shards
            .iter()
            .map(|s| s.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            .collect(),
        project: first.project.clone(),
        config: first.config.clone(),
        plugins: first.plugins.clone(),
        errors_file: "errors.jsonl".into(),
        concatenated: merged
            .concatenated
            .iter()
            .map(|(stage, file, bytes)| ConcatenatedFile { stage: stage.clone(), file: file.clone(), bytes: *bytes })
            .collect(),
        totals: merged.totals.clone(),
        stages: merged.stages.clone(),
        files,
    };
    let path = dir.join("manifest.json");
    let tmp = dir.join("manifest.json.partial");
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, &path)).map_err(io(&path))?;
    Ok(merged)
}

fn add_totals(sum: &mut Totals, t: &Totals) {
    sum.files += t.files;
    sum.files_failed += t.files_failed;
    sum.walk_errors += t.walk_errors;
    sum.documents += t.documents;
    sum.exported += t.exported;
    sum.dropped += t.dropped;
    sum.failed += t.failed;
    for (reason, n) in &t.skipped {
        *sum.skipped.entry(reason.clone()).or_default() += n;
    }
    sum.text_bytes += t.text_bytes;
    sum.input_bytes += t.input_bytes;
}

/// Exporter summaries of every shard as one: numbers summed, file lists joined with each
/// shard's folder in front, other values from the first shard.
fn merge_summaries(summaries: &[(String, serde_json::Value)]) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for (shard_dir, summary) in summaries {
        let Some(object) = summary.as_object() else { continue };
        for (key, value) in object {
            match (out.get_mut(key), value) {
                (_, serde_json::Value::Array(names)) if key == "files" => {
                    let entry = out.entry(key.clone()).or_insert_with(|| serde_json::Value::Array(Vec::new()));
                    if let Some(list) = entry.as_array_mut() {
                        list.extend(
                            names
                                .iter()
                                .filter_map(|n| n.as_str())
                                .map(|n| serde_json::Value::from(format!("{shard_dir}/{n}"))),
                        );
                    }
                }
                (Some(serde_json::Value::Number(a)), serde_json::Value::Number(b)) => {
                    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
                        *a = (x + y).into();
                    }
                }
                (None, v) => {
                    out.insert(key.clone(), v.clone());
                }
                _ => {}
            }
        }
    }
    serde_json::Value::Object(out)
}

/// `docs.part-00003.jsonl.zst` -> `docs.jsonl.zst` (names without a part number stay).
fn whole_name(name: &str) -> String {
    let (dir, file) = match name.rsplit_once('/') {
        Some((d, f)) => (Some(d), f),
        None => (None, name),
    };
    let joined = match file.find(".part-") {
        Some(at) if file[at + 6..].len() >= 5 && file[at + 6..at + 11].bytes().all(|b| b.is_ascii_digit()) => {
            format!("{}{}", &file[..at], &file[at + 11..])
        }
        _ => file.to_string(),
    };
    match dir {
        Some(d) => format!("{d}/{joined}"),
        None => joined,
    }
}

/// What `merge --concat` made of one exporter's files.
enum Concatenated {
    /// The joined files: name and bytes.
    Joined(Vec<(String, u64)>),
    /// Why they were left as they are.
    NotJoinable(String),
}

/// Join one exporter's files, by the rule its summary names.
fn concatenate_stage(
    dir: &Path,
    stage: &str,
    summaries: &[(String, serde_json::Value)],
) -> Result<Concatenated, ClusterError> {
    let how = summaries.first().and_then(|(_, s)| s.get("concatenate")).and_then(|h| h.as_str()).unwrap_or("");
    let join: fn(&Path, &[PathBuf]) -> Result<u64, ClusterError> = match how {
        "bytes" => |path, sources| join_files(path, sources, false),
        "skip_first_line" => |path, sources| join_files(path, sources, true),
        #[cfg(feature = "parquet")]
        "parquet_row_groups" => join_parquet,
        #[cfg(not(feature = "parquet"))]
        "parquet_row_groups" => {
            return Ok(Concatenated::NotJoinable(format!(
                "exporter `{stage}` writes Parquet, and this moulin was built without the `parquet` feature"
            )))
        }
        "" => {
            return Ok(Concatenated::NotJoinable(format!(
                "exporter `{stage}` does not say how its files can be joined"
            )))
        }
        other => {
            return Ok(Concatenated::NotJoinable(format!(
                "exporter `{stage}` asks for `{other}`, which this moulin does not know"
            )))
        }
    };
    // Target name -> source files, in shard and part order.
    let mut targets: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for (shard_dir, summary) in summaries {
        for name in summary.get("files").and_then(|f| f.as_array()).into_iter().flatten().filter_map(|n| n.as_str()) {
            targets.entry(whole_name(name)).or_default().push(dir.join(shard_dir).join(name));
        }
    }
    let mut written = Vec::new();
    for (name, sources) in targets {
        let bytes = join(&dir.join(&name), &sources)?;
        written.push((name, bytes));
    }
    Ok(Concatenated::Joined(written))
}

/// Write `sources` one after the other to `path` (under `.partial`, synced, renamed when
/// complete), without the first line of each but the first when `skip_first_line`; the
/// bytes written.
fn join_files(path: &Path, sources: &[PathBuf], skip_first_line: bool) -> Result<u64, ClusterError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io(&tmp))?);
    for (k, source) in sources.iter().enumerate() {
        let mut reader = BufReader::new(std::fs::File::open(source).map_err(io(source))?);
        if skip_first_line && k > 0 {
            let mut header = Vec::new();
            reader.read_until(b'\n', &mut header).map_err(io(source))?;
        }
        std::io::copy(&mut reader, &mut out).map_err(io(&tmp))?;
    }
    let file = out.into_inner().map_err(|e| ClusterError::Io { path: tmp.clone(), source: e.into_error() })?;
    file.sync_all().map_err(io(&tmp))?;
    let bytes = file.metadata().map_err(io(&tmp))?.len();
    drop(file);
    std::fs::rename(&tmp, path).map_err(io(path))?;
    Ok(bytes)
}

/// Write the row groups of the Parquet files `sources`, in order, to `path` as they are
/// (compressed pages copied, nothing decoded); the schema and key-value metadata (the Arrow
/// schema) are the first file's, and every file must have that schema. Page indexes are
/// not carried over.
#[cfg(feature = "parquet")]
fn join_parquet(path: &Path, sources: &[PathBuf]) -> Result<u64, ClusterError> {
    use parquet::column::writer::ColumnCloseResult;
    use parquet::file::{metadata::ParquetMetaDataReader, properties::WriterProperties, writer::SerializedFileWriter};
    let bad = |p: &Path, e: parquet::errors::ParquetError| ClusterError::Invalid {
        path: p.to_path_buf(),
        message: format!("cannot join this Parquet file: {e}"),
    };
    let mut inputs = Vec::new();
    for source in sources {
        let file = std::fs::File::open(source).map_err(io(source))?;
        let metadata = ParquetMetaDataReader::new().parse_and_finish(&file).map_err(|e| bad(source, e))?;
        inputs.push((source, file, metadata));
    }
    let Some((_, _, first)) = inputs.first() else {
        return Err(ClusterError::Invalid { path: path.to_path_buf(), message: "no Parquet file to join".into() });
    };
    let schema = first.file_metadata().schema_descr().root_schema_ptr();
    let properties =
        WriterProperties::builder().set_key_value_metadata(first.file_metadata().key_value_metadata().cloned()).build();
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    let out = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    let mut writer =
        SerializedFileWriter::new(out, schema, std::sync::Arc::new(properties)).map_err(|e| bad(&tmp, e))?;
    for (source, file, metadata) in &inputs {
        if metadata.file_metadata().schema() != first.file_metadata().schema() {
            return Err(ClusterError::Invalid {
                path: source.to_path_buf(),
                message: "its schema is not the first file's".into(),
            });
        }
        for group in metadata.row_groups() {
            let mut group_out = writer.next_row_group().map_err(|e| bad(&tmp, e))?;
            for column in group.columns() {
                let chunk = ColumnCloseResult {
                    bytes_written: column.compressed_size() as u64,
                    rows_written: group.num_rows() as u64,
                    metadata: column.clone(),
                    bloom_filter: None,
                    column_index: None,
                    offset_index: None,
                };
                group_out.append_column(file, chunk).map_err(|e| bad(source, e))?;
            }
            group_out.close().map_err(|e| bad(&tmp, e))?;
        }
    }
    let out = writer.into_inner().map_err(|e| bad(&tmp, e))?;
    out.sync_all().map_err(io(&tmp))?;
    let bytes = out.metadata().map_err(io(&tmp))?.len();
    drop(out);
    std::fs::rename(&tmp, path).map_err(io(path))?;
    Ok(bytes)
}

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
    fn part_numbers_come_out_of_names() {
        assert_eq!(whole_name("docs.part-00003.jsonl.zst"), "docs.jsonl.zst");
        assert_eq!(whole_name("sub/docs.part-00000.csv"), "sub/docs.csv");
        assert_eq!(whole_name("docs.jsonl"), "docs.jsonl");
        assert_eq!(whole_name("docs.part-x.jsonl"), "docs.part-x.jsonl");
    }

    #[test]
    fn summaries_add_up_and_files_keep_their_shard() {
        let a =
            serde_json::json!({"files": ["d.part-00000.jsonl"], "documents": 2, "bytes": 10, "concatenate": "bytes"});
        let b = serde_json::json!({"files": ["d.part-00000.jsonl", "d.part-00001.jsonl"], "documents": 3, "bytes": 5, "concatenate": "bytes"});
        let m = merge_summaries(&[("part-0-of-2".into(), a), ("part-1-of-2".into(), b)]);
        assert_eq!(
            m,
            serde_json::json!({"files": ["part-0-of-2/d.part-00000.jsonl", "part-1-of-2/d.part-00000.jsonl", "part-1-of-2/d.part-00001.jsonl"], "documents": 5, "bytes": 15, "concatenate": "bytes"})
        );
    }

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

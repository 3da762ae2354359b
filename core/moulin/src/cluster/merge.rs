//! `moulin merge`: one manifest and one `errors.jsonl` over every shard of a finished run,
//! and, with `--concat`, each exporter's files joined into one by the rule its summary
//! names. The host knows no output format: files are joined byte after byte, or by the
//! exporter itself ([`Join::Plugin`], loaded from the library the manifest names).

use super::{io, status, ClusterError, State};
use crate::plugins::plugin_error_text;
use crate::report::{ConcatenatedFile, FileReport, MergedManifest, RunManifest, StageReport, Totals};
use moulin_abi::abi_stable::std_types::RResult;
use moulin_abi::contract::{ExportSummary, Join, JoinRequest, StageContext};
use moulin_abi::StageBox;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

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
    let shards = finished_shards(dir)?;
    let manifests = shards
        .iter()
        .map(|s| {
            let path = s.dir.join("manifest.json");
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            let manifest: RunManifest = serde_json::from_str(&text).map_err(|e| ClusterError::Invalid {
                path: path.clone(),
                message: format!("expected a run manifest: {e}"),
            })?;
            Ok((s, path, manifest))
        })
        .collect::<Result<Vec<_>, ClusterError>>()?;
    let (mut merged, files, summaries) = sum_shards(&manifests)?;

    // errors.jsonl: every shard's, in shard order.
    let sources: Vec<PathBuf> = shards.iter().map(|s| s.dir.join("errors.jsonl")).collect();
    join_files(&dir.join("errors.jsonl"), &sources, false)?;

    if concatenate {
        for (i, stage) in merged.stages.iter().enumerate() {
            if stage.kind != "export" {
                continue;
            }
            match concatenate_stage(dir, stage, &manifests[0].2, &summaries[i])? {
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
        entities: {
            let mut entities = crate::content::FrequentEntities::default();
            for (_, _, m) in &manifests {
                entities.merge(&m.entities);
            }
            entities
        },
    };
    let path = dir.join("manifest.json");
    let tmp = dir.join("manifest.json.partial");
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, &path)).map_err(io(&path))?;
    // The merged run's page; the merge does not fail for want of it.
    if let Err(e) = crate::report_page::write(dir) {
        tracing::warn!("{e}");
    }
    Ok(merged)
}

/// The shards of the run in `dir`, when every one is done.
fn finished_shards(dir: &Path) -> Result<Vec<super::ShardStatus>, ClusterError> {
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
    Ok(shards)
}

/// Every shard's counts summed, their files' reports in order, and each stage's exporter
/// summaries by shard folder.
type Sums = (Merged, Vec<FileReport>, Vec<Vec<(String, ExportSummary)>>);

fn sum_shards(manifests: &[(&super::ShardStatus, PathBuf, RunManifest)]) -> Result<Sums, ClusterError> {
    let mut merged = Merged { shards: manifests.len(), ..Default::default() };
    let mut files: Vec<FileReport> = Vec::new();
    let mut summaries: Vec<Vec<(String, ExportSummary)>> = Vec::new();
    for (s, path, manifest) in manifests {
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
            // Only exporters report a summary.
            if let Some(summary) = st.summary.as_ref().filter(|_| st.kind == "export") {
                let summary: ExportSummary = serde_json::from_value(summary.clone()).map_err(|e| {
                    ClusterError::Invalid { path: path.clone(), message: format!("stage `{}`: {e}", st.id) }
                })?;
                summaries[i].push((shard_dir.clone(), summary));
            }
        }
        files.extend(manifest.files.iter().cloned());
    }
    for (i, stage) in merged.stages.iter_mut().enumerate() {
        if !summaries[i].is_empty() {
            stage.summary = serde_json::to_value(merge_summaries(&summaries[i])).ok();
        }
    }
    Ok((merged, files, summaries))
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
    sum.content.merge(&t.content);
}

/// Exporter summaries of every shard as one: counts summed, file lists joined with each
/// shard's folder in front (with their lengths when every shard gives them), the join rule
/// the first shard's.
fn merge_summaries(summaries: &[(String, ExportSummary)]) -> ExportSummary {
    let mut out =
        ExportSummary { concatenate: summaries.first().and_then(|(_, s)| s.concatenate), ..Default::default() };
    let lengths = summaries.iter().all(|(_, s)| s.file_bytes.len() == s.files.len());
    for (shard_dir, summary) in summaries {
        out.files.extend(summary.files.iter().map(|n| format!("{shard_dir}/{n}")));
        if lengths {
            out.file_bytes.extend(&summary.file_bytes);
        }
        out.documents += summary.documents;
        out.rows += summary.rows;
        out.bytes += summary.bytes;
        for (key, value) in &summary.extra {
            match (out.extra.get_mut(key), value.as_u64()) {
                (Some(serde_json::Value::Number(sum)), Some(n)) => {
                    *sum = (sum.as_u64().unwrap_or(0) + n).into();
                }
                (None, _) => {
                    out.extra.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
    }
    out
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
    stage: &StageReport,
    manifest: &RunManifest,
    summaries: &[(String, ExportSummary)],
) -> Result<Concatenated, ClusterError> {
    let id = &stage.id;
    let Some(join) = summaries.first().and_then(|(_, s)| s.concatenate) else {
        return Ok(Concatenated::NotJoinable(format!("exporter `{id}` does not say how its files can be joined")));
    };
    let mut plugin = None;
    if join == Join::Plugin {
        match plugin_joiner(dir, stage, manifest) {
            Ok(instance) => plugin = Some(instance),
            Err(why) => {
                return Ok(Concatenated::NotJoinable(format!("exporter `{id}` joins its own files, but {why}")))
            }
        }
    }
    // Target name -> source files, in shard and part order.
    let mut targets: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for (shard_dir, summary) in summaries {
        for name in &summary.files {
            targets.entry(whole_name(name)).or_default().push(dir.join(shard_dir).join(name));
        }
    }
    let mut written = Vec::new();
    for (name, sources) in targets {
        let target = dir.join(&name);
        let bytes = match plugin.as_mut() {
            Some(instance) => join_by_plugin(instance, id, sources, target)?,
            None => join_files(&target, &sources, join == Join::SkipFirstLine)?,
        };
        written.push((name, bytes));
    }
    if plugin.is_some() {
        let _ = std::fs::remove_dir_all(scratch_dir(dir));
    }
    Ok(Concatenated::Joined(written))
}

/// Where the exporter made to join files may write (nothing, as a rule); removed after.
fn scratch_dir(dir: &Path) -> PathBuf {
    dir.join(".moulin-join")
}

/// An instance of the exporter of `stage`, from the library the shard's manifest says it
/// was loaded from, with the stage's configuration.
fn plugin_joiner(dir: &Path, stage: &StageReport, manifest: &RunManifest) -> Result<StageBox, String> {
    let library = manifest
        .plugins
        .iter()
        .filter_map(|p| p.path.as_ref())
        .filter_map(|path| crate::plugins::load_library(path).ok())
        .find(|lib| lib.manifest.stages.iter().any(|s| s.name == stage.plugin))
        .ok_or_else(|| format!("no library the run's manifest names, offering `{}`, can be loaded", stage.plugin))?;
    let config = manifest.config["stages"]
        .as_array()
        .and_then(|stages| stages.iter().find(|s| s["id"] == stage.id.as_str()))
        .map(|s| s["config"].to_string())
        .unwrap_or_else(|| "{}".into());
    let scratch = scratch_dir(dir);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let ctx =
        StageContext { stage_id: stage.id.clone(), output_dir: scratch, worker: 0, threads: 1, ..Default::default() };
    let ctx = serde_json::to_string(&ctx).unwrap_or_default();
    library.new_stage(&stage.plugin, &config, &ctx).map_err(|e| plugin_error_text(&e))
}

/// Ask an exporter to join `sources` into `target`; the bytes it wrote.
fn join_by_plugin(
    instance: &mut StageBox,
    id: &str,
    sources: Vec<PathBuf>,
    target: PathBuf,
) -> Result<u64, ClusterError> {
    let payload = serde_json::to_string(&JoinRequest { sources, target: target.clone() }).unwrap_or_default();
    match instance.call_ext(moulin_abi::ext::JOIN.into(), payload.as_str().into()) {
        RResult::ROk(bytes) => Ok(bytes.trim().parse().unwrap_or(0)),
        RResult::RErr(e) => Err(ClusterError::Invalid {
            path: target,
            message: format!("exporter `{id}` could not join its files: {}", plugin_error_text(&e)),
        }),
    }
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
        let summary = |files: &[&str], documents, bytes| ExportSummary {
            files: files.iter().map(|f| f.to_string()).collect(),
            documents,
            rows: documents,
            bytes,
            file_bytes: vec![bytes / files.len() as u64; files.len()],
            open: None,
            concatenate: Some(Join::Bytes),
            extra: [("dropped".to_string(), serde_json::json!(documents - 1))].into(),
        };
        let a = summary(&["d.part-00000.jsonl"], 2, 10);
        let b = summary(&["d.part-00000.jsonl", "d.part-00001.jsonl"], 3, 5);
        let m = merge_summaries(&[("part-0-of-2".into(), a), ("part-1-of-2".into(), b)]);
        assert_eq!(m.extra["dropped"], 3);
        assert_eq!(
            ExportSummary { extra: Default::default(), ..m },
            ExportSummary {
                extra: Default::default(),
                file_bytes: vec![10, 2, 2],
                ..summary(
                    &[
                        "part-0-of-2/d.part-00000.jsonl",
                        "part-1-of-2/d.part-00000.jsonl",
                        "part-1-of-2/d.part-00001.jsonl"
                    ],
                    5,
                    15
                )
            }
        );
    }
}

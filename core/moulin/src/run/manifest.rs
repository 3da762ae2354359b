//! The run manifest: `manifest.json`, what a run was (project, plugins with their digests,
//! settings) and what it counted, written at the end of every run; and the fingerprint a
//! journal is continued by.

use super::journal;
use crate::project::Project;
use crate::report::{PluginEntry, ProjectEntry, RunEntry, RunManifest, RunReport, RunStatus};
use crate::Error;
use std::path::Path;

/// A digest of what decides a run's outputs: the input settings, the stages and their
/// configs, the plugins' versions. A journal is only continued by a run with the same.
pub(crate) fn fingerprint(project: &Project) -> String {
    use sha2::{Digest, Sha256};
    let plugins: Vec<(&str, &str)> = project
        .stages()
        .iter()
        .map(|s| (s.library.manifest.name.as_str(), s.library.manifest.version.as_str()))
        .collect();
    let what =
        serde_json::json!({ "input": project.config.input, "stages": project.config.stages, "plugins": plugins });
    let digest = Sha256::digest(what.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Write `manifest.json` (by way of a `.partial` file renamed, so that it is whole or absent).
pub(crate) fn write_manifest(
    project: &Project,
    output: &Path,
    report: &RunReport,
    started_unix: u64,
    fatal: Option<&crate::StageError>,
) -> Result<(), Error> {
    let mut plugins: Vec<PluginEntry> = Vec::new();
    for spec in project.stages() {
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
        project: ProjectEntry { name: project.config.name.clone(), file: project.config.file.clone() },
        config: serde_json::to_value(&project.config).unwrap_or_default(),
        plugins,
        run: RunEntry {
            status,
            stopped_because: fatal.map(ToString::to_string),
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

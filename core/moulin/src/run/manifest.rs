//! The run manifest: `manifest.json`, what a run was (project, plugins with their digests,
//! settings) and what it counted, written at the end of every run; and the fingerprint a
//! journal is continued by.

use super::journal;
use crate::project::Project;
use crate::report::{PluginEntry, ProjectEntry, RunEntry, RunManifest, RunReport, RunStatus};
use crate::Error;
use std::path::Path;

/// What decides a run's outputs, as a journal keeps it: a run continues a journal only
/// when they are the same.
pub(crate) struct Fingerprint {
    /// A digest of the input settings, the stages and their configs, the plugins' versions,
    /// and of `named`.
    pub digest: String,
    /// The files besides the project file: each plugin library, and each file or folder a
    /// stage's config names (a string that is a path, relative to the project folder, of
    /// something that exists and is not in the output folder), with a digest of its content.
    pub named: Vec<(String, String)>,
}

/// Files over this size are known by their size and modification time, not their content,
/// so that a run over a large model or index does not start by reading all of it.
const HASHED_BYTES: u64 = 64 << 20;

/// The [`Fingerprint`] of a project whose output folder is `output`.
pub(crate) fn fingerprint(project: &Project, output: &Path) -> Fingerprint {
    use sha2::{Digest, Sha256};
    let plugins: Vec<(&str, &str)> = project
        .stages()
        .iter()
        .map(|s| (s.library.manifest.name.as_str(), s.library.manifest.version.as_str()))
        .collect();
    let named = named_files(project, output);
    let what = serde_json::json!({
        "input": project.config.input, "stages": project.config.stages, "plugins": plugins, "named": named,
    });
    let digest = Sha256::digest(what.to_string().as_bytes());
    Fingerprint { digest: digest.iter().map(|b| format!("{b:02x}")).collect(), named }
}

/// The plugin libraries and the files stage configs name, each with its digest.
fn named_files(project: &Project, output: &Path) -> Vec<(String, String)> {
    let mut named: Vec<(String, String)> = Vec::new();
    for spec in project.stages() {
        if let (Some(path), Some(digest)) = (&spec.library.path, spec.library.sha256()) {
            let label = format!("the plugin library {}", path.display());
            if !named.iter().any(|(l, _)| *l == label) {
                named.push((label, digest.to_string()));
            }
        }
    }
    let base = project.config.file.parent().unwrap_or(Path::new(""));
    let output = std::fs::canonicalize(output).ok();
    for stage in &project.config.stages {
        let mut strings = Vec::new();
        strings_of(&stage.config, &mut strings);
        for s in strings {
            let path = base.join(s);
            let Ok(real) = std::fs::canonicalize(&path) else { continue };
            if output.as_ref().is_some_and(|o| real.starts_with(o)) {
                continue;
            }
            if let Some(digest) = content_digest(&real) {
                named.push((format!("{s} (named by stage {})", stage.id), digest));
            }
        }
    }
    named
}

/// Every string in a config value, in order.
fn strings_of<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) if !s.is_empty() => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings_of(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings_of(v, out)),
        _ => {}
    }
}

/// A digest of a file's content (or its size and time, past [`HASHED_BYTES`]), or of a
/// folder's files and their digests; `None` for what cannot be read.
fn content_digest(path: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    let meta = std::fs::metadata(path).ok()?;
    let mut hasher = Sha256::new();
    if meta.is_dir() {
        for entry in walkdir::WalkDir::new(path).sort_by_file_name().into_iter().flatten() {
            if entry.file_type().is_file() {
                hasher.update(entry.path().strip_prefix(path).ok()?.as_os_str().as_encoded_bytes());
                hasher.update(content_digest(entry.path())?.as_bytes());
            }
        }
    } else if meta.len() > HASHED_BYTES {
        let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
        hasher.update(format!("{} bytes, modified {}", meta.len(), modified.as_nanos()).as_bytes());
    } else {
        std::io::copy(&mut std::fs::File::open(path).ok()?, &mut hasher).ok()?;
    }
    Some(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
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
        entities: report.entities.clone(),
    };
    let path = output.join("manifest.json");
    let tmp = output.join("manifest.json.partial");
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    std::fs::write(&tmp, text + "\n")
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|source| Error::Io { path, source })
}

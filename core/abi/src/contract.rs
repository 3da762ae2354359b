//! The JSON that crosses the ABI, as types both sides use.
//!
//! The ABI passes some things as JSON text: the context a stage is made with, the manifest
//! a library describes itself with. The host writes the one and reads the other, the SDK the
//! other way round, and both go through these types, so that a field renamed on one side is
//! renamed on the other (and a plugin built before the rename is caught by the test that
//! builds one from an earlier SDK). Fields added after ABI 1.0 have defaults, so that older
//! plugins and hosts still understand each other; the layout of the ABI's own types does not
//! depend on any of this.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Facts about the run a stage instance is made for (the SDK's `StageContext`).
///
/// Fields are added as the host learns to tell stages more; in tests, build one with
/// `StageContext { stage_id: "x".into(), ..Default::default() }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageContext {
    /// The stage id from the project file (`clean`, `export`, ...). Use it as the `source`
    /// of spans.
    pub stage_id: String,
    /// The run's output folder; exporters write below it.
    pub output_dir: PathBuf,
    /// Which worker this instance serves (0-based); exporters have one instance, worker 0.
    pub worker: usize,
    /// How many workers the run has.
    pub threads: usize,
    /// The folder of the project file: relative paths in a stage's config (a pattern file,
    /// a gazetteer) are relative to it. Empty for an embedder's pipeline (then the current
    /// folder).
    #[serde(default)]
    pub project_dir: PathBuf,
    /// For a stage that observes: true during the observation pass, when the stage records
    /// what it needs and leaves documents unchanged.
    #[serde(default)]
    pub observing: bool,
    /// For a stage that observes, in the main pass: what every instance's `finish` returned
    /// in the observation pass, in worker order.
    #[serde(default)]
    pub observations: Vec<serde_json::Value>,
    /// For an exporter of a project run: where to start. In a resumed run, what its
    /// `checkpoint` returned at the resume point: everything it wrote after that point is to
    /// be discarded, and numbering goes on from there. In a new run, `{}`: whatever an
    /// earlier run left under its names is to be discarded. `None` outside a project run (an
    /// embedder's pipeline, a test). The SDK's `output::Outputs::for_stage` does all of it.
    #[serde(default)]
    pub resume: Option<serde_json::Value>,
}

impl StageContext {
    /// `path` as the project means it: relative to the project file's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() || self.project_dir.as_os_str().is_empty() {
            path.to_path_buf()
        } else {
            self.project_dir.join(path)
        }
    }
}

/// What a stage does, which decides what the host allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum StageKind {
    /// Cleaners: may rewrite the text (keeping spans valid) and drop documents.
    Transform,
    /// Detectors, taggers: may add spans, set the language and meta, and drop documents, but
    /// not change the text.
    Annotate,
    /// Exporters: write documents; run once, after every other stage, in document order.
    Export,
}

impl StageKind {
    /// The name used in manifests and project files.
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Transform => "transform",
            StageKind::Annotate => "annotate",
            StageKind::Export => "export",
        }
    }
}

impl std::fmt::Display for StageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stage a library offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageManifest {
    /// The stage name projects use.
    pub name: String,
    /// What it does.
    pub kind: StageKind,
    /// One line.
    pub summary: String,
    /// An example `config` table (TOML).
    #[serde(default)]
    pub example_config: String,
    /// Whether the stage may ask for an observation pass over the input before the run.
    #[serde(default)]
    pub observes: bool,
}

/// A library's manifest (`PluginModule::manifest_json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryManifest {
    /// The library's name (its crate name).
    pub name: String,
    /// The library's version.
    pub version: String,
    /// The ABI version it was built against.
    pub abi_version: String,
    /// The SDK version it was built with.
    #[serde(default)]
    pub sdk_version: String,
    /// The compiler that built it.
    #[serde(default)]
    pub rustc: String,
    /// Its stages.
    pub stages: Vec<StageManifest>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contracts_round_trip_and_need_their_required_fields() {
        let ctx = StageContext {
            stage_id: "s".into(),
            output_dir: "out".into(),
            worker: 1,
            threads: 2,
            project_dir: "p".into(),
            observing: true,
            observations: vec![serde_json::json!({ "a": 1 })],
            resume: Some(serde_json::json!({})),
        };
        let text = serde_json::to_string(&ctx).unwrap();
        assert_eq!(serde_json::from_str::<StageContext>(&text).unwrap(), ctx);
        // A field renamed on one side only is an error, not a default.
        let renamed = text.replace("\"stage_id\"", "\"stage\"");
        assert!(serde_json::from_str::<StageContext>(&renamed).unwrap_err().to_string().contains("stage_id"));

        let m = LibraryManifest {
            name: "moulin-x".into(),
            version: "0.1.0".into(),
            abi_version: "1.0.0".into(),
            sdk_version: "0.2.0".into(),
            rustc: "1.95".into(),
            stages: vec![StageManifest {
                name: "x".into(),
                kind: StageKind::Annotate,
                summary: "X.".into(),
                example_config: String::new(),
                observes: false,
            }],
        };
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains("\"kind\":\"annotate\""), "{text}");
        assert_eq!(serde_json::from_str::<LibraryManifest>(&text).unwrap(), m);
        assert!(serde_json::from_str::<LibraryManifest>(&text.replace("\"stages\"", "\"stage\"")).is_err());
    }
}

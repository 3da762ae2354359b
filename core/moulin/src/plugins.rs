//! Finding, loading and describing plugin libraries.
//!
//! Libraries load with `lib_header_from_path(..).init_root_module()`, never
//! `RootModule::load_from_file` (which caches one module per interface type and would hand
//! the first plugin back for the second). They are never unloaded. Every problem is
//! gathered into a [`LoadError`] that says, in a few lines, what was expected and what was
//! found; abi_stable's own report (hundreds of lines) goes to the debug log.

use crate::hostlog::HostLogger;
use moulin_abi::{
    abi_stable::{
        library::{lib_header_from_path, LibraryError, RootModuleError},
        std_types::{RResult, RStr},
    },
    ErrorKind, HostCtx_TO, PluginError, PluginModule_Ref, StageBox, ABI_MAJOR, ABI_VERSION,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// What kind of stage, a stage's manifest entry and a library's manifest: the types the
/// SDK writes the manifest with (`moulin_abi::contract`).
pub use moulin_abi::contract::{LibraryManifest as Manifest, StageKind, StageManifest};

/// A loaded plugin library.
#[derive(Clone)]
pub struct Library {
    /// Where it was loaded from; `None` for a statically linked module.
    pub path: Option<PathBuf>,
    /// Its manifest.
    pub manifest: Manifest,
    /// SHA-256 of the library file, computed the first time it is asked for: a run loads
    /// every library on the plugin path but records only those its stages use.
    sha256: Arc<OnceLock<Option<String>>>,
    module: PluginModule_Ref,
}

impl fmt::Debug for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Library").field("path", &self.path).field("manifest", &self.manifest).finish()
    }
}

impl Library {
    /// SHA-256 of the library file, hex (`None` for a statically linked module or a file
    /// that can no longer be read). Computed once, on first use.
    pub fn sha256(&self) -> Option<&str> {
        self.sha256.get_or_init(|| self.path.as_deref().and_then(sha256_of)).as_deref()
    }

    /// Where the library came from, for messages.
    pub fn origin(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => format!("{} (linked in)", self.manifest.name),
        }
    }

    /// Ask the library to check a stage's configuration.
    pub fn check_config(&self, stage: &str, config_json: &str) -> Result<(), PluginError> {
        match (self.module.check_config())(RStr::from(stage), RStr::from(config_json)) {
            RResult::ROk(()) => Ok(()),
            RResult::RErr(e) => Err(e),
        }
    }

    /// Make a stage instance.
    pub fn new_stage(&self, stage: &str, config_json: &str, context_json: &str) -> Result<StageBox, PluginError> {
        let host = HostCtx_TO::from_ptr(
            moulin_abi::abi_stable::std_types::RArc::new(HostLogger::new(&self.manifest.name)),
            moulin_abi::abi_stable::sabi_trait::TD_Opaque,
        );
        match (self.module.new_stage())(RStr::from(stage), RStr::from(config_json), RStr::from(context_json), host) {
            RResult::ROk(s) => Ok(s),
            RResult::RErr(e) => Err(e),
        }
    }
}

/// Why a library could not be loaded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LoadProblem {
    /// No file at the path.
    Missing,
    /// The file is not a shared library the system can load.
    NotALibrary {
        /// The loader's reason.
        reason: String,
    },
    /// A shared library without the moulin root module.
    NotAPlugin,
    /// Built for another ABI version.
    AbiVersion {
        /// The plugin's ABI version.
        found: String,
    },
    /// Same ABI version, different layout (a moulin-abi changed without a version bump).
    Layout {
        /// The checker's `Error:` lines.
        summary: String,
    },
    /// Built with another version of abi_stable, or an incompatible C ABI.
    AbiStable {
        /// What differs.
        detail: String,
    },
    /// The library's root module constructor returned an error.
    ConstructorError {
        /// Its message.
        message: String,
    },
    /// The library's root module constructor panicked.
    ConstructorPanic,
    /// Built with `panic = "abort"`: any panic would end the host.
    PanicAbort,
    /// The manifest is not what the ABI says.
    BadManifest {
        /// What is wrong.
        reason: String,
    },
    /// Two libraries offer the same stage name.
    DuplicateStage {
        /// The stage name.
        stage: String,
        /// The other library that offers it.
        first: String,
    },
}

/// A library that could not be loaded, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    /// The library's path.
    pub path: PathBuf,
    /// What went wrong.
    pub problem: LoadProblem,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.path.display();
        let (what, expected, found) = match &self.problem {
            LoadProblem::Missing => ("missing plugin library".to_string(), "a shared library file".to_string(), "no file at this path".to_string()),
            LoadProblem::NotALibrary { reason } => ("not a shared library".into(), format!("a {} shared library", std::env::consts::DLL_EXTENSION), reason.clone()),
            LoadProblem::NotAPlugin => (
                "not a moulin plugin".into(),
                "a library built with moulin-plugin's export_plugin!".into(),
                "a shared library without the moulin root module".into(),
            ),
            LoadProblem::AbiVersion { found } => (
                format!("built for ABI {found}, this host loads ABI {ABI_VERSION}"),
                format!("a plugin built against moulin-abi {ABI_MAJOR}.x"),
                format!("moulin-abi {found}; rebuild the plugin against moulin-abi {ABI_MAJOR}.x"),
            ),
            LoadProblem::Layout { summary } => (
                "ABI layout mismatch".into(),
                format!("the layout of moulin-abi {ABI_VERSION}"),
                format!("a different layout under the same version (a changed moulin-abi without a version bump):\n{summary}"),
            ),
            LoadProblem::AbiStable { detail } => ("incompatible abi_stable".into(), "abi_stable 0.11".into(), detail.clone()),
            LoadProblem::ConstructorError { message } => ("plugin failed to initialise".into(), "the root module".into(), format!("an error: {message}")),
            LoadProblem::ConstructorPanic => ("plugin panicked while initialising".into(), "the root module".into(), "a panic in its constructor".into()),
            LoadProblem::PanicAbort => (
                "plugin built with panic = \"abort\"".into(),
                "a plugin built with panic = \"unwind\" (the default)".into(),
                "panic = \"abort\": any panic in it would kill the whole run; rebuild without it".into(),
            ),
            LoadProblem::BadManifest { reason } => ("bad plugin manifest".into(), "the manifest JSON of the ABI".into(), reason.clone()),
            LoadProblem::DuplicateStage { stage, first } => (
                format!("stage `{stage}` is offered twice"),
                "one library per stage name".into(),
                format!("`{stage}` here and in {first}; rename the stage in this library (its `Stage::NAME`), or take it off the plugin path"),
            ),
        };
        write!(f, "{p}: {what}\n  expected: {expected}\n  found:    {found}")
    }
}

/// The distinct `Error:` lines of abi_stable's report: what differs, without the layout
/// dumps (the whole report goes to the debug log).
fn summarize_abi_report(report: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in report.lines().map(str::trim).filter(|l| l.starts_with("Error:")) {
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        lines = report.lines().map(str::trim).filter(|l| !l.is_empty()).take(2).collect();
    }
    lines.iter().take(4).map(|l| format!("            {l}")).collect::<Vec<_>>().join("\n")
}

fn classify(path: &Path, error: &LibraryError) -> LoadProblem {
    match error {
        LibraryError::OpenError { err, .. } => {
            let reason = err.to_string();
            // libloading's message repeats the path; keep what follows it.
            let reason = reason.rsplit(": ").next().unwrap_or(&reason).trim().to_string();
            if path.exists() {
                LoadProblem::NotALibrary { reason }
            } else {
                LoadProblem::Missing
            }
        }
        LibraryError::GetSymbolError { .. } => LoadProblem::NotAPlugin,
        LibraryError::IncompatibleVersionNumber { actual_version, .. } => {
            LoadProblem::AbiVersion { found: actual_version.to_string() }
        }
        LibraryError::ParseVersionError(e) => LoadProblem::AbiVersion { found: format!("an unreadable version ({e})") },
        LibraryError::AbiInstability(e) => LoadProblem::Layout { summary: summarize_abi_report(&e.to_string()) },
        LibraryError::InvalidAbiHeader(h) => {
            LoadProblem::AbiStable { detail: format!("a library built with another abi_stable ABI ({h:?})") }
        }
        LibraryError::InvalidCAbi { .. } => {
            LoadProblem::AbiStable { detail: "a library whose C ABI differs from the host's".into() }
        }
        LibraryError::RootModule { err: RootModuleError::Returned(e), .. } => {
            LoadProblem::ConstructorError { message: e.to_string() }
        }
        LibraryError::RootModule { err: RootModuleError::Unwound, .. } => LoadProblem::ConstructorPanic,
        LibraryError::Many(errors) => {
            errors.iter().next().map(|e| classify(path, e)).unwrap_or(LoadProblem::NotAPlugin)
        }
    }
}

fn sha256_of(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).ok()?;
    Some(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn describe(path: Option<PathBuf>, module: PluginModule_Ref) -> Result<Library, LoadProblem> {
    let abi = module.abi();
    if !abi.panic_unwind {
        return Err(LoadProblem::PanicAbort);
    }
    if abi.abi_major != ABI_MAJOR {
        return Err(LoadProblem::AbiVersion { found: format!("{}.x", abi.abi_major) });
    }
    let json = (module.manifest_json())();
    let manifest: Manifest =
        serde_json::from_str(&json).map_err(|e| LoadProblem::BadManifest { reason: format!("{e} in {json}") })?;
    Ok(Library { path, manifest, sha256: Arc::default(), module })
}

/// Load one library file.
pub fn load_library(path: &Path) -> Result<Library, LoadError> {
    let fail = |problem| LoadError { path: path.to_path_buf(), problem };
    if !path.exists() {
        return Err(fail(LoadProblem::Missing));
    }
    let module =
        lib_header_from_path(path).and_then(|header| header.init_root_module::<PluginModule_Ref>()).map_err(|e| {
            tracing::debug!(path = %path.display(), report = %e, "Plugin library refused by abi_stable.");
            fail(classify(path, &e))
        })?;
    let library = describe(Some(path.to_path_buf()), module).map_err(fail)?;
    tracing::debug!(path = %path.display(), name = %library.manifest.name, "Loaded plugin library.");
    Ok(library)
}

/// Whether a file name looks like a moulin plugin library: `libmoulin_*.so` (or the
/// platform's prefix and suffix). Folders on the plugin path are searched for these only;
/// a library named explicitly is loaded whatever its name.
pub fn is_plugin_file_name(name: &str) -> bool {
    let prefix = format!("{}moulin_", std::env::consts::DLL_PREFIX);
    name.starts_with(&prefix) && name.ends_with(std::env::consts::DLL_SUFFIX)
}

/// Folders an embedder adds after the executable's ([`also_search`]).
static EMBEDDER_PATHS: std::sync::RwLock<Vec<PathBuf>> = std::sync::RwLock::new(Vec::new());

/// Where plugins are looked for, in order: the project's `[plugins] paths`, then
/// `MOULIN_PLUGIN_PATH`, then the folder of the running executable, then the folders an
/// embedder added with [`also_search`].
pub fn search_path(project_paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut paths = project_paths.to_vec();
    if let Some(env) = std::env::var_os("MOULIN_PLUGIN_PATH") {
        paths.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
    }
    if let Some(dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        paths.push(dir);
    }
    paths.extend(EMBEDDER_PATHS.read().unwrap_or_else(|e| e.into_inner()).iter().cloned());
    paths
}

/// Look for plugins in `dir` too, last, for every project and pipeline of this process:
/// for a host that is not an executable of its own (the Python package adds its folder,
/// since the running executable is Python's).
pub fn also_search(dir: PathBuf) {
    let mut paths = EMBEDDER_PATHS.write().unwrap_or_else(|e| e.into_inner());
    if !paths.contains(&dir) {
        paths.push(dir);
    }
}

/// The loaded libraries and the stages they offer.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    libraries: Vec<Library>,
    stages: BTreeMap<String, usize>,
    /// Stage names two libraries offer: the second library's error, by name.
    collisions: BTreeMap<String, LoadError>,
}

impl Registry {
    /// An empty registry (add statically linked modules with [`Registry::add_module`]).
    pub fn new() -> Self {
        Registry::default()
    }

    /// Load every plugin library found on `paths`: a file is loaded as it is, a folder is
    /// searched (not recursively) for `libmoulin_*` libraries. Returns the registry and
    /// every problem met; the libraries that loaded are usable either way.
    pub fn discover(paths: &[PathBuf]) -> (Registry, Vec<LoadError>) {
        let mut registry = Registry::new();
        let mut errors = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for path in paths {
            let files: Vec<PathBuf> = if path.is_dir() {
                let mut found: Vec<PathBuf> = match std::fs::read_dir(path) {
                    Ok(entries) => entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| {
                            p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(is_plugin_file_name)
                        })
                        .collect(),
                    Err(e) => {
                        errors.push(LoadError {
                            path: path.clone(),
                            problem: LoadProblem::NotALibrary { reason: format!("cannot read the folder: {e}") },
                        });
                        continue;
                    }
                };
                found.sort();
                found
            } else {
                vec![path.clone()]
            };
            for file in files {
                // The same file reached twice (a folder on the path twice) is loaded once.
                let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
                if !seen.insert(key) {
                    continue;
                }
                match load_library(&file) {
                    Ok(lib) => {
                        if let Err(e) = registry.add(lib) {
                            errors.push(e);
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        (registry, errors)
    }

    /// Add a statically linked plugin module (`my_plugin::moulin_plugin_module()`).
    pub fn add_module(&mut self, module: PluginModule_Ref) -> Result<(), LoadError> {
        let lib =
            describe(None, module).map_err(|problem| LoadError { path: PathBuf::from("(linked in)"), problem })?;
        self.add(lib)
    }

    /// Add a loaded library. A stage name another library offers already is an error
    /// (returned, and kept: a project that names that stage cannot run, see
    /// [`Registry::collision`]); the library's other stages are added all the same, so that a
    /// project that does not use the name is not blocked. The error is the new library's,
    /// unless the new one sits beside the running executable (moulin's own plugins) and the
    /// other does not: then it is the other's, since only that one can be renamed or moved.
    pub fn add(&mut self, lib: Library) -> Result<(), LoadError> {
        let index = self.libraries.len();
        let exe_dir = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf));
        let beside_exe =
            |l: &Library| exe_dir.is_some() && l.path.as_deref().and_then(Path::parent) == exe_dir.as_deref();
        let mut result = Ok(());
        for stage in &lib.manifest.stages {
            match self.stages.get(&stage.name) {
                Some(&first) => {
                    let first = &self.libraries[first];
                    let (blamed, other) =
                        if beside_exe(&lib) && !beside_exe(first) { (first, &lib) } else { (&lib, first) };
                    let error = LoadError {
                        path: blamed.path.clone().unwrap_or_else(|| PathBuf::from(blamed.origin())),
                        problem: LoadProblem::DuplicateStage { stage: stage.name.clone(), first: other.origin() },
                    };
                    self.collisions.entry(stage.name.clone()).or_insert_with(|| error.clone());
                    if result.is_ok() {
                        result = Err(error);
                    }
                }
                None => {
                    self.stages.insert(stage.name.clone(), index);
                }
            }
        }
        self.libraries.push(lib);
        result
    }

    /// Why stage `name` cannot be used: two libraries offer it.
    pub fn collision(&self, name: &str) -> Option<&LoadError> {
        self.collisions.get(name)
    }

    /// The loaded libraries, in load order.
    pub fn libraries(&self) -> &[Library] {
        &self.libraries
    }

    /// The library and manifest entry of a stage name.
    pub fn stage(&self, name: &str) -> Option<(&Library, &StageManifest)> {
        let lib = &self.libraries[*self.stages.get(name)?];
        lib.manifest.stages.iter().find(|s| s.name == name).map(|s| (lib, s))
    }

    /// Every stage name, sorted.
    pub fn stage_names(&self) -> Vec<&str> {
        self.stages.keys().map(String::as_str).collect()
    }

    /// The stage names nearest to `name`, for "did you mean" hints.
    pub fn nearest(&self, name: &str) -> Vec<&str> {
        let mut scored: Vec<(f64, &str)> =
            self.stages.keys().map(|k| (strsim::jaro_winkler(name, k), k.as_str())).filter(|(s, _)| *s > 0.7).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().take(3).map(|(_, k)| k).collect()
    }
}

/// A plugin error as text: kind and message.
pub fn plugin_error_text(e: &PluginError) -> String {
    if e.kind == ErrorKind::PANIC {
        format!("panic: {}", e.message)
    } else {
        e.message.to_string()
    }
}

/// The config key a plugin's configuration error names, if any.
pub fn plugin_error_key(e: &PluginError) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(&e.details_json).ok()?.get("key")?.as_str().map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_file_names() {
        let ext = std::env::consts::DLL_SUFFIX;
        let pre = std::env::consts::DLL_PREFIX;
        assert!(is_plugin_file_name(&format!("{pre}moulin_normalize{ext}")));
        assert!(!is_plugin_file_name(&format!("{pre}other{ext}")));
        assert!(!is_plugin_file_name(&format!("{pre}moulin_normalize.rlib")));
    }

    #[test]
    fn missing_and_junk_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("libmoulin_nope.so");
        let e = load_library(&missing).unwrap_err();
        assert_eq!(e.problem, LoadProblem::Missing);
        assert!(e.to_string().starts_with(&format!("{}: missing plugin library", missing.display())));
        let junk = dir.path().join("libmoulin_junk.so");
        std::fs::write(&junk, b"not a library at all").unwrap();
        let e = load_library(&junk).unwrap_err();
        assert!(matches!(e.problem, LoadProblem::NotALibrary { .. }), "{e}");
        assert_eq!(e.to_string().lines().count(), 3, "{e}");
    }
}

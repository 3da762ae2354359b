//! A project: its file, the plugins it needs, and running it over its corpus.

use crate::config::{ConfigError, ProjectConfig, StageConfig};
use crate::error::Problem;
use crate::plugins::{plugin_error_key, plugin_error_text, LoadProblem, Registry, StageKind};
use crate::stages::StageSpec;
use crate::Error;
use std::path::Path;

/// One line of `moulin check`.
#[derive(Debug, Clone)]
pub struct CheckLine {
    /// Whether the check passed.
    pub ok: bool,
    /// What was checked: `config`, `plugin`, `stage`, `input`.
    pub what: &'static str,
    /// Which one, and the outcome in a few words.
    pub detail: String,
}

/// The outcome of checking a project without reading any input.
#[derive(Debug)]
pub struct Check {
    /// One line per check, in order.
    pub lines: Vec<CheckLine>,
    /// Every problem found.
    pub problems: Vec<Problem>,
    /// The project, when there was no problem.
    pub project: Option<Project>,
}

/// A loaded project: its configuration, the plugin libraries, the resolved stages.
#[derive(Debug)]
pub struct Project {
    /// The parsed project file.
    pub config: ProjectConfig,
    /// The loaded plugin libraries.
    pub registry: Registry,
    stages: Vec<StageSpec>,
}

impl Project {
    /// Load a project file and its plugins; every problem is returned at once.
    pub fn load(path: impl AsRef<Path>) -> Result<Project, Error> {
        let check = Project::check(path);
        match check.project {
            Some(p) => Ok(p),
            None => Err(Error::Invalid(check.problems)),
        }
    }

    /// Check a project file: the file, each plugin library, each stage and its config, the
    /// inputs. Nothing is read from the corpus and nothing is written.
    pub fn check(path: impl AsRef<Path>) -> Check {
        let path = path.as_ref();
        let mut lines = Vec::new();
        let mut problems = Vec::new();
        let (config, config_problems) = ProjectConfig::load_partial(path);
        lines.push(CheckLine {
            ok: config_problems.is_empty(),
            what: "config",
            detail: match config_problems.len() {
                0 => path.display().to_string(),
                n => format!("{} ({n} problems)", path.display()),
            },
        });
        problems.extend(config_problems.into_iter().map(Problem::Config));
        // With problems in the file, the stages that could be read are still checked, so
        // that one pass shows everything.
        let Some(config) = config else {
            return Check { lines, problems, project: None };
        };
        let (registry, load_errors) = Registry::discover(&crate::plugins::search_path(&config.plugin_paths));
        for lib in registry.libraries() {
            let stages: Vec<&str> = lib.manifest.stages.iter().map(|s| s.name.as_str()).collect();
            lines.push(CheckLine {
                ok: true,
                what: "plugin",
                detail: format!(
                    "{} {} (ABI {}): {} [{}]",
                    lib.manifest.name,
                    lib.manifest.version,
                    lib.manifest.abi_version,
                    lib.origin(),
                    stages.join(", ")
                ),
            });
        }
        for e in load_errors {
            // Two libraries offering one stage name block only a project that uses it
            // (`resolve_stage` reports it there).
            if let LoadProblem::DuplicateStage { stage, .. } = &e.problem {
                if !config.stages.iter().any(|s| s.plugin == *stage) {
                    tracing::warn!("{e}");
                    continue;
                }
            }
            lines.push(CheckLine { ok: false, what: "plugin", detail: format!("{}", e.path.display()) });
            problems.push(Problem::Load(e));
        }
        let mut stages = Vec::new();
        let mut extra_registry = Registry::new();
        for stage in &config.stages {
            match resolve_stage(&config, &registry, &mut extra_registry, stage) {
                Ok(spec) => {
                    lines.push(CheckLine {
                        ok: true,
                        what: "stage",
                        detail: format!("{} ({}, {})", stage.id, spec.name, spec.kind),
                    });
                    stages.push(spec);
                }
                Err(stage_problems) => {
                    lines.push(CheckLine {
                        ok: false,
                        what: "stage",
                        detail: format!("{} ({})", stage.id, stage.plugin),
                    });
                    problems.extend(stage_problems);
                }
            }
        }
        order_problems(&config, &stages, &mut problems);
        shared_outputs(&config, &stages, &mut problems);
        let project = problems.is_empty().then(|| {
            let mut registry = registry;
            for lib in extra_registry.libraries() {
                let _ = registry.add(lib.clone());
            }
            Project { config, registry, stages }
        });
        Check { lines, problems, project }
    }

    /// The resolved stages, in order.
    pub fn stages(&self) -> &[StageSpec] {
        &self.stages
    }
}

/// Find the library of a stage and check its config with the plugin.
fn resolve_stage(
    config: &ProjectConfig,
    registry: &Registry,
    extra: &mut Registry,
    stage: &StageConfig,
) -> Result<StageSpec, Vec<Problem>> {
    let as_path = stage.plugin.contains('/') || stage.plugin.ends_with(std::env::consts::DLL_SUFFIX);
    let (library, manifest) = if as_path {
        let path = config.file.parent().unwrap_or(Path::new(".")).join(&stage.plugin);
        let lib = crate::plugins::load_library(&path).map_err(|e| vec![Problem::Load(e)])?;
        if lib.manifest.stages.len() != 1 {
            let names: Vec<&str> = lib.manifest.stages.iter().map(|s| s.name.as_str()).collect();
            return Err(vec![Problem::Config(config.stage_error(
                stage,
                Some("plugin"),
                format!(
                    "library {} offers {} stages ({}); put it on the plugin path and name the stage instead",
                    path.display(),
                    names.len(),
                    names.join(", ")
                ),
            ))]);
        }
        let manifest = lib.manifest.stages[0].clone();
        if let Err(e) = extra.add(lib.clone()) {
            return Err(vec![Problem::Load(e)]);
        }
        (lib, manifest)
    } else {
        match registry.stage(&stage.plugin) {
            Some((lib, m)) => (lib.clone(), m.clone()),
            None => {
                let near = registry.nearest(&stage.plugin);
                let hint = if near.is_empty() {
                    let all = registry.stage_names();
                    if all.is_empty() {
                        "no plugin library was found on the plugin path ([plugins] paths, MOULIN_PLUGIN_PATH, the moulin executable's folder)".to_string()
                    } else {
                        format!("known stages: {}", all.join(", "))
                    }
                } else {
                    format!("did you mean {}?", near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or "))
                };
                return Err(vec![Problem::Config(config.stage_error(
                    stage,
                    Some("plugin"),
                    format!("unknown plugin stage `{}`; {hint}", stage.plugin),
                ))]);
            }
        }
    };
    let config_json = stage.config.to_string();
    let config_problem = |e: &moulin_abi::PluginError| {
        let key = plugin_error_key(e).filter(|k| !k.is_empty());
        let at = key.as_ref().map(|k| format!("config.{k}"));
        vec![Problem::Config(config.stage_error(
            stage,
            Some(at.as_deref().unwrap_or("config")),
            format!("{} (stage `{}`, plugin `{}`)", plugin_error_text(e), stage.id, manifest.name),
        ))]
    };
    library.check_config(&manifest.name, &config_json).map_err(|e| config_problem(&e))?;
    let mut spec = StageSpec::new(&stage.id, manifest.kind, library, &manifest.name, config_json);
    spec.project_dir = config.file.parent().map(Path::to_path_buf).unwrap_or_default();
    // What only an instance can check (a pattern file that must exist, relative to the
    // project) is checked by making one. Not exporters: making one may create its files.
    // Made as an observer, which expects no observations and records nothing here.
    if spec.kind != StageKind::Export {
        spec.library
            .new_stage(&spec.name, &spec.config_json, &spec.probe().context_json(&config.output, 0, 1))
            .map_err(|e| config_problem(&e))?;
    }
    Ok(spec)
}

/// No two exporters write one file: each exporter, made once in a scratch folder, says
/// which paths it writes ([`moulin_abi::ext::WRITES`]); one whose path is another's (or a
/// folder of another's) is a problem of the later one.
fn shared_outputs(config: &ProjectConfig, stages: &[StageSpec], problems: &mut Vec<Problem>) {
    let mut claimed: Vec<(String, &str)> = Vec::new();
    for (n, spec) in stages.iter().enumerate().filter(|(_, s)| s.kind == StageKind::Export) {
        let scratch = std::env::temp_dir().join(format!("moulin-check-{}-{n}", std::process::id()));
        let writes = std::fs::create_dir_all(&scratch).ok().and_then(|()| {
            let mut exporter = spec.instantiate(&scratch, 0, 1).ok()?;
            let answer = exporter.call_ext(moulin_abi::ext::WRITES.into(), "".into()).into_result().ok()?;
            serde_json::from_str::<moulin_abi::contract::Writes>(&answer).ok()
        });
        let _ = std::fs::remove_dir_all(&scratch);
        for path in writes.map(|w| w.paths).unwrap_or_default() {
            let path = path.trim_start_matches("./").to_string();
            let inside = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
            if let Some((other, by)) = claimed.iter().find(|(p, _)| inside(&path, p) || inside(p, &path)) {
                let stage = config.stages.iter().find(|s| s.id == spec.id).expect("resolved from the config");
                let message = format!(
                    "writes `{path}`, where exporter `{by}` writes `{other}`: two exporters cannot share a file; give one another path"
                );
                problems.push(Problem::Config(config.stage_error(stage, Some("config"), message)));
            }
            claimed.push((path, &spec.id));
        }
    }
}

/// Exporters run after every other stage, and a project writes something.
fn order_problems(config: &ProjectConfig, stages: &[StageSpec], problems: &mut Vec<Problem>) {
    if let Some(first_export) = stages.iter().position(|s| s.kind == StageKind::Export) {
        if let Some(late) = stages[first_export..].iter().find(|s| s.kind != StageKind::Export) {
            let stage = config.stages.iter().find(|s| s.id == late.id).expect("resolved from the config");
            problems.push(Problem::Config(config.stage_error(
                stage,
                None,
                format!("stage `{}` ({}) comes after exporter `{}`: exporters run last, after every transform and annotate stage", late.id, late.kind, stages[first_export].id),
            )));
        }
    } else if !stages.is_empty() && stages.len() == config.stages.len() {
        problems.push(Problem::Config(ConfigError {
            file: config.file.clone(),
            line: None,
            key: Some("stage".into()),
            message: "no export stage: the run would write no documents (add one, such as `plugin = \"jsonl\"`)".into(),
        }));
    }
}

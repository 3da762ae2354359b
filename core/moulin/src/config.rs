//! The project file: what it may hold, and its parsing with every problem collected.
//!
//! Problems are gathered for the whole file and each names the file, the line and the key,
//! so that `moulin check` can show them all at once. Paths are resolved relative to the
//! project file's folder.

use crate::corpus::{default_include, default_max_document_bytes, default_max_member_bytes, default_text_field};
/// `[input]` belongs to the corpus, which reads by it.
pub use crate::corpus::{FormatRule, InputConfig, WarcConfig};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a project file.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    /// The project file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The key at fault (`stage[1].config.min_words`), when there is one.
    pub key: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

const fn default_batch_documents() -> usize {
    256
}
const fn default_batch_bytes() -> usize {
    4 << 20
}
pub(crate) const fn default_max_stage_restarts() -> usize {
    1000
}
const fn default_shard_wait_seconds() -> u64 {
    24 * 3600
}
const fn default_stats_seconds() -> f64 {
    2.0
}

const fn default_checkpoint_bytes() -> u64 {
    1 << 30
}
fn default_output() -> PathBuf {
    "out".into()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProject {
    name: Option<String>,
    #[serde(default = "default_output")]
    output: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    paths: Vec<PathBuf>,
    include: Option<Vec<String>>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default = "default_text_field")]
    text_field: String,
    #[serde(default = "default_max_document_bytes")]
    max_document_bytes: u64,
    #[serde(default = "default_max_member_bytes")]
    max_member_bytes: u64,
    #[serde(default)]
    strict_encoding: bool,
    #[serde(default)]
    formats: Vec<FormatRule>,
    #[serde(default)]
    warc: WarcConfig,
    #[serde(default)]
    follow_outside_links: bool,
    id_field: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPlugins {
    #[serde(default)]
    paths: Vec<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    #[serde(default = "default_batch_documents")]
    batch_documents: usize,
    #[serde(default = "default_batch_bytes")]
    batch_bytes: usize,
    #[serde(default = "default_max_stage_restarts")]
    max_stage_restarts: usize,
    #[serde(default = "default_checkpoint_bytes")]
    checkpoint_bytes: u64,
    #[serde(default = "default_shard_wait_seconds")]
    shard_wait_seconds: u64,
    #[serde(default = "default_stats_seconds")]
    stats_seconds: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    id: String,
    plugin: String,
    #[serde(default)]
    config: Option<toml::Table>,
}

/// `[pipeline]`: how documents are batched.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PipelineConfig {
    /// At most this many documents a batch.
    pub batch_documents: usize,
    /// A batch is closed once its text reaches this many bytes.
    pub batch_bytes: usize,
    /// How many documents may make one stage panic in a run before the run stops (each fails
    /// alone, and the stage is remade).
    pub max_stage_restarts: usize,
    /// The run records a resume point in its journal at the end of the input file that
    /// brings the input read since the last one (bytes on disk) to this many; 0: after every
    /// input file. Each resume point completes the exporters' open files, so less means
    /// more, smaller parts. Counted in input bytes, not time, so that the same input gives
    /// the same output files.
    pub checkpoint_bytes: u64,
    /// On a sharded run, how long a shard waits for the others at a global pass (one whose
    /// results are merged over every shard, such as `boilerplate`'s `repeated`) before it
    /// stops with an error naming the shards it waited for. Every shard must then run at
    /// the same time.
    pub shard_wait_seconds: u64,
    /// How often a run rewrites `stats.json` (its counts so far, per stage), in seconds;
    /// 0: after every batch.
    pub stats_seconds: f64,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            batch_documents: default_batch_documents(),
            batch_bytes: default_batch_bytes(),
            max_stage_restarts: default_max_stage_restarts(),
            checkpoint_bytes: default_checkpoint_bytes(),
            shard_wait_seconds: default_shard_wait_seconds(),
            stats_seconds: default_stats_seconds(),
        }
    }
}

/// One `[[stage]]`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StageConfig {
    /// Unique id: shows in stats, spans, errors.
    pub id: String,
    /// A stage name on the plugin path, or the path of a plugin library.
    pub plugin: String,
    /// The stage's `config` table, as JSON for the plugin.
    pub config: serde_json::Value,
    /// Which `[[stage]]` this is (0-based), to place its problems.
    #[serde(skip)]
    pub index: usize,
}

/// A parsed project file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProjectConfig {
    /// The project file.
    pub file: PathBuf,
    /// The project's name (`[project] name`, or the file's stem).
    pub name: String,
    /// The output folder, resolved.
    pub output: PathBuf,
    /// `[input]`.
    pub input: InputConfig,
    /// `[plugins] paths`, resolved.
    pub plugin_paths: Vec<PathBuf>,
    /// `[pipeline]`.
    pub pipeline: PipelineConfig,
    /// The stages, in order.
    pub stages: Vec<StageConfig>,
    #[serde(skip)]
    source: String,
}

/// Where things are in the file's text, to give problems a line: toml_edit's spans of the
/// keys, tables and values of the same text.
struct Locator<'a> {
    source: &'a str,
    doc: Option<toml_edit::ImDocument<&'a str>>,
}

/// A place in the document, while a path is followed down.
enum Node<'d> {
    Table(&'d dyn toml_edit::TableLike),
    Tables(&'d toml_edit::ArrayOfTables),
    Array(&'d toml_edit::Array),
    Leaf,
}

impl<'d> Node<'d> {
    fn of(item: &'d toml_edit::Item) -> Node<'d> {
        match item {
            toml_edit::Item::ArrayOfTables(a) => Node::Tables(a),
            toml_edit::Item::Value(v) => Node::of_value(v),
            other => other.as_table_like().map_or(Node::Leaf, Node::Table),
        }
    }

    fn of_value(value: &'d toml_edit::Value) -> Node<'d> {
        match value {
            toml_edit::Value::InlineTable(t) => Node::Table(t),
            toml_edit::Value::Array(a) => Node::Array(a),
            _ => Node::Leaf,
        }
    }

    /// The part `part` of this node, with where it is.
    fn child(&self, part: &str) -> Option<(Option<std::ops::Range<usize>>, Node<'d>)> {
        match self {
            Node::Table(t) => t.get_key_value(part).map(|(k, v)| (k.span().or_else(|| v.span()), Node::of(v))),
            Node::Tables(a) => {
                let t = a.get(part.parse().ok()?)?;
                Some((t.span(), Node::Table(t)))
            }
            Node::Array(a) => {
                let v = a.get(part.parse().ok()?)?;
                Some((v.span(), Node::of_value(v)))
            }
            Node::Leaf => None,
        }
    }
}

impl<'a> Locator<'a> {
    fn new(source: &'a str) -> Self {
        Locator { source, doc: toml_edit::ImDocument::parse(source).ok() }
    }

    /// The 1-based line of the deepest part of `path` the file has: a key's line, an array
    /// element's, a `[[stage]]`'s header. `path` is dotted, with numbers for array elements
    /// (`stage.1.config.min_words`, `input.formats.0.glob`; `formats[0]` is read as
    /// `formats.0`).
    fn line(&self, path: &str) -> Option<usize> {
        let path = path.replace('[', ".").replace(']', "");
        let mut node = Node::Table(self.doc.as_ref()?.as_table());
        let mut at = None;
        for part in path.split('.').filter(|p| !p.is_empty()) {
            let Some((span, next)) = node.child(part) else { break };
            at = span.or(at);
            node = next;
        }
        at.map(|span| self.source[..span.start.min(self.source.len())].matches('\n').count() + 1)
    }
}

fn deserialize_section<T: serde::de::DeserializeOwned>(value: toml::Value) -> Result<T, (Option<String>, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let message = message.trim().to_string();
        let missing = message.strip_prefix("missing field `").and_then(|r| r.split('`').next()).map(String::from);
        let key = match (missing, path.as_str()) {
            (Some(k), ".") => Some(k),
            (Some(k), p) => Some(format!("{p}.{k}")),
            (None, ".") => None,
            (None, p) => Some(p.to_string()),
        };
        (key, message)
    })
}

/// A project file being parsed: where it is, and the problems found so far.
struct Parsing<'a> {
    file: &'a Path,
    base: PathBuf,
    loc: Locator<'a>,
    problems: Vec<ConfigError>,
}

/// The top-level tables of a project file, taken out of it.
#[derive(Default)]
struct Sections {
    project: Option<toml::Value>,
    input: Option<toml::Value>,
    plugins: Option<toml::Value>,
    pipeline: Option<toml::Value>,
    stages: Option<toml::Value>,
}

impl Parsing<'_> {
    /// A problem at `path` (dotted, as for [`Locator::line`]), named `key`.
    fn problem(&mut self, path: &str, key: impl Into<String>, message: impl Into<String>) {
        let line = self.loc.line(path);
        self.problems.push(ConfigError {
            file: self.file.to_path_buf(),
            line,
            key: Some(key.into()),
            message: message.into(),
        });
    }

    /// The top-level tables; any other key is a problem.
    fn sections(&mut self, mut table: toml::Table) -> Sections {
        let mut take = |name: &str, this: &mut Self| -> Option<toml::Value> {
            let v = table.remove(name)?;
            if v.is_table() {
                return Some(v);
            }
            this.problem(name, name, format!("expected a table `[{name}]`, found a {}", v.type_str()));
            None
        };
        let sections = Sections {
            project: take("project", self),
            input: take("input", self),
            plugins: take("plugins", self),
            pipeline: take("pipeline", self),
            stages: None,
        };
        let stages = table.remove("stage");
        for key in table.keys() {
            let message =
                format!("unknown key `{key}`, expected one of `project`, `input`, `plugins`, `pipeline`, `stage`");
            self.problem(key, key.clone(), message);
        }
        Sections { stages, ..sections }
    }

    /// Deserialize the table `[name]`, or record its problem with the line of the key at
    /// fault.
    fn section<T: serde::de::DeserializeOwned>(&mut self, name: &str, value: toml::Value) -> Option<T> {
        match deserialize_section(value) {
            Ok(v) => Some(v),
            Err((key, message)) => {
                let key = key.map_or_else(|| name.to_string(), |k| format!("{name}.{k}"));
                self.problem(&key.clone(), key, message);
                None
            }
        }
    }

    /// The `[[stage]]` tables, each checked on its own, then their ids.
    fn stages(&mut self, raw: Option<toml::Value>) -> Vec<StageConfig> {
        let mut stages = Vec::new();
        match raw {
            None => self.problems.push(ConfigError {
                file: self.file.to_path_buf(),
                line: None,
                key: Some("stage".into()),
                message: "no `[[stage]]`: a project needs at least one stage".into(),
            }),
            Some(toml::Value::Array(items)) => {
                for (index, item) in items.into_iter().enumerate() {
                    match deserialize_section::<RawStage>(item) {
                        Ok(s) => {
                            let config = serde_json::to_value(s.config.unwrap_or_default()).unwrap_or_default();
                            stages.push(StageConfig { id: s.id, plugin: s.plugin, config, index });
                        }
                        Err((key, message)) => {
                            let at = key.map(|k| format!(".{k}")).unwrap_or_default();
                            self.problem(&format!("stage.{index}{at}"), format!("stage[{index}]{at}"), message);
                        }
                    }
                }
            }
            Some(other) => {
                self.problem("stage", "stage", format!("expected `[[stage]]` tables, found a {}", other.type_str()))
            }
        }
        let mut seen = std::collections::HashMap::new();
        for s in &stages {
            let (path, key) = (format!("stage.{}.id", s.index), format!("stage[{}].id", s.index));
            let valid = !s.id.is_empty() && s.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid {
                self.problem(&path, key.clone(), format!("expected letters, digits, `_` or `-`, found {:?}", s.id));
            }
            if let Some(first) = seen.insert(s.id.clone(), s.index) {
                self.problem(&path, key, format!("stage id `{}` is already used by stage[{first}]", s.id));
            }
        }
        stages
    }

    /// `[input]`, its paths resolved, its patterns, sizes, formats and media types checked.
    fn input(&mut self, i: RawInput) -> InputConfig {
        if i.paths.is_empty() {
            self.problem("input.paths", "input.paths", "expected at least one path");
        }
        let include = i.include.unwrap_or_else(default_include);
        for (key, pattern) in include.iter().map(|p| ("include", p)).chain(i.exclude.iter().map(|p| ("exclude", p))) {
            if let Err(e) = globset::Glob::new(pattern) {
                self.problem(
                    &format!("input.{key}"),
                    format!("input.{key}"),
                    format!("bad glob {pattern:?}: {}", e.kind()),
                );
            }
        }
        let mut names = std::collections::HashMap::new();
        for p in &i.paths {
            let resolved = self.base.join(p);
            if !resolved.exists() {
                self.problem("input.paths", "input.paths", format!("input path {} does not exist", resolved.display()));
                continue;
            }
            // With several input paths, document ids start with the path's last name: two
            // paths of one name (or one path twice) would give two documents one id.
            let real = std::fs::canonicalize(&resolved).unwrap_or(resolved.clone());
            let name = real.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some(other) = names.insert(name.clone(), p.clone()) {
                let message = if self.base.join(&other).canonicalize().ok() == Some(real) {
                    format!("{} is listed twice: its documents would be read twice", p.display())
                } else {
                    format!(
                        "{} and {} have the same name `{name}`, which starts their documents' ids: the ids would collide (give the folders different names)",
                        other.display(),
                        p.display()
                    )
                };
                self.problem("input.paths", "input.paths", message);
            }
        }
        for (key, v) in [("max_document_bytes", i.max_document_bytes), ("max_member_bytes", i.max_member_bytes)] {
            if v == 0 {
                self.problem(&format!("input.{key}"), format!("input.{key}"), "expected a positive number of bytes");
            }
        }
        for (n, rule) in i.formats.iter().enumerate() {
            if let Err(e) = globset::Glob::new(&rule.glob) {
                let path = format!("input.formats.{n}.glob");
                self.problem(&path, path.clone(), format!("bad glob {:?}: {}", rule.glob, e.kind()));
            }
            if crate::corpus::parse_format(&rule.format).is_none() {
                let path = format!("input.formats.{n}.format");
                let known = crate::corpus::EXTENSIONS.join(", ");
                self.problem(&path, path.clone(), format!("unknown format {:?}, expected one of {known}", rule.format));
            }
        }
        for (n, t) in i.warc.content_types.iter().enumerate() {
            if !(t == "*" || t.split_once('/').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())) {
                let path = format!("input.warc.content_types.{n}");
                let message = format!("expected a media type such as \"text/html\", \"text/*\" or \"*\", found {t:?}");
                self.problem(&path, path.clone(), message);
            }
        }
        InputConfig {
            paths: i.paths.iter().map(|p| self.base.join(p)).collect(),
            include,
            exclude: i.exclude,
            text_field: i.text_field,
            max_document_bytes: i.max_document_bytes,
            max_member_bytes: i.max_member_bytes,
            strict_encoding: i.strict_encoding,
            formats: i.formats,
            warc: i.warc,
            follow_outside_links: i.follow_outside_links,
            id_field: i.id_field,
        }
    }

    /// `[pipeline]`, checked.
    fn pipeline(&mut self, p: Option<RawPipeline>) -> PipelineConfig {
        let pipeline = p
            .map(|p| PipelineConfig {
                batch_documents: p.batch_documents,
                batch_bytes: p.batch_bytes,
                max_stage_restarts: p.max_stage_restarts,
                checkpoint_bytes: p.checkpoint_bytes,
                shard_wait_seconds: p.shard_wait_seconds,
                stats_seconds: p.stats_seconds,
            })
            .unwrap_or_default();
        if !(pipeline.stats_seconds >= 0.0 && pipeline.stats_seconds.is_finite()) {
            let message = format!("expected seconds, 0 or more, found {}", pipeline.stats_seconds);
            self.problem("pipeline.stats_seconds", "pipeline.stats_seconds", message);
        }
        if pipeline.batch_documents == 0 || pipeline.batch_bytes == 0 {
            self.problem("pipeline.batch_documents", "pipeline", "batch sizes must be positive");
        }
        pipeline
    }
}

impl ProjectConfig {
    /// Read and parse a project file. Every problem found is returned, not just the first.
    pub fn load(file: &Path) -> Result<ProjectConfig, Vec<ConfigError>> {
        match Self::load_partial(file) {
            (Some(config), problems) if problems.is_empty() => Ok(config),
            (_, problems) => Err(problems),
        }
    }

    /// Read and parse as much as can be parsed (see [`ProjectConfig::parse_partial`]).
    pub fn load_partial(file: &Path) -> (Option<ProjectConfig>, Vec<ConfigError>) {
        match std::fs::read_to_string(file) {
            Ok(source) => Self::parse_partial(file, &source),
            Err(e) => (
                None,
                vec![ConfigError {
                    file: file.to_path_buf(),
                    line: None,
                    key: None,
                    message: format!("cannot read the project file: {e}"),
                }],
            ),
        }
    }

    /// Parse a project file's text; `file` names it in problems and anchors relative paths.
    pub fn parse(file: &Path, source: &str) -> Result<ProjectConfig, Vec<ConfigError>> {
        match Self::parse_partial(file, source) {
            (Some(config), problems) if problems.is_empty() => Ok(config),
            (_, problems) => Err(problems),
        }
    }

    /// Parse as much as can be parsed: the configuration when its required parts are there
    /// (possibly with problems elsewhere, so that the stages can still be checked), and every
    /// problem found.
    pub fn parse_partial(file: &Path, source: &str) -> (Option<ProjectConfig>, Vec<ConfigError>) {
        let table: toml::Table = match source.parse::<toml::Table>() {
            Ok(t) => t,
            Err(e) => {
                let line = e.span().map(|s| source[..s.start.min(source.len())].matches('\n').count() + 1);
                let message = format!("not valid TOML: {}", e.message());
                return (None, vec![ConfigError { file: file.to_path_buf(), line, key: None, message }]);
            }
        };
        let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut p = Parsing { file, base, loc: Locator::new(source), problems: Vec::new() };
        let sections = p.sections(table);
        let project: RawProject = match sections.project {
            Some(v) => p.section("project", v).unwrap_or_default(),
            None => RawProject { name: None, output: default_output() },
        };
        let input: Option<RawInput> = match sections.input {
            Some(v) => p.section("input", v),
            None => {
                p.problems.push(ConfigError {
                    file: file.to_path_buf(),
                    line: None,
                    key: Some("input".into()),
                    message: "missing table `[input]` with `paths = [...]`".into(),
                });
                None
            }
        };
        let plugins: RawPlugins = sections.plugins.and_then(|v| p.section("plugins", v)).unwrap_or_default();
        let pipeline = sections.pipeline.and_then(|v| p.section("pipeline", v));
        let pipeline = p.pipeline(pipeline);
        let stages = p.stages(sections.stages);
        let input = input.map(|i| p.input(i));
        let base = &p.base;
        let config = input.map(|input| ProjectConfig {
            file: file.to_path_buf(),
            name: project
                .name
                .unwrap_or_else(|| file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()),
            output: base.join(project.output),
            input,
            plugin_paths: plugins.paths.iter().map(|p| base.join(p)).collect(),
            pipeline,
            stages,
            source: source.to_string(),
        });
        (config, p.problems)
    }

    /// The 1-based line where a stage sets `key` (a dotted path below the stage, such as
    /// `config.min_words` or `plugin`), or the stage's header line.
    pub fn stage_line(&self, stage: &StageConfig, key: Option<&str>) -> Option<usize> {
        let path = match key {
            Some(k) => format!("stage.{}.{k}", stage.index),
            None => format!("stage.{}", stage.index),
        };
        Locator::new(&self.source).line(&path)
    }

    /// A problem about a stage, placed at the line of `key`.
    pub fn stage_error(&self, stage: &StageConfig, key: Option<&str>, message: String) -> ConfigError {
        ConfigError {
            file: self.file.clone(),
            line: self.stage_line(stage, key),
            key: Some(match key {
                Some(k) => format!("stage[{}].{k}", stage.index),
                None => format!("stage[{}]", stage.index),
            }),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<ProjectConfig, Vec<ConfigError>> {
        let dir = std::env::temp_dir();
        ProjectConfig::parse(&dir.join("p.toml"), src)
    }

    #[test]
    fn a_good_file_resolves_paths_and_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("corpus")).unwrap();
        let file = dir.path().join("p.toml");
        let cfg = ProjectConfig::parse(
            &file,
            "[project]\nname = \"x\"\n[input]\npaths = [\"corpus\"]\n[[stage]]\nid = \"a\"\nplugin = \"normalize\"\nconfig = { form = \"nfc\" }\n[[stage]]\nid = \"b\"\nplugin = \"jsonl\"\n[stage.config]\npath = \"o.jsonl\"\n",
        )
        .unwrap();
        assert_eq!(cfg.name, "x");
        assert_eq!(cfg.output, dir.path().join("out"));
        assert_eq!(cfg.input.paths, vec![dir.path().join("corpus")]);
        assert_eq!(cfg.input.include, default_include());
        assert!(cfg.input.include.contains(&"**/*.html.gz".to_string()));
        assert_eq!(cfg.stages[1].config, serde_json::json!({"path": "o.jsonl"}));
        assert_eq!(cfg.stage_line(&cfg.stages[1], Some("config.path")), Some(13));
        assert_eq!(cfg.stage_line(&cfg.stages[0], Some("config.form")), Some(8));
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let src = "bogus = 1\n[project]\nnmae = \"x\"\n[input]\npaths = []\nincldue = []\n[[stage]]\nid = \"a\"\n[[stage]]\nid = \"a\"\nplugin = 3\n";
        let errors = parse(src).unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| format!("{:?} {:?} {}", e.line, e.key, e.message)).collect();
        let find = |needle: &str| {
            shown.iter().find(|s| s.contains(needle)).unwrap_or_else(|| panic!("no {needle} in {shown:#?}"))
        };
        assert!(find("bogus").starts_with("Some(1)"));
        assert!(find("nmae").starts_with("Some(3)"));
        assert!(find("incldue").starts_with("Some(6)"));
        assert!(find("missing field `plugin`").starts_with("Some(7)"));
        assert!(find("invalid type: integer `3`").starts_with("Some(11)"));
        assert_eq!(errors.len(), 5, "{shown:#?}");
    }

    #[test]
    fn lines_come_from_the_parsers_spans_not_from_the_text() {
        let dir = tempfile::tempdir().unwrap();
        // A key written inside a string, and a dotted key, are where TOML says they are.
        let src = "[input]\npaths = [\".\"]\n[[stage]]\nid = \"s\"\nplugin = \"x\"\n[stage.config]\n\
                   note = \"\"\"\nmin_words = 1\n\"\"\"\nmin_words = 0\nlimits.max = 3\n";
        let cfg = ProjectConfig::parse(&dir.path().join("p.toml"), src).unwrap();
        assert_eq!(cfg.stage_line(&cfg.stages[0], Some("config.min_words")), Some(10));
        assert_eq!(cfg.stage_line(&cfg.stages[0], Some("config.limits.max")), Some(11));
        assert_eq!(cfg.stage_line(&cfg.stages[0], Some("config.absent")), Some(6));
        assert_eq!(cfg.stage_line(&cfg.stages[0], None), Some(3));
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let errors = parse("[input]\npaths = [\"a\"\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.starts_with("not valid TOML"), "{}", errors[0].message);
        assert!(errors[0].line.is_some());
    }

    #[test]
    fn duplicate_ids_and_bad_globs() {
        let dir = tempfile::tempdir().unwrap();
        let src = "[input]\npaths = [\".\"]\ninclude = [\"a/[\"]\n[[stage]]\nid = \"s\"\nplugin = \"x\"\n[[stage]]\nid = \"s\"\nplugin = \"y\"\n";
        let errors = ProjectConfig::parse(&dir.path().join("p.toml"), src).unwrap_err();
        assert!(errors.iter().any(|e| e.line == Some(3) && e.message.contains("bad glob")), "{errors:#?}");
        assert!(errors.iter().any(|e| e.line == Some(8) && e.message.contains("already used")), "{errors:#?}");
    }

    #[test]
    fn reader_settings_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let src = "[input]\npaths = [\".\"]\nmax_member_bytes = 0\nformats = [{ glob = \"**/*.dat\", format = \"jsonl\" }, { glob = \"x\", format = \"rar\" }]\n\
                   [input.warc]\ncontent_types = [\"html\"]\n[[stage]]\nid = \"s\"\nplugin = \"x\"\n";
        let errors = ProjectConfig::parse(&dir.path().join("p.toml"), src).unwrap_err();
        let shown: Vec<String> =
            errors.iter().map(|e| format!("{:?} {} {}", e.line, e.key.as_deref().unwrap_or(""), e.message)).collect();
        assert_eq!(shown.len(), 3, "{shown:#?}");
        assert!(shown[0].starts_with("Some(3) input.max_member_bytes expected a positive"), "{shown:#?}");
        assert!(
            shown[1].starts_with("Some(4) input.formats.1.format unknown format \"rar\", expected one of txt, txt.gz"),
            "{shown:#?}"
        );
        assert!(shown[2].starts_with("Some(6) input.warc.content_types.0 expected a media type"), "{shown:#?}");
        let ok = src
            .replace("max_member_bytes = 0", "strict_encoding = true")
            .replace("\"rar\"", "\"tar.zst\"")
            .replace("[\"html\"]", "[\"text/*\"]");
        let config = ProjectConfig::parse(&dir.path().join("p.toml"), &ok).unwrap();
        assert!(config.input.strict_encoding);
        assert_eq!(config.input.formats[1].format, "tar.zst");
        assert_eq!(config.input.warc.records, ["response", "resource"]);
    }
}

//! The trait a plugin author implements.

use crate::{Document, Error};
use serde::de::DeserializeOwned;

/// What a stage does, which decides what the host allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// Cleaners: may rewrite the text (keeping spans valid) and drop documents.
    Transform,
    /// Detectors, taggers: may add spans, set the language and meta, and drop documents, but
    /// not change the text.
    Annotate,
    /// Exporters: write documents; run once, after every other stage, in document order.
    Export,
}

impl Kind {
    /// The kind as the library manifest says it.
    pub fn contract(self) -> moulin_abi::contract::StageKind {
        use moulin_abi::contract::StageKind;
        match self {
            Kind::Transform => StageKind::Transform,
            Kind::Annotate => StageKind::Annotate,
            Kind::Export => StageKind::Export,
        }
    }

    /// The name used in manifests and project files.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Transform => "transform",
            Kind::Annotate => "annotate",
            Kind::Export => "export",
        }
    }
}

/// Facts about the run a stage is made for: the host writes it and the SDK reads it through
/// this one type (`moulin_abi::contract`). In tests, build one with
/// `StageContext { stage_id: "x".into(), ..Default::default() }`.
pub use moulin_abi::contract::StageContext;

/// A pipeline stage, written as plain Rust.
///
/// The host makes one instance per worker thread with [`Stage::new`], and calls it with
/// batches of documents. Implement [`Stage::process`] for transform and annotate stages and
/// [`Stage::export`] for exporters; the batch methods loop over them and may be overridden
/// for batched work. A method that returns an error fails that document only; so does a
/// panic: the host makes a new instance and runs the batch's other documents again, so a
/// document's result must not depend on the others in its batch.
///
/// Heavy read-only state (a model, a gazetteer) belongs in a `static` `OnceLock` shared by
/// all instances, not in each instance.
pub trait Stage: Send + Sized + 'static {
    /// The configuration, deserialised from the stage's `config` table. Use
    /// `#[serde(deny_unknown_fields)]` so that a misspelt key is an error.
    type Config: DeserializeOwned;

    /// The name projects use in `plugin = "..."`. snake_case, ASCII.
    const NAME: &'static str;
    /// What the stage does, which decides what the host allows it.
    const KIND: Kind;
    /// One line for `moulin plugins`.
    const SUMMARY: &'static str;
    /// An example `config` table, in TOML, for `moulin plugins` and the docs.
    const EXAMPLE_CONFIG: &'static str = "";
    /// Checks beyond what serde does (ranges, files that must exist). Called by `moulin
    /// check` and before every run, before any input is read. Must not write anything.
    fn validate(_config: &Self::Config) -> Result<(), Error> {
        Ok(())
    }

    /// Make an instance for one worker.
    fn new(config: Self::Config, ctx: &StageContext) -> Result<Self, Error>;

    /// Transform or annotate one document.
    fn process(&mut self, _doc: &mut Document) -> Result<(), Error> {
        Err(Error::other(format!("stage `{}` does not process documents", Self::NAME)))
    }

    /// Transform or annotate a batch. Pushes `(index, error)` for documents that failed;
    /// the default calls [`Stage::process`] on each.
    fn process_batch(&mut self, docs: &mut [Document], errors: &mut Vec<(usize, Error)>) {
        for (i, doc) in docs.iter_mut().enumerate() {
            if let Err(e) = self.process(doc) {
                errors.push((i, e));
            }
        }
    }

    /// Export one document.
    fn export(&mut self, _doc: &Document) -> Result<(), Error> {
        Err(Error::other(format!("stage `{}` does not export documents", Self::NAME)))
    }

    /// Export a batch, in order. Pushes `(index, error)` for documents that failed; the
    /// default calls [`Stage::export`] on each.
    fn export_batch(&mut self, docs: &[Document], errors: &mut Vec<(usize, Error)>) {
        for (i, doc) in docs.iter().enumerate() {
            if let Err(e) = self.export(doc) {
                errors.push((i, e));
            }
        }
    }

    /// Exporters: whether [`Stage::checkpoint`] can work with this configuration. The host
    /// asks once, before the run; when an exporter says no, the run records no resume point
    /// before its end.
    fn can_checkpoint(&self) -> bool {
        false
    }

    /// Exporters: complete the open output file now, so that every document exported so far
    /// is in complete, synced files, and return the state to continue from (the SDK's
    /// [`crate::output::PartWriter::checkpoint`] does it all). The host calls it between
    /// input files and records the state in the run's journal; when the run is resumed, the
    /// new instance gets it back in [`StageContext::resume`]. `None`: the exporter cannot.
    fn checkpoint(&mut self) -> Result<Option<serde_json::Value>, Error> {
        Ok(None)
    }

    /// Exporters whose summary says `concatenate: plugin` ([`crate::output::Join::Plugin`]):
    /// write `sources` (files this exporter wrote, in order, possibly from several shards)
    /// as one file `target`, for `moulin merge --concat`; the bytes written. Called on an
    /// instance made with the stage's configuration and a scratch output folder.
    fn join(&self, _sources: &[std::path::PathBuf], _target: &std::path::Path) -> Result<u64, Error> {
        Err(Error::other(format!("stage `{}` cannot join its files", Self::NAME)))
    }

    /// End of input: flush and close. Returns a summary (a JSON object) for the run
    /// manifest; exporters report `{"files": [...], "rows": n, "bytes": n}`.
    fn finish(&mut self) -> Result<serde_json::Value, Error> {
        Ok(serde_json::json!({}))
    }
}

/// The `Config` of a stage without settings: an empty table, or none, is accepted, and any
/// key is an error naming it. (`type Config = ()` works too.)
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoConfig {}

/// Parse a stage configuration from JSON, naming the key at fault in the error.
pub fn parse_config<C: DeserializeOwned>(config_json: &str) -> Result<C, Error> {
    match parse_keyed(config_json) {
        Ok(c) => Ok(c),
        // The host sends a stage without a `config` table `{}`; a config of `()` wants
        // `null`. A table with keys for such a stage is an error that names them.
        Err(e) => match serde_json::from_str::<C>("null") {
            Ok(unit) if config_json.trim() == "{}" => Ok(unit),
            Ok(_) => {
                let keys: Vec<String> = match serde_json::from_str::<serde_json::Value>(config_json) {
                    Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
                    _ => Vec::new(),
                };
                let key = keys.first().cloned().unwrap_or_default();
                Err(Error::config(key, format!("this stage takes no settings, found {}", keys.join(", "))))
            }
            Err(_) => Err(e),
        },
    }
}

fn parse_keyed<C: DeserializeOwned>(config_json: &str) -> Result<C, Error> {
    let de = &mut serde_json::Deserializer::from_str(config_json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let mut message = e.inner().to_string();
        // serde_json appends a position in the JSON text the host generated; it means
        // nothing to the user, who wrote TOML.
        if let Some(at) = message.rfind(" at line ") {
            message.truncate(at);
        }
        // serde_path_to_error puts an unknown field in the path, but a missing field's path
        // is its parent: the key is in the message.
        let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
        let key = match missing {
            Some(k) if path.is_empty() => k.to_string(),
            Some(k) => format!("{path}.{k}"),
            None => path,
        };
        Error::config(key, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_without_settings_takes_an_empty_table() {
        parse_config::<()>("{}").unwrap();
        parse_config::<NoConfig>("{}").unwrap();
        let e = parse_config::<()>(r#"{"form": "nfc"}"#).unwrap_err();
        assert_eq!(e.key(), Some("form"));
        assert!(e.to_string().contains("takes no settings"), "{e}");
        let e = parse_config::<NoConfig>(r#"{"form": "nfc"}"#).unwrap_err();
        assert_eq!(e.key(), Some("form"));
    }
}

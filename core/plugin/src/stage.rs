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

/// A pipeline stage, written as plain Rust: what every stage has. What it does is its
/// [`Stage::Role`], and it implements that role's trait: [`Transform`] (cleaners),
/// [`Annotate`] (detectors, taggers) or [`Export`] (exporters). A method of another role is
/// not there to be written, and a role without its trait does not compile.
///
/// The host makes one instance per worker thread with [`Stage::new`] (one in all for an
/// exporter), and calls it with batches of documents. A method that returns an error fails
/// that document only; so does a panic: the host makes a new instance and runs the batch's
/// other documents again, so a document's result must not depend on the others in its batch.
///
/// Heavy read-only state (a model, a gazetteer) belongs in a `static` `OnceLock` shared by
/// all instances, not in each instance.
///
/// What the roles rule out does not compile. A transform stage has no `export`:
///
/// ```compile_fail,E0407
/// # use moulin_plugin::{Document, Error, NoConfig, Stage, StageContext, Transform, Transforms};
/// struct X;
/// impl Stage for X {
///     type Config = NoConfig;
///     type Role = Transforms;
///     const NAME: &'static str = "x";
///     const SUMMARY: &'static str = "X.";
///     fn new(_: NoConfig, _: &StageContext) -> Result<Self, Error> { Ok(X) }
/// }
/// impl Transform for X {
///     fn process(&mut self, _: &mut Document) -> Result<(), Error> { Ok(()) }
///     fn export(&mut self, _: &Document) -> Result<(), Error> { Ok(()) }
/// }
/// ```
///
/// A stage whose role is to export must implement [`Export`]:
///
/// ```compile_fail,E0277
/// # use moulin_plugin::{Document, Error, Exports, NoConfig, Stage, StageContext, Transform};
/// struct X;
/// impl Stage for X {
///     type Config = NoConfig;
///     type Role = Exports;
///     const NAME: &'static str = "x";
///     const SUMMARY: &'static str = "X.";
///     fn new(_: NoConfig, _: &StageContext) -> Result<Self, Error> { Ok(X) }
/// }
/// impl Transform for X {
///     fn process(&mut self, _: &mut Document) -> Result<(), Error> { Ok(()) }
/// }
/// ```
///
/// And an annotate stage cannot change the text:
///
/// ```compile_fail,E0596
/// # use moulin_plugin::{Annotate, Annotates, Annotation, Error, NoConfig, Stage, StageContext};
/// struct X;
/// impl Stage for X {
///     type Config = NoConfig;
///     type Role = Annotates;
///     const NAME: &'static str = "x";
///     const SUMMARY: &'static str = "X.";
///     fn new(_: NoConfig, _: &StageContext) -> Result<Self, Error> { Ok(X) }
/// }
/// impl Annotate for X {
///     fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
///         doc.set_text("changed".into());
///         Ok(())
///     }
/// }
/// ```
///
/// What it may do compiles:
///
/// ```
/// # use moulin_plugin::{Annotate, Annotates, Annotation, Error, NoConfig, Span, Stage, StageContext};
/// struct X;
/// impl Stage for X {
///     type Config = NoConfig;
///     type Role = Annotates;
///     const NAME: &'static str = "x";
///     const SUMMARY: &'static str = "X.";
///     fn new(_: NoConfig, _: &StageContext) -> Result<Self, Error> { Ok(X) }
/// }
/// impl Annotate for X {
///     fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
///         let end = doc.text().len() as u64;
///         doc.add_span(Span::at(0, end).layer("x").label("ALL"));
///         doc.set_lang("fr", 0.9);
///         Ok(())
///     }
/// }
/// ```
pub trait Stage: Send + Sized + 'static {
    /// The configuration, deserialised from the stage's `config` table. Use
    /// `#[serde(deny_unknown_fields)]` so that a misspelt key is an error, or [`NoConfig`]
    /// (or `()`) for a stage without settings.
    type Config: DeserializeOwned;
    /// What the stage does, which decides what the host allows it: [`Transforms`],
    /// [`Annotates`] or [`Exports`].
    type Role: Role<Self>;

    /// The name projects use in `plugin = "..."`. snake_case, ASCII.
    const NAME: &'static str;
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

    /// End of input: flush and close. Returns a summary (a JSON object) for the run
    /// manifest; an exporter's is its files' ([`crate::output::PartWriter::finish`]).
    fn finish(&mut self) -> Result<serde_json::Value, Error> {
        Ok(serde_json::json!({}))
    }
}

/// A cleaner: may rewrite the text (keeping spans valid, [`Document::set_text_remapped`])
/// and drop documents. Its [`Stage::Role`] is [`Transforms`].
pub trait Transform: Stage {
    /// Transform one document.
    fn process(&mut self, doc: &mut Document) -> Result<(), Error>;

    /// Transform a batch. Pushes `(index, error)` for documents that failed; the default
    /// calls [`Transform::process`] on each.
    fn process_batch(&mut self, docs: &mut [Document], errors: &mut Vec<(usize, Error)>) {
        for (i, doc) in docs.iter_mut().enumerate() {
            if let Err(e) = self.process(doc) {
                errors.push((i, e));
            }
        }
    }
}

/// A detector or tagger: may add spans, set the language and meta, and drop documents, but
/// not change the text, which an [`Annotation`] does not let it do. Its [`Stage::Role`] is
/// [`Annotates`].
pub trait Annotate: Stage {
    /// Annotate one document.
    fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error>;

    /// Annotate a batch. Pushes `(index, error)` for documents that failed; the default
    /// calls [`Annotate::annotate`] on each.
    fn annotate_batch(&mut self, docs: &mut [Annotation<'_>], errors: &mut Vec<(usize, Error)>) {
        for (i, doc) in docs.iter_mut().enumerate() {
            if let Err(e) = self.annotate(doc) {
                errors.push((i, e));
            }
        }
    }
}

/// An exporter: writes documents, in document order, after every other stage. Its
/// [`Stage::Role`] is [`Exports`]. The SDK's [`crate::output`] does the files: parts,
/// limits, `.partial` names, the summary, resume points.
pub trait Export: Stage {
    /// Export one document.
    fn export(&mut self, doc: &Document) -> Result<(), Error>;

    /// Export a batch, in order. Pushes `(index, error)` for documents that failed; the
    /// default calls [`Export::export`] on each.
    fn export_batch(&mut self, docs: &[Document], errors: &mut Vec<(usize, Error)>) {
        for (i, doc) in docs.iter().enumerate() {
            if let Err(e) = self.export(doc) {
                errors.push((i, e));
            }
        }
    }

    /// Whether [`Export::checkpoint`] can work with this configuration. The host asks once,
    /// before the run; when an exporter says no, the run records no resume point before its
    /// end.
    fn can_checkpoint(&self) -> bool {
        false
    }

    /// Complete the open output file now, so that every document exported so far is in
    /// complete, synced files, and return the state to continue from (the SDK's
    /// [`crate::output::PartWriter::checkpoint`] does it all). The host calls it between
    /// input files and records the state in the run's journal; when the run is resumed, the
    /// new instance gets it back in [`StageContext::resume`]. `None`: the exporter cannot.
    fn checkpoint(&mut self) -> Result<Option<serde_json::Value>, Error> {
        Ok(None)
    }

    /// For an exporter whose summary says `concatenate: plugin` ([`crate::output::Join::Plugin`]):
    /// write `sources` (files this exporter wrote, in order, possibly from several shards)
    /// as one file `target`, for `moulin merge --concat`; the bytes written. Called on an
    /// instance made with the stage's configuration and a scratch output folder.
    fn join(&self, _sources: &[std::path::PathBuf], _target: &std::path::Path) -> Result<u64, Error> {
        Err(Error::other(format!("stage `{}` cannot join its files", Self::NAME)))
    }
}

/// A document as an annotate stage sees it: everything of a [`Document`] to read (it
/// dereferences to one), and everything to change but the text.
pub struct Annotation<'a>(&'a mut Document);

impl<'a> Annotation<'a> {
    /// The document `doc`, to annotate.
    pub fn new(doc: &'a mut Document) -> Self {
        Annotation(doc)
    }

    /// Set the language (ISO 639-1) and the detector's confidence.
    pub fn set_lang(&mut self, lang: &str, score: f32) {
        self.0.set_lang(lang, score)
    }

    /// Replace the meta object.
    pub fn set_meta(&mut self, meta: serde_json::Map<String, serde_json::Value>) {
        self.0.set_meta(meta)
    }

    /// Set one meta field.
    pub fn set_meta_field(&mut self, key: &str, value: serde_json::Value) {
        self.0.set_meta_field(key, value)
    }

    /// Add a span (`Span::at(start, end).layer(..).label(..)`).
    pub fn add_span(&mut self, span: crate::Span) {
        self.0.add_span(span)
    }

    /// Keep only the spans `keep` says yes to.
    pub fn retain_spans(&mut self, keep: impl FnMut(&crate::Span) -> bool) {
        self.0.retain_spans(keep)
    }

    /// Drop the document, saying why.
    pub fn drop_with(&mut self, reason: impl Into<String>) {
        self.0.drop_with(reason)
    }

    /// Replace the text anyway, breaking the annotate contract: the host (and the test
    /// kit) then fail the document. For tests of hosts only.
    #[doc(hidden)]
    pub fn __set_text_breaking_the_contract(&mut self, text: String) {
        self.0.set_text(text)
    }
}

impl std::ops::Deref for Annotation<'_> {
    type Target = Document;
    fn deref(&self) -> &Document {
        self.0
    }
}

/// The [`Stage::Role`] of a [`Transform`] stage.
pub struct Transforms;
/// The [`Stage::Role`] of an [`Annotate`] stage.
pub struct Annotates;
/// The [`Stage::Role`] of an [`Export`] stage.
pub struct Exports;

/// What a role is: its kind, and how the SDK calls a stage of it. Implemented for
/// [`Transforms`], [`Annotates`] and [`Exports`] only.
pub trait Role<S: Stage>: private::Sealed {
    /// The kind the host knows the stage by.
    const KIND: Kind;
    #[doc(hidden)]
    fn hooks() -> RoleHooks<S>;
}

mod private {
    pub trait Sealed {}
    impl Sealed for super::Transforms {}
    impl Sealed for super::Annotates {}
    impl Sealed for super::Exports {}
}

type Errors = Vec<(usize, Error)>;

/// How the adapter calls a stage of a role.
#[doc(hidden)]
pub struct RoleHooks<S> {
    pub process: Option<fn(&mut S, &mut [Document], &mut Errors)>,
    pub export: Option<fn(&mut S, &[Document], &mut Errors)>,
    pub can_checkpoint: fn(&S) -> bool,
    pub checkpoint: fn(&mut S) -> Result<Option<serde_json::Value>, Error>,
    pub join: fn(&S, &[std::path::PathBuf], &std::path::Path) -> Result<u64, Error>,
}

fn cannot_checkpoint<S>(_: &S) -> bool {
    false
}

fn no_checkpoint<S>(_: &mut S) -> Result<Option<serde_json::Value>, Error> {
    Ok(None)
}

fn no_join<S: Stage>(_: &S, _: &[std::path::PathBuf], _: &std::path::Path) -> Result<u64, Error> {
    Err(Error::other(format!("stage `{}` is not an exporter and joins no files", S::NAME)))
}

impl<S: Transform> Role<S> for Transforms {
    const KIND: Kind = Kind::Transform;
    fn hooks() -> RoleHooks<S> {
        RoleHooks {
            process: Some(S::process_batch),
            export: None,
            can_checkpoint: cannot_checkpoint,
            checkpoint: no_checkpoint,
            join: no_join,
        }
    }
}

impl<S: Annotate> Role<S> for Annotates {
    const KIND: Kind = Kind::Annotate;
    fn hooks() -> RoleHooks<S> {
        RoleHooks {
            process: Some(|stage: &mut S, docs: &mut [Document], errors: &mut Errors| {
                let mut docs: Vec<Annotation<'_>> = docs.iter_mut().map(Annotation).collect();
                stage.annotate_batch(&mut docs, errors)
            }),
            export: None,
            can_checkpoint: cannot_checkpoint,
            checkpoint: no_checkpoint,
            join: no_join,
        }
    }
}

impl<S: Export> Role<S> for Exports {
    const KIND: Kind = Kind::Export;
    fn hooks() -> RoleHooks<S> {
        RoleHooks {
            process: None,
            export: Some(S::export_batch),
            can_checkpoint: S::can_checkpoint,
            checkpoint: S::checkpoint,
            join: S::join,
        }
    }
}

/// The kind of a stage type.
pub fn kind_of<S: Stage>() -> Kind {
    <S::Role as Role<S>>::KIND
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

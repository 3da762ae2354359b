//! Stages that misbehave on purpose, keyed on words in the text:
//! `panicky` panics on a document containing PANIC, fails one containing FAIL, drops one
//! containing DROP, and logs one `info` event per batch; `bad_span` adds a span past the end
//! of a text containing SPAN; `sneaky` is an annotate stage that changes text containing
//! SNEAK; `sleepy` waits `ms` milliseconds on each batch (to kill a run in its middle).
use moulin_plugin::{Document, Error, Kind, Span, Stage, StageContext};

/// No settings.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {}

/// Panics, fails, drops, logs.
pub struct Panicky;

impl Stage for Panicky {
    type Config = Config;
    const NAME: &'static str = "panicky";
    const KIND: Kind = Kind::Transform;
    const SUMMARY: &'static str = "Panics on PANIC, fails FAIL, drops DROP.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(Panicky)
    }
    fn process_batch(&mut self, docs: &mut [Document], errors: &mut Vec<(usize, Error)>) {
        tracing::info!(documents = docs.len(), "panicky saw a batch");
        for (i, doc) in docs.iter_mut().enumerate() {
            if doc.text().contains("PANIC") {
                panic!("found PANIC in {}", doc.id());
            } else if doc.text().contains("FAIL") {
                errors.push((i, Error::document("found FAIL")));
            } else if doc.text().contains("DROP") {
                doc.drop_with("panicky: found DROP");
            }
        }
    }
}

/// Adds an invalid span.
pub struct BadSpan;

impl Stage for BadSpan {
    type Config = Config;
    const NAME: &'static str = "bad_span";
    const KIND: Kind = Kind::Annotate;
    const SUMMARY: &'static str = "Adds a span past the end of texts with SPAN.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(BadSpan)
    }
    fn process(&mut self, doc: &mut Document) -> Result<(), Error> {
        if doc.text().contains("SPAN") {
            let end = doc.text().len() as u64 + 10;
            doc.add_span(Span::new(0, end, "x", "BAD", "bad_span"));
        }
        Ok(())
    }
}

/// An annotate stage that changes the text.
pub struct Sneaky;

impl Stage for Sneaky {
    type Config = Config;
    const NAME: &'static str = "sneaky";
    const KIND: Kind = Kind::Annotate;
    const SUMMARY: &'static str = "Changes texts with SNEAK although it only annotates.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(Sneaky)
    }
    fn process(&mut self, doc: &mut Document) -> Result<(), Error> {
        if doc.text().contains("SNEAK") {
            let t = doc.text().replace("SNEAK", "sneak");
            doc.set_text(t);
        }
        Ok(())
    }
}

/// How long `sleepy` waits.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SleepyConfig {
    /// Milliseconds a batch.
    pub ms: u64,
}

/// Waits on each batch.
pub struct Sleepy {
    ms: u64,
}

impl Stage for Sleepy {
    type Config = SleepyConfig;
    const NAME: &'static str = "sleepy";
    const KIND: Kind = Kind::Transform;
    const SUMMARY: &'static str = "Waits `ms` milliseconds on each batch.";
    fn new(config: SleepyConfig, _: &StageContext) -> Result<Self, Error> {
        Ok(Sleepy { ms: config.ms })
    }
    fn process_batch(&mut self, _docs: &mut [Document], _errors: &mut Vec<(usize, Error)>) {
        std::thread::sleep(std::time::Duration::from_millis(self.ms));
    }
}

moulin_plugin::export_plugin!(Panicky, BadSpan, Sneaky, Sleepy);

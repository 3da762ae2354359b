//! Stages that misbehave on purpose, keyed on words in the text:
//! `panicky` panics on a document containing PANIC, fails one containing FAIL, drops one
//! containing DROP, and logs one `info` event per batch; `bad_span` adds a span past the end
//! of a text containing SPAN; `sneaky` is an annotate stage that changes text containing
//! SNEAK; `sleepy` waits `ms` milliseconds on each batch (to kill a run in its middle).
//! `two_passes` is a stage with two passes before the main pass: the first counts every
//! word of the input, the second the documents holding a word seen once in the whole input
//! (so it needs the first's result); the main pass writes both counts into every document's
//! meta `two_passes`, and panics on a document containing PASSPANIC in a pass.
use moulin_plugin::{
    Annotate, Annotates, Annotation, Document, Error, PassPlan, PassResult, Passes, Records, Span, Stage, StageContext,
    Transform, Transforms,
};
use std::collections::HashMap;

/// No settings.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {}

/// Panics, fails, drops, logs.
pub struct Panicky;

impl Stage for Panicky {
    type Config = Config;
    type Role = Transforms;
    const NAME: &'static str = "panicky";
    const SUMMARY: &'static str = "Panics on PANIC, fails FAIL, drops DROP.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(Panicky)
    }
}

impl Transform for Panicky {
    fn process(&mut self, doc: &mut Document) -> Result<(), Error> {
        if doc.text().contains("PANIC") {
            panic!("found PANIC in {}", doc.id());
        } else if doc.text().contains("FAIL") {
            return Err(Error::document("found FAIL"));
        } else if doc.text().contains("DROP") {
            doc.drop_with("panicky: found DROP");
        }
        Ok(())
    }

    fn process_batch(&mut self, docs: &mut [Document], errors: &mut Vec<(usize, Error)>) {
        tracing::info!(documents = docs.len(), "panicky saw a batch");
        for (i, doc) in docs.iter_mut().enumerate() {
            if let Err(e) = self.process(doc) {
                errors.push((i, e));
            }
        }
    }
}

/// Adds an invalid span.
pub struct BadSpan;

impl Stage for BadSpan {
    type Config = Config;
    type Role = Annotates;
    const NAME: &'static str = "bad_span";
    const SUMMARY: &'static str = "Adds a span past the end of texts with SPAN.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(BadSpan)
    }
}

impl Annotate for BadSpan {
    fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
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
    type Role = Annotates;
    const NAME: &'static str = "sneaky";
    const SUMMARY: &'static str = "Changes texts with SNEAK although it only annotates.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(Sneaky)
    }
}

impl Annotate for Sneaky {
    fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
        if doc.text().contains("SNEAK") {
            let t = doc.text().replace("SNEAK", "sneak");
            // What the SDK does not let an annotate stage do, on purpose.
            doc.__set_text_breaking_the_contract(t);
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
    type Role = Transforms;
    const NAME: &'static str = "sleepy";
    const SUMMARY: &'static str = "Waits `ms` milliseconds on each batch.";
    fn new(config: SleepyConfig, _: &StageContext) -> Result<Self, Error> {
        Ok(Sleepy { ms: config.ms })
    }
}

impl Transform for Sleepy {
    fn process(&mut self, _doc: &mut Document) -> Result<(), Error> {
        Ok(())
    }

    fn process_batch(&mut self, _docs: &mut [Document], _errors: &mut Vec<(usize, Error)>) {
        std::thread::sleep(std::time::Duration::from_millis(self.ms));
    }
}

/// `two_passes`'s settings.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoPassesConfig {
    /// Merge each pass over every shard of a sharded run.
    #[serde(default)]
    pub global: bool,
}

/// Counts words (pass 0), then documents with a word seen once (pass 1).
pub struct TwoPasses {
    /// Every word's count over the input, from pass 0.
    words: HashMap<String, u64>,
    /// From pass 1.
    hapax_documents: u64,
}

fn count(value: &[u8]) -> u64 {
    value.try_into().map(u64::from_le_bytes).unwrap_or(0)
}

impl Stage for TwoPasses {
    type Config = TwoPassesConfig;
    type Role = Annotates;
    const NAME: &'static str = "two_passes";
    const SUMMARY: &'static str = "Two passes: word counts, then documents with a word seen once.";

    fn new(_: TwoPassesConfig, ctx: &StageContext) -> Result<Self, Error> {
        let mut stage = TwoPasses { words: HashMap::new(), hapax_documents: 0 };
        if let Some(result) = PassResult::open(ctx, 0) {
            for record in result.records()? {
                let (word, n) = record?;
                stage.words.insert(String::from_utf8_lossy(&word).into_owned(), count(&n));
            }
        }
        if let Some(result) = PassResult::open(ctx, 1) {
            for record in result.records()? {
                stage.hapax_documents += count(&record?.1);
            }
        }
        Ok(stage)
    }
}

impl Annotate for TwoPasses {
    fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
        let total: u64 = self.words.values().sum();
        doc.set_meta_field(
            "two_passes",
            serde_json::json!({ "distinct": self.words.len(), "words": total, "hapax_documents": self.hapax_documents }),
        );
        Ok(())
    }
}

impl Passes for TwoPasses {
    fn plan(config: &TwoPassesConfig) -> PassPlan {
        PassPlan { passes: 2, global: config.global }
    }

    fn observe(&mut self, pass: u32, doc: &Document, records: &mut Records) -> Result<(), Error> {
        if doc.text().contains("PASSPANIC") {
            panic!("PASSPANIC in pass {pass}");
        }
        let words = doc.text().split_whitespace().map(str::to_lowercase);
        match pass {
            0 => words.for_each(|w| records.push(w.into_bytes(), 1u64.to_le_bytes())),
            _ => {
                let words: Vec<String> = words.collect();
                if words.iter().any(|w| self.words.get(w) == Some(&1)) {
                    records.push(b"hapax_documents", 1u64.to_le_bytes());
                }
            }
        }
        Ok(())
    }

    fn combine(&self, _pass: u32, _key: &[u8], values: &[Vec<u8>]) -> Vec<u8> {
        values.iter().map(|v| count(v)).sum::<u64>().to_le_bytes().to_vec()
    }
}

moulin_plugin::export_plugin!(Panicky, BadSpan, Sneaky, Sleepy, TwoPasses[passes]);

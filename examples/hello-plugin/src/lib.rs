//! `hello`: the smallest complete moulin plugin, to copy.
//!
//! An annotate stage that marks every occurrence of a greeting with a `greeting` span and
//! counts them in meta. Build it with `cargo build` here and put
//! `target/debug/libmoulin_hello.so` on the plugin path.
use moulin_plugin::{Annotate, Annotates, Annotation, Error, Span, Stage, StageContext};
use serde::Deserialize;

/// The `config` table of a `hello` stage.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelloConfig {
    /// The greetings to find (case-sensitive).
    #[serde(default = "default_words")]
    pub words: Vec<String>,
}

fn default_words() -> Vec<String> {
    vec!["Bonjour".into(), "Hello".into()]
}

/// The `hello` stage.
pub struct Hello {
    words: Vec<String>,
    source: String,
}

impl Stage for Hello {
    type Config = HelloConfig;
    type Role = Annotates;
    const NAME: &'static str = "hello";
    const SUMMARY: &'static str = "Marks greetings with `greeting` spans and counts them in meta.";
    const EXAMPLE_CONFIG: &'static str = "words = [\"Bonjour\", \"Hello\"]";

    fn validate(config: &HelloConfig) -> Result<(), Error> {
        if config.words.iter().any(|w| w.is_empty()) {
            return Err(Error::config("words", "expected non-empty words, found an empty one"));
        }
        Ok(())
    }

    fn new(config: HelloConfig, ctx: &StageContext) -> Result<Self, Error> {
        Ok(Hello { words: config.words, source: ctx.stage_id.clone() })
    }
}

impl Annotate for Hello {
    fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
        let mut found = Vec::new();
        for word in &self.words {
            for (start, w) in doc.text().match_indices(word.as_str()) {
                let end = (start + w.len()) as u64;
                found.push(Span::at(start as u64, end).layer("greeting").label(word).source(&self.source));
            }
        }
        doc.set_meta_field("greetings", found.len().into());
        for span in found {
            doc.add_span(span);
        }
        Ok(())
    }
}

moulin_plugin::export_plugin!(Hello);

#[cfg(test)]
mod tests {
    use super::*;
    use moulin_plugin::testkit::{check_config, docs, Harness};
    use serde_json::json;

    #[test]
    fn marks_greetings() {
        let mut stage = Harness::new::<Hello>(json!({})).unwrap();
        let out = stage.process(docs(&[("a", "Bonjour Paris. Hello!")])).unwrap();
        let doc = &out.kept[0];
        assert_eq!(doc.meta()["greetings"], 2);
        let labels: Vec<&str> = doc.spans().iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["Bonjour", "Hello"]);
    }

    #[test]
    fn empty_words_are_refused() {
        let e = check_config::<Hello>(json!({"words": [""]})).unwrap_err();
        assert_eq!(e.key(), Some("words"));
    }
}

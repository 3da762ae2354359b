//! [`Document`]: the plugin author's view of a document.

use moulin_abi::{
    abi_stable::std_types::{ROption, RString},
    Doc, Span,
};
use serde_json::{Map, Value};

/// A document, as a stage sees it. A thin wrapper over the ABI document: reading the text
/// copies nothing.
#[repr(transparent)]
#[derive(Debug, Clone, PartialEq)]
pub struct Document(pub(crate) Doc);

impl Document {
    /// A document with an id and a text (`und` language, empty meta, no spans). For tests.
    pub fn new(id: &str, text: &str) -> Self {
        Document(Doc::new(id, text))
    }

    /// Wrap an ABI document.
    pub fn from_abi(doc: Doc) -> Self {
        Document(doc)
    }

    /// Unwrap into the ABI document.
    pub fn into_abi(self) -> Doc {
        self.0
    }

    /// The ABI document (no copy).
    pub fn as_abi(&self) -> &Doc {
        &self.0
    }

    /// View a slice of ABI documents as documents (no copy).
    pub fn slice_from_abi(docs: &[Doc]) -> &[Document] {
        // SAFETY: Document is #[repr(transparent)] over Doc.
        unsafe { std::slice::from_raw_parts(docs.as_ptr().cast::<Document>(), docs.len()) }
    }

    /// The id.
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.0.text
    }

    /// Replace the text. The caller keeps the spans valid: use
    /// [`Document::set_text_remapped`] when the text changes under existing spans.
    pub fn set_text(&mut self, text: String) {
        self.0.text = RString::from(text);
    }

    /// Replace the text and move every span with `map`, a function from an old byte offset
    /// to the new one. A span whose mapped range is empty while the old one was not is
    /// removed.
    pub fn set_text_remapped(&mut self, text: String, mut map: impl FnMut(usize) -> usize) {
        let spans = std::mem::take(&mut self.0.spans);
        for mut span in spans.into_iter() {
            let was_empty = span.start == span.end;
            span.start = map(span.start as usize) as u64;
            span.end = map(span.end as usize) as u64;
            if was_empty || span.start < span.end {
                self.0.spans.push(span);
            }
        }
        self.0.text = RString::from(text);
    }

    /// The language code (`und` when unknown).
    pub fn lang(&self) -> &str {
        &self.0.lang
    }

    /// The language score (`NaN` when unknown).
    pub fn lang_score(&self) -> f32 {
        self.0.lang_score
    }

    /// Set the language and its score.
    pub fn set_lang(&mut self, lang: &str, score: f32) {
        self.0.lang = RString::from(lang);
        self.0.lang_score = score;
    }

    /// The metadata as a JSON object (parsed on each call: keep the result if you need it
    /// more than once).
    pub fn meta(&self) -> Map<String, Value> {
        match serde_json::from_str::<Value>(&self.0.meta_json) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }

    /// The metadata as raw JSON text.
    pub fn meta_json(&self) -> &str {
        &self.0.meta_json
    }

    /// Replace the metadata.
    pub fn set_meta(&mut self, meta: Map<String, Value>) {
        self.0.meta_json = RString::from(Value::Object(meta).to_string());
    }

    /// Set one metadata field.
    pub fn set_meta_field(&mut self, key: &str, value: Value) {
        let mut meta = self.meta();
        meta.insert(key.to_string(), value);
        self.set_meta(meta);
    }

    /// The spans.
    pub fn spans(&self) -> &[Span] {
        &self.0.spans
    }

    /// Add a span.
    pub fn add_span(&mut self, span: Span) {
        self.0.spans.push(span);
    }

    /// Remove the spans for which `keep` returns false.
    pub fn retain_spans(&mut self, mut keep: impl FnMut(&Span) -> bool) {
        self.0.spans.retain(|s| keep(s));
    }

    /// Mark the document dropped, with a reason the host counts (`"too short"`). A detail of
    /// this document's own goes after `"; "` (`"near duplicate; kept a.txt"`): the host counts
    /// the reason before it, and an embedder gets the whole text.
    pub fn drop_with(&mut self, reason: impl Into<String>) {
        self.0.drop_reason = ROption::RSome(RString::from(reason.into()));
    }

    /// Why the document was dropped, if it was.
    pub fn drop_reason(&self) -> Option<&str> {
        match &self.0.drop_reason {
            ROption::RSome(r) => Some(r.as_str()),
            ROption::RNone => None,
        }
    }
}

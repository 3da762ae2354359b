/*!
`conll`: an exporter that writes tokens with IOB2 tags, for NER trainers.

One block per document: a comment line `# id = <document id>`, then one line per token,
`n<TAB>token<TAB>tag` (`n` counts the document's tokens from 1), then a blank line. Tags
are `B-<label>`, `I-<label>` and `O`, from the spans of one layer (`entity` by default).
The number column, as in CoNLL-U, keeps a token line apart from a comment even when the
token is `#`. The format reads with CoNLL readers that take a column list and `#` comments
(the Python `conllu` package with `fields = ["id", "form", "tag"]`, which the tests use;
flair's `ColumnCorpus` with `{1: "text", 2: "ner"}`).

**Tokeniser.** Whitespace separates tokens and is not kept. A token is a run of letters,
digits and combining marks, which may hold a hyphen or an apostrophe between two such
characters (`Saint-Denis`, `aujourd'hui`) and a dot or comma between two digits (`3,5`,
`1.000`); an elision ends its token at the apostrophe (`l'` `OTAN`, `d'` `Afghanistan`,
with `'` or `’`). Every other character is a token of its own (punctuation, symbols).

**Spans to tags.** Tokens are also cut where a span starts or ends inside them (a span on
`Paris` in `Paris-Nord` gives the tokens `Paris` and `-Nord`), so every span covers whole
tokens; its first token is `B-`, the others `I-`. Spans that overlap are resolved before tagging:
they are taken by start, longer first, and a span that overlaps one already taken is left
out (so nested entities keep the outer one) and counted in the summary as
`overlapping_spans_dropped`. Rows in the summary are token lines. Files are written as `<name>.partial` and renamed when
complete; `max_documents_per_file` and `max_bytes_per_file` cut the output into parts.

```
use moulin_conll::Conll;
use moulin_plugin::{testkit::{docs, Harness}, Span, StageContext};

let dir = tempfile::tempdir()?;
let ctx = StageContext { stage_id: "export".into(), output_dir: dir.path().into(), ..Default::default() };
let mut stage = Harness::with_context::<Conll>(serde_json::json!({ "path": "ner.conll" }), ctx)?;
let mut d = docs(&[("a", "Gambetta à Tours.")]);
d[0].add_span(Span::new(0, 8, "entity", "PER", "ner"));
d[0].add_span(Span::new(12, 17, "entity", "LOC", "ner"));
stage.export(&d)?;
stage.finish()?;
assert_eq!(std::fs::read_to_string(dir.path().join("ner.conll"))?, "# id = a\n1\tGambetta\tB-PER\n2\tà\tO\n3\tTours\tB-LOC\n4\t.\tO\n\n");
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

use moulin_plugin::output::{self, Compressed, Compression, FileLimits, Join, Outputs, PartWriter};
use moulin_plugin::{Document, Error, Export, Exports, Span, Stage, StageContext};
use serde::Deserialize;
use std::io::Write;
use std::path::PathBuf;

/// The `config` table of a `conll` stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConllConfig {
    /// The output file, relative to the run's output folder; `.gz` or `.zst` compresses it.
    pub path: PathBuf,
    /// The span layer the tags come from. Default `entity`.
    #[serde(default = "default_layer")]
    pub layer: String,
    /// Start a new part after this many documents. Default: one file.
    #[serde(default)]
    pub max_documents_per_file: Option<u64>,
    /// Start a new part once a file has this many bytes. Default: one file.
    #[serde(default)]
    pub max_bytes_per_file: Option<u64>,
}

fn default_layer() -> String {
    "entity".into()
}

/// The summary's count of spans left out because they overlap another.
const DROPPED: &str = "overlapping_spans_dropped";

/// The `conll` stage.
pub struct Conll {
    layer: String,
    files: PartWriter<Compressed>,
    dropped: u64,
    block: String,
}

impl Stage for Conll {
    type Config = ConllConfig;
    type Role = Exports;
    const NAME: &'static str = "conll";
    const SUMMARY: &'static str =
        "Writes CoNLL: one token per line with IOB2 tags from a span layer, one block per document.";
    const EXAMPLE_CONFIG: &'static str = "path = \"ner.conll\"\nlayer = \"entity\"";

    fn validate(config: &ConllConfig) -> Result<(), Error> {
        output::validate_path(&config.path)?;
        FileLimits { max_documents: config.max_documents_per_file, max_bytes: config.max_bytes_per_file }.validate()?;
        if config.layer.is_empty() {
            return Err(Error::config("layer", "expected a layer name such as \"entity\""));
        }
        Ok(())
    }

    fn new(config: ConllConfig, ctx: &StageContext) -> Result<Self, Error> {
        let limits = FileLimits { max_documents: config.max_documents_per_file, max_bytes: config.max_bytes_per_file };
        let outputs = Outputs::for_stage(ctx, &config.path, limits)?;
        // `.gz` and `.zst` compress, as for every text exporter.
        let compression = Compression::of(&config.path);
        let open = move |file| Compressed::open(file, compression, None);
        let files = PartWriter::new(outputs, Box::new(open), Box::new(Compressed::finish))?.continuing(Box::new(open));
        let dropped = ctx.resume.as_ref().and_then(|state| state[DROPPED].as_u64()).unwrap_or(0);
        Ok(Conll { layer: config.layer, files, dropped, block: String::new() })
    }

    fn finish(&mut self) -> Result<serde_json::Value, Error> {
        let mut summary = self.files.finish(Some(Join::Bytes))?;
        summary[DROPPED] = self.dropped.into();
        Ok(summary)
    }
}

impl Export for Conll {
    fn export(&mut self, doc: &Document) -> Result<(), Error> {
        let (tagged, dropped) = tag(doc.text(), doc.spans(), &self.layer);
        self.dropped += dropped;
        self.block.clear();
        // A line break in an id would end the comment early.
        self.block.push_str(&format!("# id = {}\n", doc.id().replace(['\n', '\r'], " ")));
        for (n, (token, tag)) in tagged.iter().enumerate() {
            self.block.push_str(&(n + 1).to_string());
            self.block.push('\t');
            self.block.push_str(token);
            self.block.push('\t');
            self.block.push_str(tag);
            self.block.push('\n');
        }
        self.block.push('\n');
        let (file, part) = self.files.writer()?;
        file.write_all(self.block.as_bytes())
            .map_err(|e| Error::io(format!("{}: {e}", part.partial_path().display())))?;
        part.add(tagged.len() as u64, 0);
        part.set_bytes(file.bytes());
        Ok(())
    }
    fn can_checkpoint(&self) -> bool {
        self.files.can_checkpoint()
    }
    fn checkpoint(&mut self) -> Result<Option<serde_json::Value>, Error> {
        Ok(self.files.checkpoint()?.map(|mut state| {
            state[DROPPED] = self.dropped.into();
            state
        }))
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

/// Combining marks (accents written as separate code points).
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Whether a word that ends with an apostrophe is an elision (`l'`, `qu'`, `jusqu'`): the
/// apostrophe then ends the token.
fn is_elision(word: &str) -> bool {
    const ELIDED: &[&str] = &["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"];
    ELIDED.iter().any(|e| word.eq_ignore_ascii_case(e))
}

/// The tokens of `text` as byte ranges (see the crate documentation for the rules).
pub fn tokenize(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |&(at, _)| at);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if !is_word(c) {
            tokens.push((start, end_of(i + 1)));
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() {
            let c = chars[j].1;
            if is_word(c) {
                j += 1;
                continue;
            }
            let next_word = chars.get(j + 1).is_some_and(|&(_, n)| is_word(n));
            let prev = chars[j - 1].1;
            let joins = match c {
                '-' => next_word,
                '\'' | '’' => {
                    if is_elision(&text[start..chars[j].0]) {
                        // `l'OTAN`: the apostrophe closes the elided word.
                        j += 1;
                        break;
                    }
                    next_word
                }
                '.' | ',' => prev.is_ascii_digit() && chars.get(j + 1).is_some_and(|&(_, n)| n.is_ascii_digit()),
                _ => false,
            };
            if !joins {
                break;
            }
            j += 1;
        }
        tokens.push((start, end_of(j)));
        i = j;
    }
    tokens
}

/// The spans of `layer` that do not overlap one another: by start, longer first, the first
/// taken wins. Returns them and how many were left out.
pub fn resolve(spans: &[Span], layer: &str) -> (Vec<Span>, u64) {
    let mut candidates: Vec<&Span> = spans.iter().filter(|s| s.layer.as_str() == layer && s.end > s.start).collect();
    candidates.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Span> = Vec::new();
    let mut dropped = 0;
    for s in candidates {
        if kept.last().is_some_and(|k| s.start < k.end) {
            dropped += 1;
        } else {
            kept.push(s.clone());
        }
    }
    (kept, dropped)
}

/// Tokens of `text` with their IOB2 tags from the spans of `layer`, and the number of
/// overlapping spans left out.
pub fn tag<'t>(text: &'t str, spans: &[Span], layer: &str) -> (Vec<(&'t str, String)>, u64) {
    let (spans, dropped) = resolve(spans, layer);
    let mut bounds: Vec<usize> = spans.iter().flat_map(|s| [s.start as usize, s.end as usize]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let mut out = Vec::new();
    let mut next = 0;
    // The span the previous token was in, to tell B from I.
    let mut open: Option<usize> = None;
    for (start, end) in cut_at(tokenize(text), &bounds) {
        while next < spans.len() && spans[next].end as usize <= start {
            next += 1;
        }
        let tag = match spans.get(next) {
            Some(s) if (s.start as usize) < end => {
                let prefix = if open == Some(next) { "I" } else { "B" };
                open = Some(next);
                // A label with white space would split the line.
                format!("{prefix}-{}", s.label.replace(char::is_whitespace, "_"))
            }
            _ => {
                open = None;
                "O".to_string()
            }
        };
        out.push((&text[start..end], tag));
    }
    (out, dropped)
}

/// Cut tokens at the `bounds` (sorted byte offsets) that fall strictly inside them.
fn cut_at(tokens: Vec<(usize, usize)>, bounds: &[usize]) -> Vec<(usize, usize)> {
    if bounds.is_empty() {
        return tokens;
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut b = 0;
    for (start, end) in tokens {
        let mut from = start;
        while b < bounds.len() && bounds[b] <= from {
            b += 1;
        }
        while b < bounds.len() && bounds[b] < end {
            out.push((from, bounds[b]));
            from = bounds[b];
            b += 1;
        }
        out.push((from, end));
    }
    out
}

moulin_plugin::export_plugin!(Conll);

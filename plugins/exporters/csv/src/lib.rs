/*!
`csv`: an exporter that writes CSV, one row per document or one row per span.

- `rows = "documents"`: the chosen `columns` (`id`, `text`, `lang`, `lang_score`, `meta` as
  JSON), then one column per `meta_fields` entry, read from the document's meta by JSON
  pointer (a string as it is, another value as JSON, nothing when absent).
- `rows = "spans"`: `id, start, end, char_start, char_end, layer, label, text, score,
  source` for every span of the `layers` asked for (all by default), in the document's
  order; `start`/`end` are byte offsets, `char_start`/`char_end` Unicode scalar offsets, and
  `text` is the text the span covers.

Quoting is the csv crate's (RFC 4180: fields with the delimiter, a quote or a line break
are quoted, quotes doubled). A score that is not set is an empty field. Files are written
as `<name>.partial` and renamed when complete; `max_documents_per_file` and
`max_bytes_per_file` cut the output into numbered parts, each with its header. The summary
counts documents and rows (CSV records without the header).

```
use moulin_csv::Csv;
use moulin_plugin::{testkit::{docs, Harness}, StageContext};

let dir = tempfile::tempdir()?;
let ctx = StageContext { stage_id: "export".into(), output_dir: dir.path().into(), ..Default::default() };
let mut stage = Harness::with_context::<Csv>(serde_json::json!({ "path": "docs.csv", "columns": ["id", "text"] }), ctx)?;
stage.export(&docs(&[("a", "Bonjour, \"monde\"")]))?;
assert_eq!(stage.finish()?["rows"], 1);
assert_eq!(std::fs::read_to_string(dir.path().join("docs.csv"))?, "id,text\na,\"Bonjour, \"\"monde\"\"\"\n");
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

use moulin_plugin::output::{self, Compressed, Compression, FileLimits, Join, Outputs, PartWriter};
use moulin_plugin::{Document, Error, Export, Exports, Stage, StageContext};
use serde::Deserialize;
use serde_json::Value;
use std::path::PathBuf;

/// What a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rows {
    /// One row per document.
    Documents,
    /// One row per span.
    Spans,
}

/// A column read from meta.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaField {
    /// The column's name in the header.
    pub name: String,
    /// A JSON pointer into the document's meta (`/url`, `/source/path`).
    pub pointer: String,
}

/// The `config` table of a `csv` stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvConfig {
    /// The output file, relative to the run's output folder.
    pub path: PathBuf,
    /// `documents` (the default) or `spans`.
    #[serde(default = "default_rows")]
    pub rows: Rows,
    /// Document columns, in order, among `id`, `text`, `lang`, `lang_score`, `meta`. Default
    /// `["id", "lang", "lang_score", "text"]`. Not with `rows = "spans"`.
    #[serde(default)]
    pub columns: Option<Vec<String>>,
    /// More document columns, from meta.
    #[serde(default)]
    pub meta_fields: Vec<MetaField>,
    /// With `rows = "spans"`: the layers written; all when empty.
    #[serde(default)]
    pub layers: Vec<String>,
    /// The field delimiter, one ASCII character. Default `,`.
    #[serde(default = "default_delimiter")]
    pub delimiter: char,
    /// Write a header row. Default true.
    #[serde(default = "default_header")]
    pub header: bool,
    /// Start a new part after this many documents. Default: one file.
    #[serde(default)]
    pub max_documents_per_file: Option<u64>,
    /// Start a new part once a file has this many bytes. Default: one file.
    #[serde(default)]
    pub max_bytes_per_file: Option<u64>,
}

fn default_rows() -> Rows {
    Rows::Documents
}
fn default_delimiter() -> char {
    ','
}
fn default_header() -> bool {
    true
}

/// The document columns that exist.
pub const DOCUMENT_COLUMNS: &[&str] = &["id", "text", "lang", "lang_score", "meta"];
/// The columns of a span row.
pub const SPAN_COLUMNS: &[&str] =
    &["id", "start", "end", "char_start", "char_end", "layer", "label", "text", "score", "source"];

impl CsvConfig {
    fn limits(&self) -> FileLimits {
        FileLimits { max_documents: self.max_documents_per_file, max_bytes: self.max_bytes_per_file }
    }

    fn document_columns(&self) -> Vec<String> {
        self.columns.clone().unwrap_or_else(|| ["id", "lang", "lang_score", "text"].map(String::from).to_vec())
    }
}

/// The `csv` stage.
pub struct Csv {
    config: CsvConfig,
    /// The document columns, resolved once.
    columns: Vec<String>,
    files: PartWriter<csv::Writer<Compressed>>,
}

impl Stage for Csv {
    type Config = CsvConfig;
    type Role = Exports;
    const NAME: &'static str = "csv";
    const SUMMARY: &'static str = "Writes CSV: one row per document (chosen columns, meta fields) or one row per span.";
    const EXAMPLE_CONFIG: &'static str = "path = \"spans.csv\"\nrows = \"spans\"\nlayers = [\"entity\"]";

    fn validate(config: &CsvConfig) -> Result<(), Error> {
        output::validate_path(&config.path)?;
        config.limits().validate()?;
        if !config.delimiter.is_ascii() || config.delimiter == '"' || config.delimiter == '\n' {
            return Err(Error::config(
                "delimiter",
                format!(
                    "expected one ASCII character other than a quote or a line break, found {:?}",
                    config.delimiter
                ),
            ));
        }
        match config.rows {
            Rows::Documents => {
                for (i, c) in config.document_columns().iter().enumerate() {
                    if !DOCUMENT_COLUMNS.contains(&c.as_str()) {
                        return Err(Error::config(
                            format!("columns.{i}"),
                            format!("unknown column {c:?}, expected one of {}", DOCUMENT_COLUMNS.join(", ")),
                        ));
                    }
                }
                for (i, f) in config.meta_fields.iter().enumerate() {
                    if !(f.pointer.is_empty() || f.pointer.starts_with('/')) {
                        return Err(Error::config(
                            format!("meta_fields.{i}.pointer"),
                            format!("expected a JSON pointer such as \"/url\", found {:?}", f.pointer),
                        ));
                    }
                }
                if !config.layers.is_empty() {
                    return Err(Error::config("layers", "layers choose span rows: set `rows = \"spans\"`"));
                }
            }
            Rows::Spans => {
                if config.columns.is_some() || !config.meta_fields.is_empty() {
                    return Err(Error::config(
                        "columns",
                        format!(
                            "span rows have fixed columns ({}); `columns` and `meta_fields` are for document rows",
                            SPAN_COLUMNS.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn new(config: CsvConfig, ctx: &StageContext) -> Result<Self, Error> {
        let header: Vec<String> = match config.rows {
            Rows::Documents => {
                config.document_columns().into_iter().chain(config.meta_fields.iter().map(|f| f.name.clone())).collect()
            }
            Rows::Spans => SPAN_COLUMNS.iter().map(|c| c.to_string()).collect(),
        };
        let (delimiter, with_header) = (config.delimiter as u8, config.header);
        // `.gz` and `.zst` compress, as for every text exporter.
        let compression = Compression::of(&config.path);
        let writer = move |file, header: Option<&[String]>| -> std::io::Result<csv::Writer<Compressed>> {
            let mut writer =
                csv::WriterBuilder::new().delimiter(delimiter).from_writer(Compressed::open(file, compression, None)?);
            if let Some(header) = header {
                writer.write_record(header)?;
            }
            Ok(writer)
        };
        let open = move |file| writer(file, with_header.then_some(&header[..]));
        // A file continued after a resume point gets no second header.
        let resume = move |file| writer(file, None);
        let finish = |writer: csv::Writer<Compressed>| writer.into_inner().map_err(|e| e.into_error())?.finish();
        let files =
            PartWriter::new(Outputs::for_stage(ctx, &config.path, config.limits())?, Box::new(open), Box::new(finish))?
                .continuing(Box::new(resume));
        Ok(Csv { columns: config.document_columns(), config, files })
    }

    fn finish(&mut self) -> Result<Value, Error> {
        // Every part starts with the header: `moulin merge --concat` keeps the first only.
        self.files.finish(Some(if self.config.header { Join::SkipFirstLine } else { Join::Bytes }))
    }
}

impl Export for Csv {
    fn export(&mut self, doc: &Document) -> Result<(), Error> {
        let (writer, part) = self.files.writer()?;
        let io = |e: csv::Error| Error::io(format!("{}: {e}", part.partial_path().display()));
        match self.config.rows {
            Rows::Documents => {
                // Field by field, so that the text is not copied.
                for column in &self.columns {
                    match column.as_str() {
                        "id" => writer.write_field(doc.id()),
                        "text" => writer.write_field(doc.text()),
                        "lang" => writer.write_field(doc.lang()),
                        "lang_score" => writer.write_field(score(doc.lang_score())),
                        _ => writer.write_field(doc.meta_json()),
                    }
                    .map_err(io)?;
                }
                let meta = if self.config.meta_fields.is_empty() { Value::Null } else { Value::Object(doc.meta()) };
                for field in &self.config.meta_fields {
                    let value = match meta.pointer(&field.pointer) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                    };
                    writer.write_field(value).map_err(io)?;
                }
                writer.write_record(None::<&[u8]>).map_err(io)?;
                part.add(1, 0);
            }
            Rows::Spans => {
                let text = doc.text();
                let spans: Vec<_> = doc
                    .spans()
                    .iter()
                    .filter(|s| {
                        self.config.layers.is_empty() || self.config.layers.iter().any(|l| l == s.layer.as_str())
                    })
                    .collect();
                let offsets: Vec<u64> = spans.iter().flat_map(|s| [s.start, s.end]).collect();
                let chars = char_offsets(text, &offsets);
                for (i, s) in spans.iter().enumerate() {
                    let covered = text.get(s.start as usize..s.end as usize).unwrap_or("");
                    let (start, end) = (s.start.to_string(), s.end.to_string());
                    let (cs, ce) = (chars[2 * i].to_string(), chars[2 * i + 1].to_string());
                    let score = score(s.score);
                    writer
                        .write_record([
                            doc.id(),
                            &start,
                            &end,
                            &cs,
                            &ce,
                            &s.layer,
                            &s.label,
                            covered,
                            &score,
                            &s.source,
                        ])
                        .map_err(io)?;
                }
                part.add(spans.len() as u64, 0);
            }
        }
        part.set_bytes(writer.get_ref().bytes());
        Ok(())
    }
    fn can_checkpoint(&self) -> bool {
        self.files.can_checkpoint()
    }
    fn checkpoint(&mut self) -> Result<Option<Value>, Error> {
        self.files.checkpoint()
    }
}

/// A score as a field: empty when not set.
fn score(x: f32) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
}

/// The character offsets of byte offsets (on char boundaries) of `text`, in one pass.
pub fn char_offsets(text: &str, bytes: &[u64]) -> Vec<u64> {
    let mut order: Vec<usize> = (0..bytes.len()).collect();
    order.sort_by_key(|&i| bytes[i]);
    let mut out = vec![0u64; bytes.len()];
    let mut chars = 0u64;
    let mut iter = text.char_indices().peekable();
    for i in order {
        while let Some(&(at, _)) = iter.peek() {
            if at as u64 >= bytes[i] {
                break;
            }
            iter.next();
            chars += 1;
        }
        out[i] = chars;
    }
    out
}

moulin_plugin::export_plugin!(Csv);

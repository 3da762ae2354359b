/*!
`parquet`: an exporter that writes Apache Parquet, for pandas, polars, DuckDB and Hugging
Face datasets.

One row per document, with the columns of [`schema`]:

| column | type |
|---|---|
| `id` | string |
| `text` | string |
| `lang` | string (`und` when unknown) |
| `lang_score` | float32, null when not set |
| `meta` | string: the meta object as JSON |
| `spans` | list of struct `{start: uint64, end: uint64, layer: string, label: string, score: float32 (null when not set), source: string, attrs: string (JSON)}`; offsets in bytes of `text` |

Rows are gathered in Arrow batches of `batch_documents` and written into row groups that
close at `row_group_documents` rows or `row_group_bytes` bytes (whichever first); pages are
compressed with `zstd` (default, at `level`), `snappy`, or not at all. Files are written
as `<name>.partial` and renamed when complete; `max_documents_per_file` and
`max_bytes_per_file` cut the output into numbered parts, each a complete Parquet file.

```
use moulin_parquet::Parquet;
use moulin_plugin::{testkit::{docs, Harness}, StageContext};

let dir = tempfile::tempdir()?;
let ctx = StageContext { stage_id: "export".into(), output_dir: dir.path().into(), ..Default::default() };
let mut stage = Harness::with_context::<Parquet>(serde_json::json!({ "path": "docs.parquet" }), ctx)?;
stage.export(&docs(&[("a", "Bonjour"), ("b", "Salut")]))?;
assert_eq!(stage.finish()?["rows"], 2);
let bytes = std::fs::read(dir.path().join("docs.parquet"))?;
assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

pub mod columns;

pub use columns::schema;
use columns::Columns;

use moulin_plugin::output::{self, CountingFile, FileLimits, Join, Outputs, PartWriter};
use moulin_plugin::{Document, Error, Export, Exports, Stage, StageContext};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;

/// How pages are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    /// Zstandard (the default).
    Zstd,
    /// Snappy.
    Snappy,
    /// No compression.
    None,
}

/// The `config` table of a `parquet` stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ParquetConfig {
    /// The output file, relative to the run's output folder. Required.
    pub path: PathBuf,
    /// Page compression. Default `zstd`.
    pub compression: Codec,
    /// zstd level, 1 to 22. Default 3.
    pub level: Option<i32>,
    /// Documents gathered into one Arrow batch before it is written. Default 1024.
    pub batch_documents: usize,
    /// A row group closes at this many rows. Default 100,000.
    pub row_group_documents: usize,
    /// A row group closes once it holds this many bytes (encoded, before compression).
    /// Default 128 MiB.
    pub row_group_bytes: usize,
    /// Start a new file after this many documents. Default: one file.
    pub max_documents_per_file: Option<u64>,
    /// Start a new file once this many bytes are written to it. Default: one file.
    pub max_bytes_per_file: Option<u64>,
}

impl Default for ParquetConfig {
    fn default() -> Self {
        ParquetConfig {
            path: PathBuf::new(),
            compression: Codec::Zstd,
            level: None,
            batch_documents: 1024,
            row_group_documents: 100_000,
            row_group_bytes: 128 << 20,
            max_documents_per_file: None,
            max_bytes_per_file: None,
        }
    }
}

impl ParquetConfig {
    fn limits(&self) -> FileLimits {
        FileLimits { max_documents: self.max_documents_per_file, max_bytes: self.max_bytes_per_file }
    }
}

/// The `parquet` stage.
pub struct Parquet {
    config: ParquetConfig,
    files: PartWriter<ArrowWriter<CountingFile>>,
    columns: Columns,
}

impl Stage for Parquet {
    type Config = ParquetConfig;
    type Role = Exports;
    const NAME: &'static str = "parquet";
    const SUMMARY: &'static str =
        "Writes Parquet: id, text, lang, lang_score, meta (JSON) and spans as a list of structs.";
    const EXAMPLE_CONFIG: &'static str = "path = \"docs.parquet\"\ncompression = \"zstd\"";

    fn validate(config: &ParquetConfig) -> Result<(), Error> {
        output::validate_path(&config.path)?;
        config.limits().validate()?;
        for (key, v) in [
            ("batch_documents", config.batch_documents),
            ("row_group_documents", config.row_group_documents),
            ("row_group_bytes", config.row_group_bytes),
        ] {
            if v == 0 {
                return Err(Error::config(key, "expected a limit above 0"));
            }
        }
        match (config.compression, config.level) {
            (Codec::Zstd, Some(l)) if !(1..=22).contains(&l) => {
                Err(Error::config("level", format!("expected a zstd level from 1 to 22, found {l}")))
            }
            (Codec::Snappy | Codec::None, Some(_)) => Err(Error::config("level", "a level is for zstd only")),
            _ => Ok(()),
        }
    }

    fn new(config: ParquetConfig, ctx: &StageContext) -> Result<Self, Error> {
        let compression = match config.compression {
            Codec::Zstd => Compression::ZSTD(
                ZstdLevel::try_new(config.level.unwrap_or(3)).map_err(|e| Error::config("level", e.to_string()))?,
            ),
            Codec::Snappy => Compression::SNAPPY,
            Codec::None => Compression::UNCOMPRESSED,
        };
        let properties = WriterProperties::builder()
            .set_compression(compression)
            .set_max_row_group_size(config.row_group_documents)
            .build();
        let open = move |file| {
            ArrowWriter::try_new(CountingFile::new(file), schema(), Some(properties.clone()))
                .map_err(std::io::Error::other)
        };
        let finish =
            |writer: ArrowWriter<CountingFile>| writer.into_inner().map_err(std::io::Error::other)?.into_file();
        let files =
            PartWriter::new(Outputs::for_stage(ctx, &config.path, config.limits())?, Box::new(open), Box::new(finish))?;
        Ok(Parquet { config, files, columns: Columns::new() })
    }

    fn finish(&mut self) -> Result<serde_json::Value, Error> {
        self.write_batch()?;
        // `moulin merge --concat` asks this exporter to join the parts (`Stage::join`).
        self.files.finish(Some(Join::Plugin))
    }
}

impl Export for Parquet {
    fn export(&mut self, doc: &Document) -> Result<(), Error> {
        if self.files.is_full() {
            // The rows held back belong to the file that is full.
            self.write_batch()?;
        }
        let (_, part) = self.files.writer()?;
        part.add(1, 0);
        self.columns.push(doc);
        if self.columns.rows >= self.config.batch_documents {
            self.write_batch()?;
        }
        Ok(())
    }
    fn can_checkpoint(&self) -> bool {
        self.files.can_checkpoint()
    }
    fn checkpoint(&mut self) -> Result<Option<serde_json::Value>, Error> {
        if !self.files.can_checkpoint() {
            return Ok(None);
        }
        self.write_batch()?;
        self.files.checkpoint()
    }
    fn join(&self, sources: &[PathBuf], target: &std::path::Path) -> Result<u64, Error> {
        join_row_groups(sources, target)
    }
}

/// Write the row groups of the Parquet files `sources`, in order, to `path` as they are
/// (compressed pages copied, nothing decoded), under `.partial` until complete; the schema
/// and key-value metadata (the Arrow schema) are the first file's, and every file must have
/// that schema. Page indexes are not carried over. The bytes written.
pub fn join_row_groups(sources: &[PathBuf], path: &std::path::Path) -> Result<u64, Error> {
    use parquet::column::writer::ColumnCloseResult;
    use parquet::file::{metadata::ParquetMetaDataReader, writer::SerializedFileWriter};
    let bad = |p: &std::path::Path, e: &dyn std::fmt::Display| {
        Error::io(format!("{}: cannot join this Parquet file: {e}", p.display()))
    };
    let mut inputs = Vec::new();
    for source in sources {
        let file = std::fs::File::open(source).map_err(|e| bad(source, &e))?;
        let metadata = ParquetMetaDataReader::new().parse_and_finish(&file).map_err(|e| bad(source, &e))?;
        inputs.push((source, file, metadata));
    }
    let Some((_, _, first)) = inputs.first() else {
        return Err(Error::other(format!("{}: no Parquet file to join", path.display())));
    };
    let schema = first.file_metadata().schema_descr().root_schema_ptr();
    let properties =
        WriterProperties::builder().set_key_value_metadata(first.file_metadata().key_value_metadata().cloned()).build();
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    let out = std::fs::File::create(&tmp).map_err(|e| bad(&tmp, &e))?;
    let mut writer = SerializedFileWriter::new(out, schema, Arc::new(properties)).map_err(|e| bad(&tmp, &e))?;
    for (source, file, metadata) in &inputs {
        if metadata.file_metadata().schema() != first.file_metadata().schema() {
            return Err(bad(source, &"its schema is not the first file's"));
        }
        for group in metadata.row_groups() {
            let mut group_out = writer.next_row_group().map_err(|e| bad(&tmp, &e))?;
            for column in group.columns() {
                let chunk = ColumnCloseResult {
                    bytes_written: column.compressed_size() as u64,
                    rows_written: group.num_rows() as u64,
                    metadata: column.clone(),
                    bloom_filter: None,
                    column_index: None,
                    offset_index: None,
                };
                group_out.append_column(file, chunk).map_err(|e| bad(source, &e))?;
            }
            group_out.close().map_err(|e| bad(&tmp, &e))?;
        }
    }
    let out = writer.into_inner().map_err(|e| bad(&tmp, &e))?;
    out.sync_all().map_err(|e| bad(&tmp, &e))?;
    let bytes = out.metadata().map_err(|e| bad(&tmp, &e))?.len();
    drop(out);
    std::fs::rename(&tmp, path).map_err(|e| bad(path, &e))?;
    Ok(bytes)
}

impl Parquet {
    /// Write the rows gathered into the open file, closing the row group once it is large
    /// enough, and note the file's size.
    fn write_batch(&mut self) -> Result<(), Error> {
        if self.columns.rows == 0 {
            return Ok(());
        }
        let batch = self.columns.finish()?;
        let (writer, part) = self.files.open_writer().ok_or_else(|| Error::other("export after finish"))?;
        let io = |e: parquet::errors::ParquetError| Error::io(format!("{}: {e}", part.partial_path().display()));
        writer.write(&batch).map_err(io)?;
        if writer.in_progress_size() >= self.config.row_group_bytes {
            writer.flush().map_err(io)?;
        }
        part.set_bytes(writer.bytes_written() as u64 + writer.in_progress_size() as u64);
        Ok(())
    }
}

moulin_plugin::export_plugin!(Parquet);

//! Walking the input paths and reading files, archives and web archives into documents.
//!
//! The walk is sorted, so a run sees files in the same order whatever the file system
//! returns. Readers stream: nothing is extracted to disk, a JSONL file is read a line at a
//! time, compressed files and archive members are decompressed as they are read, and no
//! document may exceed `max_document_bytes`.
//!
//! A reader is chosen by the file name's ending ([`EXTENSIONS`]) or by an `[[input.formats]]`
//! rule. Containers hold further documents:
//! - tar (`.tar`, `.tar.gz`, `.tgz`, `.tar.zst`) and zip: every regular member the include
//!   patterns select is read by its own reader; its documents' ids are `archive!/member`
//!   (`archive!/member#n` for records). An archive inside an archive is read too, one level
//!   deep; deeper ones are reported.
//! - WARC (`.warc`, `.warc.gz`, `.warc.zst`, `.wet.gz`) and ARC (`.arc`, `.arc.gz`): the
//!   records `[input.warc]` asks for (by default `response` and `resource` with an HTML
//!   payload) become documents `file#n`, `n` the record's number in the file.
//!
//! What cannot be read is reported and the reader goes on: a bad record or member is an
//! [`Item::BadRecord`] naming it; a record or member that is not a document (a WARC request,
//! an image payload, a member the patterns leave out) is an [`Item::Skipped`] with its
//! reason, so that every record is counted. A file whose stream breaks keeps what was read
//! before the damage and ends with a [`ReadError`].

mod ids;
mod read;
mod settings;
mod walk;

pub use ids::SeenIds;
pub use read::{decode_html, Decoded};
pub use read::{read_file, Item, ReadError, ReadOptions};
pub use settings::{default_include, FormatRule, InputConfig, WarcConfig};
pub use walk::{walk, InputFile, Selection, Selector, WalkError};

pub(crate) use settings::{default_max_document_bytes, default_max_member_bytes, default_text_field};

/// How a file's documents are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// One document per file.
    Text,
    /// One JSON object per line.
    Jsonl,
    /// One HTML page per file, decoded by its byte order mark, the charset it declares, or
    /// detection; meta `content_type` = `text/html` and `encoding`.
    Html,
    /// A WARC file: one document per record read.
    Warc,
    /// An ARC file (the format before WARC): one document per record read.
    Arc,
    /// A tar archive: members read by their own readers.
    Tar,
    /// A zip archive: members read by their own readers.
    Zip,
}

impl Format {
    /// Whether the format holds other files or records (and so counts as a level of nesting).
    pub fn is_container(self) -> bool {
        matches!(self, Format::Warc | Format::Arc | Format::Tar | Format::Zip)
    }
}

/// How a file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (`.gz`), several members allowed (as in record-at-a-time `.warc.gz`).
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

/// Every file name ending a reader exists for, also the names `[[input.formats]]` accepts.
pub const EXTENSIONS: &[&str] = &[
    "txt",
    "txt.gz",
    "txt.zst",
    "text",
    "text.gz",
    "text.zst",
    "jsonl",
    "jsonl.gz",
    "jsonl.zst",
    "ndjson",
    "ndjson.gz",
    "ndjson.zst",
    "html",
    "html.gz",
    "html.zst",
    "htm",
    "htm.gz",
    "htm.zst",
    "warc",
    "warc.gz",
    "warc.zst",
    "wet",
    "wet.gz",
    "wet.zst",
    "arc",
    "arc.gz",
    "tar",
    "tar.gz",
    "tgz",
    "tar.zst",
    "zip",
];

/// The reader for an ending of [`EXTENSIONS`] (`"jsonl.gz"`, case ignored), or `None`.
pub fn parse_format(ending: &str) -> Option<(Format, Compression)> {
    let ending = ending.to_ascii_lowercase();
    if !EXTENSIONS.contains(&ending.as_str()) {
        return None;
    }
    match ending.as_str() {
        "tgz" => return Some((Format::Tar, Compression::Gzip)),
        "zip" => return Some((Format::Zip, Compression::None)),
        _ => {}
    }
    let (base, compression) = match ending.rsplit_once('.') {
        Some((b, "gz")) => (b, Compression::Gzip),
        Some((b, "zst")) => (b, Compression::Zstd),
        _ => (ending.as_str(), Compression::None),
    };
    let format = match base {
        "txt" | "text" => Format::Text,
        "jsonl" | "ndjson" => Format::Jsonl,
        "html" | "htm" => Format::Html,
        "warc" | "wet" => Format::Warc,
        "arc" => Format::Arc,
        "tar" => Format::Tar,
        _ => return None,
    };
    Some((format, compression))
}

/// The reader for a file name, by its longest known ending, or `None` when no reader
/// handles it.
pub fn format_of(name: &str) -> Option<(Format, Compression)> {
    let lower = name.to_ascii_lowercase();
    EXTENSIONS
        .iter()
        .filter(|e| lower.len() > e.len() && lower.ends_with(*e) && lower.as_bytes()[lower.len() - e.len() - 1] == b'.')
        .max_by_key(|e| e.len())
        .and_then(|e| parse_format(e))
}

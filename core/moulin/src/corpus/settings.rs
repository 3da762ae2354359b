//! `[input]`: what to read and how, as the project file gives it.

use serde::Deserialize;
use std::path::PathBuf;

/// The default include patterns: every file name a reader exists for.
pub fn default_include() -> Vec<String> {
    super::EXTENSIONS.iter().map(|ext| format!("**/*.{ext}")).collect()
}

pub(crate) const fn default_max_document_bytes() -> u64 {
    64 << 20
}
pub(crate) const fn default_max_member_bytes() -> u64 {
    4 << 30
}
pub(crate) fn default_text_field() -> String {
    "text".into()
}

/// One `[[input.formats]]` entry: files (and archive members) matching `glob` are read as
/// `format`, whatever their name says.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FormatRule {
    /// A glob, relative to the input path (or to the archive, for members).
    pub glob: String,
    /// A reader's name as a file ending: `jsonl`, `txt.gz`, `tar.zst`, `warc.gz`, ...
    pub format: String,
}

/// `[input.warc]`: which WARC and ARC records become documents.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WarcConfig {
    /// Record types read (`WARC-Type`); default `response` and `resource`. ARC records count
    /// as `response`. Common Crawl's WET files need `conversion`.
    pub records: Vec<String>,
    /// Payload media types read, without parameters; `text/*` and `*` are wildcards.
    /// Default: `text/html` and `application/xhtml+xml`. Other payloads are skipped and
    /// counted.
    pub content_types: Vec<String>,
}

impl Default for WarcConfig {
    fn default() -> Self {
        WarcConfig {
            records: vec!["response".into(), "resource".into()],
            content_types: vec!["text/html".into(), "application/xhtml+xml".into()],
        }
    }
}

/// `[input]`: what to read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InputConfig {
    /// Folders or files to read, resolved against the project folder.
    pub paths: Vec<PathBuf>,
    /// Glob patterns a file must match (relative to its input path).
    pub include: Vec<String>,
    /// Glob patterns that exclude a file.
    pub exclude: Vec<String>,
    /// The JSONL field that holds the text.
    pub text_field: String,
    /// A document larger than this is an error of its record.
    pub max_document_bytes: u64,
    /// The most bytes an archive member, a compressed file or a WARC payload may
    /// decompress to; past it the member stops with an error (bombs).
    pub max_member_bytes: u64,
    /// Text that is not valid in its encoding (UTF-8 for text and JSONL) is an error of its
    /// document instead of being decoded by detection.
    pub strict_encoding: bool,
    /// Readers chosen by pattern instead of by file name, first match first.
    pub formats: Vec<FormatRule>,
    /// Which WARC records are read.
    pub warc: WarcConfig,
    /// Follow a symlink below an input path that leads outside it (otherwise it is reported
    /// and not read).
    pub follow_outside_links: bool,
    /// The JSONL field that holds each record's id (a string or a number), instead of the
    /// id moulin makes from the path; a record without it, or whose id an earlier record of
    /// the run has, is an error of its record.
    pub id_field: Option<String>,
}

impl InputConfig {
    /// An `[input]` with these paths and every other key at its default.
    pub fn new(paths: Vec<PathBuf>) -> InputConfig {
        InputConfig {
            paths,
            include: default_include(),
            exclude: Vec::new(),
            text_field: default_text_field(),
            max_document_bytes: default_max_document_bytes(),
            max_member_bytes: default_max_member_bytes(),
            strict_encoding: false,
            formats: Vec::new(),
            warc: WarcConfig::default(),
            follow_outside_links: false,
            id_field: None,
        }
    }
}

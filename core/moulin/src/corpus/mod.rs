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

mod archive;
mod text;
mod warc;

pub use text::{decode_html, Decoded};

use crate::config::{InputConfig, WarcConfig};
use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use moulin_abi::Doc;
use serde_json::{Map, Value};
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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

/// Which files and archive members are read, and by which reader: the include and exclude
/// patterns and the `[[input.formats]]` rules of `[input]`.
#[derive(Debug, Clone)]
pub struct Selector {
    include: GlobSet,
    exclude: GlobSet,
    formats: Vec<(GlobMatcher, Format, Compression)>,
}

/// What [`Selector::select`] decides for a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Selection {
    /// Read it with this reader.
    Read(Format, Compression),
    /// The patterns leave it out.
    NotIncluded,
    /// The patterns take it but no reader handles its name.
    NoReader,
}

impl Selector {
    /// The selector of an `[input]` table.
    pub fn new(input: &InputConfig) -> Result<Selector, globset::Error> {
        let set = |patterns: &[String]| -> Result<GlobSet, globset::Error> {
            let mut b = GlobSetBuilder::new();
            for p in patterns {
                b.add(Glob::new(p)?);
            }
            b.build()
        };
        let mut formats = Vec::new();
        for rule in &input.formats {
            // The config check has named an unknown format already; such a rule selects nothing.
            if let Some((format, compression)) = parse_format(&rule.format) {
                formats.push((Glob::new(&rule.glob)?.compile_matcher(), format, compression));
            }
        }
        Ok(Selector { include: set(&input.include)?, exclude: set(&input.exclude)?, formats })
    }

    /// The reader for a file given by name (an input path that is a file): a format rule
    /// matching its name, or its ending.
    pub fn reader_for(&self, name: &str) -> Option<(Format, Compression)> {
        self.formats.iter().find(|(m, ..)| m.is_match(name)).map(|&(_, f, c)| (f, c)).or_else(|| format_of(name))
    }

    /// Whether `path` (relative to its input path, or a member's name in its archive) is
    /// read and how. A format rule that matches includes the path; otherwise it must match
    /// an include pattern. An exclude pattern always wins.
    pub fn select(&self, path: &str) -> Selection {
        let path = path.trim_start_matches("./").trim_start_matches('/');
        if self.exclude.is_match(path) {
            return Selection::NotIncluded;
        }
        if let Some(&(_, f, c)) = self.formats.iter().find(|(m, ..)| m.is_match(path)) {
            return Selection::Read(f, c);
        }
        if !self.include.is_match(path) {
            return Selection::NotIncluded;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        format_of(name).map_or(Selection::NoReader, |(f, c)| Selection::Read(f, c))
    }
}

/// One input file.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its id: the path relative to its input root (with `/`), the base of document ids.
    pub id: String,
    /// Its size on disk.
    pub size: u64,
    /// Its layout.
    pub format: Format,
    /// Its compression.
    pub compression: Compression,
}

/// A problem met while walking: a folder that cannot be read, a symlink loop, a file with
/// no reader.
#[derive(Debug, Clone)]
pub struct WalkError {
    /// The path concerned.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// List the input files in a stable order: input paths in the order given, each walked
/// sorted by name, following symlinks (a loop is reported). A file is kept when the
/// [`Selector`] selects it (patterns relative to its input path); a file given directly as
/// an input path is always kept. The folders of `skip` (a run's output folder) and what is in
/// them are never walked, however they are reached, so that a run's output never becomes
/// input (its journal and errors, another shard's outputs).
pub fn walk(input: &InputConfig, skip: &[PathBuf]) -> Result<(Vec<InputFile>, Vec<WalkError>), globset::Error> {
    let selector = Selector::new(input)?;
    let several_roots = input.paths.len() > 1;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let skip: Vec<PathBuf> = skip.iter().filter_map(|p| std::fs::canonicalize(p).ok()).collect();
    let walked = |entry: &walkdir::DirEntry| {
        !(entry.file_type().is_dir()
            && !skip.is_empty()
            && std::fs::canonicalize(entry.path()).is_ok_and(|p| skip.contains(&p)))
    };
    for root in &input.paths {
        let root_name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for entry in walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(walked)
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.clone());
                    let message = match (e.loop_ancestor(), e.io_error()) {
                        (Some(ancestor), _) => format!("symlink loop back to {}", ancestor.display()),
                        (None, Some(io)) => format!("cannot read: {io}"),
                        (None, None) => e.to_string(),
                    };
                    errors.push(WalkError { path, message });
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let given = entry.depth() == 0;
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let rel_str = if given { root_name.clone() } else { rel.to_string_lossy().replace('\\', "/") };
            let selection = if given {
                selector.reader_for(&root_name).map_or(Selection::NoReader, |(f, c)| Selection::Read(f, c))
            } else {
                selector.select(&rel_str)
            };
            let (format, compression) = match selection {
                Selection::Read(f, c) => (f, c),
                Selection::NotIncluded => continue,
                Selection::NoReader => {
                    errors.push(WalkError {
                        path: entry.path().to_path_buf(),
                        message: format!(
                            "no reader for this file name (expected an ending among {}, or an [[input.formats]] rule)",
                            EXTENSIONS.join(", ")
                        ),
                    });
                    continue;
                }
            };
            let id = if several_roots && !given { format!("{root_name}/{rel_str}") } else { rel_str };
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            files.push(InputFile { path: entry.path().to_path_buf(), id, size, format, compression });
        }
    }
    Ok((files, errors))
}

/// What a reader produces.
#[derive(Debug)]
#[non_exhaustive]
pub enum Item {
    /// A document.
    Doc(Doc),
    /// A record or archive member that could not be read; the reader goes on.
    BadRecord {
        /// The archive member (`dir/a.jsonl`, `inner.tar!/a.txt` when nested), if in one.
        member: Option<String>,
        /// The 1-based record (JSONL line, WARC record) in the file or member, if any.
        record: Option<u64>,
        /// What was wrong.
        message: String,
    },
    /// A record or member that is not a document, with the reason (`WARC request record`,
    /// `payload image/png`, `archive member not included`): counted, not an error.
    Skipped {
        /// Why it was skipped; reasons are few and repeat, so they can be counted.
        reason: String,
    },
}

/// A file whose stream broke: what was read before is kept, the rest is lost.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    /// The archive member being read when the stream broke, if in one.
    pub member: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.member {
            Some(m) => write!(f, "member {m}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ReadError {}

/// Options for readers, from `[input]`.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The JSONL field holding the text.
    pub text_field: String,
    /// The largest document accepted.
    pub max_document_bytes: u64,
    /// The most bytes an archive member or WARC payload may decompress to.
    pub max_member_bytes: u64,
    /// Text not valid in its encoding is an error instead of being decoded by detection.
    pub strict_encoding: bool,
    /// Which WARC records are read.
    pub warc: WarcConfig,
    /// Which archive members are read.
    pub selector: Selector,
}

impl ReadOptions {
    /// The reader options of an `[input]` table.
    pub fn new(input: &InputConfig) -> Result<ReadOptions, globset::Error> {
        Ok(ReadOptions {
            text_field: input.text_field.clone(),
            max_document_bytes: input.max_document_bytes,
            max_member_bytes: input.max_member_bytes,
            strict_encoding: input.strict_encoding,
            warc: input.warc.clone(),
            selector: Selector::new(input)?,
        })
    }
}

/// Where a stream being read comes from: the file, and the member inside it if any.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    /// The base of its documents' ids: the file's id, then `!/member` for a member.
    id: String,
    /// The input file's id.
    path: String,
    /// The member's name (`inner.tar!/a.txt` when nested), if in an archive.
    member: Option<String>,
    /// 0 for an input file, 1 for a member of it, 2 for a member of a member.
    depth: u8,
}

impl Origin {
    fn member(&self, name: &str) -> Origin {
        Origin {
            id: format!("{}!/{name}", self.id),
            path: self.path.clone(),
            member: Some(match &self.member {
                Some(m) => format!("{m}!/{name}"),
                None => name.to_string(),
            }),
            depth: self.depth + 1,
        }
    }

    /// The document id of record `n`, or of the whole file or member.
    fn doc_id(&self, record: Option<u64>) -> String {
        match record {
            Some(n) => format!("{}#{n}", self.id),
            None => self.id.clone(),
        }
    }

    /// Meta `source`: the file, member and record a document came from.
    fn source_meta(&self, record: Option<u64>) -> Value {
        let mut source = Map::new();
        source.insert("path".into(), Value::String(self.path.clone()));
        if let Some(m) = &self.member {
            source.insert("member".into(), Value::String(m.clone()));
        }
        if let Some(r) = record {
            source.insert("record".into(), Value::from(r));
        }
        Value::Object(source)
    }

    fn error(&self, message: impl Into<String>) -> ReadError {
        ReadError { member: self.member.clone(), message: message.into() }
    }

    fn bad(&self, record: Option<u64>, message: impl Into<String>) -> Item {
        Item::BadRecord { member: self.member.clone(), record, message: message.into() }
    }
}

/// What every reader is handed: the options and where items go.
pub(crate) struct Ctx<'a> {
    options: &'a ReadOptions,
    sink: &'a mut dyn FnMut(Item),
}

impl Ctx<'_> {
    fn emit(&mut self, item: Item) {
        (self.sink)(item)
    }

    fn skip(&mut self, reason: impl Into<String>) {
        (self.sink)(Item::Skipped { reason: reason.into() })
    }
}

/// Counts the bytes read from a file, for progress.
struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// A member whose size is known (tar): the stream ending before it is an error, not a short
/// member.
pub(crate) struct Exact<R> {
    inner: R,
    expected: u64,
    seen: u64,
}

impl<R: Read> Exact<R> {
    pub(crate) fn new(inner: R, expected: u64) -> Self {
        Exact { inner, expected, seen: 0 }
    }
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen += n as u64;
        if n == 0 && !buf.is_empty() && self.seen < self.expected {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the member ends after {} of its {} bytes", self.seen, self.expected),
            ));
        }
        Ok(n)
    }
}

/// Stops a decompressing stream past a number of bytes with an error that says so: what
/// turns a zip or gzip bomb into an error of its member.
pub(crate) struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Limited<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        Limited { inner, left: limit, limit }
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // Only an error if there is more to come.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => {
                    Err(io::Error::other(format!("decompresses to more than max_member_bytes ({} bytes)", self.limit)))
                }
            };
        }
        let want = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// The stream of `input` decompressed.
fn decompress<'a>(compression: Compression, input: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match compression {
        Compression::None => Box::new(input),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, input))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(input)?),
    })
}

/// Read every document of `file`, handing each to `sink`. Returns `Err` when the file
/// cannot be opened or its stream breaks; what was read before is kept. `progress` counts
/// the bytes read from disk.
pub fn read_file(
    file: &InputFile,
    options: &ReadOptions,
    progress: Arc<AtomicU64>,
    mut sink: impl FnMut(Item),
) -> Result<(), ReadError> {
    let origin = Origin { id: file.id.clone(), path: file.id.clone(), member: None, depth: 0 };
    let opened = File::open(&file.path).map_err(|e| origin.error(format!("cannot open: {e}")))?;
    let raw = Counting { inner: opened, counter: progress };
    let mut ctx = Ctx { options, sink: &mut sink };
    if file.format == Format::Zip && file.compression == Compression::None {
        return archive::read_zip_file(&origin, raw, &mut ctx);
    }
    // An input file is not limited as a whole: it is the corpus, and each document in it is
    // limited by max_document_bytes.
    read_stream(&origin, file.format, file.compression, raw, u64::MAX, &mut ctx)
}

/// Read a stream of `format` from `input` (a file or an archive member), stopping with an
/// error past `limit` decompressed bytes.
fn read_stream(
    origin: &Origin,
    format: Format,
    compression: Compression,
    input: impl Read,
    limit: u64,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReadError> {
    let input = decompress(compression, input).map_err(|e| origin.error(format!("cannot start decompressing: {e}")))?;
    let mut input = Limited::new(input, limit);
    let input: &mut dyn Read = &mut input;
    match format {
        Format::Text => text::read_text(origin, input, ctx),
        Format::Html => text::read_html(origin, input, ctx),
        Format::Jsonl => text::read_jsonl(origin, input, ctx),
        Format::Warc => warc::read_warc(origin, input, ctx),
        Format::Arc => warc::read_arc(origin, input, ctx),
        Format::Tar => archive::read_tar(origin, input, compression != Compression::None, ctx),
        Format::Zip => archive::read_zip_stream(origin, input, ctx),
    }
}

/// Read one archive member: select it by name, check the nesting depth, and read it with
/// its reader under the member size limit. Problems are items of the member; `Err` only
/// when the member's reader says the archive stream itself broke.
fn read_member(archive: &Origin, name: &str, input: impl Read, ctx: &mut Ctx<'_>) {
    let (format, compression) = match ctx.options.selector.select(name) {
        Selection::Read(f, c) => (f, c),
        Selection::NotIncluded => return ctx.skip("archive member not included"),
        Selection::NoReader => return ctx.skip("archive member with no reader"),
    };
    let member = archive.member(name);
    if format.is_container() && member.depth > 1 {
        return ctx.emit(member.bad(None, "an archive inside an archive member: moulin reads one level of nesting; extract the outer archive to read it"));
    }
    if let Err(e) = read_stream(&member, format, compression, input, ctx.options.max_member_bytes, ctx) {
        ctx.emit(Item::BadRecord { member: e.member, record: None, message: e.message });
    }
}

/// The text of an I/O error, with the kind when the message alone says little.
fn io_text(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => format!("the stream ends early ({e})"),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests;

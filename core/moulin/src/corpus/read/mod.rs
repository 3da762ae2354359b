//! Reading one input file (or archive member) into documents: decompression, the size
//! limits, and the dispatch to each format's reader.

mod archive;
mod gzip;
mod text;
mod warc;

pub use text::{decode_html, Decoded};

use super::{Compression, Format, InputConfig, InputFile, SeenIds, Selection, Selector, WarcConfig};
use moulin_abi::Doc;
use serde_json::{Map, Value};
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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
    /// The JSONL field that holds a record's id, if the records carry their own.
    pub id_field: Option<String>,
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
            id_field: input.id_field.clone(),
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

/// What every reader is handed: the options, the ids records brought so far, and where
/// items go.
pub(crate) struct Ctx<'a> {
    options: &'a ReadOptions,
    ids: &'a mut SeenIds,
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
/// the bytes read from disk; `ids` holds the ids records brought themselves (`id_field`)
/// in the files of the run read before.
pub fn read_file(
    file: &InputFile,
    options: &ReadOptions,
    ids: &mut SeenIds,
    progress: Arc<AtomicU64>,
    mut sink: impl FnMut(Item),
) -> Result<(), ReadError> {
    let origin = Origin { id: file.id.clone(), path: file.id.clone(), member: None, depth: 0 };
    let opened = File::open(&file.path).map_err(|e| origin.error(format!("cannot open: {e}")))?;
    let raw = Counting { inner: opened, counter: progress };
    let mut ctx = Ctx { options, ids, sink: &mut sink };
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
    // A web archive's gzip members are its records: read one by one, so that a damaged one
    // costs only its record.
    let damage = gzip::Damage::default();
    let input: Box<dyn Read> = match (format, compression) {
        (Format::Warc | Format::Arc, Compression::Gzip) => Box::new(gzip::Members::new(input, damage.clone())),
        _ => decompress(compression, input).map_err(|e| origin.error(format!("cannot start decompressing: {e}")))?,
    };
    let mut input = Limited::new(input, limit);
    let input: &mut dyn Read = &mut input;
    match format {
        Format::Text => text::read_text(origin, input, ctx),
        Format::Html => text::read_html(origin, input, ctx),
        Format::Jsonl => text::read_jsonl(origin, input, ctx),
        Format::Warc => warc::read_warc(origin, input, &damage, ctx),
        Format::Arc => warc::read_arc(origin, input, &damage, ctx),
        Format::Tar => archive::read_tar(origin, input, ctx),
        Format::Zip => archive::read_zip_stream(origin, input, ctx),
    }
}

/// Read one archive member: select it by `name`, check the nesting depth, and read it with
/// its reader under the member size limit, its ids built on `unique` (the name, or `name~k`
/// for a repeated one). Problems are items of the member.
fn read_member(archive: &Origin, name: &str, unique: &str, input: impl Read, ctx: &mut Ctx<'_>) {
    let (format, compression) = match ctx.options.selector.select(name) {
        Selection::Read(f, c) => (f, c),
        Selection::NotIncluded => return ctx.skip("archive member not included"),
        Selection::NoReader => return ctx.skip("archive member with no reader"),
    };
    let member = archive.member(unique);
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

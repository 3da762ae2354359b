//! Walking the input paths and reading files into documents.
//!
//! The walk is sorted, so a run sees files in the same order whatever the file system
//! returns. Readers stream: a JSONL file is read a line at a time, compressed files are
//! decompressed as they are read, and no document may exceed `max_document_bytes`. A record
//! that cannot be read is reported with its file and record number, and the reader goes on
//! with the next one; a file whose stream breaks keeps the records read before the damage.

use crate::config::InputConfig;
use globset::{Glob, GlobSet, GlobSetBuilder};
use moulin_abi::Doc;
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How a file's documents are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One document per file.
    Text,
    /// One JSON object per line.
    Jsonl,
    /// One HTML page per file, decoded by its byte order mark, the charset it declares, or
    /// detection; meta `content_type` = `text/html` and `encoding`.
    Html,
}

/// How a file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (`.gz`), several members allowed.
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

/// The file name endings a reader exists for (each also with `.gz` or `.zst`).
pub const EXTENSIONS: &[&str] = &["txt", "text", "jsonl", "ndjson", "html", "htm"];

/// The reader for a file name, or `None` when no reader handles it.
pub fn format_of(name: &str) -> Option<(Format, Compression)> {
    let (stem, compression) = if let Some(s) = name.strip_suffix(".gz") {
        (s, Compression::Gzip)
    } else if let Some(s) = name.strip_suffix(".zst") {
        (s, Compression::Zstd)
    } else {
        (name, Compression::None)
    };
    let ext = stem.rsplit_once('.').map(|(_, e)| e)?;
    let format = match ext {
        "txt" | "text" => Format::Text,
        "jsonl" | "ndjson" => Format::Jsonl,
        "html" | "htm" => Format::Html,
        _ => return None,
    };
    debug_assert!(EXTENSIONS.contains(&ext));
    Some((format, compression))
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

fn globset(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p)?);
    }
    b.build()
}

/// List the input files in a stable order: input paths in the order given, each walked
/// sorted by name, following symlinks (a loop is reported). A file is kept when it matches
/// an include pattern and no exclude pattern (both relative to its input path); a file given
/// directly as an input path is always kept.
pub fn walk(input: &InputConfig) -> Result<(Vec<InputFile>, Vec<WalkError>), globset::Error> {
    let include = globset(&input.include)?;
    let exclude = globset(&input.exclude)?;
    let several_roots = input.paths.len() > 1;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in &input.paths {
        let root_name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for entry in walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name() {
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
            if !given && (!include.is_match(rel) || exclude.is_match(rel)) {
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            let Some((format, compression)) = format_of(&name) else {
                if given || !input.include.is_empty() {
                    errors.push(WalkError {
                        path: entry.path().to_path_buf(),
                        message: "no reader for this file (expected .txt or .jsonl, optionally .gz or .zst)".into(),
                    });
                }
                continue;
            };
            let id = if several_roots && !given { format!("{root_name}/{rel_str}") } else { rel_str };
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            files.push(InputFile { path: entry.path().to_path_buf(), id, size, format, compression });
        }
    }
    Ok((files, errors))
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

/// What a reader produces.
#[derive(Debug)]
pub enum Item {
    /// A document.
    Doc(Doc),
    /// A record that could not be read; the reader goes on.
    BadRecord {
        /// 1-based record (line) number.
        record: u64,
        /// What was wrong.
        message: String,
    },
}

/// Options for readers.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The JSONL field holding the text.
    pub text_field: String,
    /// The largest document accepted.
    pub max_document_bytes: u64,
}

fn open(file: &InputFile, progress: Arc<AtomicU64>) -> io::Result<Box<dyn Read + Send>> {
    let raw = Counting { inner: File::open(&file.path)?, counter: progress };
    Ok(match file.compression {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, raw))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
    })
}

/// Read `reader` up to and including the next `\n`, at most `limit` bytes. Returns the
/// number of bytes read (0 at the end) and whether the line was cut at the limit (the rest of
/// the line is then skipped).
fn read_line_limited(reader: &mut impl BufRead, buf: &mut Vec<u8>, limit: u64) -> io::Result<(usize, bool)> {
    buf.clear();
    let n = reader.by_ref().take(limit + 1).read_until(b'\n', buf)?;
    if n as u64 > limit && buf.last() != Some(&b'\n') {
        // Skip to the end of the oversized line without keeping it.
        let mut skipped = Vec::new();
        loop {
            skipped.clear();
            let m = reader.by_ref().take(1 << 20).read_until(b'\n', &mut skipped)?;
            if m == 0 || skipped.last() == Some(&b'\n') {
                break;
            }
        }
        return Ok((n, true));
    }
    Ok((n, false))
}

fn utf8_error_text(bytes: &[u8], e: std::str::Utf8Error) -> String {
    let at = e.valid_up_to();
    let bad: Vec<String> = bytes[at..].iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("invalid UTF-8 at byte {at} (bytes {})", bad.join(" "))
}

fn source_meta(file: &InputFile, record: Option<u64>) -> Value {
    let mut source = Map::new();
    source.insert("path".into(), Value::String(file.id.clone()));
    if let Some(r) = record {
        source.insert("record".into(), Value::from(r));
    }
    Value::Object(source)
}

/// Read every document of `file`, handing each to `sink`. Returns `Err` when the file
/// cannot be opened or its stream breaks; what was read before is kept. `progress` counts
/// the bytes read from disk.
pub fn read_file(file: &InputFile, options: &ReadOptions, progress: Arc<AtomicU64>, mut sink: impl FnMut(Item)) -> io::Result<()> {
    let reader = open(file, progress)?;
    match file.format {
        Format::Text => {
            let mut bytes = Vec::new();
            reader.take(options.max_document_bytes + 1).read_to_end(&mut bytes)?;
            if bytes.len() as u64 > options.max_document_bytes {
                sink(Item::BadRecord { record: 1, message: format!("document larger than max_document_bytes ({})", options.max_document_bytes) });
                return Ok(());
            }
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            match std::str::from_utf8(body) {
                Ok(text) => {
                    let mut doc = Doc::new(&file.id, text);
                    let mut meta = Map::new();
                    meta.insert("source".into(), source_meta(file, None));
                    doc.meta_json = Value::Object(meta).to_string().into();
                    sink(Item::Doc(doc));
                }
                Err(e) => sink(Item::BadRecord { record: 1, message: utf8_error_text(body, e) }),
            }
            Ok(())
        }
        Format::Html => {
            let mut bytes = Vec::new();
            reader.take(options.max_document_bytes + 1).read_to_end(&mut bytes)?;
            if bytes.len() as u64 > options.max_document_bytes {
                sink(Item::BadRecord { record: 1, message: format!("document larger than max_document_bytes ({})", options.max_document_bytes) });
                return Ok(());
            }
            let decoded = decode_html(&bytes);
            let mut doc = Doc::new(&file.id, &decoded.text);
            let mut meta = Map::new();
            meta.insert("source".into(), source_meta(file, None));
            meta.insert("content_type".into(), Value::from("text/html"));
            meta.insert("encoding".into(), Value::from(decoded.encoding));
            meta.insert("encoding_from".into(), Value::from(decoded.from));
            if decoded.replaced {
                meta.insert("encoding_errors".into(), Value::from(true));
            }
            doc.meta_json = Value::Object(meta).to_string().into();
            sink(Item::Doc(doc));
            Ok(())
        }
        Format::Jsonl => {
            let mut reader = BufReader::with_capacity(1 << 16, reader);
            let mut line = Vec::new();
            let mut number = 0u64;
            loop {
                let (n, too_long) = read_line_limited(&mut reader, &mut line, options.max_document_bytes)?;
                if n == 0 {
                    return Ok(());
                }
                number += 1;
                if too_long {
                    sink(Item::BadRecord { record: number, message: format!("line longer than max_document_bytes ({})", options.max_document_bytes) });
                    continue;
                }
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                match parse_record(file, number, &line, &options.text_field) {
                    Ok(doc) => sink(Item::Doc(doc)),
                    Err(message) => sink(Item::BadRecord { record: number, message }),
                }
            }
        }
    }
}

/// An HTML page decoded to text.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The text, without a byte order mark.
    pub text: String,
    /// The encoding's WHATWG name (`UTF-8`, `windows-1252`, ...).
    pub encoding: &'static str,
    /// Where the encoding came from: `bom`, `meta` (the page's declaration), `utf-8` (valid
    /// as UTF-8) or `detected` (chardetng).
    pub from: &'static str,
    /// Whether bytes that do not fit the encoding were replaced by U+FFFD.
    pub replaced: bool,
}

/// Decode an HTML page as a browser would: a byte order mark first, then the charset the
/// page declares in its first 1024 bytes (`<meta charset>` or `http-equiv`), then UTF-8 if
/// the bytes are valid UTF-8, then detection (chardetng, the detector of Firefox).
pub fn decode_html(bytes: &[u8]) -> Decoded {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, replaced) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded { text: text.into_owned(), encoding: encoding.name(), from: "bom", replaced };
    }
    let declared = declared_charset(&bytes[..bytes.len().min(1024)]).and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    // A page declaring a UTF-16 charset in ASCII is not UTF-16 (WHATWG): read it as UTF-8.
    let declared = declared.map(|e| if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE { encoding_rs::UTF_8 } else { e });
    if let Some(encoding) = declared {
        let (text, replaced) = encoding.decode_without_bom_handling(bytes);
        return Decoded { text: text.into_owned(), encoding: encoding.name(), from: "meta", replaced };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded { text: text.to_string(), encoding: "UTF-8", from: "utf-8", replaced: false };
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(None, true);
    let (text, replaced) = encoding.decode_without_bom_handling(bytes);
    Decoded { text: text.into_owned(), encoding: encoding.name(), from: "detected", replaced }
}

/// The charset label declared in `head` (bytes of the page's start): `charset=` inside a
/// `<meta` tag, as in `<meta charset="utf-8">` and `<meta http-equiv="Content-Type"
/// content="text/html; charset=windows-1252">`.
fn declared_charset(head: &[u8]) -> Option<String> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let tag_start = from + pos;
        let tag_end = lower[tag_start..].iter().position(|&b| b == b'>').map_or(lower.len(), |e| tag_start + e);
        let tag = &lower[tag_start..tag_end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = rest.iter().skip_while(|b| b.is_ascii_whitespace()).copied().collect::<Vec<u8>>();
            if let Some(value) = rest.strip_prefix(b"=") {
                let value: Vec<u8> = value.iter().copied().skip_while(|b| b.is_ascii_whitespace() || *b == b'"' || *b == b'\'').collect();
                let label: Vec<u8> = value.into_iter().take_while(|b| !(b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b';' | b'/' | b'>'))).collect();
                if !label.is_empty() {
                    return String::from_utf8(label).ok();
                }
            }
        }
        from = tag_end;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_record(file: &InputFile, number: u64, line: &[u8], text_field: &str) -> Result<Doc, String> {
    let text = std::str::from_utf8(line).map_err(|e| utf8_error_text(line, e))?;
    let value: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(mut fields) = value else {
        return Err(format!("expected a JSON object, found {}", json_type(&value)));
    };
    let body = match fields.remove(text_field) {
        Some(Value::String(s)) => s,
        Some(other) => return Err(format!("field `{text_field}` should be a string, found {}", json_type(&other))),
        None => return Err(format!("no `{text_field}` field")),
    };
    let id = format!("{}#{number}", file.id);
    let mut doc = Doc::new(&id, &body);
    // The record's other fields go into meta; the host's provenance is `source`, and a
    // record field of that name is kept as `record_source`.
    if let Some(theirs) = fields.remove("source") {
        fields.insert("record_source".into(), theirs);
    }
    fields.insert("source".into(), source_meta(file, Some(number)));
    doc.meta_json = Value::Object(fields).to_string().into();
    Ok(doc)
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all(path: &Path) -> (Vec<Item>, io::Result<()>) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (format, compression) = format_of(&name).unwrap();
        let file = InputFile { path: path.into(), id: name, size: 0, format, compression };
        let opts = ReadOptions { text_field: "text".into(), max_document_bytes: 100 };
        let mut items = Vec::new();
        let r = read_file(&file, &opts, Arc::default(), |i| items.push(i));
        (items, r)
    }

    #[test]
    fn html_pages_are_decoded_by_bom_declaration_or_detection() {
        let utf8 = "<html><head><meta charset=\"utf-8\"></head><body><p>Café à Kaboul</p></body></html>";
        let d = decode_html(utf8.as_bytes());
        assert_eq!((d.text.as_str(), d.encoding, d.from), (utf8, "UTF-8", "meta"));
        // windows-1252 declared in http-equiv.
        let mut latin = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body>Caf".to_vec();
        latin.extend([0xE9, b' ', 0x80]);
        let d = decode_html(&latin);
        assert!(d.text.ends_with("Café €"), "{}", d.text);
        assert_eq!((d.encoding, d.from), ("windows-1252", "meta"));
        // No declaration, not UTF-8: detected.
        let mut bare = b"<p>".to_vec();
        bare.extend(encoding_rs::WINDOWS_1252.encode("Les élèves de l'école française étaient très nombreux à la fête de l'été.").0.iter());
        let d = decode_html(&bare);
        assert!(d.text.contains("élèves de l'école française"), "{}", d.text);
        assert_eq!(d.from, "detected");
        // A UTF-16 BOM wins over everything.
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("<p>été</p>".encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode_html(&utf16);
        assert_eq!((d.text.as_str(), d.encoding, d.from), ("<p>été</p>", "UTF-16LE", "bom"));
        // Plain UTF-8 without a declaration.
        assert_eq!(decode_html("<p>naïve</p>".as_bytes()).from, "utf-8");
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(format_of("a.txt"), Some((Format::Text, Compression::None)));
        assert_eq!(format_of("a.jsonl.gz"), Some((Format::Jsonl, Compression::Gzip)));
        assert_eq!(format_of("a.txt.zst"), Some((Format::Text, Compression::Zstd)));
        assert_eq!(format_of("page.html"), Some((Format::Html, Compression::None)));
        assert_eq!(format_of("page.htm.gz"), Some((Format::Html, Compression::Gzip)));
        assert_eq!(format_of("a.pdf"), None);
        assert_eq!(format_of("a.gz"), None);
    }

    #[test]
    fn jsonl_records_good_and_bad() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        let long = "x".repeat(200);
        let content = format!("{{\"text\":\"un\",\"url\":\"u\",\"source\":1}}\n\n{{\"text\":3}}\n{{broken\n[1]\n{{\"t\":\"x\"}}\nBAD\n{{\"text\":\"{long}\"}}\n{{\"text\":\"fin\"}}");
        let content = content.replace("BAD", "\u{1}").into_bytes();
        let content: Vec<u8> = content.into_iter().map(|b| if b == 1 { 0xff } else { b }).collect();
        std::fs::write(&p, content).unwrap();
        let (items, r) = read_all(&p);
        r.unwrap();
        let shown: Vec<String> = items
            .iter()
            .map(|i| match i {
                Item::Doc(d) => format!("doc {} {} {}", d.id, d.text, d.meta_json),
                Item::BadRecord { record, message } => format!("bad {record} {message}"),
            })
            .collect();
        assert_eq!(shown[0], r#"doc a.jsonl#1 un {"record_source":1,"source":{"path":"a.jsonl","record":1},"url":"u"}"#);
        assert_eq!(shown[1], "bad 3 field `text` should be a string, found a number");
        assert!(shown[2].starts_with("bad 4 invalid JSON"), "{}", shown[2]);
        assert_eq!(shown[3], "bad 5 expected a JSON object, found an array");
        assert_eq!(shown[4], "bad 6 no `text` field");
        assert_eq!(shown[5], "bad 7 invalid UTF-8 at byte 0 (bytes ff 0a)");
        assert_eq!(shown[6], "bad 8 line longer than max_document_bytes (100)");
        assert!(shown[7].starts_with("doc a.jsonl#9 fin"), "{}", shown[7]);
        assert_eq!(shown.len(), 8);
    }

    #[test]
    fn truncated_gzip_keeps_what_came_before() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..2000 {
            writeln!(enc, "{{\"text\":\"document {i} with some words to make it longer\"}}").unwrap();
        }
        let bytes = enc.finish().unwrap();
        std::fs::write(&p, &bytes[..bytes.len() * 6 / 10]).unwrap();
        let (items, r) = read_all(&p);
        assert!(r.is_err());
        assert!(items.len() > 100, "{}", items.len());
        assert!(items.iter().all(|i| matches!(i, Item::Doc(_))));
    }

    #[test]
    fn text_files_bom_and_bad_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"\xEF\xBB\xBFbonjour").unwrap();
        let (items, _) = read_all(&p);
        assert!(matches!(&items[0], Item::Doc(d) if d.text.as_str() == "bonjour"));
        std::fs::write(&p, b"caf\xe9").unwrap();
        let (items, _) = read_all(&p);
        assert!(matches!(&items[0], Item::BadRecord { record: 1, message } if message.contains("byte 3")));
    }
}

//! WARC and ARC web archives: records become documents, the HTTP layer undone.
//!
//! Hand-written rather than taken from the `warc` crate: that crate reads neither ARC nor
//! the pre-1.0 WARC of older crawls (ClueWeb09's WARC/0.18, with its malformed dates), and
//! a corpus reader must go on after a record it cannot parse. HTTP heads are parsed by
//! httparse in its lenient mode.
//!
//! For each record read: meta `url` (target URI), `date` (as written, not parsed),
//! `warc_type`, `warc_record_id`, `http_status` (responses over HTTP), `content_type`
//! (the payload's media type), and the payload's encoding. Chunked transfer and content
//! encodings (gzip, deflate, br, zstd) are undone; a payload labelled with a content
//! encoding it does not have (crawlers that stored it decoded) is kept as it is, and one
//! that does not decode is an error of its record. In a `.warc.gz` a damaged gzip member
//! is an error of its record and reading goes on at the next one (the `gzip` module).

use super::gzip::Damage;
use super::text::{decode_markup, doc, find, read_line_limited};
use super::{io_text, Ctx, Item, Origin, ReadError, ReadOptions};
use serde_json::{Map, Value};
use std::io::{self, BufRead, BufReader, Read};

/// The most bytes a WARC header line, an ARC header line or an HTTP head may take.
const MAX_HEAD_BYTES: u64 = 64 << 10;

/// One record's facts, from the WARC (or ARC) header.
struct Record {
    number: u64,
    /// From an ARC file rather than a WARC file.
    arc: bool,
    kind: String,
    url: Option<String>,
    date: Option<String>,
    record_id: Option<String>,
    /// The WARC `Content-Type` of the block (`application/http; msgtype=response`).
    block_type: Option<String>,
}

/// A WARC stream (already decompressed; in a `.warc.gz` each record is a gzip member, and
/// `damage` is where a damaged one is noted).
pub(super) fn read_warc(
    origin: &Origin,
    input: &mut dyn Read,
    damage: &Damage,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReadError> {
    let starts = |line: &str| line.starts_with("WARC/");
    read_records(origin, Records { input, damage, header: warc_header, starts: &starts }, ctx)
}

/// An ARC stream: a version block first (`filedesc://`), then records each with a one-line
/// header `URL IP date content-type [...] length` and the HTTP response as block.
pub(super) fn read_arc(
    origin: &Origin,
    input: &mut dyn Read,
    damage: &Damage,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReadError> {
    let starts = |line: &str| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() >= 5 && fields[0].contains(':') && fields.last().is_some_and(|l| l.parse::<u64>().is_ok())
    };
    read_records(origin, Records { input, damage, header: arc_header, starts: &starts }, ctx)
}

/// Reads the rest of a record's header, given its first line: the record and its block's
/// length.
type HeaderReader = fn(&Origin, &mut dyn BufRead, String, u64) -> Result<(Record, u64), ReadError>;

/// A stream of records of one format.
struct Records<'a> {
    input: &'a mut dyn Read,
    /// Where the gzip reader below notes a damaged member (`.warc.gz`, `.arc.gz`).
    damage: &'a Damage,
    header: HeaderReader,
    /// Whether a line is a record's first: where reading goes on after a damaged member.
    starts: &'a dyn Fn(&str) -> bool,
}

/// Records one after the other: a header (found after any blank lines), then a block. A
/// damaged gzip member is an error of the record it held, and reading goes on at the next
/// record after it.
fn read_records(origin: &Origin, records: Records<'_>, ctx: &mut Ctx<'_>) -> Result<(), ReadError> {
    let Records { input, damage, header, starts } = records;
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut first: Option<String> = None;
    // The last record read, and the gzip member it started in: handed on once the reader is
    // past that member (its checksum checked) or at the next record.
    let mut pending: Option<(Item, u64)> = None;
    loop {
        let mut begun = false;
        let read = (|| {
            let Some(start) =
                first.take().map_or_else(|| next_line(origin, &mut reader, &mut line, number), |l| Ok(Some(l)))?
            else {
                return Ok(None);
            };
            if let Some((item, _)) = pending.take() {
                ctx.emit(item);
            }
            let member = damage.borrow().member;
            number += 1;
            begun = true;
            let (record, length) = header(origin, &mut reader, start, number)?;
            Ok(Some((read_block(origin, &mut reader, record, length, ctx.options)?, member)))
        })();
        match read {
            Ok(Some(item)) => pending = Some(item),
            Ok(None) => {
                if let Some((item, _)) = pending {
                    ctx.emit(item);
                }
                return Ok(());
            }
            Err(e) => {
                let Some(damaged) = damage.borrow_mut().damaged.take() else {
                    // Not a damaged member: the record read before it is whole.
                    if let Some((item, _)) = pending {
                        ctx.emit(item);
                    }
                    return Err(e);
                };
                // Damage found between records is the last record's when it is that
                // record's member (its checksum), else the next record's.
                match pending.take() {
                    Some((_, member)) if !begun && member == damaged.start => {}
                    Some((item, _)) => {
                        ctx.emit(item);
                        number += 1;
                    }
                    None if !begun => number += 1,
                    None => {}
                }
                if damaged.next.is_none() {
                    // Nothing after it (a truncated file): the file stops there.
                    return Err(origin.error(format!("record {number}: {}", damaged.describe())));
                }
                ctx.emit(origin.bad(Some(number), damaged.describe()));
                first = next_record(origin, &mut reader, damage, starts, number)?;
                if first.is_none() {
                    return Ok(());
                }
            }
        }
    }
}

/// After a damaged member: the first line of the next record, skipping what is left of the
/// record it held (and any further damaged members).
fn next_record(
    origin: &Origin,
    reader: &mut impl BufRead,
    damage: &Damage,
    starts: &dyn Fn(&str) -> bool,
    number: u64,
) -> Result<Option<String>, ReadError> {
    let mut line = Vec::new();
    loop {
        match read_line_limited(reader, &mut line, MAX_HEAD_BYTES) {
            Ok((0, _)) => return Ok(None),
            Ok((_, true)) => {}
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                if starts(text.trim_end()) {
                    return Ok(Some(text.trim_end().to_string()));
                }
            }
            Err(_) if damage.borrow_mut().damaged.take().is_some() => {}
            Err(e) => return Err(origin.error(format!("after record {number}: {}", io_text(&e)))),
        }
    }
}

fn warc_header(
    origin: &Origin,
    reader: &mut dyn BufRead,
    version: String,
    number: u64,
) -> Result<(Record, u64), ReadError> {
    if !version.starts_with("WARC/") {
        return Err(origin.error(format!(
            "record {number}: expected a WARC version line (`WARC/1.0`), found {:?}",
            preview(&version)
        )));
    }
    let headers = read_headers(origin, reader, number)?;
    let get = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let length = get("Content-Length").and_then(|v| v.trim().parse::<u64>().ok()).ok_or_else(|| {
        origin.error(format!(
            "record {number}: no valid Content-Length ({:?}), so the records after it cannot be found",
            get("Content-Length").unwrap_or_default()
        ))
    })?;
    let record = Record {
        number,
        arc: false,
        kind: get("WARC-Type").unwrap_or_default().trim().to_ascii_lowercase(),
        // WARC/1.0 allows `<uri>`; strip the brackets some writers keep.
        url: get("WARC-Target-URI").map(|u| u.trim().trim_start_matches('<').trim_end_matches('>').to_string()),
        date: get("WARC-Date").map(|d| d.trim().to_string()),
        record_id: get("WARC-Record-ID").map(|d| d.trim().to_string()),
        block_type: get("Content-Type"),
    };
    Ok((record, length))
}

fn arc_header(
    origin: &Origin,
    _reader: &mut dyn BufRead,
    line: String,
    number: u64,
) -> Result<(Record, u64), ReadError> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let length = fields.last().and_then(|l| l.parse::<u64>().ok()).filter(|_| fields.len() >= 5).ok_or_else(|| {
        origin.error(format!(
            "record {number}: expected an ARC header line `URL IP date type length`, found {:?}",
            preview(&line)
        ))
    })?;
    let url = fields[0].to_string();
    let record = Record {
        number,
        arc: true,
        kind: if url.starts_with("filedesc:") { "filedesc" } else { "response" }.into(),
        block_type: Some(if url.starts_with("http") {
            "application/http; msgtype=response".into()
        } else {
            fields[3].to_string()
        }),
        url: Some(url),
        date: Some(fields[2].to_string()),
        record_id: None,
    };
    Ok((record, length))
}

/// The next non-blank line (records are separated by blank lines), or `None` at the end.
fn next_line(
    origin: &Origin,
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    number: u64,
) -> Result<Option<String>, ReadError> {
    loop {
        let (n, too_long) = read_line_limited(reader, line, MAX_HEAD_BYTES)
            .map_err(|e| origin.error(format!("after record {number}: {}", io_text(&e))))?;
        if n == 0 {
            return Ok(None);
        }
        if too_long {
            return Err(origin.error(format!(
                "after record {number}: a line of over {MAX_HEAD_BYTES} bytes where a record header was expected"
            )));
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            return Ok(Some(String::from_utf8_lossy(line).trim_end().to_string()));
        }
    }
}

/// The WARC header's fields, up to the blank line; continuation lines are joined.
fn read_headers(origin: &Origin, reader: &mut dyn BufRead, number: u64) -> Result<Vec<(String, String)>, ReadError> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut line = Vec::new();
    let mut total = 0u64;
    loop {
        let (n, too_long) = read_line_limited(reader, &mut line, MAX_HEAD_BYTES)
            .map_err(|e| origin.error(format!("record {number}: {}", io_text(&e))))?;
        total += n as u64;
        if n == 0 {
            return Err(origin.error(format!("record {number}: the file ends inside the record's header")));
        }
        if too_long || total > MAX_HEAD_BYTES {
            return Err(origin.error(format!("record {number}: header longer than {MAX_HEAD_BYTES} bytes")));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            return Ok(headers);
        }
        match (text.starts_with([' ', '\t']), headers.last_mut(), text.split_once(':')) {
            (true, Some((_, value)), _) => {
                value.push(' ');
                value.push_str(text.trim());
            }
            (_, _, Some((name, value))) => headers.push((name.trim().to_string(), value.trim().to_string())),
            // A line without a colon: not a field; ignored as readers of old crawls do.
            _ => {}
        }
    }
}

/// Read a record's block of `length` bytes into its item: a document, a skip or a bad
/// record. `Err` when the file ends inside it.
fn read_block(
    origin: &Origin,
    reader: &mut impl BufRead,
    record: Record,
    length: u64,
    options: &ReadOptions,
) -> Result<Item, ReadError> {
    let mut block = reader.take(length);
    let item = record_item(origin, &record, &mut block, options);
    // What the record did not read is skipped, so that the next record is found.
    let drained = io::copy(&mut block, &mut io::sink());
    let missing = block.limit();
    let item = item
        .and_then(|item| drained.map(|_| item))
        .map_err(|e| origin.error(format!("record {}: {}", record.number, io_text(&e))))?;
    if missing > 0 {
        // Its item is not handed on: a cut record's payload is not the page.
        return Err(origin.error(format!(
            "record {}: the file ends inside the record ({missing} of its {length} bytes missing)",
            record.number
        )));
    }
    Ok(item)
}

/// A media type without parameters, lowercased: `text/html; charset=x` -> `text/html`.
fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// The `charset` parameter of a content type.
fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// Whether `media` is asked for by one of `wanted` (`text/html`, `text/*`, `*`).
fn wanted(wanted: &[String], media: &str) -> bool {
    wanted.iter().any(|w| {
        w == "*"
            || w.eq_ignore_ascii_case(media)
            || w.strip_suffix("/*").is_some_and(|prefix| media.split('/').next() == Some(prefix))
    })
}

/// Whether bytes look like the start of an HTML page (for payloads without a type).
fn looks_like_html(bytes: &[u8]) -> bool {
    let start: Vec<u8> =
        bytes.iter().skip_while(|b| b.is_ascii_whitespace()).take(64).map(u8::to_ascii_lowercase).collect();
    [&b"<!doctype html"[..], b"<html", b"<head", b"<body", b"<?xml", b"<!--"].iter().any(|p| start.starts_with(p))
}

/// Read the record into its item: a document, a skip or a bad record. `Err` only for the
/// stream's own failures.
fn record_item(origin: &Origin, record: &Record, block: &mut dyn Read, options: &ReadOptions) -> io::Result<Item> {
    let skip = |reason: String| Ok(Item::Skipped { reason });
    let bad = |message: String| Ok(origin.bad(Some(record.number), format!("{}: {message}", describe(record))));
    if !options.warc.records.iter().any(|r| r.eq_ignore_ascii_case(&record.kind)) {
        let format = if record.arc { "ARC" } else { "WARC" };
        return skip(if record.kind.is_empty() {
            format!("{format} record without a type")
        } else {
            format!("{format} {} record", record.kind)
        });
    }
    let block_type = record.block_type.as_deref().unwrap_or("");
    let is_http = record.kind == "response" && media_type(block_type) == "application/http";
    let limit = options.max_document_bytes;
    let mut bytes = Vec::new();
    let (status, content_type, encodings, chunked) = if is_http {
        // The HTTP head, then the start of the body in the same buffer.
        let Some(head) = read_http_head(block, &mut bytes)? else {
            return bad("the HTTP response head cannot be parsed".into());
        };
        bytes.drain(..head.body_start);
        let encodings: Vec<String> = head
            .header("Content-Encoding")
            .split(',')
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty() && e != "identity")
            .collect();
        let chunked = head.header("Transfer-Encoding").to_ascii_lowercase().contains("chunked");
        (Some(head.status), head.header("Content-Type"), encodings, chunked)
    } else {
        (None, block_type.to_string(), Vec::new(), false)
    };
    // The type decides before the payload is read: skipped payloads are never kept.
    let mut media = media_type(&content_type);
    if media.is_empty() {
        let mut head = [0u8; 64];
        let n = read_up_to(block, &mut head)?;
        bytes.extend_from_slice(&head[..n]);
        if looks_like_html(&bytes) {
            media = "text/html".into();
        }
    }
    if !wanted(&options.warc.content_types, &media) {
        return skip(if media.is_empty() {
            "payload without a content type".to_string()
        } else {
            format!("payload {media}")
        });
    }
    let room = (limit + 1).saturating_sub(bytes.len() as u64);
    block.take(room).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return bad(format!("payload larger than max_document_bytes ({limit})"));
    }
    if chunked {
        if let Some(joined) = dechunk(&bytes) {
            bytes = joined;
        }
    }
    for encoding in encodings.iter().rev() {
        match undo_encoding(encoding, &bytes, limit) {
            Ok(Some(decoded)) => bytes = decoded,
            Ok(None) => {}
            Err(message) => return bad(format!("content encoding {encoding}: {message}")),
        }
    }
    let html = media == "text/html" || media == "application/xhtml+xml";
    let decoded = match decode_markup(&bytes, charset_of(&content_type).as_deref(), html, options.strict_encoding) {
        Ok(d) => d,
        Err(message) => return bad(message),
    };
    let mut meta = Map::new();
    meta.insert("source".into(), origin.source_meta(Some(record.number)));
    for (key, value) in [("url", &record.url), ("date", &record.date), ("warc_record_id", &record.record_id)] {
        if let Some(v) = value {
            meta.insert(key.into(), Value::from(v.as_str()));
        }
    }
    meta.insert("warc_type".into(), Value::from(record.kind.as_str()));
    if let Some(s) = status {
        meta.insert("http_status".into(), Value::from(s));
    }
    if !media.is_empty() {
        meta.insert("content_type".into(), Value::from(media));
    }
    decoded.record(&mut meta);
    Ok(Item::Doc(doc(origin.doc_id(Some(record.number)), decoded.text, meta)))
}

/// How a record is named in messages: its number is in the error record, so its URI.
fn describe(record: &Record) -> String {
    match &record.url {
        Some(u) => format!("<{u}>"),
        None => format!("record {}", record.number),
    }
}

/// Read into `buf` as much as it holds, or to the end.
fn read_up_to(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..])? {
            0 => break,
            m => n += m,
        }
    }
    Ok(n)
}

/// An HTTP response head.
struct HttpHead {
    status: u16,
    headers: Vec<(String, String)>,
    /// Where the body starts in the bytes read.
    body_start: usize,
}

impl HttpHead {
    /// The values of a header, joined with `, ` (empty when absent).
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Read an HTTP response head from `block` into `bytes` (which may end up holding the start
/// of the body too); `None` when it is not an HTTP response head.
fn read_http_head(block: &mut dyn Read, bytes: &mut Vec<u8>) -> io::Result<Option<HttpHead>> {
    let mut chunk = [0u8; 4096];
    loop {
        let end = find(bytes, b"\r\n\r\n").map(|p| p + 4).or_else(|| find(bytes, b"\n\n").map(|p| p + 2));
        let n = if end.is_none() && (bytes.len() as u64) < MAX_HEAD_BYTES { read_up_to(block, &mut chunk)? } else { 0 };
        if n > 0 {
            bytes.extend_from_slice(&chunk[..n]);
            continue;
        }
        // The head ends at the blank line, or with the block (a response without a body).
        let end = end.unwrap_or(bytes.len());
        let mut head = bytes[..end].to_vec();
        if !head.ends_with(b"\n\n") && !head.ends_with(b"\r\n\r\n") {
            head.extend_from_slice(b"\r\n\r\n");
        }
        // httparse knows HTTP/1.x only; crawlers record HTTP/2 responses as `HTTP/2 200`.
        for old in [&b"HTTP/2 "[..], b"HTTP/2.0 ", b"HTTP/3 "] {
            if head.starts_with(old) {
                head.splice(..old.len(), b"HTTP/1.1 ".iter().copied());
            }
        }
        let mut slots = vec![httparse::EMPTY_HEADER; 512];
        let mut response = httparse::Response::new(&mut slots);
        let parsed = httparse::ParserConfig::default()
            .allow_spaces_after_header_name_in_responses(true)
            .allow_obsolete_multiline_headers_in_responses(true)
            .allow_multiple_spaces_in_response_status_delimiters(true)
            .ignore_invalid_headers_in_responses(true)
            .parse_response(&mut response, &head);
        return Ok(match (parsed, response.code) {
            (Ok(httparse::Status::Complete(_)), Some(code)) => {
                let headers = response
                    .headers
                    .iter()
                    .map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).trim().to_string()))
                    .collect();
                Some(HttpHead { status: code, headers, body_start: end })
            }
            _ => None,
        });
    }
}

/// Join a chunked body; `None` when it is not well-formed chunked data (kept as it is then,
/// as crawlers often store bodies already joined under the original header).
fn dechunk(mut bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    loop {
        let line_end = find(bytes, b"\n")?;
        let size_text = std::str::from_utf8(&bytes[..line_end]).ok()?.trim();
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        bytes = &bytes[line_end + 1..];
        if size == 0 {
            return Some(out);
        }
        if bytes.len() < size {
            // A cut-off last chunk: keep what there is.
            out.extend_from_slice(bytes);
            return Some(out);
        }
        out.extend_from_slice(&bytes[..size]);
        bytes = &bytes[size..];
        bytes = bytes.strip_prefix(b"\r\n").or_else(|| bytes.strip_prefix(b"\n")).unwrap_or(bytes);
        if bytes.is_empty() {
            return Some(out);
        }
    }
}

/// Whether a payload labelled with an encoding looks stored decoded (text or markup, as
/// crawlers that undo the encoding leave it) rather than damaged encoded bytes.
fn looks_decoded(bytes: &[u8]) -> bool {
    looks_like_html(bytes) || std::str::from_utf8(bytes).is_ok_and(|s| !s.contains('\0'))
}

/// Undo one content encoding, at most `limit` bytes out. `Ok(None)` when the payload is not
/// in that encoding after all (it starts without the format's magic bytes, or, for deflate
/// and br that have none, it does not decode and [`looks_decoded`]: kept as it is) or the
/// encoding is unknown. A payload that decodes past `limit`, or does not decode and is not
/// text, is an `Err` saying so.
fn undo_encoding(encoding: &str, bytes: &[u8], limit: u64) -> Result<Option<Vec<u8>>, String> {
    let read_limited = |mut r: Box<dyn Read + '_>| -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        r.by_ref().take(limit + 1).read_to_end(&mut out).map_err(|e| e.to_string())?;
        if out.len() as u64 > limit {
            return Err(format!("decodes to more than max_document_bytes ({limit})"));
        }
        Ok(out)
    };
    let or_kept = |decoded: Result<Vec<u8>, String>| match decoded {
        Ok(out) => Ok(Some(out)),
        Err(e) if e.contains("max_document_bytes") || !looks_decoded(bytes) => {
            Err(format!("not valid {encoding} data ({e})"))
        }
        Err(_) => Ok(None),
    };
    match encoding {
        "gzip" | "x-gzip" if bytes.starts_with(&[0x1f, 0x8b]) => {
            read_limited(Box::new(flate2::read::MultiGzDecoder::new(bytes))).map(Some)
        }
        "zstd" if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) => {
            let decoder = zstd::stream::read::Decoder::new(bytes).map_err(|e| e.to_string())?;
            read_limited(Box::new(decoder)).map(Some)
        }
        // zlib-wrapped as the standard says, or raw deflate as some servers send.
        "deflate" => or_kept(read_limited(Box::new(flate2::read::ZlibDecoder::new(bytes))).or_else(|zlib| {
            // The limit reached as zlib is the limit, not a reason to try raw deflate.
            if zlib.contains("max_document_bytes") {
                return Err(zlib);
            }
            read_limited(Box::new(flate2::read::DeflateDecoder::new(bytes)))
        })),
        "br" => or_kept(read_limited(Box::new(brotli_decompressor::Decompressor::new(bytes, 4096)))),
        _ => Ok(None),
    }
}

fn preview(line: &str) -> String {
    line.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk(b"4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n").unwrap(), b"Wikipedia");
        assert_eq!(dechunk(b"4\nWiki\n3\nped"), Some(b"Wikiped".to_vec()));
        assert_eq!(dechunk(b"<html>not chunked"), None);
    }

    #[test]
    fn media_types_and_wildcards() {
        assert_eq!(media_type("Text/HTML; charset=UTF-8"), "text/html");
        assert_eq!(charset_of("text/html; Charset=\"EUC-JP\""), Some("EUC-JP".into()));
        let w = vec!["text/*".to_string()];
        assert!(wanted(&w, "text/plain") && !wanted(&w, "image/png"));
        assert!(wanted(&["*".to_string()], "image/png"));
    }

    #[test]
    fn encodings_undone_or_kept() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"<p>bonjour</p>").unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(undo_encoding("gzip", &gz, 100).unwrap().unwrap(), b"<p>bonjour</p>");
        // Labelled gzip but stored decoded (ClueWeb09): kept.
        assert_eq!(undo_encoding("gzip", b"<p>deja</p>", 100).unwrap(), None);
        // A bomb stops at the limit.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b'a'; 1 << 20]).unwrap();
        let bomb = gz.finish().unwrap();
        assert!(undo_encoding("gzip", &bomb, 1000).unwrap_err().contains("max_document_bytes"));
        // deflate, zlib-wrapped or raw; zstd; brotli (made by Python's brotli 1.1).
        let page = "<p>Deuxième dépêche, reçue à 18 h.</p>".as_bytes();
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(page).unwrap();
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(page).unwrap();
        let brotli: &[u8] = &[
            11, 21, 128, 60, 112, 62, 68, 101, 117, 120, 105, 195, 168, 109, 101, 32, 100, 195, 169, 112, 195, 170, 99,
            104, 101, 44, 32, 114, 101, 195, 167, 117, 101, 32, 195, 160, 32, 49, 56, 32, 104, 46, 60, 47, 112, 62, 3,
        ];
        for (encoding, bytes) in [
            ("deflate", zlib.finish().unwrap()),
            ("deflate", raw.finish().unwrap()),
            ("zstd", zstd::encode_all(page, 3).unwrap()),
            ("br", brotli.to_vec()),
        ] {
            assert_eq!(undo_encoding(encoding, &bytes, 100).unwrap().as_deref(), Some(page), "{encoding}");
        }
        assert_eq!(undo_encoding("compress", page, 100).unwrap(), None);
        // Labelled deflate or br but stored decoded: kept.
        assert_eq!(undo_encoding("deflate", page, 100).unwrap(), None);
        assert_eq!(undo_encoding("br", page, 100).unwrap(), None);
    }

    /// Issue 17 item 9: a deflate bomb, a truncated deflate stream and bad brotli are errors
    /// of their record, not binary documents.
    #[test]
    fn damaged_encodings_are_errors() {
        use std::io::Write;
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        zlib.write_all(&vec![b'a'; 1 << 20]).unwrap();
        let bomb = zlib.finish().unwrap();
        let err = undo_encoding("deflate", &bomb, 1000).unwrap_err();
        assert!(err.contains("max_document_bytes"), "{err}");
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        raw.write_all(&vec![b'a'; 1 << 20]).unwrap();
        let err = undo_encoding("deflate", &raw.finish().unwrap(), 1000).unwrap_err();
        assert!(err.contains("max_document_bytes"), "{err}");
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let text: String = (0..2000).map(|i| format!("<p>mot {i}</p>")).collect();
        zlib.write_all(text.as_bytes()).unwrap();
        let whole = zlib.finish().unwrap();
        let err = undo_encoding("deflate", &whole[..whole.len() / 2], 1 << 20).unwrap_err();
        assert!(err.starts_with("not valid deflate data"), "{err}");
        let err = undo_encoding("br", &[0xff, 0x13, 0x88, 0x00, 0xfe, 0x01, 0x9c], 1 << 20).unwrap_err();
        assert!(err.starts_with("not valid br data"), "{err}");
    }
}

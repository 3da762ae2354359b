//! Text, JSONL and HTML readers, and the decoding of bytes to text.
//!
//! Text that is not valid UTF-8 is decoded by detection (chardetng, the detector of
//! Firefox, over encoding_rs) and the encoding is recorded in meta (`encoding`,
//! `encoding_from`); with `strict_encoding` it is an error of its document instead.

use super::{io_text, Ctx, Item, Origin, ReadError};
use moulin_abi::Doc;
use serde_json::{Map, Value};
use std::io::{self, BufRead, BufReader, Read};

/// Text decoded from bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The text, without a byte order mark.
    pub text: String,
    /// The encoding's WHATWG name (`UTF-8`, `windows-1252`, ...).
    pub encoding: &'static str,
    /// Where the encoding came from: `bom`, `http` (the HTTP header's charset), `meta` (the
    /// page's declaration), `utf-8` (valid as UTF-8) or `detected` (chardetng).
    pub from: &'static str,
    /// Whether bytes that do not fit the encoding were replaced by U+FFFD.
    pub replaced: bool,
}

impl Decoded {
    /// Record the encoding in `meta`: `encoding`, `encoding_from`, and `encoding_errors`
    /// when bytes were replaced.
    pub(super) fn record(&self, meta: &mut Map<String, Value>) {
        meta.insert("encoding".into(), Value::from(self.encoding));
        meta.insert("encoding_from".into(), Value::from(self.from));
        if self.replaced {
            meta.insert("encoding_errors".into(), Value::from(true));
        }
    }

    /// Whether the text is the bytes as they were (UTF-8, with at most a UTF-8 byte order
    /// mark removed), so that there is nothing to record.
    fn is_plain_utf8(&self) -> bool {
        self.encoding == "UTF-8" && !self.replaced && matches!(self.from, "utf-8" | "bom")
    }
}

/// Decode an HTML page as a browser would: a byte order mark first, then the charset the
/// page declares in its first 1024 bytes (`<meta charset>` or `http-equiv`), then UTF-8 if
/// the bytes are valid UTF-8, then detection (chardetng, the detector of Firefox).
pub fn decode_html(bytes: &[u8]) -> Decoded {
    decode(bytes, None, true)
}

/// Decode bytes: a byte order mark, then `charset` (from an HTTP header), then for HTML
/// the page's own declaration, then UTF-8 if valid, then detection.
pub(super) fn decode(bytes: &[u8], charset: Option<&str>, html: bool) -> Decoded {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, replaced) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded { text: text.into_owned(), encoding: encoding.name(), from: "bom", replaced };
    }
    // A charset declared in ASCII cannot be UTF-16 (WHATWG): such a label means UTF-8.
    let usable = |e: &'static encoding_rs::Encoding| {
        if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE {
            encoding_rs::UTF_8
        } else {
            e
        }
    };
    let declared = charset
        .and_then(|label| encoding_rs::Encoding::for_label(label.trim().as_bytes()))
        .map(|e| (usable(e), "http"))
        .or_else(|| {
            if !html {
                return None;
            }
            declared_charset(&bytes[..bytes.len().min(1024)])
                .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
                .map(|e| (usable(e), "meta"))
        });
    if let Some((encoding, from)) = declared {
        let (text, replaced) = encoding.decode_without_bom_handling(bytes);
        return Decoded { text: text.into_owned(), encoding: encoding.name(), from, replaced };
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

/// Decode plain text (a text file, a JSONL line): UTF-8 (a byte order mark removed) when
/// valid; otherwise detection, or with `strict` an error saying where UTF-8 broke.
pub(super) fn decode_text(bytes: &[u8], strict: bool) -> Result<Decoded, String> {
    if strict {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        return match std::str::from_utf8(body) {
            Ok(text) => Ok(Decoded { text: text.to_string(), encoding: "UTF-8", from: "utf-8", replaced: false }),
            Err(e) => Err(format!("{} (strict_encoding is on)", utf8_error_text(body, e))),
        };
    }
    Ok(decode(bytes, None, false))
}

/// Decode a page or payload; with `strict`, bytes that do not fit the encoding are an error.
pub(super) fn decode_markup(bytes: &[u8], charset: Option<&str>, html: bool, strict: bool) -> Result<Decoded, String> {
    let decoded = decode(bytes, charset, html);
    if strict && decoded.replaced {
        return Err(format!("bytes not valid in {} (from {}; strict_encoding is on)", decoded.encoding, decoded.from));
    }
    Ok(decoded)
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
                let value: Vec<u8> = value
                    .iter()
                    .copied()
                    .skip_while(|b| b.is_ascii_whitespace() || *b == b'"' || *b == b'\'')
                    .collect();
                let label: Vec<u8> = value
                    .into_iter()
                    .take_while(|b| !(b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b';' | b'/' | b'>')))
                    .collect();
                if !label.is_empty() {
                    return String::from_utf8(label).ok();
                }
            }
        }
        from = tag_end;
    }
    None
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn utf8_error_text(bytes: &[u8], e: std::str::Utf8Error) -> String {
    let at = e.valid_up_to();
    let bad: Vec<String> = bytes[at..].iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("invalid UTF-8 at byte {at} (bytes {})", bad.join(" "))
}

/// Read a whole stream as one document's bytes, or `None` (and a bad record) when it is
/// larger than `max_document_bytes`.
fn read_whole(origin: &Origin, input: &mut dyn Read, ctx: &mut Ctx<'_>) -> Result<Option<Vec<u8>>, ReadError> {
    let limit = ctx.options.max_document_bytes;
    let mut bytes = Vec::new();
    input.take(limit + 1).read_to_end(&mut bytes).map_err(|e| origin.error(io_text(&e)))?;
    if bytes.len() as u64 > limit {
        ctx.emit(origin.bad(None, format!("document larger than max_document_bytes ({limit})")));
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// A text file (or member): one document.
pub(super) fn read_text(origin: &Origin, input: &mut dyn Read, ctx: &mut Ctx<'_>) -> Result<(), ReadError> {
    let Some(bytes) = read_whole(origin, input, ctx)? else { return Ok(()) };
    let decoded = decode_text(&bytes, ctx.options.strict_encoding);
    // A whole file is as large as a document gets: no third copy of it.
    drop(bytes);
    match decoded {
        Ok(decoded) => {
            let mut meta = Map::new();
            meta.insert("source".into(), origin.source_meta(None));
            if !decoded.is_plain_utf8() {
                decoded.record(&mut meta);
            }
            ctx.emit(Item::Doc(doc(origin.doc_id(None), decoded.text, meta)));
        }
        Err(message) => ctx.emit(origin.bad(None, message)),
    }
    Ok(())
}

/// An HTML file (or member): one document, the raw page decoded; meta `content_type`.
pub(super) fn read_html(origin: &Origin, input: &mut dyn Read, ctx: &mut Ctx<'_>) -> Result<(), ReadError> {
    let Some(bytes) = read_whole(origin, input, ctx)? else { return Ok(()) };
    let decoded = decode_markup(&bytes, None, true, ctx.options.strict_encoding);
    drop(bytes);
    match decoded {
        Ok(decoded) => {
            let mut meta = Map::new();
            meta.insert("source".into(), origin.source_meta(None));
            meta.insert("content_type".into(), Value::from("text/html"));
            decoded.record(&mut meta);
            ctx.emit(Item::Doc(doc(origin.doc_id(None), decoded.text, meta)));
        }
        Err(message) => ctx.emit(origin.bad(None, message)),
    }
    Ok(())
}

/// A document of `text` (moved in, not copied).
pub(super) fn doc(id: String, text: String, meta: Map<String, Value>) -> Doc {
    let mut doc = Doc::new(&id, "");
    doc.text = text.into();
    doc.meta_json = Value::Object(meta).to_string().into();
    doc
}

/// Read `reader` up to and including the next `\n`, at most `limit` bytes. Returns the
/// number of bytes read (0 at the end) and whether the line was cut at the limit (the rest of
/// the line is then skipped).
pub(super) fn read_line_limited(
    reader: &mut (impl BufRead + ?Sized),
    buf: &mut Vec<u8>,
    limit: u64,
) -> io::Result<(usize, bool)> {
    buf.clear();
    let n = (&mut *reader).take(limit + 1).read_until(b'\n', buf)?;
    if n as u64 > limit && buf.last() != Some(&b'\n') {
        // Skip to the end of the oversized line without keeping it.
        let mut skipped = Vec::new();
        loop {
            skipped.clear();
            let m = (&mut *reader).take(1 << 20).read_until(b'\n', &mut skipped)?;
            if m == 0 || skipped.last() == Some(&b'\n') {
                break;
            }
        }
        return Ok((n, true));
    }
    Ok((n, false))
}

/// A JSONL file (or member): one document per line, `#n` its line number.
pub(super) fn read_jsonl(origin: &Origin, input: &mut dyn Read, ctx: &mut Ctx<'_>) -> Result<(), ReadError> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut line = Vec::new();
    let mut number = 0u64;
    let limit = ctx.options.max_document_bytes;
    loop {
        let (n, too_long) = read_line_limited(&mut reader, &mut line, limit).map_err(|e| {
            let at = if number == 0 { "at the start".to_string() } else { format!("after line {number}") };
            origin.error(format!("{at}: {}", io_text(&e)))
        })?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        if too_long {
            ctx.emit(origin.bad(Some(number), format!("line longer than max_document_bytes ({limit})")));
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let item = match parse_record(origin, number, &line, ctx.options) {
            Ok(doc) if ctx.options.id_field.is_none() || ctx.ids.take(&doc.id) => Item::Doc(doc),
            Ok(doc) => origin.bad(
                Some(number),
                format!("id {:?} is an earlier record's ([input] id_field: ids are unique in a run)", doc.id.as_str()),
            ),
            Err(message) => origin.bad(Some(number), message),
        };
        ctx.emit(item);
    }
}

fn parse_record(origin: &Origin, number: u64, line: &[u8], options: &super::ReadOptions) -> Result<Doc, String> {
    let decoded = decode_text(line, options.strict_encoding)?;
    let value: Value = serde_json::from_str(&decoded.text).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(mut fields) = value else {
        return Err(format!("expected a JSON object, found {}", json_type(&value)));
    };
    let text_field = &options.text_field;
    let body = match fields.remove(text_field) {
        Some(Value::String(s)) => s,
        Some(other) => return Err(format!("field `{text_field}` should be a string, found {}", json_type(&other))),
        None => return Err(format!("no `{text_field}` field")),
    };
    let id = match &options.id_field {
        None => origin.doc_id(Some(number)),
        Some(field) => match fields.remove(field) {
            Some(Value::String(s)) if !s.is_empty() => s,
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => {
                return Err(format!(
                    "id field `{field}` should be a non-empty string or a number, found {}",
                    json_type(&other)
                ))
            }
            None => return Err(format!("no `{field}` field (the [input] id_field)")),
        },
    };
    // The record's other fields go into meta; the host's provenance is `source`, and a
    // record field of that name is kept as `record_source`.
    if let Some(theirs) = fields.remove("source") {
        fields.insert("record_source".into(), theirs);
    }
    fields.insert("source".into(), origin.source_meta(Some(number)));
    if !decoded.is_plain_utf8() {
        decoded.record(&mut fields);
    }
    Ok(doc(id, body, fields))
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

use super::*;
use crate::corpus::{format_of, parse_format, InputFile};
use std::io::Write;
use std::path::Path;

fn options(max_document_bytes: u64) -> ReadOptions {
    let input = InputConfig { max_document_bytes, ..InputConfig::new(Vec::new()) };
    ReadOptions::new(&input).unwrap()
}

fn read_with(path: &Path, opts: &ReadOptions) -> (Vec<Item>, Result<(), ReadError>) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let (format, compression) = format_of(&name).unwrap();
    let file = InputFile { path: path.into(), id: name, size: 0, format, compression };
    let mut items = Vec::new();
    let r = read_file(&file, opts, &mut SeenIds::default(), Arc::default(), |i| items.push(i));
    (items, r)
}

fn read_all(path: &Path) -> (Vec<Item>, Result<(), ReadError>) {
    read_with(path, &options(100))
}

#[test]
fn html_pages_are_decoded_by_bom_declaration_or_detection() {
    let utf8 = "<html><head><meta charset=\"utf-8\"></head><body><p>Café à Kaboul</p></body></html>";
    let d = decode_html(utf8.as_bytes());
    assert_eq!((d.text.as_str(), d.encoding, d.from), (utf8, "UTF-8", "meta"));
    // windows-1252 declared in http-equiv.
    let mut latin =
        b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body>Caf"
            .to_vec();
    latin.extend([0xE9, b' ', 0x80]);
    let d = decode_html(&latin);
    assert!(d.text.ends_with("Café €"), "{}", d.text);
    assert_eq!((d.encoding, d.from), ("windows-1252", "meta"));
    // No declaration, not UTF-8: detected.
    let mut bare = b"<p>".to_vec();
    bare.extend(
        encoding_rs::WINDOWS_1252
            .encode("Les élèves de l'école française étaient très nombreux à la fête de l'été.")
            .0
            .iter(),
    );
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
    assert_eq!(format_of("page.HTML"), Some((Format::Html, Compression::None)));
    assert_eq!(format_of("page.htm.gz"), Some((Format::Html, Compression::Gzip)));
    assert_eq!(format_of("x.tar.gz"), Some((Format::Tar, Compression::Gzip)));
    assert_eq!(format_of("x.tgz"), Some((Format::Tar, Compression::Gzip)));
    assert_eq!(format_of("x.tar.zst"), Some((Format::Tar, Compression::Zstd)));
    assert_eq!(format_of("x.zip"), Some((Format::Zip, Compression::None)));
    assert_eq!(format_of("CC-MAIN-1.warc.gz"), Some((Format::Warc, Compression::Gzip)));
    assert_eq!(format_of("CC-MAIN-1.warc.wet.gz"), Some((Format::Warc, Compression::Gzip)));
    assert_eq!(format_of("old.arc.gz"), Some((Format::Arc, Compression::Gzip)));
    assert_eq!(format_of("a.pdf"), None);
    assert_eq!(format_of("a.gz"), None);
    assert_eq!(format_of("tar"), None);
    assert_eq!(parse_format("jsonl.gz"), Some((Format::Jsonl, Compression::Gzip)));
    assert_eq!(parse_format("gz"), None);
}

#[test]
fn selector_rules_patterns_and_members() {
    let mut input = InputConfig {
        include: vec!["**/*.txt".into()],
        exclude: vec!["**/skip/**".into()],
        formats: vec![crate::corpus::FormatRule { glob: "**/*.dat".into(), format: "jsonl".into() }],
        ..InputConfig::new(Vec::new())
    };
    let s = Selector::new(&input).unwrap();
    assert_eq!(s.select("a/b.txt"), Selection::Read(Format::Text, Compression::None));
    assert_eq!(s.select("./b.txt"), Selection::Read(Format::Text, Compression::None));
    assert_eq!(s.select("/abs/b.txt"), Selection::Read(Format::Text, Compression::None));
    assert_eq!(s.select("x/records.dat"), Selection::Read(Format::Jsonl, Compression::None));
    assert_eq!(s.select("a/skip/b.txt"), Selection::NotIncluded);
    assert_eq!(s.select("a/b.jsonl"), Selection::NotIncluded);
    input.include.push("**/*".into());
    let s = Selector::new(&input).unwrap();
    assert_eq!(s.select("README"), Selection::NoReader);
}

fn shown(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i {
            Item::Doc(d) => format!("doc {} {} {}", d.id, d.text, d.meta_json),
            Item::BadRecord { member, record, message } => format!("bad {member:?} {record:?} {message}"),
            Item::Skipped { reason } => format!("skip {reason}"),
        })
        .collect()
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
    let shown = shown(&items);
    assert_eq!(shown[0], r#"doc a.jsonl#1 un {"record_source":1,"source":{"path":"a.jsonl","record":1},"url":"u"}"#);
    assert_eq!(shown[1], "bad None Some(3) field `text` should be a string, found a number");
    assert!(shown[2].starts_with("bad None Some(4) invalid JSON"), "{}", shown[2]);
    assert_eq!(shown[3], "bad None Some(5) expected a JSON object, found an array");
    assert_eq!(shown[4], "bad None Some(6) no `text` field");
    // Not UTF-8: decoded by detection, then not JSON.
    assert!(shown[5].starts_with("bad None Some(7) invalid JSON"), "{}", shown[5]);
    assert_eq!(shown[6], "bad None Some(8) line longer than max_document_bytes (100)");
    assert!(shown[7].starts_with("doc a.jsonl#9 fin"), "{}", shown[7]);
    assert_eq!(shown.len(), 8);
}

#[test]
fn legacy_encodings_are_detected_or_refused_when_strict() {
    let dir = tempfile::tempdir().unwrap();
    let sentence = "Les élèves de l'école française étaient très nombreux à la fête de l'été à Orléans.";
    let latin = encoding_rs::WINDOWS_1252.encode(sentence).0.into_owned();
    let txt = dir.path().join("a.txt");
    std::fs::write(&txt, &latin).unwrap();
    let jsonl = dir.path().join("b.jsonl");
    let mut line = b"{\"text\":\"".to_vec();
    line.extend(&latin);
    line.extend(b"\"}\n{\"text\":\"pur UTF-8 \xc3\xa9t\xc3\xa9\"}\n");
    std::fs::write(&jsonl, &line).unwrap();
    let mut opts = options(1000);
    for path in [&txt, &jsonl] {
        let (items, r) = read_with(path, &opts);
        r.unwrap();
        let Item::Doc(d) = &items[0] else { panic!("{:?}", shown(&items)) };
        assert_eq!(d.text.as_str(), sentence);
        assert!(
            d.meta_json.as_str().contains(r#""encoding":"windows-1252","encoding_from":"detected""#),
            "{}",
            d.meta_json
        );
    }
    // The UTF-8 record has no encoding in meta.
    let (items, _) = read_with(&jsonl, &opts);
    assert!(matches!(&items[1], Item::Doc(d) if !d.meta_json.as_str().contains("encoding")));
    opts.strict_encoding = true;
    let (items, _) = read_with(&txt, &opts);
    assert_eq!(shown(&items), ["bad None None invalid UTF-8 at byte 4 (bytes e9 6c e8 76) (strict_encoding is on)"]);
    let (items, _) = read_with(&jsonl, &opts);
    assert!(shown(&items)[0].starts_with("bad None Some(1) invalid UTF-8 at byte 13"), "{:?}", shown(&items));
    assert!(matches!(&items[1], Item::Doc(_)));
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
    assert!(r.unwrap_err().message.starts_with("after line "));
    assert!(items.len() > 100, "{}", items.len());
    assert!(items.iter().all(|i| matches!(i, Item::Doc(_))));
}

#[test]
fn text_files_bom() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.txt");
    std::fs::write(&p, b"\xEF\xBB\xBFbonjour").unwrap();
    let (items, _) = read_all(&p);
    assert!(
        matches!(&items[0], Item::Doc(d) if d.text.as_str() == "bonjour" && !d.meta_json.as_str().contains("encoding"))
    );
}

#[test]
fn limited_reader_stops_past_its_limit_only() {
    let mut out = Vec::new();
    Limited::new(&b"12345"[..], 5).read_to_end(&mut out).unwrap();
    assert_eq!(out, b"12345");
    let err = Limited::new(&b"123456"[..], 5).read_to_end(&mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("max_member_bytes (5 bytes)"), "{err}");
}

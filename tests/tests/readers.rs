//! The readers over tests/data: the same documents in every container and compression,
//! the real WARC and ARC files, and damaged archives (what is kept, what is reported).

use moulin::config::{FormatRule, InputConfig};
use moulin::corpus::{self, Item, ReadError, ReadOptions};
use moulin_tests::root;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn data(rel: &str) -> PathBuf {
    root().join("tests/data").join(rel)
}

/// What reading gave: documents (id, text, meta), bad records and skips as text, and the
/// stream errors of each file.
#[derive(Debug, Default)]
struct Read {
    docs: Vec<(String, String, Value)>,
    bad: Vec<String>,
    skipped: Vec<String>,
    errors: Vec<ReadError>,
}

impl Read {
    fn texts(&self) -> Vec<&str> {
        self.docs.iter().map(|(_, t, _)| t.as_str()).collect()
    }
}

fn read_path(path: &Path, configure: impl FnOnce(&mut InputConfig)) -> Read {
    let mut input = InputConfig::new(vec![path.to_path_buf()]);
    configure(&mut input);
    let options = ReadOptions::new(&input).unwrap();
    let (files, walk_errors) = corpus::walk(&input.paths, &options.selector, &[], input.follow_outside_links);
    assert!(walk_errors.is_empty(), "{walk_errors:?}");
    let mut read = Read::default();
    for file in &files {
        let mut items = Vec::new();
        if let Err(e) =
            corpus::read_file(file, &options, &mut Default::default(), Default::default(), |i| items.push(i))
        {
            read.errors.push(e);
        }
        for item in items {
            match item {
                Item::Doc(d) => read.docs.push((
                    d.id.to_string(),
                    d.text.to_string(),
                    serde_json::from_str(d.meta_json.as_str()).unwrap(),
                )),
                Item::BadRecord { member, record, message } => read.bad.push(format!(
                    "{} {} {message}",
                    member.unwrap_or_default(),
                    record.map(|r| r.to_string()).unwrap_or_default()
                )),
                Item::Skipped { reason } => read.skipped.push(reason),
                other => panic!("an item this test does not know: {other:?}"),
            }
        }
    }
    read
}

fn read(rel: &str) -> Read {
    read_path(&data(rel), |_| {})
}

/// A document's id without its container: the member path after the last `!/` (or the
/// path below the folder), without a compression ending.
fn member_key(id: &str) -> String {
    let inner = id.rsplit("!/").next().unwrap();
    let (name, record) = inner.split_once('#').map_or((inner, None), |(n, r)| (n, Some(r)));
    let name = name.strip_suffix(".gz").or_else(|| name.strip_suffix(".zst")).unwrap_or(name);
    match record {
        Some(r) => format!("{name}#{r}"),
        None => name.to_string(),
    }
}

#[test]
fn the_same_documents_come_out_of_every_container_and_compression() {
    let latin = std::fs::read(data("containers/docs/d-latin1.txt")).unwrap();
    let expected: Vec<(String, String)> = vec![
        ("a.txt".into(), std::fs::read_to_string(data("containers/docs/a.txt")).unwrap()),
        ("c.jsonl#1".into(), "Première dépêche : la Loire est en crue à Orléans.".into()),
        ("c.jsonl#2".into(), "Deuxième dépêche, reçue à 18 h.".into()),
        ("d-latin1.txt".into(), encoding_rs::WINDOWS_1252.decode(&latin).0.into_owned()),
        ("sub/b.txt".into(), std::fs::read_to_string(data("containers/docs/sub/b.txt")).unwrap()),
    ];
    // Files and archives: ids and texts.
    for case in [
        "containers/docs",
        "containers/gz",
        "containers/zst",
        "containers/docs.tar",
        "containers/docs.tar.gz",
        "containers/docs.tgz",
        "containers/docs.tar.zst",
        "containers/docs.zip",
        "containers/docs-stored.zip",
        "containers/docs-gz-members.tar",
        "containers/docs-zst-members.zip",
        "containers/nested.tar",
    ] {
        let got = read(case);
        assert!(got.bad.is_empty() && got.errors.is_empty() && got.skipped.is_empty(), "{case}: {got:?}");
        let keyed: Vec<(String, String)> =
            got.docs.iter().map(|(id, text, _)| (member_key(id), text.clone())).collect();
        assert_eq!(keyed, expected, "{case}");
        let (_, _, meta) = &got.docs[3];
        assert_eq!(
            (meta["encoding"].as_str(), meta["encoding_from"].as_str()),
            (Some("windows-1252"), Some("detected")),
            "{case}"
        );
        assert_eq!(got.docs[1].2["url"], "https://example.fr/1", "{case}: JSONL fields stay in meta");
    }
    // Archive ids and provenance.
    let tar = read("containers/docs.tar.gz");
    assert_eq!(tar.docs[1].0, "docs.tar.gz!/c.jsonl#2".replace("#2", "#1"));
    assert_eq!(tar.docs[4].2["source"], serde_json::json!({"path": "docs.tar.gz", "member": "sub/b.txt"}));
    let nested = read("containers/nested.tar");
    assert_eq!(nested.docs[0].0, "nested.tar!/inner/docs.zip!/a.txt");
    assert_eq!(
        nested.docs[2].2["source"],
        serde_json::json!({"path": "nested.tar", "member": "inner/docs.zip!/c.jsonl", "record": 2})
    );
    // WARC: one resource record per document; texts, and the request and warcinfo skipped.
    for case in ["containers/docs.warc", "containers/docs.warc.gz", "containers/docs.warc.zst"] {
        let got = read_path(&data(case), |i| i.warc.content_types = vec!["text/plain".into()]);
        assert!(got.bad.is_empty() && got.errors.is_empty(), "{case}: {got:?}");
        let texts: Vec<&str> = expected.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(got.texts(), texts, "{case}");
        assert_eq!(got.skipped, ["WARC warcinfo record", "WARC request record"], "{case}");
        assert_eq!(got.docs[0].2["url"], "file:///a.txt");
        assert_eq!(got.docs[0].2["content_type"], "text/plain");
        // Not asked for: text/plain payloads are skipped and counted.
        let default = read(case);
        assert!(
            default.docs.is_empty() && default.skipped.iter().filter(|s| *s == "payload text/plain").count() == 5,
            "{case}: {default:?}"
        );
    }
}

#[test]
fn format_rules_override_the_name_for_files_and_members() {
    // Inside the tar, the JSONL member is read as one text document.
    let got = read_path(&data("containers/docs.tar"), |i| {
        i.formats = vec![FormatRule { glob: "**/*.jsonl".into(), format: "txt".into() }]
    });
    let keys: Vec<String> = got.docs.iter().map(|(id, ..)| member_key(id)).collect();
    assert_eq!(keys, ["a.txt", "c.jsonl", "d-latin1.txt", "sub/b.txt"]);
    assert!(got.docs[1].1.starts_with("{\"text\": \"Premi"));
    // A file with no known ending, read as a WARC, and included by its rule alone.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(data("containers/docs.warc.gz"), dir.path().join("crawl.dat")).unwrap();
    let got = read_path(dir.path(), |i| {
        i.include = vec!["**/*.txt".into()];
        i.formats = vec![FormatRule { glob: "*.dat".into(), format: "warc.gz".into() }];
        i.warc.content_types = vec!["text/plain".into()];
    });
    assert_eq!(got.docs.len(), 5);
    assert_eq!(got.docs[0].0, "crawl.dat#2");
}

#[test]
fn members_the_patterns_leave_out_are_counted() {
    let got = read_path(&data("containers/docs.zip"), |i| i.include = vec!["**/*.zip".into(), "sub/*.txt".into()]);
    assert_eq!(got.texts().len(), 1);
    assert_eq!(got.skipped, ["archive member not included"; 3]);
}

#[test]
fn every_record_of_the_real_warc_and_arc_files_is_read() {
    let got = read("warc");
    assert!(got.bad.is_empty() && got.errors.is_empty(), "{:?} {:?}", got.bad, got.errors);
    let from = |file: &str| got.docs.iter().filter(|(id, ..)| id.starts_with(file)).collect::<Vec<_>>();
    // The Common Crawl excerpt: its 16 responses, all HTML.
    let cc = from("resiliparse-cc-main-2020-34-excerpt.warc.gz#");
    assert_eq!(cc.len(), 16);
    assert!(cc.iter().all(|(_, text, meta)| meta["http_status"] == 200
        && meta["content_type"] == "text/html"
        && text.contains("<html")
        || text.contains("<HTML")));
    let first = &cc[0].2;
    assert_eq!(first["url"], "http://003338.cn/l41/481397.html");
    assert!(first["warc_record_id"].as_str().unwrap().starts_with("<urn:uuid:"));
    assert!(first["date"].as_str().unwrap().starts_with("2020-08-"));
    // Charsets from the HTTP header (windows-1251, GBK) are used.
    assert!(cc.iter().any(|(_, _, m)| m["encoding"] == "GBK" && m["encoding_from"] == "http"));
    // ClueWeb09: WARC/0.18, malformed dates kept as written, EUC-JP from the HTTP header,
    // `Content-Encoding: gzip` on bodies stored decoded.
    let clue = from("resiliparse-clueweb09-quirk.warc.gz#");
    assert_eq!(clue.len(), 29);
    assert_eq!(clue[0].2["date"], "2008-10-294T05:21:46-0700");
    assert!(clue
        .iter()
        .all(|(_, text, meta)| meta["encoding"] == "EUC-JP" && text.contains("<title>") && !text.contains('\u{fffd}')));
    assert!(clue[0].1.contains("ブラウニー"), "{}", &clue[0].1[..200]);
    // Chunked transfer undone: no chunk sizes left in the page.
    let chunked = from("warcio-example-iana.org-chunked.warc#");
    assert_eq!(chunked.len(), 1);
    assert!(
        chunked[0].1.starts_with("<!doctype html>") && chunked[0].1.trim_end().ends_with("</html>"),
        "{}",
        chunked[0].1
    );
    // A resource record, an ARC record, and a WARC with a revisit.
    assert_eq!(from("warcio-example-resource.warc.gz#").len(), 1);
    let arc = from("warcio-example.arc.gz#");
    assert_eq!(
        (arc.len(), arc[0].2["url"].as_str(), arc[0].2["http_status"].as_u64()),
        (1, Some("http://example.com/"), Some(200))
    );
    assert_eq!(from("warcio-example.warc.gz#").len(), 1);
    assert_eq!(got.docs.len(), 49);
    // Every other record is counted as skipped, by type.
    let count = |reason: &str| got.skipped.iter().filter(|s| *s == reason).count();
    assert_eq!(count("WARC request record"), 17 + 1 + 2);
    assert_eq!(count("WARC metadata record"), 16);
    assert_eq!(count("WARC revisit record"), 1);
    assert_eq!(count("ARC filedesc record"), 1);
}

#[test]
fn damaged_archives_keep_what_came_before_and_name_the_rest() {
    // A tar cut inside its last member: the others read; the member and the file reported.
    for case in ["containers/damaged/truncated.tar", "containers/damaged/truncated.tar.gz"] {
        let got = read(case);
        let keys: Vec<String> = got.docs.iter().map(|(id, ..)| member_key(id)).collect();
        assert_eq!(keys, ["a.txt", "c.jsonl#1", "c.jsonl#2", "d-latin1.txt"], "{case}");
        assert_eq!(got.bad.len(), 1, "{case}: {:?}", got.bad);
        assert!(got.bad[0].starts_with("sub/b.txt  the stream ends early"), "{case}: {:?}", got.bad);
        assert_eq!(got.errors.len(), 1, "{case}");
        assert!(got.errors[0].message.contains("after member sub/b.txt"), "{case}: {}", got.errors[0]);
    }
    // A zip cut before its central directory: read from the local headers up to the damage.
    let got = read("containers/damaged/truncated.zip");
    assert_eq!(got.docs.len(), 4, "{got:?}");
    assert!(got.bad.iter().any(|b| b.starts_with("sub/b.txt ")), "{:?}", got.bad);
    assert!(got.errors[0].message.contains("central directory is unreadable"), "{}", got.errors[0]);
    // One member's bytes changed: its checksum fails, the others are read.
    let got = read("containers/damaged/corrupt-member.zip");
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    assert_eq!(got.bad.len(), 1, "{:?}", got.bad);
    assert!(got.bad[0].starts_with("c.jsonl ") && got.bad[0].to_lowercase().contains("checksum"), "{:?}", got.bad);
    for key in ["a.txt", "d-latin1.txt", "sub/b.txt"] {
        assert!(got.docs.iter().any(|(id, ..)| member_key(id) == key), "{key} missing");
    }
    // A WARC cut inside a record: the records before it are documents.
    let got =
        read_path(&data("containers/damaged/truncated.warc"), |i| i.warc.content_types = vec!["text/plain".into()]);
    assert_eq!(got.texts().len(), 1);
    assert!(got.errors[0].message.starts_with("record 4: the file ends inside the record"), "{}", got.errors[0]);
}

#[test]
fn bombs_stop_at_the_member_limit_and_the_archive_goes_on() {
    let limit = |i: &mut InputConfig| i.max_member_bytes = 1 << 20;
    // The zip says how large the member is: refused before reading.
    let got = read_path(&data("containers/damaged/bomb.zip"), limit);
    assert_eq!(got.bad, ["zeros.txt  16777216 bytes, over max_member_bytes (1048576)"]);
    assert_eq!(got.texts().len(), 2);
    assert_eq!(got.texts()[1], "Last member.\n");
    // A gzip member inside a tar says nothing: stopped while decompressing.
    let got = read_path(&data("containers/damaged/bomb-member.tar"), limit);
    assert_eq!(got.bad.len(), 1, "{:?}", got.bad);
    assert!(
        got.bad[0].starts_with("zeros.jsonl.gz ")
            && got.bad[0].contains("decompresses to more than max_member_bytes (1048576 bytes)"),
        "{:?}",
        got.bad
    );
    assert_eq!(got.texts(), ["Last member.\n"]);
}

#[test]
fn nesting_is_read_one_level_deep_and_deeper_is_reported() {
    let got = read("containers/deep.tar");
    assert_eq!(got.bad, ["outer.tar!/inner/docs.zip  an archive inside an archive member: moulin reads one level of nesting; extract the outer archive to read it"]);
    assert_eq!(got.texts(), ["Read after the deep member.\n"]);
}

#[test]
fn member_names_are_ids_never_paths() {
    let got = read("containers/damaged/evil-names.tar");
    let ids: Vec<&str> = got.docs.iter().map(|(id, ..)| id.as_str()).collect();
    assert_eq!(ids, ["evil-names.tar!/../../escape.txt", "evil-names.tar!//abs/x.txt"]);
    // A whole run writes its outputs only.
    let project = moulin_tests::TestProject::new(
        "[project]\noutput = \"out\"\n[input]\npaths = [\"corpus\"]\n[[stage]]\nid = \"export\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n",
    );
    project.write("deep/er/evil-names.tar", std::fs::read(data("containers/damaged/evil-names.tar")).unwrap());
    let out = moulin_tests::moulin(&["run", &project.file().display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", moulin_tests::text(&out));
    let written = walk_names(project.dir.path());
    assert!(!written.iter().any(|p| p.ends_with("escape.txt") || p.ends_with("x.txt")), "{written:?}");
    assert_eq!(std::fs::read_to_string(project.out("docs.jsonl")).unwrap().lines().count(), 2);
}

fn walk_names(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk_names(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out
}

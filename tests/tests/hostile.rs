//! Hostile input, second round (issue 17): inputs made here, not committed, each of a kind
//! that crashed a run, lost documents silently or ran it out of memory.

use moulin_tests::{gzip, manifest_of, moulin, moulin_peak_rss, text, TestProject};
use std::io::Write;
use std::path::Path;

fn project(stages: &str) -> TestProject {
    TestProject::new(&format!("[input]\npaths = [\"corpus\"]\n{stages}"))
}

const JSONL: &str = "[[stage]]\nid = \"e\"\nplugin = \"jsonl\"\nconfig = { path = \"d.jsonl\" }\n";

fn run(p: &TestProject, extra: &[&str]) -> std::process::Output {
    let file = p.file().display().to_string();
    let mut args = vec!["run", file.as_str(), "--quiet"];
    args.extend_from_slice(extra);
    moulin(&args, &[])
}

/// Item 3: bad records close batches as documents do, so a file of nothing but bad records
/// is read in bounded memory (1.5 million of them, 3 MB gzipped to a few KB).
#[test]
fn a_file_of_bad_records_is_read_in_bounded_memory() {
    let p = project(JSONL);
    p.write("bad.jsonl.gz", gzip(&b"x\n".repeat(1_500_000)));
    let (code, peak) = moulin_peak_rss(&["run", &p.file().display().to_string(), "--quiet", "--threads", "2"]);
    assert_eq!(code, Some(1));
    let m = manifest_of(&p.out(""));
    assert_eq!(m["totals"]["failed"], 1_500_000);
    assert!(peak < 256, "peak RSS {peak} MiB");
}

/// Item 10: the reasons records are skipped for come from the input; a run counts at most
/// 64 kinds apart and the rest together, so that the manifest stays small.
#[test]
fn skip_reasons_the_input_chooses_are_bounded() {
    let p = project(JSONL);
    let mut warc = Vec::new();
    for i in 0..200 {
        let payload = format!("HTTP/1.1 200 OK\r\nContent-Type: application/x-kind-{i}\r\n\r\nbody {i}");
        warc.extend_from_slice(
            format!(
                "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{i}>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n",
                payload.len()
            )
            .as_bytes(),
        );
    }
    p.write("kinds.warc", warc);
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let m = manifest_of(&p.out(""));
    let skipped = m["totals"]["skipped"].as_object().unwrap();
    assert!(skipped.len() <= 65, "{} kinds", skipped.len());
    assert_eq!(skipped.values().map(|v| v.as_u64().unwrap()).sum::<u64>(), 200);
    assert!(skipped.contains_key("other reasons (past 64 kinds)"), "{skipped:?}");
    assert_eq!(m["files"][0]["skipped"].as_object().unwrap().len(), skipped.len());
}

/// Item 12: more worker threads than 4 a core only cost memory; they are cut to that.
#[test]
fn worker_threads_are_capped_at_four_a_core() {
    let p = project(JSONL);
    p.write("a.txt", "Bonjour");
    let out = moulin(&["run", &p.file().display().to_string(), "--threads", "1000"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let cores = std::thread::available_parallelism().unwrap().get() as u64;
    assert_eq!(manifest_of(&p.out(""))["run"]["threads"], 4 * cores);
    assert!(text(&out).contains("4 a core"), "{}", text(&out));
}

/// Item 16: what is neither a file nor a folder is reported, not skipped silently.
#[test]
fn a_fifo_in_the_input_is_reported() {
    let p = project(JSONL);
    p.write("a.txt", "Bonjour");
    let fifo = p.dir.path().join("corpus/pipe.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let errors = p.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["kind"], "walk");
    assert!(errors[0]["message"].as_str().unwrap().contains("neither a file nor a folder"), "{errors:?}");
    assert_eq!(manifest_of(&p.out(""))["totals"]["exported"], 1);
}

/// Item 17: a symlink leading outside the input path is not followed unless the project
/// says so, and is reported.
#[test]
fn symlinks_out_of_the_input_are_reported_unless_followed() {
    let p = project(JSONL);
    p.write("a.txt", "Bonjour");
    std::fs::create_dir(p.dir.path().join("elsewhere")).unwrap();
    std::fs::write(p.dir.path().join("elsewhere/secret.txt"), "do not read").unwrap();
    std::os::unix::fs::symlink(p.dir.path().join("elsewhere"), p.dir.path().join("corpus/link")).unwrap();
    std::os::unix::fs::symlink(p.dir.path().join("corpus/a.txt"), p.dir.path().join("corpus/inside.txt")).unwrap();
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let docs = p.read_out("d.jsonl");
    assert!(!docs.contains("do not read") && docs.matches("Bonjour").count() == 2, "{docs}");
    let errors = p.errors();
    assert!(errors[0]["message"].as_str().unwrap().contains("outside the input path"), "{errors:?}");

    let toml = std::fs::read_to_string(p.file()).unwrap();
    std::fs::write(p.file(), toml.replace("paths = [\"corpus\"]", "paths = [\"corpus\"]\nfollow_outside_links = true"))
        .unwrap();
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(p.read_out("d.jsonl").contains("do not read"));
}

/// Item 20: the default patterns ignore the case of a file's ending, as the readers do.
#[test]
fn endings_in_capitals_are_read_by_default() {
    let p = project(JSONL);
    p.write("NOTES.TXT", "Bonjour");
    p.write("Page.Html", "<html><body><p>Salut</p></body></html>");
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(manifest_of(&p.out(""))["totals"]["exported"], 2);
}

/// Item 6: an exporter's file may not be one of the run's own, nor hold a NUL.
#[test]
fn an_exporter_path_naming_the_runs_own_files_is_refused_by_check() {
    for path in ["manifest.json", "journal.jsonl", "errors.jsonl", "passes/x.jsonl", "a\\u0000b.jsonl"] {
        let p = project(&format!("[[stage]]\nid = \"e\"\nplugin = \"jsonl\"\nconfig = {{ path = \"{path}\" }}\n"));
        p.write("a.txt", "Bonjour");
        let out = moulin(&["check", &p.file().display().to_string()], &[]);
        assert_eq!(out.status.code(), Some(2), "{path}: {}", text(&out));
        assert!(text(&out).contains("config.path"), "{path}: {}", text(&out));
        assert!(!Path::new(&p.out("manifest.json")).exists());
    }
}

/// Item 15: every text exporter compresses a `.gz` or `.zst` path, as `jsonl` does.
#[test]
fn csv_and_conll_compress_as_their_path_says() {
    let p = project(
        "[[stage]]\nid = \"csv\"\nplugin = \"csv\"\nconfig = { path = \"d.csv.gz\" }\n\
         [[stage]]\nid = \"conll\"\nplugin = \"conll\"\nconfig = { path = \"n.conll.zst\", max_documents_per_file = 1 }\n",
    );
    p.write("a.txt", "Bonjour Paris");
    p.write("b.txt", "Salut Tours");
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mut csv = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::MultiGzDecoder::new(std::fs::File::open(p.out("d.csv.gz")).unwrap()),
        &mut csv,
    )
    .unwrap();
    assert!(csv.contains("Bonjour Paris") && csv.contains("Salut Tours"), "{csv}");
    for (part, word) in [("n.part-00000.conll.zst", "Bonjour"), ("n.part-00001.conll.zst", "Salut")] {
        let bytes = zstd::decode_all(std::fs::File::open(p.out(part)).unwrap()).unwrap();
        assert!(String::from_utf8(bytes).unwrap().contains(word), "{part}");
    }
}

/// Item 8, in part: two input paths of one name (or one path twice) would give documents
/// the same id; `check` refuses them.
#[test]
fn input_paths_whose_ids_would_collide_are_refused() {
    for paths in [r#"["a/corpus", "b/corpus"]"#, r#"["a/corpus", "a/corpus/"]"#] {
        let p = TestProject::new(&format!("[input]\npaths = {paths}\n{JSONL}"));
        for dir in ["a/corpus", "b/corpus"] {
            std::fs::create_dir_all(p.dir.path().join(dir)).unwrap();
            std::fs::write(p.dir.path().join(dir).join("x.txt"), "Bonjour").unwrap();
        }
        let out = moulin(&["check", &p.file().display().to_string()], &[]);
        assert_eq!(out.status.code(), Some(2), "{paths}: {}", text(&out));
        let said = text(&out);
        assert!(
            said.contains("input.paths") && (said.contains("same name") || said.contains("listed twice")),
            "{said}"
        );
    }
}

/// Item 19, in part: an empty zip is named as what it is.
#[test]
fn an_empty_zip_is_said_to_be_empty() {
    let p = project(JSONL);
    p.write("a.txt", "Bonjour");
    p.write("Backup.ZIP", "");
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let errors = p.errors();
    assert!(
        errors.iter().any(|e| e["message"].as_str().unwrap().contains("an empty file (0 bytes), not a zip")),
        "{errors:?}"
    );
}

/// The documents of `d.jsonl`, as `(id, text)`.
fn exported(p: &TestProject) -> Vec<(String, String)> {
    p.read_out("d.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|d| (d["id"].as_str().unwrap().to_string(), d["text"].as_str().unwrap().to_string()))
        .collect()
}

/// A tar header of `kind` for `name` (GNU layout, so any name fits its 100 bytes or is cut).
fn tar_header(name: &[u8], size: u64, kind: tar::EntryType) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    let cut = name.len().min(100);
    h.as_old_mut().name[..cut].copy_from_slice(&name[..cut]);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(kind);
    h.set_cksum();
    h
}

/// Append a member to a tar stream being written: header, data, padding to 512 bytes.
fn tar_member(out: &mut impl std::io::Write, header: &tar::Header, data: impl std::io::Read) {
    out.write_all(header.as_bytes()).unwrap();
    let n = std::io::copy(&mut data.take(header.size().unwrap()), out).unwrap();
    out.write_all(&vec![0u8; (512 - n as usize % 512) % 512]).unwrap();
}

/// Item 4: a GNU long name or a PAX header of 256 MiB is not read into memory; it is a bad
/// record, and the member after it is read under its own header's name. Names of a normal
/// length still come from those headers.
#[test]
fn tar_extension_headers_are_read_within_a_bound() {
    let p = project(JSONL);
    let mut tgz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let huge = 256u64 << 20;
    let long = tar_header(b"././@LongLink", huge, tar::EntryType::GNULongName);
    tar_member(&mut tgz, &long, std::io::repeat(b'a'));
    tar_member(&mut tgz, &tar_header(b"short.txt", 7, tar::EntryType::Regular), &b"Bonjour"[..]);
    let pax = tar_header(b"PaxHeader", huge, tar::EntryType::XHeader);
    tar_member(&mut tgz, &pax, std::io::repeat(b'a'));
    tar_member(&mut tgz, &tar_header(b"after-pax.txt", 5, tar::EntryType::Regular), &b"Salut"[..]);
    let name = format!("{}/long.txt", "dossier".repeat(30));
    let record = format!("{} path={name}\n", 6 + name.len() + 7);
    let record = format!("{} path={name}\n", record.len());
    tar_member(&mut tgz, &tar_header(b"PaxHeader", record.len() as u64, tar::EntryType::XHeader), record.as_bytes());
    tar_member(&mut tgz, &tar_header(b"cut-name.txt", 4, tar::EntryType::Regular), &b"Ciao"[..]);
    tgz.write_all(&[0u8; 1024]).unwrap();
    p.write("big.tar.gz", tgz.finish().unwrap());
    let (code, peak) = moulin_peak_rss(&["run", &p.file().display().to_string(), "--quiet"]);
    assert_eq!(code, Some(1));
    let ids: Vec<String> = exported(&p).into_iter().map(|(id, _)| id).collect();
    let long_id = format!("big.tar.gz!/{name}");
    assert_eq!(ids, ["big.tar.gz!/short.txt", "big.tar.gz!/after-pax.txt", long_id.as_str()]);
    let errors = p.errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0]["message"].as_str().unwrap().contains("a GNU long name of 268435456 bytes"), "{errors:?}");
    assert!(errors[1]["message"].as_str().unwrap().contains("a PAX header of 268435456 bytes"), "{errors:?}");
    assert!(peak < 256, "peak RSS {peak} MiB");
}

/// Item 18: a member over max_member_bytes in a compressed tar is a bad record, and the
/// members after it are read.
#[test]
fn a_compressed_tar_goes_on_past_a_member_too_large() {
    let p = TestProject::new(&format!("[input]\npaths = [\"corpus\"]\nmax_member_bytes = 1000\n{JSONL}"));
    let mut tgz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    tar_member(&mut tgz, &tar_header(b"big.txt", 5000, tar::EntryType::Regular), std::io::repeat(b'a'));
    tar_member(&mut tgz, &tar_header(b"after.txt", 7, tar::EntryType::Regular), &b"Bonjour"[..]);
    tgz.write_all(&[0u8; 1024]).unwrap();
    p.write("a.tar.gz", tgz.finish().unwrap());
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(exported(&p), [("a.tar.gz!/after.txt".to_string(), "Bonjour".to_string())]);
    let errors = p.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0]["message"].as_str().unwrap().contains("5000 bytes, over max_member_bytes (1000)"), "{errors:?}");
}

/// Item 8 and 20: ids are unique within a run, whatever the names: file names that are not
/// UTF-8, a folder named like an archive member's path, two tar or zip members of one name,
/// and zip names in CP437.
#[test]
fn ids_are_unique_whatever_the_names() {
    use std::os::unix::ffi::OsStrExt;
    let p = project(JSONL);
    let corpus = p.dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join("x.tar!")).unwrap();
    for (name, body) in [(&b"bad\xff.txt"[..], "un"), (b"bad\xfe.txt", "deux"), (b"x.tar!/a.txt", "dossier")] {
        std::fs::write(corpus.join(std::ffi::OsStr::from_bytes(name)), body).unwrap();
    }
    let mut tar = Vec::new();
    for body in ["premier", "second"] {
        tar_member(&mut tar, &tar_header(b"a.txt", body.len() as u64, tar::EntryType::Regular), body.as_bytes());
    }
    tar.extend_from_slice(&[0u8; 1024]);
    p.write("x.tar", tar);
    let zip = moulin_tests::stored_zip(&[
        (b"\x82t\x82.txt", b"cp437", false),
        (b"m.txt", b"one", true),
        (b"m.txt", b"two", true),
    ]);
    p.write("z.zip", zip);
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let got = exported(&p);
    let want = [
        ("bad%FE.txt", "deux"),
        ("bad%FF.txt", "un"),
        ("x.tar!/a.txt", "premier"),
        ("x.tar!/a.txt~2", "second"),
        ("x.tar%21/a.txt", "dossier"),
        ("z.zip!/été.txt", "cp437"),
        ("z.zip!/m.txt", "one"),
        ("z.zip!/m.txt~2", "two"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want);
}

/// Item 8: `[input] id_field` takes a record's own id; a record without one, or whose id an
/// earlier record of the run has (in that file or another), is an error of its record.
#[test]
fn records_can_bring_their_own_unique_ids() {
    let p = TestProject::new(&format!("[input]\npaths = [\"corpus\"]\nid_field = \"id\"\n{JSONL}"));
    let lines =
        [r#"{"id": "doc-a", "text": "un"}"#, r#"{"id": 7, "text": "deux"}"#, r#"{"id": "doc-a", "text": "trois"}"#];
    p.write("1.jsonl", lines.join("\n"));
    p.write(
        "2.jsonl",
        [r#"{"text": "sans id"}"#, r#"{"id": "7", "text": "encore"}"#, r#"{"id": "z", "text": "fin"}"#].join("\n"),
    );
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let got: Vec<String> = exported(&p).into_iter().map(|(id, t)| format!("{id}={t}")).collect();
    assert_eq!(got, ["doc-a=un", "7=deux", "z=fin"]);
    let errors: Vec<String> = p
        .errors()
        .iter()
        .map(|e| format!("{}#{}: {}", e["path"].as_str().unwrap(), e["record"], e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].starts_with("1.jsonl#3: id \"doc-a\" is an earlier record's"), "{errors:?}");
    assert!(errors[1].starts_with("2.jsonl#1: no `id` field"), "{errors:?}");
    assert!(errors[2].starts_with("2.jsonl#2: id \"7\" is an earlier record's"), "{errors:?}");
    assert_eq!(manifest_of(&p.out(""))["totals"]["failed"], 3);
}

/// One WARC record of HTML, as its own gzip member when `gz`.
fn warc_record(i: usize, body: &str) -> Vec<u8> {
    let payload = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>{body}</p></body></html>");
    format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{i}>\r\nWARC-Target-URI: http://example.org/{i}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n",
        payload.len()
    )
    .into_bytes()
}

/// Item 14: a damaged gzip member in a `.warc.gz` (in its data, its checksum or its header)
/// is an error of the record it held, naming the damage, and the records after it are read.
#[test]
fn a_damaged_gzip_member_costs_only_its_record() {
    let members: Vec<Vec<u8>> = (1..=3)
        .map(|i| gzip(&warc_record(i, &format!("Page {i}, {}", "des mots et encore des mots ".repeat(40)))))
        .collect();
    let n = members[1].len();
    for damage in [n / 2..n / 2 + 4, n - 8..n - 7, 0..1] {
        let p = project(JSONL);
        let mut damaged = members[1].clone();
        for b in &mut damaged[damage] {
            *b ^= 0x5a;
        }
        p.write("crawl.warc.gz", [members[0].clone(), damaged, members[2].clone()].concat());
        check_one_record_lost(&p, &members);
    }
}

fn check_one_record_lost(p: &TestProject, members: &[Vec<u8>]) {
    let out = run(p, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let ids: Vec<String> = exported(p).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["crawl.warc.gz#1", "crawl.warc.gz#3"]);
    let errors = p.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["record"], 2);
    let message = errors[0]["message"].as_str().unwrap();
    let start = members[0].len();
    assert!(message.contains(&format!("the gzip member at byte {start} is damaged")), "{message}");
    assert!(message.contains(&format!("at byte {}", start + members[1].len())), "{message}");
    assert_eq!(manifest_of(&p.out(""))["totals"]["failed"], 1);
}

/// Item 7: a resume is refused when a file a stage's config names (a user list) changed
/// since the journal was started, and the message names it.
#[test]
fn a_resume_is_refused_when_a_named_file_changed() {
    let stages = format!(
        "[[stage]]\nid = \"ner\"\nplugin = \"entities\"\nconfig = {{ lists = [{{ path = \"people.tsv\" }}] }}\n{JSONL}"
    );
    let p = project(&stages);
    p.write("a.txt", "Paris est une ville.");
    std::fs::write(p.dir.path().join("people.tsv"), "Paris\tPER\n").unwrap();
    let out = run(&p, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(&p, &["--resume"]);
    assert_eq!(out.status.code(), Some(0), "unchanged, the resume is accepted: {}", text(&out));
    std::fs::write(p.dir.path().join("people.tsv"), "Paris\tORG\n").unwrap();
    let out = run(&p, &["--resume"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("people.tsv (named by stage ner) changed since the journal was started"),
        "{}",
        text(&out)
    );
}

/// Item 7: a resume is refused when a plugin library changed (rebuilt with the same
/// version), and the message names it.
#[test]
fn a_resume_is_refused_when_a_plugin_library_changed() {
    let p = TestProject::new("");
    let copy = p.dir.path().join(moulin_tests::lib_file_name("moulin-jsonl"));
    std::fs::copy(moulin_tests::lib("moulin-jsonl"), &copy).unwrap();
    let toml = format!(
        "[input]\npaths = [\"corpus\"]\n[[stage]]\nid = \"e\"\nplugin = {}\nconfig = {{ path = \"d.jsonl\" }}\n",
        moulin_tests::toml_path(&copy)
    );
    std::fs::write(p.file(), toml).unwrap();
    p.write("a.txt", "Bonjour");
    assert_eq!(run(&p, &[]).status.code(), Some(0));
    std::fs::OpenOptions::new().append(true).open(&copy).unwrap().write_all(&[0u8; 16]).unwrap();
    let out = run(&p, &["--resume"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("the plugin library") && said.contains("changed since the journal was started"), "{said}");
}

/// Item 13: a resumed run checks the parts it keeps against the lengths the journal
/// committed; one cut since is named, and the run does not go on over it.
#[test]
fn a_resume_refuses_a_part_cut_since_its_commit() {
    let exporter = "[pipeline]\ncheckpoint_bytes = 0\n[[stage]]\nid = \"e\"\nplugin = \"jsonl\"\nconfig = { path = \"d.jsonl.zst\", max_documents_per_file = 1 }\n";
    let p = project(exporter);
    for i in 1..=3 {
        p.write(&format!("{i}.txt"), format!("Bonjour {i}, {}", "du texte ".repeat(50)));
    }
    assert_eq!(run(&p, &[]).status.code(), Some(0));
    // The run as a kill after its second commit leaves it: the last commits gone.
    let journal = p.out("journal.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(&journal).unwrap().lines().map(str::to_string).collect();
    std::fs::write(&journal, lines[..lines.len() - 2].join("\n") + "\n").unwrap();
    let part = p.out("d.part-00000.jsonl.zst");
    let length = std::fs::metadata(&part).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&part).unwrap().set_len(length / 2).unwrap();
    let out = run(&p, &["--resume"]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains(&format!(
            "d.part-00000.jsonl.zst: {} bytes, although the journal counts it complete at {length} bytes",
            length / 2
        )),
        "{said}"
    );
}

/// Item 5: `entities` over a document of three million names stays in bounded memory: it
/// tags a window at a time and stops at `max_spans` (100,000), saying where.
#[test]
fn a_document_of_millions_of_names_is_tagged_in_bounded_memory() {
    let p = project(&format!("[[stage]]\nid = \"ner\"\nplugin = \"entities\"\n{JSONL}"));
    p.write("paris.txt.gz", gzip(&b"Paris ".repeat(3_000_000)));
    let (code, peak) = moulin_peak_rss(&["run", &p.file().display().to_string(), "--quiet"]);
    assert_eq!(code, Some(0));
    let line = p.read_out("d.jsonl");
    let doc: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(doc["spans"].as_array().unwrap().len(), 100_000);
    assert_eq!(doc["meta"]["entities_cut_at"], 600_000);
    assert!(peak < 256, "peak RSS {peak} MiB");
}

/// Item 6: two exporters that would write one file (of one plugin or two, or a file and a
/// folder of one name) are refused by `check`, not found at the run's end.
#[test]
fn two_exporters_of_one_path_are_refused_by_check() {
    for (a, b) in [("jsonl", "jsonl"), ("jsonl", "csv"), ("csv", "conll")] {
        for (pa, pb) in [("d.out", "d.out"), ("d.out", "d.out/x.csv")] {
            let stage = |id: &str, plugin: &str, path: &str| {
                format!("[[stage]]\nid = \"{id}\"\nplugin = \"{plugin}\"\nconfig = {{ path = \"{path}\" }}\n")
            };
            let p = project(&(stage("one", a, pa) + &stage("two", b, pb)));
            p.write("a.txt", "Bonjour");
            let out = moulin(&["check", &p.file().display().to_string()], &[]);
            assert_eq!(out.status.code(), Some(2), "{a} {b} {pa} {pb}: {}", text(&out));
            let said = text(&out);
            assert!(said.contains(&format!("writes `{pb}`, where exporter `one` writes `{pa}`")), "{said}");
        }
    }
    let p = project(
        &(JSONL.to_string() + "[[stage]]\nid = \"f\"\nplugin = \"jsonl\"\nconfig = { path = \"other.jsonl\" }\n"),
    );
    p.write("a.txt", "Bonjour");
    let out = moulin(&["check", &p.file().display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// Item 19: on a full disk the run's error names the exporter that could not write, not
/// the run's own files that could not be written after it. The output folder is a 1 MiB
/// tmpfs, mounted in a user and mount namespace (`unshare -Urm`); where the machine allows
/// no such namespace, the test says so and checks nothing else.
#[test]
fn a_full_disk_is_blamed_on_the_exporter_that_filled_it() {
    let p = project(JSONL);
    for i in 0..50 {
        p.write(&format!("{i}.txt"), "Bonjour le monde. ".repeat(2000));
    }
    let probe = std::process::Command::new("unshare").args(["-Urm", "true"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: this machine allows no user and mount namespace (unshare -Urm)");
        return;
    }
    let out_dir = p.out("");
    std::fs::create_dir_all(&out_dir).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=1m tmpfs '{}' && exec '{}' run '{}' --quiet",
        out_dir.display(),
        moulin_tests::moulin_exe().display(),
        p.file().display()
    );
    // Nothing of the caller's environment but PATH (for sh and mount).
    let out = std::process::Command::new("unshare")
        .args(["-Urm", "sh", "-c", &script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let last = text(&out).lines().rfind(|l| l.starts_with("error:")).unwrap_or_default().to_string();
    assert!(last.contains("exporter `e`") && last.contains("No space left on device"), "{}", text(&out));
}

/// Item 14: a `.warc.gz` cut inside its last member (in its data, or in its header) keeps
/// every record before it, and the file's error names the member that was cut.
#[test]
fn a_truncated_warc_gz_keeps_the_records_before_the_cut() {
    let members: Vec<Vec<u8>> = (1..=3).map(|i| gzip(&warc_record(i, &format!("Page {i}")))).collect();
    let whole = members.concat();
    let start = members[0].len() + members[1].len();
    for cut in [start + members[2].len() / 2, start + 5] {
        let p = project(JSONL);
        p.write("crawl.warc.gz", &whole[..cut]);
        let out = run(&p, &[]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let ids: Vec<String> = exported(&p).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["crawl.warc.gz#1", "crawl.warc.gz#2"], "cut at {cut}");
        let errors = p.errors();
        assert_eq!(errors.len(), 1, "{errors:?}");
        let message = errors[0]["message"].as_str().unwrap();
        assert!(message.contains(&format!("record 3: the gzip member at byte {start} is damaged")), "{message}");
    }
}

/// Item 11: `boilerplate`'s `repeated` pass keeps at most 64 MiB a worker and spills the
/// rest, so its memory does not grow with the corpus: 500,000 distinct lines (about 300 MB
/// at the 600 bytes a line it took) stay under the bound.
#[test]
fn repeated_lines_are_counted_in_bounded_memory() {
    let stage = "[[stage]]\nid = \"b\"\nplugin = \"boilerplate\"\nconfig = { repeated = { min_documents = 2 } }\n";
    let p = project(&format!("{stage}{JSONL}"));
    let mut jsonl = String::new();
    for d in 0..5_000 {
        let text: String = (0..100).map(|i| format!("Ligne distincte numéro {} du corpus.\n", d * 100 + i)).collect();
        jsonl.push_str(&serde_json::json!({ "text": text }).to_string());
        jsonl.push('\n');
    }
    p.write("docs.jsonl.gz", gzip(jsonl.as_bytes()));
    let (code, peak) = moulin_peak_rss(&["run", &p.file().display().to_string(), "--quiet", "--threads", "2"]);
    assert_eq!(code, Some(0));
    assert_eq!(manifest_of(&p.out(""))["totals"]["documents"], 5_000);
    assert!(peak < 256, "peak RSS {peak} MiB");
}

//! The pipeline with real plugin libraries: panics, per-document errors, drops, the batch
//! contract, determinism, accounting on malformed input, and the embedding API.

use moulin::{Doc, Outcome, PipelineBuilder, Registry, Rejected, RunOptions};
use moulin_tests::{assert_accounting, gzip, lib, load_project, moulin, text, toml_path, zstd, TestProject};

fn misbehave_project(stages: &str, extra: &str) -> TestProject {
    TestProject::new(&format!(
        "[input]\npaths = [\"corpus\"]\n[plugins]\npaths = [{}]\n[pipeline]\nbatch_documents = 4\n{extra}\n{stages}\n\
         [[stage]]\nid = \"export\"\nplugin = \"jsonl\"\nconfig = {{ path = \"docs.jsonl\" }}\n",
        toml_path(&lib("test-misbehave"))
    ))
}

fn lines(texts: &[&str]) -> String {
    texts.iter().map(|t| serde_json::json!({ "text": t }).to_string() + "\n").collect()
}

#[test]
fn a_panic_fails_only_its_document_and_the_run_goes_on() {
    let p = misbehave_project("[[stage]]\nid = \"boom\"\nplugin = \"panicky\"\n", "");
    // Batches of 4: the second batch (records 5-8) holds the PANIC.
    let texts = ["a", "b", "c", "d", "e", "PANIC", "g", "h", "i", "FAIL", "DROP", "l", "m"];
    p.write("a.jsonl", lines(&texts));
    let report = load_project(&p.file()).run_with(&RunOptions { threads: 2, ..Default::default() }).unwrap();
    assert_accounting(&report);
    let t = &report.totals;
    assert_eq!((t.documents, t.exported, t.dropped, t.failed), (13, 10, 1, 2));
    let boom = &report.stages[0];
    assert_eq!(boom.restarts, 1);
    assert_eq!((boom.documents_in, boom.documents_out, boom.failed), (13, 10, 2));
    assert_eq!(boom.dropped.get("panicky: found DROP"), Some(&1));
    let errors = p.errors();
    let panics: Vec<_> = errors.iter().filter(|e| e["kind"] == "panic").collect();
    assert_eq!(panics.len(), 1, "{errors:#?}");
    assert_eq!(panics[0]["id"], "a.jsonl#6");
    assert_eq!(panics[0]["stage"], "boom");
    assert_eq!(panics[0]["path"], "a.jsonl");
    assert!(panics[0]["message"].as_str().unwrap().contains("found PANIC in a.jsonl#6"), "{}", panics[0]);
    let fail = errors.iter().find(|e| e["kind"] == "document").unwrap();
    assert_eq!(fail["id"], "a.jsonl#10");
    assert_eq!(fail["message"], "found FAIL");
    // The panicking document's batch-mates went on, in order.
    let out = p.read_out("docs.jsonl");
    let ids: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = [1, 2, 3, 4, 5, 7, 8, 9, 12, 13].iter().map(|n| format!("a.jsonl#{n}")).collect();
    assert_eq!(ids, expected);
}

#[test]
fn one_bad_document_in_ten_thousand_costs_one_document() {
    let p = TestProject::new(&format!(
        "[input]\npaths = [\"corpus\"]\n[plugins]\npaths = [{}]\n[[stage]]\nid = \"boom\"\nplugin = \"panicky\"\n\
         [[stage]]\nid = \"export\"\nplugin = \"jsonl\"\nconfig = {{ path = \"docs.jsonl\" }}\n",
        toml_path(&lib("test-misbehave"))
    ));
    let texts: Vec<String> =
        (0..10_000).map(|i| if i == 4321 { "PANIC".to_string() } else { format!("doc {i}") }).collect();
    p.write("a.jsonl", lines(&texts.iter().map(String::as_str).collect::<Vec<_>>()));
    let report = load_project(&p.file()).run_with(&RunOptions { threads: 2, ..Default::default() }).unwrap();
    assert_accounting(&report);
    assert_eq!((report.totals.exported, report.totals.failed), (9_999, 1));
    assert_eq!(report.stages[0].restarts, 1);
    assert_eq!(p.read_out("docs.jsonl").lines().count(), 9_999);
}

#[test]
fn thirty_bad_documents_fail_alone_and_the_run_finishes_with_status_1() {
    let p = TestProject::new(&format!(
        "[input]\npaths = [\"corpus\"]\n[plugins]\npaths = [{}]\n[[stage]]\nid = \"boom\"\nplugin = \"panicky\"\n\
         [[stage]]\nid = \"export\"\nplugin = \"jsonl\"\nconfig = {{ path = \"docs.jsonl\" }}\n",
        toml_path(&lib("test-misbehave"))
    ));
    // 30 panicking documents spread through 3,000 (two of them side by side).
    let bad: Vec<usize> = (0..29).map(|k| 7 + k * 101).chain([8]).collect();
    let texts: Vec<String> =
        (0..3_000).map(|i| if bad.contains(&i) { format!("PANIC {i}") } else { format!("doc {i}") }).collect();
    p.write("a.jsonl", lines(&texts.iter().map(String::as_str).collect::<Vec<_>>()));
    let out = moulin(&["run", &p.file().display().to_string(), "--threads", "2"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("30 document(s) made it panic"), "{}", text(&out));
    let errors = p.errors();
    assert_eq!(errors.len(), 30, "{errors:#?}");
    let mut ids: Vec<String> = errors.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    let mut expected: Vec<String> = bad.iter().map(|i| format!("a.jsonl#{}", i + 1)).collect();
    ids.sort();
    expected.sort();
    assert_eq!(ids, expected);
    assert!(errors.iter().all(|e| e["kind"] == "panic" && e["stage"] == "boom"));
    for e in &errors {
        assert!(
            e["message"].as_str().unwrap().contains(&format!("found PANIC in {}", e["id"].as_str().unwrap())),
            "{e}"
        );
    }
    assert_eq!(p.read_out("docs.jsonl").lines().count(), 2_970);
}

#[test]
fn a_stage_that_keeps_panicking_stops_the_run_with_status_3() {
    let p = misbehave_project("[[stage]]\nid = \"boom\"\nplugin = \"panicky\"\n", "max_stage_restarts = 0");
    p.write("a.jsonl", lines(&["a", "PANIC", "c"]));
    let file = p.file().display().to_string();
    let out = moulin(&["run", &file, "--threads", "1"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than max_stage_restarts (0)"), "{}", text(&out));
    // No finished-looking output, and the manifest says why.
    assert!(!p.out("docs.jsonl").exists());
    let manifest: serde_json::Value = serde_json::from_str(&p.read_out("manifest.json")).unwrap();
    assert_eq!(manifest["run"]["status"], "stopped");
}

#[test]
fn bad_spans_and_text_changed_by_an_annotate_stage_fail_those_documents() {
    let p = misbehave_project(
        "[[stage]]\nid = \"spans\"\nplugin = \"bad_span\"\n[[stage]]\nid = \"sneak\"\nplugin = \"sneaky\"\n",
        "",
    );
    p.write("a.jsonl", lines(&["ok", "SPAN here", "a SNEAK", "fine"]));
    let report = load_project(&p.file()).run_with(&RunOptions { threads: 1, ..Default::default() }).unwrap();
    assert_accounting(&report);
    assert_eq!((report.totals.exported, report.totals.failed), (2, 2));
    let errors = p.errors();
    let span = errors.iter().find(|e| e["kind"] == "span").unwrap();
    assert_eq!((span["id"].as_str(), span["stage"].as_str()), (Some("a.jsonl#2"), Some("spans")));
    assert!(span["message"].as_str().unwrap().contains("past the text"), "{span}");
    let sneak = errors.iter().find(|e| e["kind"] == "contract").unwrap();
    assert_eq!((sneak["id"].as_str(), sneak["stage"].as_str()), (Some("a.jsonl#3"), Some("sneak")));
}

fn determinism_corpus(p: &TestProject) {
    for f in 0..3 {
        let docs: Vec<String> = (0..400)
            .map(|i| serde_json::json!({"text": format!("  Doc\u{200B} {f}-{i}  e\u{301}té\r\n\r\n\r\nfin {}", "x".repeat(i % 37)), "n": i}).to_string())
            .collect();
        p.write(&format!("shard-{f}.jsonl.gz"), gzip((docs.join("\n") + "\n").as_bytes()));
    }
    for i in 0..50 {
        p.write(&format!("txt/{i:03}.txt"), format!("texte {i}\t\tavec  espaces"));
    }
}

#[test]
fn output_is_byte_identical_with_1_and_4_threads() {
    let mut outputs = Vec::new();
    for threads in ["1", "4"] {
        let p = TestProject::new(
            "[input]\npaths = [\"corpus\"]\n[pipeline]\nbatch_documents = 7\n\
             [[stage]]\nid = \"norm\"\nplugin = \"normalize\"\n\
             [[stage]]\nid = \"plain\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n\
             [[stage]]\nid = \"packed\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl.zst\" }\n",
        );
        determinism_corpus(&p);
        let file = p.file().display().to_string();
        let out = moulin(&["run", &file, "--threads", threads, "--quiet"], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let plain = std::fs::read(p.out("docs.jsonl")).unwrap();
        let packed = std::fs::read(p.out("docs.jsonl.zst")).unwrap();
        assert_eq!(plain.iter().filter(|&&b| b == b'\n').count(), 1250);
        outputs.push((plain, packed, p));
    }
    assert!(outputs[0].0 == outputs[1].0, "docs.jsonl differs between 1 and 4 threads");
    assert!(outputs[0].1 == outputs[1].1, "docs.jsonl.zst differs between 1 and 4 threads");
}

#[test]
fn every_record_of_good_and_malformed_files_is_accounted_for() {
    let p = TestProject::new(
        "[input]\npaths = [\"corpus\"]\ninclude = [\"**/*\"]\n[pipeline]\nbatch_documents = 3\n\
         [[stage]]\nid = \"norm\"\nplugin = \"normalize\"\n\
         [[stage]]\nid = \"export\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n",
    );
    p.write("good.jsonl", lines(&["un", "deux", "trois"]));
    let mut broken = lines(&["a"]).into_bytes();
    broken.extend_from_slice(b"{not json\n{\"txt\": \"no text field\"}\n{\"text\": \"caf\xe9\"}\n[1,2]\n");
    broken.extend_from_slice(lines(&["z"]).as_bytes());
    p.write("broken.jsonl", broken);
    let many: String = (0..3000)
        .map(|i| serde_json::json!({"text": format!("document numéro {i} avec du texte")}).to_string() + "\n")
        .collect();
    let gz = gzip(many.as_bytes());
    p.write("truncated.jsonl.gz", &gz[..gz.len() * 6 / 10]);
    p.write("empty.jsonl.gz", b"");
    p.write("latin1.txt", b"caf\xe9 cr\xe8me");
    p.write("empty.txt", b"");
    p.write("packed.txt.zst", zstd("compressé".as_bytes()));
    p.write("notes.pdf", b"%PDF");
    #[cfg(unix)]
    std::os::unix::fs::symlink(p.dir.path().join("corpus"), p.dir.path().join("corpus/loop")).unwrap();

    let report = load_project(&p.file()).run_with(&RunOptions { threads: 2, ..Default::default() }).unwrap();
    assert_accounting(&report);
    let file = |name: &str| {
        report.files.iter().find(|f| f.path == name).unwrap_or_else(|| panic!("no {name} in {:#?}", report.files))
    };
    assert_eq!((file("good.jsonl").documents, file("good.jsonl").exported), (3, 3));
    let broken = file("broken.jsonl");
    // Record 4 is not UTF-8: decoded by detection, so exported.
    assert_eq!((broken.documents, broken.exported, broken.failed), (6, 3, 3));
    let truncated = file("truncated.jsonl.gz");
    assert!(truncated.exported > 100 && truncated.exported < 3000, "{truncated:?}");
    assert!(truncated.error.as_deref().unwrap().contains("reading stopped"), "{truncated:?}");
    assert_eq!(file("latin1.txt").exported, 1);
    assert_eq!(file("empty.txt").exported, 1);
    assert_eq!(file("packed.txt.zst").exported, 1);
    assert!(report.has_failures());

    let errors = p.errors();
    let t = &report.totals;
    assert_eq!(errors.len() as u64, t.failed + t.files_failed + t.walk_errors, "{errors:#?}");
    let find = |pred: &dyn Fn(&serde_json::Value) -> bool| {
        errors.iter().find(|e| pred(e)).cloned().unwrap_or_else(|| panic!("not in {errors:#?}"))
    };
    let e = find(&|e| e["path"] == "broken.jsonl" && e["record"] == 2);
    assert!(e["message"].as_str().unwrap().starts_with("invalid JSON"), "{e}");
    let e = find(&|e| e["path"] == "broken.jsonl" && e["record"] == 3);
    assert_eq!(e["message"], "no `text` field");
    let out = p.read_out("docs.jsonl");
    let latin1 = out.lines().find(|l| l.contains("\"latin1.txt\"")).unwrap();
    assert!(latin1.contains("café crème") && latin1.contains("\"encoding\":\"windows-1252\""), "{latin1}");
    find(&|e| e["kind"] == "walk" && e["message"].as_str().unwrap().contains("no reader"));
    #[cfg(unix)]
    find(&|e| e["kind"] == "walk" && e["message"].as_str().unwrap().contains("symlink loop"));
    // The exported documents are exactly the ones counted.
    assert_eq!(p.read_out("docs.jsonl").lines().count() as u64, t.exported);
}

#[test]
fn the_embedding_builder_runs_loaded_stages_over_supplied_documents() {
    let (registry, errors) = Registry::discover(&[lib("moulin-normalize"), lib("test-misbehave")]);
    assert!(errors.is_empty(), "{errors:?}");
    let pipeline = PipelineBuilder::new(registry)
        .stage("clean", "normalize", serde_json::json!({}))
        .stage("check", "panicky", serde_json::json!({}))
        .threads(3)
        .batch_documents(2)
        .build()
        .unwrap();
    let docs: Vec<Doc> = (0..20)
        .map(|i| {
            let text = match i {
                // Each first in its batch of 2, so that a batch's outcomes out of order show.
                2 => "DROP me".to_string(),
                6 => "FAIL me".to_string(),
                10 => "PANIC me".to_string(),
                _ => format!("  texte  {i} "),
            };
            Doc::new(&format!("d{i}"), &text)
        })
        .collect();
    let outputs = pipeline.process(docs);
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    let mut failed = Vec::new();
    let mut every = Vec::new();
    for o in outputs {
        every.push(match &o {
            Outcome::Kept(d) | Outcome::Dropped { doc: d, .. } => d.id.to_string(),
            Outcome::Failed { id, .. } => id.clone(),
            _ => String::new(),
        });
        match o {
            Outcome::Kept(d) => kept.push((d.id.to_string(), d.text.to_string())),
            Outcome::Dropped { doc, stage, reason } => dropped.push((doc.id.to_string(), stage, reason)),
            Outcome::Failed { id, stage, message } => failed.push((id, stage, message)),
            other => panic!("an outcome this test does not know: {other:?}"),
        }
    }
    assert_eq!(kept.len(), 17);
    assert_eq!(kept[0], ("d0".to_string(), "texte 0".to_string()));
    let order: Vec<&str> = kept.iter().map(|(id, _)| id.as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|id| id[1..].parse::<u32>().unwrap());
    assert_eq!(order, sorted, "documents come back in input order");
    // Every outcome, kept, dropped or failed, in input order.
    let expected: Vec<String> = (0..20).map(|i| format!("d{i}")).collect();
    assert_eq!(every, expected);
    assert_eq!(dropped, [("d2".to_string(), "check".to_string(), "panicky: found DROP".to_string())]);
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[0], ("d6".to_string(), Some("check".to_string()), "found FAIL".to_string()));
    // A panic fails its document only, in the embedding API too.
    assert_eq!((failed[1].0.as_str(), failed[1].1.as_deref()), ("d10", Some("check")));
    assert!(failed[1].2.contains("found PANIC in d10"), "{:?}", failed[1]);
}

#[test]
fn an_item_the_embedder_rejects_fails_in_its_place_and_is_counted() {
    let (registry, errors) = Registry::discover(&[lib("moulin-normalize")]);
    assert!(errors.is_empty(), "{errors:?}");
    let pipeline = PipelineBuilder::new(registry)
        .stage("clean", "normalize", serde_json::json!({}))
        .batch_documents(3)
        .build()
        .unwrap();
    let items: Vec<Result<Doc, Rejected>> = (0..7)
        .map(|i| match i {
            3 | 4 => Err(Rejected { id: Some(format!("r{i}")), message: format!("item {i}: no text") }),
            _ => Ok(Doc::new(&format!("d{i}"), " a  b ")),
        })
        .collect();
    let mut outputs = pipeline.process_items(items);
    let every: Vec<String> = outputs
        .by_ref()
        .map(|o| match o {
            Outcome::Kept(d) => format!("kept {} {}", d.id, d.text),
            Outcome::Failed { id, stage: None, message } => format!("failed {id}: {message}"),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        every,
        [
            "kept d0 a b",
            "kept d1 a b",
            "kept d2 a b",
            "failed r3: item 3: no text",
            "failed r4: item 4: no text",
            "kept d5 a b",
            "kept d6 a b"
        ]
    );
    // A rejected item never reached a stage.
    let stages = outputs.finish().unwrap();
    assert_eq!((stages[0].documents_in, stages[0].documents_out), (5, 5));
}

#[test]
fn the_embedding_builder_reports_unknown_stages_and_bad_config_together() {
    let (registry, _) = Registry::discover(&[lib("moulin-normalize")]);
    let err = PipelineBuilder::new(registry)
        .stage("a", "normalise", serde_json::json!({}))
        .stage("b", "normalize", serde_json::json!({"form": 3}))
        .build()
        .err()
        .unwrap();
    let shown = err.to_string();
    assert!(shown.contains("2 problem(s)"), "{shown}");
    assert!(shown.contains("unknown plugin stage `normalise`; nearest: normalize"), "{shown}");
    assert!(shown.contains("stage[1].config.form"), "{shown}");
}

#[test]
fn an_observation_pass_sees_all_the_input_and_counts_nothing_twice() {
    let p = TestProject::new(
        "[input]\npaths = [\"corpus\"]\n[pipeline]\nbatch_documents = 2\n\
         [[stage]]\nid = \"clean\"\nplugin = \"boilerplate\"\n\
         config = { repeated = { min_documents = 3 }, features = false, default_patterns = false, min_chars = 0 }\n\
         [[stage]]\nid = \"export\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n",
    );
    for i in 0..5 {
        p.write(
            &format!("site-a/{i}.txt"),
            format!("Le journal qui vous informe\nArticle numéro {i}.\nMentions légales du site"),
        );
    }
    for i in 0..2 {
        p.write(&format!("site-b/{i}.txt"), format!("Le journal qui vous informe\nAutre article {i}."));
    }
    p.write("site-b/records.jsonl", "{\"text\": \"Le journal qui vous informe\\nUn enregistrement.\"}\n{broken\n");
    let mut outputs = Vec::new();
    for threads in [1, 4] {
        let report = load_project(&p.file()).run_with(&RunOptions { threads, ..Default::default() }).unwrap();
        assert_accounting(&report);
        assert_eq!((report.totals.documents, report.totals.exported, report.totals.failed), (9, 8, 1));
        assert!(report.stages[0].observation_seconds.is_some());
        // The broken record is reported once, by the main pass.
        assert_eq!(p.errors().len(), 1, "{:?}", p.errors());
        outputs.push(p.read_out("docs.jsonl"));
    }
    assert_eq!(outputs[0], outputs[1]);
    let docs: Vec<serde_json::Value> = outputs[0].lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for doc in &docs {
        let (id, text) = (doc["id"].as_str().unwrap(), doc["text"].as_str().unwrap());
        // site-a's two template lines are in 5 pages: gone; site-b's header in 3: gone too.
        assert!(!text.contains("Le journal") && !text.contains("Mentions"), "{id}: {text:?}");
        assert!(
            text.starts_with("Article numéro") || text.starts_with("Autre article") || text == "Un enregistrement.",
            "{id}: {text:?}"
        );
    }
}

#[test]
fn html_files_are_decoded_and_their_main_text_extracted() {
    let p = TestProject::new(
        "[input]\npaths = [\"corpus\"]\n[[stage]]\nid = \"html\"\nplugin = \"html\"\nconfig = { char_threshold = 50 }\n\
         [[stage]]\nid = \"export\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n",
    );
    let article =
        "<p>Le conseil municipal a adopté hier soir le budget de la ville, après un long débat sur les écoles.</p>";
    let page = |charset: &str| {
        format!("<html><head><meta charset=\"{charset}\"><title>Budget</title></head><body><nav><a href=\"/\">Accueil</a></nav><article>{article}</article></body></html>")
    };
    let latin_page = page("windows-1252");
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(&latin_page);
    p.write("a/latin.html", latin.as_ref());
    p.write("a/utf8.htm.gz", gzip(page("utf-8").as_bytes()));
    let report = load_project(&p.file()).run_with(&RunOptions { threads: 2, ..Default::default() }).unwrap();
    assert_accounting(&report);
    assert_eq!((report.totals.documents, report.totals.exported), (2, 2));
    let docs: Vec<serde_json::Value> =
        p.read_out("docs.jsonl").lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for (doc, encoding) in docs.iter().zip(["windows-1252", "UTF-8"]) {
        assert_eq!(doc["meta"]["encoding"], encoding, "{doc}");
        assert_eq!(doc["meta"]["content_type"], "text/html");
        // The text is the article's body; the title is in meta.
        assert_eq!(
            doc["text"],
            "Le conseil municipal a adopté hier soir le budget de la ville, après un long débat sur les écoles.",
            "{doc}"
        );
        assert_eq!(doc["meta"]["html"]["title"], "Budget");
    }
}

#[test]
fn the_test_kit_fails_the_same_documents_as_a_run() {
    use moulin_plugin::testkit::Harness;
    let texts = ["ok", "PANIC", "FAIL", "DROP", "SPAN here", "a SNEAK", "fine", "PANIC again"];
    // A run: the three misbehaving stages in a row, batches of 4.
    let p = misbehave_project(
        "[[stage]]\nid = \"panicky\"\nplugin = \"panicky\"\n[[stage]]\nid = \"bad_span\"\nplugin = \"bad_span\"\n\
         [[stage]]\nid = \"sneaky\"\nplugin = \"sneaky\"\n",
        "",
    );
    p.write("a.jsonl", lines(&texts));
    let report = load_project(&p.file()).run_with(&RunOptions { threads: 1, ..Default::default() }).unwrap();
    assert_accounting(&report);
    let mut in_run: Vec<(String, String)> = p
        .errors()
        .iter()
        .map(|e| (e["stage"].as_str().unwrap().to_string(), e["id"].as_str().unwrap().to_string()))
        .collect();
    // The kit: each stage on what the one before it kept, in batches of 4 too.
    let mut in_kit = Vec::new();
    let mut docs: Vec<moulin_plugin::Document> =
        texts.iter().enumerate().map(|(i, t)| moulin_plugin::Document::new(&format!("a.jsonl#{}", i + 1), t)).collect();
    let empty = serde_json::json!({});
    let mut stages = [
        ("panicky", Harness::new::<test_misbehave::Panicky>(empty.clone()).unwrap()),
        ("bad_span", Harness::new::<test_misbehave::BadSpan>(empty.clone()).unwrap()),
        ("sneaky", Harness::new::<test_misbehave::Sneaky>(empty).unwrap()),
    ];
    for (name, stage) in &mut stages {
        let mut next = Vec::new();
        for batch in docs.chunks(4) {
            let out = stage.process(batch.to_vec()).unwrap();
            in_kit.extend(out.failed.into_iter().map(|(id, _)| (name.to_string(), id)));
            next.extend(out.kept);
        }
        docs = next;
    }
    in_run.sort();
    in_kit.sort();
    let expected: Vec<(String, String)> =
        [("bad_span", 5), ("panicky", 2), ("panicky", 3), ("panicky", 8), ("sneaky", 6)]
            .iter()
            .map(|(s, n)| (s.to_string(), format!("a.jsonl#{n}")))
            .collect();
    assert_eq!(in_run, expected);
    assert_eq!(in_kit, in_run);
}

#[test]
fn an_embedders_pipeline_stops_with_a_typed_reason() {
    // Every document panics: past max_stage_restarts the pipeline stops, and says why as a
    // value an embedder can match, not only as text.
    let (registry, _) = Registry::discover(&[lib("test-misbehave")]);
    let pipeline = moulin::PipelineBuilder::new(registry)
        .stage("p", "panicky", serde_json::json!({}))
        .max_stage_restarts(2)
        .build()
        .unwrap();
    let docs: Vec<moulin::Doc> = (0..5).map(|i| moulin::Doc::new(&format!("d{i}"), "PANIC")).collect();
    let outputs = pipeline.process(docs);
    match outputs.finish() {
        Err(moulin::Error::Stopped {
            reason: moulin::StageError::TooManyPanics { stage, documents, max, .. }, ..
        }) => {
            assert_eq!((stage.as_str(), documents, max), ("p", 3, 2));
        }
        other => panic!("expected a stop for too many panics, got {other:?}"),
    }
}

/// A stage whose configuration needs a pass over the input cannot run over a stream: the
/// builder refuses it (`repeated` would find nothing), and takes it without that setting.
#[test]
fn the_embedding_builder_refuses_a_stage_that_needs_a_pass() {
    let (registry, errors) = Registry::discover(&[lib("moulin-boilerplate")]);
    assert!(errors.is_empty(), "{errors:?}");
    let err = PipelineBuilder::new(registry.clone())
        .stage("b", "boilerplate", serde_json::json!({ "repeated": { "min_documents": 2 } }))
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("stage `b` (boilerplate) needs 1 pass(es) over the input before the main pass"), "{err}");
    assert!(PipelineBuilder::new(registry).stage("b", "boilerplate", serde_json::json!({})).build().is_ok());
}

//! Every exporter through the host: byte-identical output with 1 and 4 threads, parts and
//! their summaries in the manifest, and no finished-looking file from a run that stopped.

use moulin_tests::{gzip, lib, moulin, text, toml_path, TestProject};
use std::collections::BTreeMap;

const EXPORTERS: &str = "\
[[stage]]\nid = \"jsonl\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\", max_bytes_per_file = 40000 }\n\
[[stage]]\nid = \"parquet\"\nplugin = \"parquet\"\nconfig = { path = \"docs.parquet\", max_documents_per_file = 500, row_group_documents = 64, batch_documents = 10 }\n\
[[stage]]\nid = \"csv\"\nplugin = \"csv\"\nconfig = { path = \"docs.csv\", meta_fields = [{ name = \"n\", pointer = \"/n\" }] }\n\
[[stage]]\nid = \"spans\"\nplugin = \"csv\"\nconfig = { path = \"spans.csv\", rows = \"spans\", max_documents_per_file = 400 }\n\
[[stage]]\nid = \"conll\"\nplugin = \"conll\"\nconfig = { path = \"ner.conll\", max_documents_per_file = 300 }\n";

fn corpus(p: &TestProject) {
    let names = ["Paris", "Jean Moulin", "l'OTAN", "Saint-Denis", "Marseille"];
    for f in 0..3 {
        let docs: Vec<String> = (0..400)
            .map(|i| {
                let text = format!(
                    "M. Gambetta à {}, le {i} mai ; \"citation\", fin{}",
                    names[(f + i) % names.len()],
                    "\n".repeat(i % 3)
                );
                serde_json::json!({"text": text, "n": i}).to_string()
            })
            .collect();
        p.write(&format!("shard-{f}.jsonl.gz"), gzip((docs.join("\n") + "\n").as_bytes()));
    }
}

/// Every file of the output folder but the run's own (manifest, errors), by name.
fn outputs(p: &TestProject) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(p.dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        // The run's own files, not the exporters'.
        .filter(|path| {
            !matches!(
                path.file_name().unwrap().to_str().unwrap(),
                "manifest.json" | "errors.jsonl" | "journal.jsonl" | "run.lock" | "stats.json" | "report.html"
            )
        })
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()))
        .collect()
}

#[test]
fn every_exporter_writes_the_same_bytes_with_1_and_4_threads() {
    let mut runs = Vec::new();
    for threads in ["1", "4"] {
        let p = TestProject::new(&format!(
            "[input]\npaths = [\"corpus\"]\n[pipeline]\nbatch_documents = 7\n\
             [[stage]]\nid = \"ner\"\nplugin = \"entities\"\n{EXPORTERS}"
        ));
        corpus(&p);
        let out = moulin(&["run", &p.file().display().to_string(), "--threads", threads, "--quiet"], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let files = outputs(&p);
        assert!(!files.keys().any(|f| f.ends_with(".partial")), "{:?}", files.keys());
        // The manifest's summaries name exactly these files, with their rows and bytes.
        let manifest: serde_json::Value = serde_json::from_str(&p.read_out("manifest.json")).unwrap();
        let mut named = Vec::new();
        for stage in manifest["stages"].as_array().unwrap().iter().filter(|s| s["kind"] == "export") {
            let summary = &stage["summary"];
            let listed: Vec<String> =
                summary["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
            let bytes: u64 = listed.iter().map(|f| files[f].len() as u64).sum();
            assert_eq!(summary["bytes"], bytes, "{}", stage["id"]);
            assert_eq!(summary["documents"], 1200, "{}", stage["id"]);
            named.extend(listed);
        }
        named.sort();
        assert_eq!(named, files.keys().cloned().collect::<Vec<_>>());
        let by_id = |id: &str| {
            manifest["stages"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap()["summary"].clone()
        };
        assert_eq!(by_id("parquet")["files"].as_array().unwrap().len(), 3);
        assert_eq!(by_id("conll")["files"].as_array().unwrap().len(), 4);
        assert!(by_id("jsonl")["files"].as_array().unwrap().len() > 1, "{}", by_id("jsonl"));
        assert!(by_id("spans")["rows"].as_u64().unwrap() >= 1200, "{}", by_id("spans"));
        runs.push(files);
    }
    assert_eq!(runs[0].keys().collect::<Vec<_>>(), runs[1].keys().collect::<Vec<_>>());
    for (name, bytes) in &runs[0] {
        assert!(bytes == &runs[1][name], "{name} differs between 1 and 4 threads");
    }
}

#[test]
fn a_run_that_stops_leaves_no_file_that_looks_finished() {
    let p = TestProject::new(&format!(
        "[input]\npaths = [\"corpus\"]\n[plugins]\npaths = [{}]\n[pipeline]\nbatch_documents = 4\nmax_stage_restarts = 0\n\
         [[stage]]\nid = \"boom\"\nplugin = \"panicky\"\n{EXPORTERS}",
        toml_path(&lib("test-misbehave"))
    ));
    let lines: String = (0..40)
        .map(|i| {
            serde_json::json!({"text": if i == 30 { "PANIC".to_string() } else { format!("doc {i}") }}).to_string()
                + "\n"
        })
        .collect();
    p.write("a.jsonl", lines);
    let out = moulin(&["run", &p.file().display().to_string(), "--threads", "1"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let files = outputs(&p);
    assert!(!files.is_empty());
    assert!(files.keys().all(|f| f.ends_with(".partial")), "{:?}", files.keys());
}

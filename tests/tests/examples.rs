//! The examples: french-news's output against the hand-checked expectation, the embedding
//! example, and the out-of-tree hello plugin.

use moulin_tests::{bin_dir, build_out_of_tree, moulin, root, text, toml_path, TestProject};
use std::process::Command;

#[test]
fn french_news_output_is_the_expected_one() {
    let out_dir = tempfile::tempdir().unwrap();
    let project = root().join("examples/french-news/moulin.toml");
    let out = moulin(
        &["run", &project.display().to_string(), "--output", &out_dir.path().display().to_string(), "--threads", "2"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let got = std::fs::read_to_string(out_dir.path().join("documents.jsonl")).unwrap();
    let expected = std::fs::read_to_string(root().join("tests/data/french-news/documents.jsonl")).unwrap();
    for (i, (g, e)) in got.lines().zip(expected.lines()).enumerate() {
        assert_eq!(g, e, "line {} differs", i + 1);
    }
    assert_eq!(got.lines().count(), expected.lines().count());
    let manifest_text = std::fs::read_to_string(out_dir.path().join("manifest.json")).unwrap();
    // The manifest reads back as the type moulin writes it with.
    let typed: moulin::RunManifest = serde_json::from_str(&manifest_text).unwrap();
    assert_eq!((typed.totals.documents, typed.run.status), (5, moulin::RunStatus::Ok));
    let manifest: serde_json::Value = serde_json::from_str(&manifest_text).unwrap();
    assert_eq!(manifest["totals"]["documents"], 5);
    assert_eq!(manifest["totals"]["exported"], 5);
    assert_eq!(manifest["run"]["status"], "ok");
    let plugins = manifest["plugins"].as_array().unwrap();
    // boilerplate, normalize, langid, quality (three stages) and jsonl.
    assert_eq!(plugins.len(), 5);
    assert!(plugins.iter().all(|p| p["sha256"].as_str().unwrap().len() == 64 && p["version"] == "0.1.0"));
    let export = manifest["stages"].as_array().unwrap().iter().find(|s| s["id"] == "export").unwrap();
    assert_eq!(export["summary"]["rows"], 5);
    // The boilerplate stage asked for an observation pass (repeated lines).
    assert!(manifest["stages"][0]["observation_seconds"].as_f64().is_some(), "{}", manifest["stages"][0]);
    assert_eq!(std::fs::read_to_string(out_dir.path().join("errors.jsonl")).unwrap(), "");
}

#[test]
fn the_archives_example_reads_the_tar_and_the_warc_in_place() {
    let out_dir = tempfile::tempdir().unwrap();
    let project = root().join("examples/archives/moulin.toml");
    let out = moulin(
        &["run", &project.display().to_string(), "--output", &out_dir.path().display().to_string(), "--threads", "2"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("34 records skipped, not documents: 16 WARC metadata record, 17 WARC request record, 1 WARC warcinfo record"), "{}", text(&out));
    let docs: Vec<serde_json::Value> = std::fs::read_to_string(out_dir.path().join("documents.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (seeds, pages): (Vec<_>, Vec<_>) =
        docs.iter().partition(|d| d["id"].as_str().unwrap().starts_with("seeds.tar.gz!/"));
    // The five seeds, read from the tar.gz, passed through `html` untouched (not HTML).
    assert_eq!(seeds.len(), 5);
    for seed in &seeds {
        let name = seed["id"].as_str().unwrap().trim_start_matches("seeds.tar.gz!/");
        let original = std::fs::read_to_string(root().join("examples/french-news/corpus").join(name)).unwrap();
        // Its start (normalize collapses the wide gaps further on).
        let start: String = original.trim_start().chars().take(30).collect();
        assert!(seed["text"].as_str().unwrap().starts_with(&start), "{name}");
        assert_eq!(seed["lang"], "fr");
        assert_eq!(seed["meta"]["source"]["member"], name);
    }
    // The 16 HTML responses of the WARC, extracted to text, with their WARC facts.
    assert_eq!(pages.len(), 16);
    for page in &pages {
        let text = page["text"].as_str().unwrap();
        assert!(!text.contains("<html") && !text.contains("<div"), "{}", page["id"]);
        assert_eq!(page["meta"]["http_status"], 200);
        assert!(page["meta"]["url"].as_str().unwrap().starts_with("http"));
    }
}

#[test]
fn the_embedding_example_runs() {
    let exe = bin_dir().join(format!("embed{}", std::env::consts::EXE_SUFFIX));
    let out = Command::new(&exe)
        .arg(root().join("examples/french-news/moulin.toml"))
        .env("MOULIN_PLUGIN_PATH", "")
        .output()
        .unwrap();
    // Its project run writes into the example's own output folder; that is what it shows.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1000 documents normalized"), "{stdout}");
    assert!(stdout.contains("5 documents read, 5 exported"), "{stdout}");
}

#[test]
fn an_out_of_tree_plugin_is_built_and_loaded() {
    let hello = build_out_of_tree("examples/hello-plugin");
    let p = TestProject::new(&format!(
        "[input]\npaths = [\"corpus\"]\n[plugins]\npaths = [{}]\n\
         [[stage]]\nid = \"greet\"\nplugin = \"hello\"\nconfig = {{ words = [\"Bonjour\", \"Kaboul\"] }}\n\
         [[stage]]\nid = \"e\"\nplugin = \"jsonl\"\nconfig = {{ path = \"d.jsonl\" }}\n",
        toml_path(&hello)
    ));
    p.write("a.txt", "Bonjour de Kaboul. Bonjour !");
    let file = p.file().display().to_string();
    let out = moulin(&["run", &file], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: serde_json::Value = serde_json::from_str(p.read_out("d.jsonl").trim()).unwrap();
    assert_eq!(doc["meta"]["greetings"], 3);
    let spans: Vec<(u64, u64, &str, &str)> = doc["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap(),
                s["label"].as_str().unwrap(),
                s["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(spans, [(0, 7, "Bonjour", "greet"), (19, 26, "Bonjour", "greet"), (11, 17, "Kaboul", "greet")]);
}

/// The commit whose SDK (moulin-plugin 0.1.0) and hello plugin the compatibility test builds:
/// the last one before the SDK's 0.2.0 (the test kit's per-document rules, the typed stage
/// context and library manifest).
const PREVIOUS_SDK_COMMIT: &str = "049f789";

/// The repository as it was at `commit`, from git history (these tests need it).
fn tree_at(commit: &str) -> std::path::PathBuf {
    let src = root().join(format!("target/oot-src/sdk-{commit}"));
    if !src.join("Cargo.toml").exists() {
        std::fs::create_dir_all(&src).unwrap();
        let archive = Command::new("git")
            .arg("-C")
            .arg(root())
            .args(["archive", "--format=tar", commit])
            .output()
            .expect("git runs");
        assert!(
            archive.status.success(),
            "git archive {commit} (this test needs the repository's history): {}",
            String::from_utf8_lossy(&archive.stderr)
        );
        tar::Archive::new(&archive.stdout[..]).unpack(&src).unwrap();
    }
    src
}

/// Build the plugin library `crate_name` of an old tree's `manifest` (with `args`, such as
/// the package) into `target/oot-prev`; its path.
fn build_old(manifest: &std::path::Path, crate_name: &str, args: &[&str]) -> std::path::PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = root().join("target/oot-prev");
    let out = Command::new(cargo)
        .args(["build", "--quiet"])
        .args(args)
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--target-dir")
        .arg(&target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(out.status.success(), "building the old {crate_name}: {}", text(&out));
    target.join("debug").join(moulin_tests::lib_file_name(crate_name))
}

#[test]
fn a_plugin_built_against_the_previous_sdk_loads_and_runs() {
    // Its hello plugin built against its own SDK there, as a team would have built it then.
    let src = tree_at(PREVIOUS_SDK_COMMIT);
    let hello = src.join("examples/hello-plugin");
    // With the dependency versions of that commit's lock file.
    if !hello.join("Cargo.lock").exists() {
        std::fs::copy(src.join("Cargo.lock"), hello.join("Cargo.lock")).unwrap();
    }
    let lib = build_old(&hello.join("Cargo.toml"), "moulin-hello", &[]);
    // The plugin says which SDK it was built with.
    let plugins = moulin(&["plugins", "--path", lib.to_str().unwrap(), "--json"], &[]);
    let listing: serde_json::Value = serde_json::from_slice(&plugins.stdout).unwrap();
    let hello_lib = listing["libraries"].as_array().unwrap().iter().find(|l| l["manifest"]["name"] == "moulin-hello");
    assert_eq!(hello_lib.unwrap()["manifest"]["sdk_version"], "0.1.0", "{listing}");
    // And it runs in this host: it reads this host's stage context and config.
    let p = TestProject::new(&format!(
        "[input]\npaths = [\"corpus\"]\n[plugins]\npaths = [{}]\n\
         [[stage]]\nid = \"greet\"\nplugin = \"hello\"\nconfig = {{ words = [\"Bonjour\", \"Kaboul\"] }}\n\
         [[stage]]\nid = \"e\"\nplugin = \"jsonl\"\nconfig = {{ path = \"d.jsonl\" }}\n",
        toml_path(&lib)
    ));
    p.write("a.txt", "Bonjour de Kaboul. Bonjour !");
    let out = moulin(&["run", &p.file().display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: serde_json::Value = serde_json::from_str(p.read_out("d.jsonl").trim()).unwrap();
    assert_eq!(doc["meta"]["greetings"], 3);
    assert!(doc["spans"].as_array().unwrap().iter().all(|s| s["source"] == "greet"), "{doc}");
}

/// The commit of SDK 0.2.0, the last before passes were an engine concept (`Passes`): its
/// stages with an observation pass answered `true` and handed their `finish` JSON on.
const SDK_0_2_COMMIT: &str = "c0c5b10";

#[test]
fn a_plugin_with_an_observation_pass_from_sdk_0_2_still_runs_its_pass() {
    // boilerplate as it was with SDK 0.2.0, built in that tree with that tree's lock file.
    let src = tree_at(SDK_0_2_COMMIT);
    let old = build_old(&src.join("Cargo.toml"), "moulin-boilerplate", &["-p", "moulin-boilerplate"]);
    let project = |plugin: &str| {
        let p = TestProject::new(&format!(
            "[input]\npaths = [\"corpus\"]\n\
             [[stage]]\nid = \"clean\"\nplugin = {plugin}\nconfig = {{ default_patterns = false, features = false, min_chars = 1, repeated = {{ min_documents = 3 }} }}\n\
             [[stage]]\nid = \"e\"\nplugin = \"jsonl\"\nconfig = {{ path = \"d.jsonl\" }}\n"
        ));
        for page in 0..4 {
            p.write(
                &format!("corpus/site/{page}.txt"),
                format!("Le Journal du site\nArticle {page} : la mairie vote.\n"),
            );
        }
        p
    };
    let old_project = project(&toml_path(&old));
    let new_project = project("\"boilerplate\"");
    let mut outputs = Vec::new();
    for p in [&old_project, &new_project] {
        let out = moulin(&["run", &p.file().display().to_string(), "--threads", "2"], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let texts: Vec<String> = p
            .read_out("d.jsonl")
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].as_str().unwrap().to_string())
            .collect();
        outputs.push(texts);
    }
    assert!(outputs[0].iter().all(|t| !t.contains("Le Journal du site") && t.contains("la mairie")), "{outputs:?}");
    assert_eq!(outputs[0], outputs[1]);
}

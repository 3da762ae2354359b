//! The dedup stage in real runs: one global pass, the same output for any thread count and
//! for shards merged, resumed after a kill in its pass or in the main pass without redoing
//! the pass, and its clusters in the summary, the manifest and the report page.

use moulin_tests::{manifest_of, moulin, text, TestProject};
use serde_json::{json, Value};
use std::path::Path;

/// A word of letters only.
fn word(mut i: usize) -> String {
    let mut w = String::from("m");
    loop {
        w.push((b'a' + (i % 26) as u8) as char);
        i /= 26;
        if i == 0 {
            return w;
        }
    }
}

/// Story `n`: 80 words of its own.
fn story(n: usize) -> Vec<String> {
    (0..80).map(|j| word(n * 1000 + j)).collect()
}

/// Three JSONL files: 30 stories, with exact copies (re-cased, re-spaced) and near copies (one
/// word changed) of some in later files, and a few empty records.
fn project(config: &str) -> TestProject {
    let toml = format!(
        "[input]\npaths = [\"corpus\"]\n\
         [pipeline]\nbatch_documents = 4\n\
         [[stage]]\nid = \"dedup\"\nplugin = \"dedup\"\nconfig = {{ {config} }}\n\
         [[stage]]\nid = \"jsonl\"\nplugin = \"jsonl\"\nconfig = {{ path = \"docs.jsonl\" }}\n"
    );
    let p = TestProject::new(&toml);
    let mut files = [String::new(), String::new(), String::new()];
    for n in 0..30 {
        let words = story(n);
        files[n % 3] += &format!("{}\n", json!({ "text": words.join(" ") }));
        if n % 4 == 0 {
            let copy = words.join("  ").to_uppercase();
            files[(n + 1) % 3] += &format!("{}\n", json!({ "text": copy }));
        }
        if n % 5 == 0 {
            let mut near = words.clone();
            near[40] = "autre".into();
            files[(n + 2) % 3] += &format!("{}\n", json!({ "text": near.join(" ") }));
        }
    }
    files[1] += &format!("{}\n{}\n", json!({ "text": "" }), json!({ "text": "" }));
    for (i, body) in files.iter().enumerate() {
        p.write(&format!("{}.jsonl", ["a", "b", "c"][i]), body);
    }
    p
}

fn run(p: &TestProject, out: &Path, extra: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let (file, out) = (p.file().display().to_string(), out.display().to_string());
    let mut args = vec!["run", &file, "--output", &out];
    args.extend_from_slice(extra);
    moulin(&args, envs)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn dedup_entry(manifest: &Value) -> Value {
    manifest["stages"].as_array().unwrap().iter().find(|s| s["id"] == "dedup").unwrap().clone()
}

#[test]
fn one_run_removes_copies_the_same_for_any_threads_and_says_what_it_found() {
    let p = project("");
    let mut outputs = Vec::new();
    for threads in ["1", "3"] {
        let out = p.dir.path().join(format!("out-{threads}"));
        let done = run(&p, &out, &["--threads", threads], &[]);
        assert_eq!(done.status.code(), Some(0), "{}", text(&done));
        outputs.push((read(&out.join("docs.jsonl")), read(&out.join("passes/dedup/pass-0/merged/removed.jsonl"))));
        if threads == "1" {
            // 30 stories, 8 exact and 6 near copies (12 stories have some), 2 empty records:
            // 14 removed, every one a near duplicate to MinHash.
            let summary = text(&done);
            assert!(summary.contains("dropped 14: dedup: near duplicate"), "{summary}");
            let entry = dedup_entry(&manifest_of(&out));
            assert_eq!(entry["dropped"], json!({ "dedup: near duplicate": 14 }), "{entry}");
            let counts = &entry["pass_summary"]["counts"];
            assert_eq!(
                (counts["clusters"].as_u64(), counts["documents removed"].as_u64()),
                (Some(12), Some(14)),
                "{entry}"
            );
            assert_eq!(counts["documents without text"], 2);
            assert!(summary.contains("passes: candidates"), "{summary}");
            let page = read(&out.join("report.html"));
            assert!(page.contains("dedup: what its pass found") && page.contains("id=\"dedup-cluster-size\""));
            // Every removal names the copy that stays, and that copy came first.
            let removed: Vec<Value> = outputs[0].1.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            assert_eq!(removed.len(), 14);
            for r in &removed {
                assert!(r["similarity"].as_f64().unwrap() >= 0.8, "{r}");
                assert!(r["kept"].as_str().unwrap() < r["id"].as_str().unwrap(), "{r}");
            }
        }
    }
    assert_eq!(outputs[0], outputs[1], "the output depends on the threads");
    assert_eq!(outputs[0].0.lines().count(), 46 - 14);
}

/// Two shards, run at once, as a Slurm array runs them.
fn run_shards(p: &TestProject, out: &Path) {
    for done in moulin_tests::run_shards(&p.file(), out, 2, &[]) {
        assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    }
}

#[test]
fn shards_merged_remove_what_one_run_removes() {
    let p = project("method = \"exact\"");
    let single = p.dir.path().join("single");
    assert_eq!(run(&p, &single, &["--quiet"], &[]).status.code(), Some(0));
    let sharded = p.dir.path().join("sharded");
    run_shards(&p, &sharded);
    let merged = moulin(&["merge", &sharded.display().to_string(), "--concat"], &[]);
    assert_eq!(merged.status.code(), Some(0), "{}", text(&merged));
    // A copy in the other shard is found: the documents left are the single run's.
    assert_eq!(read(&sharded.join("docs.jsonl")), read(&single.join("docs.jsonl")));
    let (one, both) = (dedup_entry(&manifest_of(&single)), dedup_entry(&manifest_of(&sharded)));
    assert_eq!(both["dropped"], one["dropped"]);
    assert_eq!(one["dropped"], json!({ "dedup: exact duplicate": 8 }), "{one}");
    // The pass was global: its summary is kept once, not added over the shards.
    assert_eq!(both["pass_summary"], one["pass_summary"]);
    // It was merged once, beside the shards, for both.
    assert!(sharded.join("passes/dedup/pass-0/merged.json").is_file());
    assert!(sharded.join("passes/dedup/pass-0/merged/decisions.bin").is_file());
    for shard in ["part-0-of-2", "part-1-of-2"] {
        assert!(!sharded.join(shard).join("passes/dedup/pass-0/merged").exists(), "{shard} merged on its own");
    }
}

#[test]
fn a_run_killed_in_the_pass_or_after_it_resumes_without_redoing_finished_passes() {
    let p = project("");
    let reference = p.dir.path().join("reference");
    assert_eq!(run(&p, &reference, &["--quiet"], &[]).status.code(), Some(0));

    let out = p.dir.path().join("out");
    // Killed once the pass's workers are done, before the cluster step.
    let crashed = run(&p, &out, &["--quiet"], &[("MOULIN_CRASH_AT", "pass:0")]);
    assert_eq!(crashed.status.code(), None, "the run was to crash: {}", text(&crashed));
    assert!(!out.join("passes/dedup/pass-0/merged/decisions.bin").exists());
    // Killed in the main pass, at its second resume point: the pass is in the journal.
    let killed = run(&p, &out, &["--quiet", "--resume"], &[("MOULIN_CRASH_AT", "after-errors:1")]);
    assert_eq!(killed.status.code(), None, "the run was to crash: {}", text(&killed));
    let decisions = out.join("passes/dedup/pass-0/merged/decisions.bin");
    let made = std::fs::metadata(&decisions).unwrap().modified().unwrap();
    let resumed = run(&p, &out, &["--quiet", "--resume"], &[]);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert_eq!(std::fs::metadata(&decisions).unwrap().modified().unwrap(), made, "the pass ran again");
    assert_eq!(read(&out.join("docs.jsonl")), read(&reference.join("docs.jsonl")));
}

#[test]
fn a_cluster_over_the_limit_is_a_warning_in_the_summary() {
    let p = project("cluster_warning = 1");
    let out = p.dir.path().join("out");
    let done = run(&p, &out, &[], &[]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    let summary = text(&done);
    assert!(summary.contains("warning: a cluster of 2 documents keeps only a.jsonl#"), "{summary}");
    let entry = dedup_entry(&manifest_of(&out));
    assert!(!entry["pass_summary"]["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn a_project_dedups_against_the_index_another_run_wrote_relative_to_its_file() {
    let p = project("method = \"exact\", index = \"index\"");
    let out = p.dir.path().join("first");
    assert_eq!(run(&p, &out, &["--quiet"], &[]).status.code(), Some(0));
    assert!(p.dir.path().join("index/index.json").is_file());
    // The same corpus again, against that index: every document is in it.
    let toml = read(&p.file()).replace("index = \"index\"", "against = [\"index\"]");
    std::fs::write(p.file(), toml).unwrap();
    let again = p.dir.path().join("again");
    let done = run(&p, &again, &[], &[]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    let entry = dedup_entry(&manifest_of(&again));
    // The 36 documents with text that stayed the first time are in the index, and the 8 exact
    // copies are copies of them; the 2 empty documents are never duplicates, and are all
    // that is left.
    assert_eq!(entry["dropped"], json!({ "dedup: exact duplicate in an index": 44 }), "{entry}");
    assert_eq!(
        read(&again.join("docs.jsonl")),
        read(&p.dir.path().join("first/docs.jsonl"))
            .lines()
            .filter(|l| l.contains("\"text\":\"\""))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
}

#[test]
fn until_pass_stops_after_this_shards_part_and_resume_goes_on() {
    let p = project("");
    let reference = p.dir.path().join("reference");
    assert_eq!(run(&p, &reference, &["--quiet"], &[]).status.code(), Some(0));
    let out = p.dir.path().join("out");
    let paused = run(&p, &out, &["--quiet", "--resume", "--until-pass", "0"], &[]);
    assert_eq!(paused.status.code(), Some(0), "{}", text(&paused));
    assert!(text(&paused).contains("paused after stage `dedup`, pass 1"), "{}", text(&paused));
    assert!(out.join("passes/dedup/pass-0/workers.json").is_file() && !out.join("docs.jsonl").exists());
    // Asked again, the part is there: nothing to do.
    assert_eq!(run(&p, &out, &["--quiet", "--resume", "--until-pass", "0"], &[]).status.code(), Some(0));
    let done = run(&p, &out, &["--quiet", "--resume"], &[]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    assert_eq!(read(&out.join("docs.jsonl")), read(&reference.join("docs.jsonl")));
    // Once merged, the same phase run again does nothing either.
    assert_eq!(run(&p, &out, &["--quiet", "--resume", "--until-pass", "0"], &[]).status.code(), Some(0));
    let beyond = run(&p, &p.dir.path().join("other"), &["--until-pass", "1"], &[]);
    assert_eq!(beyond.status.code(), Some(2));
    assert!(text(&beyond).contains("--until-pass 1: the project has 1 pass(es) over every shard"), "{}", text(&beyond));
}

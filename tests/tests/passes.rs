//! Passes before the main pass, as an engine concept: results spilled under the output
//! folder, merged the same whatever the threads, chained from one pass to the next, shown as
//! progress, not run again on resume, and global over shards.

use moulin_tests::{lib, load_project, moulin, text, toml_path, TestProject};
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A project with `two_passes` (see tests/plugins/misbehave) and a JSONL exporter.
fn project(global: bool) -> TestProject {
    let toml = format!(
        "[input]\npaths = [\"corpus\"]\n\
         [pipeline]\nbatch_documents = 2\n\
         [plugins]\npaths = [{}]\n\
         [[stage]]\nid = \"twice\"\nplugin = \"two_passes\"\nconfig = {{ global = {global} }}\n\
         [[stage]]\nid = \"jsonl\"\nplugin = \"jsonl\"\nconfig = {{ path = \"docs.jsonl\" }}\n",
        toml_path(&lib("test-misbehave"))
    );
    let p = TestProject::new(&toml);
    // 12 words in all, 8 distinct; "dort", "rare", "unique", "un" and "seul" are seen once,
    // one or two in each document.
    for (name, body) in [
        ("a/1.txt", "le chat dort"),
        ("a/2.txt", "le chat rare"),
        ("b/3.txt", "le chien unique"),
        ("b/4.txt", "un chien seul"),
    ] {
        p.write(&format!("corpus/{name}"), body);
    }
    p
}

fn metas(out: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(out.join("docs.jsonl")).unwrap();
    text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["meta"]["two_passes"].clone()).collect()
}

fn run(p: &TestProject, out: &Path, extra: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let file = p.file().display().to_string();
    let out = out.display().to_string();
    let mut args = vec!["run", &file, "--output", &out, "--quiet"];
    args.extend_from_slice(extra);
    moulin(&args, envs)
}

fn pass_lines(out: &Path) -> Vec<Value> {
    let journal = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    journal
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("pass_done").is_some())
        .collect()
}

#[test]
fn two_passes_chain_spill_under_the_output_and_do_not_depend_on_threads() {
    let p = project(false);
    let mut seen = Vec::new();
    for threads in ["1", "3"] {
        let out = p.dir.path().join(format!("out-{threads}"));
        let done = run(&p, &out, &["--threads", threads], &[]);
        assert_eq!(done.status.code(), Some(0), "{}", text(&done));
        let metas = metas(&out);
        assert_eq!(metas.len(), 4);
        for m in &metas {
            assert_eq!(m, &serde_json::json!({ "distinct": 8, "words": 12, "hapax_documents": 4 }));
        }
        // What each pass wrote is in files under the output folder, one folder per worker.
        for pass in 0..2 {
            let dir = out.join(format!("passes/twice/pass-{pass}"));
            assert!(dir.join("merged/result.bin").is_file(), "{}", dir.display());
            assert!(dir.join("workers.json").is_file());
            let workers = std::fs::read_dir(&dir)
                .unwrap()
                .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("worker-"))
                .count();
            assert_eq!(workers.to_string(), threads);
        }
        assert_eq!(pass_lines(&out).len(), 2);
        seen.push(std::fs::read(out.join("docs.jsonl")).unwrap());
    }
    assert_eq!(seen[0], seen[1], "the output is the same for 1 and 3 threads");
}

#[test]
fn a_document_that_panics_in_a_pass_costs_only_itself() {
    let p = project(false);
    p.write("corpus/c/5.txt", "PASSPANIC ici");
    let out = p.dir.path().join("out");
    let done = run(&p, &out, &["--threads", "2"], &[]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    // The panicking document is left out of the passes; the main pass exports all five.
    let metas = metas(&out);
    assert_eq!(metas.len(), 5);
    assert_eq!(metas[0], serde_json::json!({ "distinct": 8, "words": 12, "hapax_documents": 4 }));
}

#[test]
fn a_run_killed_in_a_pass_resumes_without_redoing_finished_passes() {
    let p = project(false);
    let reference = p.dir.path().join("reference");
    assert_eq!(run(&p, &reference, &[], &[]).status.code(), Some(0));

    // Killed once pass 1's workers are done, before it is merged: pass 0 is in the journal.
    let out = p.dir.path().join("out");
    let crashed = run(&p, &out, &["--resume"], &[("MOULIN_CRASH_AT", "pass:1")]);
    assert_eq!(crashed.status.code(), None, "the run was to crash: {}", text(&crashed));
    let lines = pass_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["pass"], 0);
    let result0 = out.join("passes/twice/pass-0/merged/result.bin");
    let worker1 = out.join("passes/twice/pass-1/workers.json");
    let (modified0, modified1) = (mtime(&result0), mtime(&worker1));

    std::thread::sleep(std::time::Duration::from_millis(20));
    let resumed = run(&p, &out, &["--resume"], &[]);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert_eq!(std::fs::read(out.join("docs.jsonl")).unwrap(), std::fs::read(reference.join("docs.jsonl")).unwrap());
    // Pass 0 was not run again, nor pass 1's workers: pass 1 was only merged.
    assert_eq!(mtime(&result0), modified0);
    assert_eq!(mtime(&worker1), modified1);
    let lines = pass_lines(&out);
    assert_eq!(lines.iter().map(|l| l["pass"].as_u64().unwrap()).collect::<Vec<_>>(), [0, 1]);

    // Killed in the middle of pass 1 (its workers not all done): that pass runs again.
    let out = p.dir.path().join("out-2");
    assert_eq!(run(&p, &out, &["--resume"], &[("MOULIN_CRASH_AT", "pass:1")]).status.code(), None);
    std::fs::remove_file(out.join("passes/twice/pass-1/workers.json")).unwrap();
    let modified0 = mtime(&out.join("passes/twice/pass-0/merged/result.bin"));
    let resumed = run(&p, &out, &["--resume"], &[]);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert_eq!(std::fs::read(out.join("docs.jsonl")).unwrap(), std::fs::read(reference.join("docs.jsonl")).unwrap());
    assert_eq!(mtime(&out.join("passes/twice/pass-0/merged/result.bin")), modified0);
    assert!(out.join("passes/twice/pass-1/workers.json").is_file());
}

fn mtime(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).modified().unwrap()
}

/// Two shards, run at once, as a Slurm array runs them.
fn run_shards(p: &TestProject, out: &Path, envs: &[(&str, &str)]) -> Vec<std::process::Output> {
    moulin_tests::run_shards(&p.file(), out, 2, envs)
}

#[test]
fn a_global_pass_merges_every_shard_before_any_main_pass() {
    let whole = project(true);
    let reference = whole.dir.path().join("whole");
    assert_eq!(run(&whole, &reference, &[], &[]).status.code(), Some(0));
    let expected = metas(&reference);

    let out = whole.dir.path().join("sharded");
    for done in run_shards(&whole, &out, &[]) {
        assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    }
    for shard in ["part-0-of-2", "part-1-of-2"] {
        let metas = metas(&out.join(shard));
        assert_eq!(metas.len(), 2, "{shard}");
        assert!(metas.iter().all(|m| *m == expected[0]), "{shard}: {metas:?} against {expected:?}");
    }

    // A local pass sees only its shard: the counts differ, which is what global is for.
    let local = project(false);
    let out = local.dir.path().join("sharded");
    for done in run_shards(&local, &out, &[]) {
        assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    }
    assert_ne!(metas(&out.join("part-0-of-2"))[0], expected[0]);
}

#[test]
fn a_shard_alone_at_a_global_pass_stops_naming_the_shards_it_waited_for() {
    let p = project(true);
    std::fs::write(
        p.file(),
        std::fs::read_to_string(p.file())
            .unwrap()
            .replace("batch_documents = 2", "batch_documents = 2\nshard_wait_seconds = 1"),
    )
    .unwrap();
    let out = p.dir.path().join("out");
    let done = run(&p, &out, &["--shard", "0/2"], &[]);
    assert_eq!(done.status.code(), Some(3), "{}", text(&done));
    let message = text(&done);
    assert!(message.contains("pass 0 of stage `twice`") && message.contains("shards 1 did not finish"), "{message}");
}

/// Records what a run reports.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl moulin::Progress for Recorder {
    fn start(&self, _: u64, files: u64) {
        self.0.lock().unwrap().push(format!("start {files}"));
    }
    fn advance(&self, _: u64, _: u64) {}
    fn finish(&self) {
        self.0.lock().unwrap().push("finish".into());
    }
    fn pass(&self, stage: &str, pass: u32, passes: u32) {
        self.0.lock().unwrap().push(format!("pass {stage} {pass}/{passes}"));
    }
    fn merging(&self, stage: &str, pass: u32) {
        self.0.lock().unwrap().push(format!("merging {stage} {pass}"));
    }
}

#[test]
fn each_pass_shows_progress_before_the_main_pass() {
    let p = project(false);
    let project = load_project(&p.file());
    let recorder = Arc::new(Recorder::default());
    let options = moulin::RunOptions {
        output: Some(p.dir.path().join("out")),
        progress: Some(recorder.clone()),
        threads: 2,
        ..Default::default()
    };
    project.run_with(&options).unwrap();
    let events = recorder.0.lock().unwrap().clone();
    assert_eq!(
        events,
        [
            "pass twice 0/2",
            "start 4",
            "finish",
            "merging twice 0",
            "finish",
            "pass twice 1/2",
            "start 4",
            "finish",
            "merging twice 1",
            "finish",
            "start 4",
            "finish"
        ]
    );
}

#[test]
fn a_new_run_in_the_same_folder_does_not_take_the_last_runs_passes() {
    let p = project(false);
    let out = p.dir.path().join("out");
    assert_eq!(run(&p, &out, &[], &[]).status.code(), Some(0));
    // Same project, one more file (the journal is not continued without --resume).
    p.write("corpus/c/5.txt", "encore un mot");
    let done = run(&p, &out, &[], &[]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    let metas = metas(&out);
    assert_eq!(metas.len(), 5);
    assert_eq!(metas[0], serde_json::json!({ "distinct": 10, "words": 15, "hapax_documents": 5 }));
}

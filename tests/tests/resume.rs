//! Resume: a run killed with SIGKILL at several points and resumed each time ends with the
//! same outputs, errors and counts as a run that was never stopped.

use moulin_tests::{gzip, lib, moulin, moulin_exe, text, toml_path, TestProject};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// 30 JSONL files of 20 records: some fail (FAIL), some are dropped (DROP), one record is
/// not JSON, one file is a damaged gzip. Batches of 8 and a resume point after every file;
/// `sleepy` makes each batch take 15 ms so that a kill lands in the middle of the run.
fn project() -> TestProject {
    project_with_delay(15)
}

/// The exporters of [`project`]: JSONL.zst and CSV in parts.
const PARTS: &str = "[[stage]]\nid = \"jsonl\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl.zst\", max_documents_per_file = 37 }\n\
     [[stage]]\nid = \"csv\"\nplugin = \"csv\"\nconfig = { path = \"docs.csv\", max_documents_per_file = 50, columns = [\"id\", \"text\"] }\n";

/// [`project`] with `ms` milliseconds a batch.
fn project_with_delay(ms: u64) -> TestProject {
    project_with(ms, PARTS)
}

/// [`project`] with `ms` milliseconds a batch and these exporters.
fn project_with(ms: u64, exporters: &str) -> TestProject {
    let toml = format!(
        "[input]\npaths = [\"corpus\"]\n\
         [pipeline]\nbatch_documents = 8\ncheckpoint_bytes = 0\n\
         [plugins]\npaths = [{}]\n\
         [[stage]]\nid = \"misbehave\"\nplugin = \"panicky\"\n\
         [[stage]]\nid = \"slow\"\nplugin = \"sleepy\"\nconfig = {{ ms = {ms} }}\n\
         [[stage]]\nid = \"normalize\"\nplugin = \"normalize\"\n{exporters}",
        toml_path(&lib("test-misbehave"))
    );
    let p = TestProject::new(&toml);
    for f in 0..30 {
        let mut lines = String::new();
        for r in 0..20 {
            let word = match (f * 20 + r) % 23 {
                0 => " FAIL",
                7 => " DROP",
                _ => "",
            };
            if f == 11 && r == 5 {
                lines.push_str("{\"text\": not json}\n");
            } else {
                lines.push_str(&format!(
                    "{{\"id\": \"f{f}-{r}\", \"text\": \"Document {r}  du   fichier {f}.{word}\"}}\n"
                ));
            }
        }
        p.write(&format!("f{f:02}.jsonl"), &lines);
    }
    let mut damaged = gzip(b"{\"text\": \"un\"}\n{\"text\": \"deux\"}\n");
    damaged.truncate(damaged.len() - 6);
    p.write("f15-damaged.jsonl.gz", damaged);
    p
}

fn commits(journal: &Path) -> usize {
    std::fs::read_to_string(journal).map(|t| t.matches("{\"commit\":").count()).unwrap_or(0)
}

/// Start a resumed run into `out` and SIGKILL it once the journal holds `commits` commits.
/// Returns false when the run ended first.
fn run_and_kill(file: &Path, out: &Path, at_commits: usize) -> bool {
    let mut child = Command::new(moulin_exe())
        .args([
            "run",
            &file.display().to_string(),
            "--output",
            &out.display().to_string(),
            "--resume",
            "--quiet",
            "--threads",
            "2",
        ])
        .env_remove("MOULIN_PLUGIN_PATH")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let journal = out.join("journal.jsonl");
    // The run ends by itself: the loop ends either way.
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if commits(&journal) >= at_commits {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The concatenation of an exporter's parts, in order, decompressed; CSV without the
/// repeated headers.
fn joined(out: &Path, manifest: &serde_json::Value, stage: &str) -> String {
    let summary = manifest["stages"].as_array().unwrap().iter().find(|s| s["id"] == stage).unwrap()["summary"].clone();
    let mut all = String::new();
    for (k, name) in summary["files"].as_array().unwrap().iter().enumerate() {
        let bytes = std::fs::read(out.join(name.as_str().unwrap())).unwrap();
        let text = if name.as_str().unwrap().ends_with(".zst") {
            String::from_utf8(zstd::decode_all(&bytes[..]).unwrap()).unwrap()
        } else {
            String::from_utf8(bytes).unwrap()
        };
        let text = if stage == "csv" && k > 0 { text.split_once('\n').unwrap().1.to_string() } else { text };
        all.push_str(&text);
    }
    all
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

fn assert_same_run(reference: &Path, resumed: &Path, kills: Option<usize>) {
    let (a, b) = (manifest(reference), manifest(resumed));
    for stage in ["jsonl", "csv"] {
        let (x, y) = (joined(reference, &a, stage), joined(resumed, &b, stage));
        assert!(!x.is_empty());
        assert!(x == y, "{stage}: the resumed run's documents differ from the uninterrupted run's");
    }
    assert_eq!(
        std::fs::read_to_string(reference.join("errors.jsonl")).unwrap(),
        std::fs::read_to_string(resumed.join("errors.jsonl")).unwrap()
    );
    assert_eq!(a["totals"], b["totals"]);
    assert_eq!(a["files"], b["files"]);
    for (sa, sb) in a["stages"].as_array().unwrap().iter().zip(b["stages"].as_array().unwrap()) {
        for key in ["documents_in", "documents_out", "dropped", "failed"] {
            assert_eq!(sa[key], sb[key], "stage {} {key}", sa["id"]);
        }
        assert_eq!(sa["summary"]["documents"], sb["summary"]["documents"], "stage {}", sa["id"]);
        assert_eq!(sa["summary"]["rows"], sb["summary"]["rows"], "stage {}", sa["id"]);
    }
    if let Some(kills) = kills {
        assert_eq!(b["run"]["attempt"], kills as u64 + 1);
    }
    // Every file the manifest lists is there, and nothing else of the exporters'.
    let listed: Vec<String> = b["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["summary"]["files"].as_array())
        .flatten()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    let mut present: Vec<String> = std::fs::read_dir(resumed)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("docs."))
        .collect();
    present.sort();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(present, listed_sorted, "files in the output folder that the manifest does not list (or the reverse)");
}

#[test]
fn a_run_killed_at_several_points_and_resumed_writes_every_document_once() {
    let p = project();
    let file = p.file();
    let reference = p.dir.path().join("reference");
    let out = moulin(
        &["run", &file.display().to_string(), "--output", &reference.display().to_string(), "--threads", "2"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "some inputs fail: {}", text(&out));
    let total_commits = commits(&reference.join("journal.jsonl"));
    assert!(total_commits >= 30, "a resume point after every file: {total_commits}");

    // One run killed four times: before its first resume point (commit 0 only), early,
    // in the middle, near the end; each kill in a resumed attempt.
    let resumed = p.dir.path().join("resumed");
    let mut kills = 0;
    for at in [1, 4, 14, 27] {
        assert!(run_and_kill(&file, &resumed, at), "the run ended before commit {at}");
        kills += 1;
        assert!(!resumed.join("manifest.json").exists(), "a killed run has no manifest");
    }
    let out =
        moulin(&["run", &file.display().to_string(), "--output", &resumed.display().to_string(), "--resume"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("resumed (attempt {})", kills + 1)),
        "{}",
        text(&out)
    );
    assert_same_run(&reference, &resumed, Some(kills));

    // Resuming a finished run does nothing.
    let before = std::fs::read(resumed.join("journal.jsonl")).unwrap();
    let out =
        moulin(&["run", &file.display().to_string(), "--output", &resumed.display().to_string(), "--resume"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already complete"), "{}", text(&out));
    assert_eq!(std::fs::read(resumed.join("journal.jsonl")).unwrap(), before);
}

#[test]
fn kills_at_random_moments_change_nothing_either() {
    let p = project();
    let file = p.file();
    let reference = p.dir.path().join("reference");
    let out = moulin(&["run", &file.display().to_string(), "--output", &reference.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(1), "the reference run: some inputs fail: {}", text(&out));
    let resumed = p.dir.path().join("resumed");
    // Kills at moments that fall anywhere: while a part is written, while a commit is,
    // between the two. The delays are fixed, the moments they hit are not.
    let mut kills = 0;
    for delay_ms in [37u64, 90, 143, 211] {
        let mut child = Command::new(moulin_exe())
            .args([
                "run",
                &file.display().to_string(),
                "--output",
                &resumed.display().to_string(),
                "--resume",
                "--quiet",
            ])
            .env_remove("MOULIN_PLUGIN_PATH")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    let out =
        moulin(&["run", &file.display().to_string(), "--output", &resumed.display().to_string(), "--resume"], &[]);
    assert!(out.status.code() == Some(1), "{}", text(&out));
    assert!(kills >= 2, "the run ended before most kills: {kills}");
    // A kill before the journal was written makes the next start a new run, so attempts
    // are not counted here.
    assert_same_run(&reference, &resumed, None);
}

#[test]
fn a_journal_of_other_work_is_not_continued() {
    let p = project();
    let file = p.file().display().to_string();
    let out_dir = p.dir.path().join("out").display().to_string();
    assert!(run_and_kill(&p.file(), &p.dir.path().join("out"), 5));
    // The input changed: resuming would mix two corpora.
    p.write("f03.jsonl", "{\"text\": \"autre chose\"}\n");
    let out = moulin(&["run", &file, "--output", &out_dir, "--resume"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the input changed since the journal was started: f03.jsonl was"),
        "{}",
        text(&out)
    );
    // Without --resume, a new run starts over.
    let out = moulin(&["run", &file, "--output", &out_dir], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(manifest(&p.dir.path().join("out"))["run"]["attempt"], 1);
}

/// The last complete commit's `errors_bytes`.
fn committed_errors_bytes(journal: &Path) -> u64 {
    let text = std::fs::read_to_string(journal).unwrap();
    let last = text
        .lines()
        .filter(|l| l.starts_with("{\"commit\":"))
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .next_back()
        .unwrap();
    last["errors_bytes"].as_u64().unwrap()
}

#[test]
fn crashes_at_the_worst_moments_of_a_commit_change_nothing() {
    let p = project();
    let file = p.file().display().to_string();
    let reference = p.dir.path().join("reference");
    let out = moulin(&["run", &file, "--output", &reference.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(1), "the reference run: some inputs fail: {}", text(&out));
    let resumed = p.dir.path().join("resumed");
    let out_dir = resumed.display().to_string();
    // `after-errors`: the errors of the files since the last commit are on disk, the
    // commit is not; `torn-commit`: half of the commit's line is.
    for (point, commit) in [("after-errors", 12), ("torn-commit", 20), ("after-errors", 26)] {
        let crash = format!("{point}:{commit}");
        let out = moulin(&["run", &file, "--output", &out_dir, "--resume", "--quiet"], &[("MOULIN_CRASH_AT", &crash)]);
        assert_eq!(out.status.code(), None, "the run was to crash at {crash}: {}", text(&out));
        let journal = resumed.join("journal.jsonl");
        if point == "after-errors" {
            let on_disk = std::fs::metadata(resumed.join("errors.jsonl")).unwrap().len();
            assert!(
                on_disk > committed_errors_bytes(&journal),
                "at {crash}, errors.jsonl should hold lines the journal does not count"
            );
        } else {
            assert!(
                !std::fs::read(&journal).unwrap().ends_with(b"\n"),
                "at {crash}, the journal should end with a torn line"
            );
        }
    }
    let out = moulin(&["run", &file, "--output", &out_dir, "--resume"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_same_run(&reference, &resumed, Some(3));
}

/// A stage with a pass (`boilerplate` with `repeated`) decides from the whole input: a
/// resumed attempt keeps the pass's result, not running it again, and decides the same.
#[test]
fn a_resumed_run_keeps_its_pass_over_the_whole_input() {
    let toml = format!(
        "[input]\npaths = [\"corpus\"]\n\
         [pipeline]\ncheckpoint_bytes = 0\n\
         [plugins]\npaths = [{}]\n\
         [[stage]]\nid = \"clean\"\nplugin = \"boilerplate\"\nconfig = {{ default_patterns = false, features = false, min_chars = 1, repeated = {{ min_documents = 6 }} }}\n\
         [[stage]]\nid = \"slow\"\nplugin = \"sleepy\"\nconfig = {{ ms = 20 }}\n\
         [[stage]]\nid = \"jsonl\"\nplugin = \"jsonl\"\nconfig = {{ path = \"docs.jsonl\", max_documents_per_file = 5 }}\n",
        toml_path(&lib("test-misbehave"))
    );
    let p = TestProject::new(&toml);
    for site in 0..3 {
        for page in 0..8 {
            let text = format!("Le Journal du site {site} - toutes les infos\nArticle {page} : la mairie vote le budget {page}.\nAbonnez-vous au site {site} pour tout lire\n");
            p.write(&format!("site{site}/page{page}.txt"), text);
        }
    }
    let file = p.file();
    let reference = p.dir.path().join("reference");
    let out = moulin(&["run", &file.display().to_string(), "--output", &reference.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let docs = joined(&reference, &manifest(&reference), "jsonl");
    assert!(
        !docs.contains("toutes les infos") && docs.contains("la mairie vote"),
        "the repeated lines are removed: {docs}"
    );
    let resumed = p.dir.path().join("resumed");
    // Killed with 4 pages left: too few on their own for a line to count as repeated.
    assert!(run_and_kill(&file, &resumed, 21));
    let result = resumed.join("passes/clean/pass-0/merged/result.bin");
    let modified = std::fs::metadata(&result).unwrap().modified().unwrap();
    let out =
        moulin(&["run", &file.display().to_string(), "--output", &resumed.display().to_string(), "--resume"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(joined(&resumed, &manifest(&resumed), "jsonl"), docs);
    assert_eq!(manifest(&resumed)["run"]["attempt"], 2);
    assert_eq!(std::fs::metadata(&result).unwrap().modified().unwrap(), modified, "the pass was not run again");
    let journal = std::fs::read_to_string(resumed.join("journal.jsonl")).unwrap();
    assert_eq!(journal.matches("\"pass_done\"").count(), 1, "{journal}");
}

#[test]
fn a_second_run_in_the_same_folder_is_refused_while_the_first_runs() {
    // Slow enough that the first run outlasts the 2 s the second waits for the lock.
    let p = project_with_delay(150);
    let file = p.file().display().to_string();
    let out = p.dir.path().join("out");
    let mut first = Command::new(moulin_exe())
        .args(["run", &file, "--output", &out.display().to_string(), "--quiet"])
        .env_remove("MOULIN_PLUGIN_PATH")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while commits(&out.join("journal.jsonl")) < 3 {
        assert!(first.try_wait().unwrap().is_none(), "the first run ended early");
        std::thread::sleep(Duration::from_millis(2));
    }
    let second = moulin(&["run", &file, "--output", &out.display().to_string(), "--resume"], &[]);
    let status = moulin(&["status", &out.display().to_string()], &[]);
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(second.status.code(), Some(2), "{}", text(&second));
    assert!(String::from_utf8_lossy(&second.stderr).contains("another moulin run is writing to"), "{}", text(&second));
    let state = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("(one run)").map(|r| r.split_whitespace().next().unwrap_or("").to_string()))
    };
    assert_eq!(state(&status).as_deref(), Some("running"), "{}", text(&status));
    let status = moulin(&["status", &out.display().to_string()], &[]);
    assert_eq!(state(&status).as_deref(), Some("partial"), "{}", text(&status));
    // Once the first is gone, the folder is free.
    let resumed = moulin(&["run", &file, "--output", &out.display().to_string(), "--resume"], &[]);
    assert_eq!(resumed.status.code(), Some(1), "{}", text(&resumed));
}

/// Exporters that write one file each end their stream at a resume point (a gzip member,
/// a zstd frame) and go on in the same file; a resumed run cuts the file back to that point.
/// The files come out byte for byte as an uninterrupted run's.
#[test]
fn single_files_are_continued_and_come_out_the_same_bytes() {
    let single = "[[stage]]\nid = \"jsonl\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl.gz\" }\n\
                  [[stage]]\nid = \"zst\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl.zst\" }\n\
                  [[stage]]\nid = \"csv\"\nplugin = \"csv\"\nconfig = { path = \"docs.csv\", columns = [\"id\", \"text\"] }\n\
                  [[stage]]\nid = \"conll\"\nplugin = \"conll\"\nconfig = { path = \"docs.conll\" }\n";
    let p = project_with(15, single);
    let file = p.file().display().to_string();
    let reference = p.dir.path().join("reference");
    let out = moulin(&["run", &file, "--output", &reference.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let resumed = p.dir.path().join("resumed");
    for at in [3, 11, 24] {
        assert!(run_and_kill(&p.file(), &resumed, at), "the run ended before commit {at}");
    }
    let out = moulin(&["run", &file, "--output", &resumed.display().to_string(), "--resume"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("resumed (attempt 4)"), "{}", text(&out));
    for name in ["docs.jsonl.gz", "docs.jsonl.zst", "docs.csv", "docs.conll", "errors.jsonl"] {
        let (a, b) = (std::fs::read(reference.join(name)).unwrap(), std::fs::read(resumed.join(name)).unwrap());
        assert!(a == b, "{name} differs from the uninterrupted run's ({} and {} bytes)", a.len(), b.len());
    }
    assert_eq!(manifest(&reference)["totals"], manifest(&resumed)["totals"]);
    // The gzip file is one gzip member a resume point: a reader of multi-member gzip reads
    // every document.
    let mut all = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::MultiGzDecoder::new(&std::fs::read(resumed.join("docs.jsonl.gz")).unwrap()[..]),
        &mut all,
    )
    .unwrap();
    assert_eq!(all.lines().count() as u64, manifest(&resumed)["totals"]["exported"].as_u64().unwrap());
}

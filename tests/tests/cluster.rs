//! Sharded runs: `--shard`, `moulin status`, `moulin merge`, `moulin slurm` (the script; the
//! real cluster is scripts/slurm-test.sh).

use moulin_tests::{gzip, moulin, text, TestProject};
use std::path::Path;

/// 23 files of different sizes (one damaged), through normalize and three exporters.
fn project() -> TestProject {
    let p = TestProject::new(
        "[input]\npaths = [\"corpus\"]\n\
         [pipeline]\ncheckpoint_bytes = 0\n\
         [[stage]]\nid = \"normalize\"\nplugin = \"normalize\"\n\
         [[stage]]\nid = \"jsonl\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl.zst\", max_documents_per_file = 40 }\n\
         [[stage]]\nid = \"csv\"\nplugin = \"csv\"\nconfig = { path = \"docs.csv\", max_documents_per_file = 40, columns = [\"id\", \"text\"] }\n\
         [[stage]]\nid = \"parquet\"\nplugin = \"parquet\"\nconfig = { path = \"docs.parquet\", max_documents_per_file = 40 }\n",
    );
    for f in 0..22 {
        let records = 3 + (f * 7) % 30;
        let lines: String = (0..records)
            .map(|r| format!("{{\"id\": \"f{f}-{r}\", \"text\": \"Texte  {r} du fichier {f}\"}}\n"))
            .collect();
        p.write(&format!("d{f:02}/part.jsonl"), lines);
    }
    let mut damaged = gzip(b"{\"text\": \"un\"}\n{\"text\": \"deux\"}\n");
    damaged.truncate(damaged.len() - 6);
    p.write("damaged.jsonl.gz", damaged);
    p
}

/// The `id` column of a Parquet file, read with the parquet crate's Arrow reader.
fn parquet_ids(path: &Path) -> Vec<String> {
    use arrow_array::{cast::AsArray, Array};
    let reader =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
            .unwrap()
            .build()
            .unwrap();
    let mut ids = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        let column = batch.column_by_name("id").unwrap().as_string::<i32>();
        ids.extend((0..column.len()).map(|i| column.value(i).to_string()));
    }
    ids
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn shards_merged_equal_one_run() {
    let p = project();
    let file = p.file().display().to_string();
    let single = p.dir.path().join("single");
    let out = moulin(&["run", &file, "--output", &single.display().to_string(), "--threads", "2"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let not_sharded = moulin(&["merge", &single.display().to_string()], &[]);
    assert!(
        String::from_utf8_lossy(&not_sharded.stderr).contains("holds one run, not shards"),
        "{}",
        text(&not_sharded)
    );

    let sharded = p.dir.path().join("sharded");
    let out_dir = sharded.display().to_string();
    let run = |shard: &str, env: &[(&str, &str)]| {
        let out = moulin(&["run", &file, "--output", &out_dir, "--shard", shard], env);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
        out
    };
    // Three ways to name a shard: I/N, Slurm's variables, a Kubernetes index.
    let out = run("0/3", &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("shard 0/3"), "{}", text(&out));
    run("auto", &[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "3")]);

    // Two of three: status says so and merge refuses.
    let status = moulin(&["status", &out_dir], &[]);
    assert_eq!(status.status.code(), Some(1), "{}", text(&status));
    let shown = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(shown.contains("part-2-of-3        missing"), "{shown}");
    assert!(shown.contains("2 of 3 done"), "{shown}");
    let refused = moulin(&["merge", &out_dir], &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not every shard is done"), "{}", text(&refused));

    run("auto/3", &[("JOB_COMPLETION_INDEX", "2")]);
    let status = moulin(&["status", &out_dir, "--json"], &[]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));
    let shards: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert!(shards.as_array().unwrap().iter().all(|s| s["state"] == "done"), "{shards}");

    // Each shard's files: consecutive ranges of the single run's files, in order, each
    // within the largest file's size of a third of the total.
    let single_manifest = json(&single.join("manifest.json"));
    let single_files: Vec<String> =
        single_manifest["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_string()).collect();
    let mut in_order = Vec::new();
    let mut bytes = Vec::new();
    for i in 0..3 {
        let m = json(&sharded.join(format!("part-{i}-of-3/manifest.json")));
        assert_eq!(m["shard"], serde_json::json!({"index": i, "count": 3}));
        in_order.extend(m["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_string()));
        bytes.push(m["totals"]["input_bytes"].as_u64().unwrap() as i64);
    }
    assert_eq!(in_order, single_files);
    let size = |f: &String| std::fs::metadata(p.dir.path().join("corpus").join(f)).unwrap().len() as i64;
    let largest = single_files.iter().map(size).max().unwrap();
    let total: i64 = bytes.iter().sum();
    assert!(
        bytes.iter().all(|b| (b * 3 - total).abs() <= largest * 3),
        "shards of {bytes:?} bytes, largest file {largest}"
    );

    let out = moulin(&["merge", &out_dir, "--concat"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(said.contains("docs.parquet"), "{said}");
    // The merged run's page, with the single run's totals.
    let page = std::fs::read_to_string(sharded.join("report.html")).unwrap();
    let read = format!("<td class=\"n\">{}</td>", single_manifest["totals"]["documents"]);
    assert!(page.contains("merged from") && page.contains(&read), "{page}");
    // The joined files hold the single run's documents in the single run's order: JSONL
    // lines, CSV rows under one header, Parquet ids; and the same errors.
    let files_of = |stage: &str| -> Vec<std::path::PathBuf> {
        let summary =
            &single_manifest["stages"].as_array().unwrap().iter().find(|s| s["id"] == stage).unwrap()["summary"];
        summary["files"].as_array().unwrap().iter().map(|f| single.join(f.as_str().unwrap())).collect()
    };
    let unzst = |path: &Path| String::from_utf8(zstd::decode_all(&std::fs::read(path).unwrap()[..]).unwrap()).unwrap();
    let single_jsonl: String = files_of("jsonl").iter().map(|f| unzst(f)).collect();
    assert!(unzst(&sharded.join("docs.jsonl.zst")) == single_jsonl, "the joined JSONL is not the single run's");
    let single_csv: String = files_of("csv")
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let text = std::fs::read_to_string(f).unwrap();
            if k == 0 {
                text
            } else {
                text.split_once('\n').unwrap().1.to_string()
            }
        })
        .collect();
    let csv = std::fs::read_to_string(sharded.join("docs.csv")).unwrap();
    assert_eq!(csv.matches("id,text\n").count(), 1, "one header");
    assert!(csv == single_csv, "the joined CSV is not the single run's");
    let single_ids: Vec<String> = files_of("parquet").iter().flat_map(|f| parquet_ids(f)).collect();
    assert_eq!(single_ids.len() as u64, single_manifest["totals"]["exported"].as_u64().unwrap());
    assert_eq!(parquet_ids(&sharded.join("docs.parquet")), single_ids);
    assert_eq!(
        std::fs::read_to_string(sharded.join("errors.jsonl")).unwrap(),
        std::fs::read_to_string(single.join("errors.jsonl")).unwrap()
    );
    let merged = json(&sharded.join("manifest.json"));
    assert_eq!(merged["totals"], single_manifest["totals"]);
    assert_eq!(merged["files"], single_manifest["files"]);
    for (a, b) in merged["stages"].as_array().unwrap().iter().zip(single_manifest["stages"].as_array().unwrap()) {
        assert_eq!(
            (a["id"].clone(), a["documents_in"].clone(), a["documents_out"].clone()),
            (b["id"].clone(), b["documents_in"].clone(), b["documents_out"].clone())
        );
    }
    let parquet = merged["stages"].as_array().unwrap().iter().find(|s| s["id"] == "parquet").unwrap();
    let listed = parquet["summary"]["files"].as_array().unwrap();
    assert!(listed.iter().all(|f| f.as_str().unwrap().starts_with("part-")), "{listed:?}");
    assert!(listed.iter().all(|f| sharded.join(f.as_str().unwrap()).exists()));
    assert_eq!(parquet["summary"]["documents"], single_manifest["totals"]["exported"]);
}

#[test]
fn a_crashed_shard_is_partial_until_resumed() {
    let p = project();
    let file = p.file().display().to_string();
    let out_dir = p.dir.path().join("out").display().to_string();
    let crashed = moulin(
        &["run", &file, "--output", &out_dir, "--shard", "1/2", "--resume"],
        &[("MOULIN_CRASH_AT", "after-errors:4")],
    );
    assert_eq!(crashed.status.code(), None, "{}", text(&crashed));
    let status = moulin(&["status", &out_dir], &[]);
    let shown = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(shown.contains("part-0-of-2        missing"), "{shown}");
    assert!(shown.contains("part-1-of-2        partial"), "{shown}");
    let out = moulin(&["run", &file, "--output", &out_dir, "--shard", "1/2", "--resume"], &[]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("resumed (attempt 2)"), "{}", text(&out));
    let status = moulin(&["status", &out_dir], &[]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("part-1-of-2        done"), "{}", text(&status));
    // A shard of another split in the same folder is refused.
    let out = moulin(&["run", &file, "--output", &out_dir, "--shard", "0/3"], &[]);
    assert!(matches!(out.status.code(), Some(0 | 1)));
    let status = moulin(&["status", &out_dir], &[]);
    assert!(String::from_utf8_lossy(&status.stderr).contains("2 different splits"), "{}", text(&status));
}

#[test]
fn bad_shards_are_refused_before_anything_runs() {
    let p = project();
    let file = p.file().display().to_string();
    for (shard, env, expected) in [
        ("3/3", vec![], "expected a shard index from 0 to count - 1"),
        ("auto", vec![], "neither SLURM_ARRAY_TASK_ID"),
        ("auto", vec![("JOB_COMPLETION_INDEX", "1")], "give the count, --shard auto/N"),
        ("auto/4", vec![("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_COUNT", "1")], "found 4/4"),
        ("x", vec![], "expected I/N"),
    ] {
        let out = moulin(&["run", &file, "--shard", shard], &env);
        assert_eq!(out.status.code(), Some(2), "{shard}: {}", text(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains(expected), "{shard}: {}", text(&out));
    }
    assert!(!p.out("manifest.json").exists());
}

#[test]
fn slurm_writes_an_array_script_that_resumes() {
    let p = project();
    let file = p.file().display().to_string();
    let out_dir = p.dir.path().join("out");
    let out = moulin(
        &[
            "slurm",
            &file,
            "--tasks",
            "6",
            "--partition",
            "short",
            "--time",
            "00:30:00",
            "--cpus-per-task",
            "4",
            "--output",
            &out_dir.display().to_string(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let script = std::fs::read_to_string(out_dir.join("moulin-slurm.sh")).unwrap();
    for expected in [
        "#SBATCH --array=0-5\n",
        "#SBATCH --partition=short\n",
        "#SBATCH --time=00:30:00\n",
        "#SBATCH --cpus-per-task=4\n",
        "--shard auto/6 --resume",
    ] {
        assert!(script.contains(expected), "missing {expected:?} in\n{script}");
    }
    assert!(out_dir.join("slurm").is_dir(), "the log folder exists before submission");
    // The script runs a shard when Slurm's variables are set (here by hand).
    let run = std::process::Command::new("bash")
        .arg(out_dir.join("moulin-slurm.sh"))
        .env("SLURM_ARRAY_TASK_ID", "4")
        .env("SLURM_ARRAY_TASK_COUNT", "6")
        .env("SLURM_CPUS_PER_TASK", "1")
        .env_remove("MOULIN_PLUGIN_PATH")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    assert_eq!(json(&out_dir.join("part-4-of-6/manifest.json"))["run"]["status"], "ok");
    // A project with a problem is not written out.
    let bad = TestProject::new("[input]\npaths = [\"corpus\"]\n[[stage]]\nid = \"x\"\nplugin = \"nope\"\n");
    let out = moulin(&["slurm", &bad.file().display().to_string(), "--tasks", "2"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn an_output_folder_inside_the_input_is_never_read() {
    // Six files in corpus/, the output in corpus/out: shard 1 runs after shard 0 has written
    // its journal, errors and documents there; neither may read them, nor the merge.
    let p = TestProject::new(
        "[project]\noutput = \"corpus/out\"\n[input]\npaths = [\"corpus\"]\n\
         [[stage]]\nid = \"jsonl\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n",
    );
    for f in 0..6 {
        let lines: String = (0..10).map(|r| format!("{{\"text\": \"document {r} of file {f}\"}}\n")).collect();
        p.write(&format!("f{f}.jsonl"), lines);
    }
    let file = p.file().display().to_string();
    for shard in ["0/2", "1/2"] {
        let out = moulin(&["run", &file, "--shard", shard], &[]);
        assert_eq!(out.status.code(), Some(0), "{shard}: {}", text(&out));
    }
    let out_dir = p.dir.path().join("corpus/out");
    let out = moulin(&["merge", &out_dir.display().to_string(), "--concat"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let merged = json(&out_dir.join("manifest.json"));
    assert_eq!(merged["totals"]["files"], 6, "{merged:#}");
    assert_eq!(merged["totals"]["documents"], 60);
    assert_eq!(std::fs::read_to_string(out_dir.join("docs.jsonl")).unwrap().lines().count(), 60);
    // The same with `paths = ["."]` and the output beside the project file, run twice (the
    // second run finds the first one's output).
    let p = TestProject::new(
        "[project]\noutput = \"out\"\n[input]\npaths = [\".\"]\ninclude = [\"**/*.jsonl\"]\n\
         [[stage]]\nid = \"jsonl\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n",
    );
    p.write("a.jsonl", "{\"text\": \"un\"}\n{\"text\": \"deux\"}\n");
    for _ in 0..2 {
        let out = moulin(&["run", &p.file().display().to_string()], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let manifest = json(&p.dir.path().join("out/manifest.json"));
        assert_eq!(manifest["totals"]["files"], 1, "{manifest:#}");
        assert_eq!(manifest["totals"]["documents"], 2);
    }
}

//! The `moulin` command: check, plugins, exit statuses, the plugin log bridge.

use moulin_tests::{lib, moulin, text, toml_path, TestProject};

#[test]
fn check_reports_every_problem_with_file_line_and_key() {
    let p = TestProject::new(
        "[project]\nname = \"bad\"\ncolour = \"blue\"\n\
         [input]\npaths = [\"corpus\"]\n\
         [[stage]]\nid = \"clean\"\nplugin = \"normalise\"\n\
         [[stage]]\nid = \"n2\"\nplugin = \"normalize\"\nconfig = { form = \"nfd\" }\n\
         [[stage]]\nid = \"n3\"\nplugin = \"normalize\"\n[stage.config]\nmax_blank_lines = \"two\"\n\
         [[stage]]\nid = \"export\"\nplugin = \"jsonl\"\n[stage.config]\npath = \"x.jsonl\"\ncompress = true\n",
    );
    let file = p.file().display().to_string();
    let out = moulin(&["check", &file], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        format!("{file}:3: project.colour: unknown field `colour`"),
        format!("{file}:8: stage[0].plugin: unknown plugin stage `normalise`; did you mean `normalize`?"),
        format!("{file}:12: stage[1].config.form: unknown variant `nfd`"),
        format!("{file}:17: stage[2].config.max_blank_lines: invalid type: string \"two\", expected usize"),
        format!("{file}:23: stage[3].config.compress: unknown field `compress`"),
    ] {
        assert!(stderr.contains(&expected), "missing `{expected}`:\n{}", text(&out));
    }
    assert!(stderr.contains("5 problem(s)"), "{}", text(&out));
    // Nothing was written.
    assert!(!p.out("manifest.json").exists());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ok   plugin moulin-normalize"), "{}", text(&out));
    assert!(stdout.contains("FAIL stage  clean (normalise)"), "{}", text(&out));
}

#[test]
fn check_makes_each_stage_so_that_a_missing_file_is_found_before_the_run() {
    let p = TestProject::new(
        "[input]\npaths = [\"corpus\"]\n\
         [[stage]]\nid = \"clean\"\nplugin = \"boilerplate\"\nconfig = { patterns_file = \"chrome.txt\" }\n\
         [[stage]]\nid = \"export\"\nplugin = \"jsonl\"\nconfig = { path = \"d.jsonl\" }\n",
    );
    let file = p.file().display().to_string();
    let out = moulin(&["check", &file], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let expected =
        format!("{file}:6: stage[0].config.patterns_file: cannot read {}", p.dir.path().join("chrome.txt").display());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&expected), "missing `{expected}`:\n{}", text(&out));
    // With the file there (relative to the project file), the project checks.
    std::fs::write(p.dir.path().join("chrome.txt"), "^Publicité$\n").unwrap();
    let out = moulin(&["check", &file], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn exit_statuses_tell_clean_runs_from_failures_and_config_errors() {
    let good = "[input]\npaths = [\"corpus\"]\n[[stage]]\nid = \"n\"\nplugin = \"normalize\"\n\
                [[stage]]\nid = \"e\"\nplugin = \"jsonl\"\nconfig = { path = \"d.jsonl\" }\n";
    let p = TestProject::new(good);
    p.write("a.txt", "bonjour");
    let file = p.file().display().to_string();
    let out = moulin(&["run", &file], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 files (0 failed), 1 documents: 1 exported, 0 dropped, 0 failed"), "{}", text(&out));

    p.write("b.jsonl", "{\"text\": \"ok\"}\n{broken\n");
    let out = moulin(&["run", &file], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("failures are listed in"), "{}", text(&out));

    let out_dir = p.dir.path().join("elsewhere");
    let out = moulin(&["run", &file, "--output", &out_dir.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(out_dir.join("d.jsonl").exists() && out_dir.join("manifest.json").exists());

    std::fs::write(p.file(), good.replace("normalize", "normalise")).unwrap();
    let out = moulin(&["run", &file], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn plugin_tracing_events_reach_the_host_under_plugin_name() {
    let p = TestProject::new(&format!(
        "[input]\npaths = [\"corpus\"]\n[plugins]\npaths = [{}]\n[[stage]]\nid = \"p\"\nplugin = \"panicky\"\n\
         [[stage]]\nid = \"e\"\nplugin = \"jsonl\"\nconfig = {{ path = \"d.jsonl\" }}\n",
        toml_path(&lib("test-misbehave"))
    ));
    p.write("a.txt", "bonjour");
    let file = p.file().display().to_string();
    let out = moulin(&["run", &file], &[("RUST_LOG", "plugin::test-misbehave=info")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("panicky saw a batch"))
        .unwrap_or_else(|| panic!("no plugin event:\n{}", text(&out)));
    assert!(line.contains("INFO") && line.contains("plugin::test-misbehave"), "{line}");
    assert!(line.contains("documents=1"), "{line}");
    // Filtered out when the host does not ask for it.
    let out = moulin(&["run", &file], &[("RUST_LOG", "warn")]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicky saw a batch"), "{}", text(&out));
}

#[test]
fn plugins_lists_libraries_and_stages() {
    let out = moulin(&["plugins"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("moulin-normalize 0.1.0 (ABI {}", moulin::ABI_VERSION)), "{stdout}");
    assert!(stdout.lines().any(|l| l.trim_start().starts_with("jsonl") && l.contains("export")), "{stdout}");
    let out = moulin(&["plugins", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> =
        v["libraries"].as_array().unwrap().iter().map(|l| l["manifest"]["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"moulin-normalize") && names.contains(&"moulin-jsonl"), "{names:?}");
}

#[test]
fn plugins_are_found_on_moulin_plugin_path() {
    let dir = tempfile::tempdir().unwrap();
    // A folder on the path is searched for libmoulin_* libraries only.
    std::fs::copy(lib("test-misbehave"), dir.path().join(moulin_tests::lib_file_name("moulin-misbehave"))).unwrap();
    std::fs::copy(lib("test-not-a-plugin"), dir.path().join("libnot_a_plugin_and_not_named_like_one.so")).unwrap();
    let path = dir.path().display().to_string();
    let out = moulin(&["plugins"], &[("MOULIN_PLUGIN_PATH", &path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with(&format!("plugin path: {path}, ")), "{stdout}");
    assert!(stdout.contains("test-misbehave 0.1.0") && stdout.contains("panicky"), "{stdout}");
}

#[test]
fn help_names_every_command() {
    let out = moulin(&["--help"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The command names in the `Commands:` section: the first word of each line indented by
    // two spaces, up to the next section.
    let section = stdout.split("Commands:\n").nth(1).and_then(|s| s.split("\n\n").next()).unwrap_or_default();
    let commands: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(commands, ["run", "status", "report", "merge", "slurm", "check", "plugins", "help"], "{stdout}");
    assert!(stdout.contains("Exit status: 0 clean run"), "{stdout}");
    // Each command has help of its own.
    for cmd in &commands[..commands.len() - 1] {
        let out = moulin(&[cmd, "--help"], &[]);
        assert_eq!(out.status.code(), Some(0), "{cmd}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("Usage: moulin {cmd}")),
            "{cmd}: {}",
            text(&out)
        );
    }
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    // `moulin plugins | head -0`: the reader is gone before moulin writes.
    let mut child = std::process::Command::new(moulin_tests::moulin_exe())
        .arg("plugins")
        .env_remove("MOULIN_PLUGIN_PATH")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}

/// A running run rewrites `stats.json` (counts so far, per stage), and `moulin status`
/// shows them while it runs; at its end the file holds the run's final counts, those of
/// the manifest.
#[test]
fn status_shows_a_running_runs_counts_per_stage() {
    let toml = format!(
        "[input]\npaths = [\"corpus\"]\n[pipeline]\nbatch_documents = 2\nstats_seconds = 0\n[plugins]\npaths = [{}]\n\
         [[stage]]\nid = \"slow\"\nplugin = \"sleepy\"\nconfig = {{ ms = 60 }}\n\
         [[stage]]\nid = \"misbehave\"\nplugin = \"panicky\"\n\
         [[stage]]\nid = \"e\"\nplugin = \"jsonl\"\nconfig = {{ path = \"d.jsonl\" }}\n",
        toml_path(&lib("test-misbehave"))
    );
    let p = TestProject::new(&toml);
    let lines: String =
        (0..40).map(|i| format!("{{\"text\": \"{} {i}\"}}\n", if i % 4 == 0 { "DROP" } else { "ok" })).collect();
    p.write("a.jsonl", lines);
    let mut child = moulin_tests::moulin_command(&["run", &p.file().display().to_string(), "--quiet"], &[])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let out = p.out("");
    let mut seen = None;
    let started = std::time::Instant::now();
    while seen.is_none() && started.elapsed() < std::time::Duration::from_secs(60) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let status = moulin(&["status", &out.display().to_string()], &[]);
        let said = text(&status);
        if said.contains("running") && said.contains("stages: slow ") {
            seen = Some(said);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let said = seen.expect("status showed the running run's stage counts");
    assert!(said.contains("misbehave ") && said.contains("| e "), "{said}");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("stats.json")).unwrap()).unwrap();
    let manifest = moulin_tests::manifest_of(&out);
    assert_eq!(stats["finished"], true);
    assert_eq!(stats["totals"]["documents"], 40);
    for (live, last) in stats["stages"].as_array().unwrap().iter().zip(manifest["stages"].as_array().unwrap()) {
        assert_eq!(live["id"], last["id"]);
        assert_eq!((&live["documents_in"], &live["documents_out"]), (&last["documents_in"], &last["documents_out"]));
    }
    assert_eq!(
        stats["stages"][1]["dropped"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum::<u64>(),
        10
    );
}

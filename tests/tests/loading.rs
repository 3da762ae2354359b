//! Loading plugin libraries: two real ones side by side, and every load problem through a
//! deliberately broken library (tests/plugins/).

use moulin::{plugins::load_library, LoadProblem, Registry};
use moulin_tests::{abi_copy, build_out_of_tree, lib, lib_file_name, moulin, text, toml_path, TestProject};
use std::path::PathBuf;

#[test]
fn two_libraries_load_side_by_side_and_stay_distinct() {
    // Regression test for abi_stable issue #92: the cached loader hands the first module
    // back for the second library.
    let (registry, errors) = Registry::discover(&[lib("moulin-normalize"), lib("moulin-jsonl")]);
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<&str> = registry.libraries().iter().map(|l| l.manifest.name.as_str()).collect();
    assert_eq!(names, ["moulin-normalize", "moulin-jsonl"]);
    let (normalize, _) = registry.stage("normalize").unwrap();
    let (jsonl, m) = registry.stage("jsonl").unwrap();
    assert_eq!(normalize.manifest.name, "moulin-normalize");
    assert_eq!(jsonl.manifest.name, "moulin-jsonl");
    assert_eq!(m.kind, moulin::StageKind::Export);
    // Each answers for its own stage only.
    assert!(normalize.check_config("normalize", "{}").is_ok());
    let e = normalize.check_config("jsonl", "{}").unwrap_err();
    assert!(e.message.contains("has no stage `jsonl`"), "{}", e.message);
    assert!(jsonl.sha256().is_some_and(|h| h.len() == 64));
}

#[test]
fn the_same_file_twice_loads_once() {
    let (registry, errors) = Registry::discover(&[lib("moulin-normalize"), lib("moulin-normalize")]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(registry.libraries().len(), 1);
}

fn problem_of(path: &std::path::Path) -> (LoadProblem, String) {
    let e = load_library(path).expect_err("the library must be refused");
    let shown = e.to_string();
    assert!(shown.starts_with(&path.display().to_string()), "the message names the path: {shown}");
    assert!(shown.contains("expected:") && shown.contains("found:"), "{shown}");
    assert!(shown.lines().count() <= 8, "a few lines, not abi_stable's dump: {shown}");
    (e.problem, shown)
}

#[test]
fn missing_file() {
    let (p, shown) = problem_of(&PathBuf::from("/nonexistent/libmoulin_gone.so"));
    assert_eq!(p, LoadProblem::Missing);
    assert!(shown.contains("missing plugin library"), "{shown}");
}

#[test]
fn not_a_shared_library() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join(lib_file_name("moulin-junk"));
    std::fs::write(&junk, b"\x7fELF but not really").unwrap();
    let (p, shown) = problem_of(&junk);
    assert!(matches!(p, LoadProblem::NotALibrary { .. }), "{shown}");
}

#[test]
fn not_a_moulin_plugin() {
    let (p, shown) = problem_of(&lib("test-not-a-plugin"));
    assert_eq!(p, LoadProblem::NotAPlugin);
    assert!(shown.contains("not a moulin plugin"), "{shown}");
}

#[test]
fn constructor_error() {
    let (p, shown) = problem_of(&lib("test-init-error"));
    assert!(
        matches!(&p, LoadProblem::ConstructorError { message } if message.contains("cannot open model file")),
        "{shown}"
    );
}

#[test]
fn constructor_panic() {
    let (p, shown) = problem_of(&lib("test-init-panic"));
    assert_eq!(p, LoadProblem::ConstructorPanic, "{shown}");
}

#[test]
fn panic_abort_is_refused() {
    let path = build_out_of_tree("tests/plugins/panic-abort");
    let (p, shown) = problem_of(&path);
    assert_eq!(p, LoadProblem::PanicAbort, "{shown}");
    assert!(shown.contains("panic = \"abort\""), "{shown}");
}

#[test]
fn another_abi_version_is_refused() {
    abi_copy("moulin-abi-next", "2.0.0");
    let path = build_out_of_tree("tests/plugins/abi-next");
    let (p, shown) = problem_of(&path);
    assert_eq!(p, LoadProblem::AbiVersion { found: "2.0.0".into() }, "{shown}");
    assert!(shown.contains(&format!("built for ABI 2.0.0, this host loads ABI {}", moulin::ABI_VERSION)), "{shown}");
}

#[test]
fn a_layout_change_without_a_version_bump_is_refused() {
    let path = build_out_of_tree("tests/plugins/abi-layout");
    let (p, shown) = problem_of(&path);
    assert!(matches!(&p, LoadProblem::Layout { summary } if summary.contains("Error:")), "{shown}");
}

#[test]
fn two_libraries_with_one_stage_name_are_reported_naming_both() {
    let first = lib("moulin-normalize");
    let second = lib("test-dup-normalize");
    let (registry, errors) = Registry::discover(&[first.clone(), second.clone()]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    // The error is the library found second, and says to rename its stage.
    assert_eq!(errors[0].path, second);
    let shown = errors[0].to_string();
    assert!(shown.starts_with(&second.display().to_string()), "{shown}");
    assert!(
        shown.contains(&first.display().to_string()) && shown.contains("rename the stage in this library"),
        "{shown}"
    );
    assert!(matches!(&errors[0].problem, LoadProblem::DuplicateStage { stage, .. } if stage == "normalize"));
    // Both libraries load; the name stays the first one's, and is marked.
    assert_eq!(registry.libraries().len(), 2);
    assert_eq!(registry.stage("normalize").unwrap().0.path.as_deref(), Some(first.as_path()));
    assert!(registry.collision("normalize").is_some());
}

#[test]
fn a_stage_name_collision_blocks_only_projects_that_use_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(lib("test-dup-normalize"), dir.path().join(lib_file_name("moulin-dup"))).unwrap();
    let project = |stage: &str| {
        let p = TestProject::new(&format!(
            "[input]\npaths = [\"corpus\"]\n[plugins]\npaths = [{}]\n[[stage]]\nid = \"s\"\nplugin = \"{stage}\"\n\
             [[stage]]\nid = \"e\"\nplugin = \"jsonl\"\nconfig = {{ path = \"d.jsonl\" }}\n",
            toml_path(dir.path())
        ));
        p.write("a.txt", "bonjour");
        p
    };
    // The project's folder comes first on the plugin path, so the copy is found before the
    // built-in normalize beside the moulin binary; the error names the copy all the same,
    // since the built-in one cannot be renamed.
    let p = project("normalize");
    let out = moulin(&["run", &p.file().display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let copy = dir.path().join(lib_file_name("moulin-dup")).display().to_string();
    assert!(stderr.contains(&format!("{copy}: stage `normalize` is offered twice")), "{}", text(&out));
    assert!(stderr.contains("rename the stage in this library"), "{}", text(&out));
    // A project that does not name `normalize` runs.
    let p = project("boilerplate");
    let out = moulin(&["run", &p.file().display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn every_problem_of_a_plugin_folder_is_reported_together() {
    // A plugin folder holding two good libraries and four broken ones, all named like
    // plugins: the good ones load, and each broken one is reported.
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("moulin-normalize", "moulin-normalize"),
        ("moulin-jsonl", "moulin-jsonl"),
        ("test-not-a-plugin", "moulin-a"),
        ("test-init-error", "moulin-b"),
        ("test-init-panic", "moulin-c"),
        ("test-dup-normalize", "moulin-d"),
    ] {
        std::fs::copy(lib(from), dir.path().join(lib_file_name(to))).unwrap();
    }
    std::fs::write(dir.path().join(lib_file_name("moulin-e")), b"junk").unwrap();
    let (registry, errors) = Registry::discover(&[dir.path().to_path_buf()]);
    // The library whose stage name is taken loads too (its name collision is one of the errors).
    assert_eq!(registry.libraries().len(), 3);
    assert_eq!(errors.len(), 5, "{errors:#?}");

    let dir_arg = dir.path().display().to_string();
    let out = moulin(&["plugins", "--path", &dir_arg], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for what in [
        "not a moulin plugin",
        "failed to initialise",
        "panicked while initialising",
        "is offered twice",
        "not a shared library",
    ] {
        assert!(stderr.contains(what), "`{what}` missing:\n{}", text(&out));
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("moulin-jsonl"), "{}", text(&out));
}

//! The engine's layout, as docs/architecture.md draws it: a module per hop of a document's
//! way, no cycle between hops, and functions that read in about a screen.

use moulin_tests::root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The hop a file of `core/moulin/src` belongs to: its first component (`run/ledger.rs` is
/// in `run`, `engine.rs` is `engine`); `lib.rs` is none.
fn hop_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
    (first != "lib").then_some(first)
}

/// The hop each name `lib.rs` re-exports comes from (`Error` from `error`).
fn reexports(src: &Path) -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let mut names = BTreeMap::new();
    for item in lib.split("pub use ").skip(1) {
        let item = &item[..item.find(';').unwrap()];
        let Some((hop, rest)) = item.split_once("::") else { continue };
        let rest = rest.trim_start_matches('{').trim_end_matches('}');
        for name in rest.split(',').map(|n| n.rsplit("::").next().unwrap().trim()).filter(|n| !n.is_empty()) {
            names.insert(name.to_string(), hop.to_string());
        }
    }
    names
}

/// Which hops each hop uses (`crate::<hop>`, or a name `lib.rs` re-exports from one,
/// anywhere in its files, outside tests).
fn uses(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = rust_files(src);
    let hops: BTreeSet<String> = files.iter().filter_map(|f| hop_of(src, f)).collect();
    let reexported = reexports(src);
    assert_eq!(reexported.get("Error").map(String::as_str), Some("error"));
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(hop) = hop_of(src, file) else { continue };
        let text = std::fs::read_to_string(file).unwrap();
        // Unit tests may reach anywhere.
        let code = text.split("#[cfg(test)]").next().unwrap();
        let entry = graph.entry(hop.clone()).or_default();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + 7..];
            let word =
                |s: &str| -> String { s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect() };
            // `crate::{a::X, Y}` names several.
            let names: Vec<String> = match rest.strip_prefix('{') {
                Some(group) => group[..group.find('}').unwrap()].split(',').map(|n| word(n.trim())).collect(),
                None => vec![word(rest)],
            };
            for name in names {
                let name = reexported.get(&name).cloned().unwrap_or(name);
                if hops.contains(&name) && name != hop {
                    entry.insert(name);
                }
            }
        }
    }
    graph
}

/// A cycle in `graph`, if there is one, as the hops along it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_hop_of_the_engine_uses_one_that_uses_it() {
    let graph = uses(&root().join("core/moulin/src"));
    assert!(graph.len() > 10, "{graph:?}");
    assert_eq!(find_cycle(&graph), None, "{graph:#?}");
    // The way a document goes: nothing early in it knows what comes later.
    let way = [
        ("corpus", "config"),
        ("corpus", "batch"),
        ("batch", "stages"),
        ("stages", "reorder"),
        ("stages", "export"),
        ("export", "run"),
        ("reorder", "run"),
        ("engine", "run"),
    ];
    for (early, late) in way {
        assert!(!graph[early].contains(late), "`{early}` uses `{late}`: {graph:#?}");
    }
}

#[test]
fn the_cycle_finder_finds_one() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), ["b".to_string()].into()),
        ("b".to_string(), ["c".to_string()].into()),
        ("c".to_string(), ["a".to_string()].into()),
    ]
    .into();
    assert_eq!(find_cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}

/// Functions of more than `max` lines in the files under `dir` (rustfmt's layout: a body
/// ends at the first line that closes it at the `fn`'s indentation).
fn long_functions(dir: &Path, max: usize) -> Vec<String> {
    let mut long = Vec::new();
    for file in rust_files(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let is_fn = ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn "].iter().any(|p| trimmed.starts_with(p));
            if !is_fn {
                continue;
            }
            let indent = &line[..line.len() - trimmed.len()];
            let close = format!("{indent}}}");
            // A declaration without a body ends with `;` before any `{`.
            let Some(open) = lines[i..].iter().position(|l| l.contains('{') || l.trim_end().ends_with(';')) else {
                continue;
            };
            if !lines[i + open].contains('{') {
                continue;
            }
            if let Some(end) = lines[i..].iter().position(|l| *l == close) {
                if end + 1 > max {
                    long.push(format!("{}:{}: {} lines", file.display(), i + 1, end + 1));
                }
            }
        }
    }
    long
}

#[test]
fn no_function_of_core_is_over_a_hundred_lines() {
    let long = long_functions(&root().join("core"), 100);
    assert!(long.is_empty(), "{long:#?}");
    // And the check sees long ones: a test module of this workspace has some.
    assert!(!long_functions(&root().join("tests/tests"), 60).is_empty());
}

//! The text cleaners together on the hand-labelled seeds: `boilerplate` and `normalize` give
//! the same text in either order, and the seed checks hold in both.

use moulin_tests::{moulin, root, text, toml_path, TestProject};
use std::collections::BTreeMap;

/// The seeds' labels: seed file name -> (article lines, chrome lines), white space collapsed.
fn labels() -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("tests/data/cleaners/seeds")).unwrap() {
        let path = entry.unwrap().path();
        let rows = std::fs::read_to_string(&path).unwrap();
        let (mut keep, mut drop) = (Vec::new(), Vec::new());
        for row in rows.lines() {
            match row.split_at(2) {
                ("+ ", line) => keep.push(collapse(line)),
                ("- ", line) => drop.push(collapse(line)),
                _ => panic!("{}: a row starts with neither '+ ' nor '- ': {row:?}", path.display()),
            }
        }
        out.insert(path.file_stem().unwrap().to_string_lossy().into_owned() + ".txt", (keep, drop));
    }
    assert_eq!(out.len(), 5);
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Run the seeds through `stages` (TOML tables) and a JSONL export: each seed's non-blank
/// lines, white space collapsed.
fn run(stages: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut toml = format!(
        "[input]\npaths = [{}]\ninclude = [\"*.txt\"]\n",
        toml_path(&root().join("examples/french-news/corpus"))
    );
    for stage in stages {
        toml.push_str(&format!("[[stage]]\n{stage}\n"));
    }
    toml.push_str("[[stage]]\nid = \"export\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n");
    let project = TestProject::new(&toml);
    let out_dir = project.dir.path().join("out");
    let out = moulin(&["run", &project.file().display().to_string(), "--output", &out_dir.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(0), "{toml}\n{}", text(&out));
    project
        .read_out("docs.jsonl")
        .lines()
        .map(|l| {
            let doc: serde_json::Value = serde_json::from_str(l).unwrap();
            let lines = doc["text"].as_str().unwrap().lines().map(collapse).filter(|l| !l.is_empty()).collect();
            (doc["id"].as_str().unwrap().to_string(), lines)
        })
        .collect()
}

/// Both orders of `boilerplate` (with `config`) and `normalize`: they give the same lines.
fn both_orders(config: &str) -> BTreeMap<String, Vec<String>> {
    let boilerplate = format!("id = \"clean\"\nplugin = \"boilerplate\"\nconfig = {{ {config} }}");
    let normalize =
        "id = \"normalize\"\nplugin = \"normalize\"\nconfig = { form = \"nfc\", max_blank_lines = 1 }".to_string();
    let first = run(&[boilerplate.clone(), normalize.clone()]);
    let second = run(&[normalize, boilerplate]);
    assert_eq!(first.len(), 5);
    for (id, lines) in &first {
        assert_eq!(Some(lines), second.get(id), "{id}: boilerplate then normalize, or normalize then boilerplate");
    }
    first
}

#[test]
fn boilerplate_and_normalize_in_either_order_give_the_same_text_and_the_seed_checks_hold() {
    let patterns = toml_path(&root().join("examples/french-news/boilerplate_patterns.txt"));
    let example = both_orders(&format!("patterns_file = {patterns}, repeated = {{ min_documents = 2 }}"));
    let labels = labels();
    for (id, (keep, drop)) in &labels {
        let kept = &example[id];
        for line in keep {
            assert!(kept.contains(line), "{id}: lost the article line {line:?}");
        }
        for line in drop {
            // 003's image caption, right before the title, is kept as its heading
            // (docs/quality.md).
            if line != "officier us" {
                assert!(!kept.contains(line), "{id}: kept the chrome line {line:?}");
            }
        }
    }
    // What the issue names, by name: the tickers (the first line of 000 and 004), the
    // notices, the donation appeal and the site slogan.
    let all: Vec<&String> = example.values().flatten().collect();
    for chrome in ["Merci d'avoir signalé", "Cliquez ici", "Soutenez les médias indépendants", "sans buzz"] {
        assert!(all.iter().all(|l| !l.contains(chrome)), "kept {chrome:?}");
    }
    for ticker in ["000_e20cc4c3dfddd3e5.txt", "004_44ab304c9ef608ca.txt"] {
        let first_labelled = &labels[ticker].1[0];
        assert!(first_labelled.len() > 3000, "{ticker}: the ticker is its first line");
        assert!(!example[ticker].contains(first_labelled), "{ticker}: kept its ticker");
    }
    // The defaults alone, without the example's pattern file: same in both orders, and the
    // tickers go.
    let defaults = both_orders("");
    for ticker in ["000_e20cc4c3dfddd3e5.txt", "004_44ab304c9ef608ca.txt"] {
        assert!(!defaults[ticker].contains(&labels[ticker].1[0]), "{ticker}: kept its ticker");
    }
}

//! The quality stages in a run: their libraries load from the plugin path, the host counts
//! each drop reason in manifest.json and prints it, C4's text is what is exported, and the
//! french-news example's articles survive the filters it runs.

use moulin_tests::{moulin, root, text, TestProject};
use serde_json::Value;
use std::collections::BTreeMap;

#[test]
fn drop_reasons_are_counted_per_stage_in_the_manifest() {
    let p = TestProject::new(
        "[input]\npaths = [\"corpus\"]\n\
         [[stage]]\nid = \"gopher\"\nplugin = \"gopher_quality\"\n\
         [[stage]]\nid = \"c4\"\nplugin = \"c4_quality\"\n\
         [[stage]]\nid = \"export\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n",
    );
    let article = "The committee said that the plan would have to be changed with care before the vote. ".repeat(6);
    let c4_article = format!("Menu Home Contact\n{}", article.replace(". ", ".\n"));
    let docs = [
        ("short", "A few words only.".to_string()),
        ("short2", "Two short words.".to_string()),
        ("hashes", format!("{}{article}", "#news ".repeat(60))),
        ("nostop", "Cats sleep often while dogs bark loudly in gardens near houses. ".repeat(6)),
        ("kept", c4_article),
        ("lorem", format!("{article}\nLorem ipsum dolor sit amet.")),
    ];
    let lines: String =
        docs.iter().map(|(id, t)| serde_json::json!({ "id": id, "text": t }).to_string() + "\n").collect();
    p.write("docs.jsonl", lines);
    let out = moulin(&["run", p.file().to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("dropped 2: gopher_short_doc"), "{stdout}");

    let manifest: Value = serde_json::from_str(&p.read_out("manifest.json")).unwrap();
    let dropped = |stage: &str| -> BTreeMap<String, u64> {
        let s = manifest["stages"].as_array().unwrap().iter().find(|s| s["id"] == stage).unwrap();
        serde_json::from_value(s["dropped"].clone()).unwrap()
    };
    let expected: BTreeMap<String, u64> =
        [("gopher_short_doc", 2), ("gopher_too_many_hashes", 1), ("gopher_enough_stop_words", 1)]
            .map(|(k, v)| (k.into(), v))
            .into();
    assert_eq!(dropped("gopher"), expected);
    assert_eq!(dropped("c4"), [("lorem_ipsum".to_string(), 1)].into());
    assert_eq!(manifest["totals"]["exported"], 1);

    // C4 took out the menu line; what it kept is what was exported.
    let exported: Value = serde_json::from_str(p.read_out("docs.jsonl").lines().next().unwrap()).unwrap();
    // Ids come from the reader: the file and the record number.
    assert_eq!(exported["id"], "docs.jsonl#5");
    assert!(!exported["text"].as_str().unwrap().contains("Menu"));
    assert!(exported["text"].as_str().unwrap().starts_with("The committee said"));
}

#[test]
fn the_french_news_articles_survive_the_filters_of_the_example() {
    let project = root().join("examples/french-news/moulin.toml");
    let toml = std::fs::read_to_string(&project).unwrap();
    for stage in ["gopher_quality", "gopher_repetition", "fineweb_quality"] {
        assert!(toml.contains(&format!("plugin = \"{stage}\"")), "the example runs {stage}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = moulin(&["run", project.to_str().unwrap(), "--quiet", "--output", dir.path().to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["totals"]["documents"], 5);
    assert_eq!(manifest["totals"]["exported"], 5, "{manifest:#}");
    for s in manifest["stages"].as_array().unwrap() {
        if s["plugin"].as_str().unwrap().contains("quality") || s["plugin"] == "gopher_repetition" {
            assert_eq!(s["documents_in"], 5, "{s}");
            assert_eq!(s["documents_out"], 5, "{s}");
        }
    }
}

//! The quality stages as the host runs them: every reason on a document made to reach it
//! (tests/data/cases.jsonl, whose expectations `parity/datatrove_cases.py` checks against
//! datatrove itself in CI), the stats in meta, the text and spans C4 leaves, settings.

use moulin_plugin::testkit::{check_config, docs, Harness};
use moulin_plugin::{Document, Span, Stage};
use moulin_quality::{C4QualityFilter, FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter};
use proptest::prelude::*;
use serde_json::{json, Value};

fn harness(stage: &str, config: Value) -> Harness {
    match stage {
        GopherQualityFilter::NAME => Harness::new::<GopherQualityFilter>(config),
        GopherRepetitionFilter::NAME => Harness::new::<GopherRepetitionFilter>(config),
        C4QualityFilter::NAME => Harness::new::<C4QualityFilter>(config),
        FineWebQualityFilter::NAME => Harness::new::<FineWebQualityFilter>(config),
        other => panic!("no stage {other}"),
    }
    .unwrap_or_else(|e| panic!("{stage}: {e}"))
}

/// What a stage decides on one document: `None` kept, `Some(reason)` dropped.
fn decide(stage: &str, config: Value, doc: Document) -> Option<String> {
    let out = harness(stage, config).process(vec![doc]).expect("process");
    assert!(out.failed.is_empty(), "{stage} failed: {:?}", out.failed);
    out.dropped.first().map(|d| d.drop_reason().unwrap_or_default().to_string())
}

#[test]
fn every_case_is_decided_as_datatrove_decides_it() {
    let cases = include_str!("data/cases.jsonl");
    let mut reasons = std::collections::BTreeSet::new();
    for line in cases.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let (stage, name) = (case["stage"].as_str().unwrap(), case["name"].as_str().unwrap());
        let got = decide(stage, case["config"].clone(), Document::new(name, case["text"].as_str().unwrap()));
        assert_eq!(got.as_deref(), case["expect"].as_str(), "{stage} / {name}");
        reasons.extend(got);
    }
    // Every reason of the four stages is reached by some case.
    for reason in [
        "gopher_short_doc",
        "gopher_long_doc",
        "gopher_below_avg_threshold",
        "gopher_above_avg_threshold",
        "gopher_too_many_hashes",
        "gopher_too_many_ellipsis",
        "gopher_too_many_bullets",
        "gopher_too_many_end_ellipsis",
        "gopher_below_alpha_threshold",
        "gopher_enough_stop_words",
        "empty",
        "dup_para_frac",
        "dup_para_char_frac",
        "dup_line_frac",
        "top_2_gram",
        "duplicated_5_n_grams",
        "lorem_ipsum",
        "curly_bracket",
        "too_few_sentences",
        "document_removed_with_badwords",
        "line_punct_ratio",
        "short_line_ratio",
        "char_dup_ratio",
        "list_ratio",
    ] {
        assert!(reasons.contains(reason), "no case reaches {reason}");
    }
}

#[test]
fn stats_are_written_to_meta_when_asked() {
    let text = "The committee said that the plan would have to be changed with care. ".repeat(8);
    let mut stage = harness("gopher_quality", json!({ "stats": true }));
    let out = stage.process(docs(&[("a", &text)])).unwrap();
    let stats = &out.kept[0].meta()["gopher_quality"];
    assert_eq!(stats["n_words"], 112);
    assert_eq!(stats["n_non_symbol_words"], 104);
    // the, that, have, to, be, with.
    assert_eq!(stats["stop_words"], 6);
    // 55 letters in the 13 words of each sentence.
    assert!((stats["mean_word_length"].as_f64().unwrap() - 55.0 / 13.0).abs() < 1e-9);

    for (stage, key) in
        [("gopher_repetition", "dup_line_frac"), ("c4_quality", "lines_kept"), ("fineweb_quality", "line_punct_ratio")]
    {
        let out = harness(stage, json!({ "stats": true })).process(docs(&[("a", &text)])).unwrap();
        let doc = out.kept.first().or(out.dropped.first()).unwrap();
        assert!(doc.meta()[stage].get(key).is_some(), "{stage}: {:?}", doc.meta());
        // Without the setting, meta is left alone.
        let out = harness(stage, json!({})).process(docs(&[("a", &text)])).unwrap();
        let doc = out.kept.first().or(out.dropped.first()).unwrap();
        assert!(doc.meta().get(stage).is_none());
    }
}

#[test]
fn c4_keeps_the_lines_datatrove_keeps_and_moves_spans() {
    let text = "  Menu Home Contact\nThe first sentence is here[1]. A second one follows.\nEnable JavaScript now.\n\
                The third sentence is long enough.\nA fourth one comes.\nAnd a fifth ends the article.  \n";
    let mut doc = Document::new("a", text);
    let at = |s: &str| text.find(s).unwrap() as u64;
    // A span on "second" (kept), one on "JavaScript" (its line goes), one on "fifth" (kept).
    doc.add_span(Span::new(at("second"), at("second") + 6, "entity", "X", "test"));
    doc.add_span(Span::new(at("JavaScript"), at("JavaScript") + 10, "entity", "X", "test"));
    doc.add_span(Span::new(at("fifth"), at("fifth") + 5, "entity", "X", "test"));
    let out = harness("c4_quality", json!({})).process(vec![doc]).unwrap();
    let kept = &out.kept[0];
    assert_eq!(
        kept.text(),
        "The first sentence is here. A second one follows.\nThe third sentence is long enough.\nA fourth one comes.\nAnd a fifth ends the article."
    );
    let covered: Vec<&str> = kept.spans().iter().map(|s| &kept.text()[s.start as usize..s.end as usize]).collect();
    assert_eq!(covered, ["second", "fifth"]);
}

#[test]
fn language_auto_follows_the_document() {
    // "l'homme" is two words for the French rules ("l'", "homme"), one for the English ones.
    let text = "l'homme ".repeat(60);
    let measure = |lang: &str| {
        let mut doc = Document::new("a", &text);
        doc.set_lang(lang, 0.9);
        let out = harness("gopher_quality", json!({ "language": "auto", "stats": true })).process(vec![doc]).unwrap();
        let doc = out.kept.first().or(out.dropped.first()).unwrap().clone();
        doc.meta()["gopher_quality"]["n_words"].as_u64().unwrap()
    };
    assert_eq!(measure("fr"), 120);
    assert_eq!(measure("fr-CA"), 120);
    assert_eq!(measure("en"), 60);
    assert_eq!(measure("und"), 60);
}

#[test]
fn settings_are_checked() {
    let err = check_config::<GopherQualityFilter>(json!({ "language": "xx" })).unwrap_err();
    assert_eq!(err.key(), Some("language"));
    assert!(err.to_string().contains("expected one of en, fr"), "{err}");
    let err = check_config::<GopherQualityFilter>(json!({ "min_doc_wordz": 3 })).unwrap_err();
    assert_eq!(err.key(), Some("min_doc_wordz"));
    let err = check_config::<GopherQualityFilter>(json!({ "stop_words": "french" })).unwrap_err();
    assert_eq!(err.key(), Some("stop_words"));
    let err = check_config::<FineWebQualityFilter>(json!({ "short_line_thr": -1.0 })).unwrap_err();
    assert_eq!(err.key(), Some("short_line_thr"));
    let err = check_config::<GopherRepetitionFilter>(json!({ "top_n_grams": [[0, 0.2]] })).unwrap_err();
    assert_eq!(err.key(), Some("top_n_grams"));
    // A bad-words file that cannot be read fails the stage's making, naming the key.
    let err = Harness::new::<C4QualityFilter>(json!({ "bad_words_file": "/nonexistent/words.txt" })).err().unwrap();
    assert_eq!(err.key(), Some("bad_words_file"));
    assert!(err.to_string().contains("/nonexistent/words.txt"), "{err}");
}

#[test]
fn lengths_count_characters_not_bytes() {
    // With a digit added, lines of 31 characters are long (over 30); lines of 30 characters
    // are short, though they are 59 bytes.
    let long = format!("{}.", "é".repeat(29));
    let short = format!("{}.", "é".repeat(28));
    // Four such lines, told apart by a last digit (so none repeats).
    let text = |line: &str| (0..4).map(|i| format!("{line}{i}")).collect::<Vec<_>>().join("\n");
    let stats = |t: String| {
        let out = harness("fineweb_quality", json!({ "stats": true })).process(vec![Document::new("a", &t)]).unwrap();
        let doc = out.kept.first().or(out.dropped.first()).unwrap().clone();
        doc.meta()["fineweb_quality"]["short_line_ratio"].as_f64().unwrap()
    };
    assert_eq!(stats(text(&long)), 0.0);
    assert_eq!(stats(text(&short)), 1.0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any text, with the characters datatrove's rules look at, gets a decision and no panic.
    #[test]
    fn any_text_gets_a_decision(text in "[a-zA-Zé0-9 .,!?…#•\\-{}\\[\\]'\"\n\r\u{2028}\t]{0,400}") {
        for stage in ["gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality"] {
            let out = harness(stage, json!({ "stats": true })).process(vec![Document::new("p", &text)]).unwrap();
            prop_assert!(out.failed.is_empty());
            prop_assert_eq!(out.kept.len() + out.dropped.len(), 1);
        }
    }
}

//! The `langid` stage through the SDK's harness (the trait object the host calls): the
//! seeds, the filter, the configuration checks, and arbitrary input.

use moulin_langid::Langid;
use moulin_plugin::testkit::{check_config, docs, Harness};
use moulin_plugin::Document;
use proptest::prelude::*;
use std::path::Path;

fn seeds() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../examples/french-news/corpus");
    let mut seeds: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| (p.file_name().unwrap().to_string_lossy()[..3].to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    seeds.sort();
    assert_eq!(seeds.len(), 5);
    seeds
}

/// (seed, label, covered text) of every `lang` span.
fn spans_of(docs: &[Document]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for doc in docs {
        for s in doc.spans() {
            assert_eq!(s.layer.as_str(), "lang");
            out.push((
                doc.id().to_string(),
                s.label.to_string(),
                doc.text()[s.start as usize..s.end as usize].to_string(),
            ));
        }
    }
    out
}

#[test]
fn the_seeds_are_french_with_a_spanish_and_an_english_headline() {
    let seeds = seeds();
    let input: Vec<(&str, &str)> = seeds.iter().map(|(id, text)| (id.as_str(), text.as_str())).collect();
    for config in [serde_json::json!({}), serde_json::json!({ "candidates": ["fr", "en", "es", "de"] })] {
        let mut stage = Harness::new::<Langid>(config.clone()).unwrap();
        let out = stage.process(docs(&input)).unwrap();
        assert_eq!(out.kept.len(), 5);
        for doc in &out.kept {
            assert_eq!(doc.lang(), "fr", "{} with {config}", doc.id());
            assert!(doc.lang_score() > 0.9, "{} scores {}", doc.id(), doc.lang_score());
        }
        let spans = spans_of(&out.kept);
        let expected = [
            ("000", "es", "El sector de los cítricos en Marruecos busca reinventarse en Marrakech"),
            ("004", "en", "AFCON 2025 : Stadium gates to open at 2 p.m. for Morocco–Comoros opener"),
        ];
        let expected: Vec<(String, String, String)> =
            expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
        assert_eq!(spans, expected, "with {config}");
    }
}

#[test]
fn keep_drops_other_languages_with_a_reason() {
    let mut stage = Harness::new::<Langid>(serde_json::json!({ "keep": ["fr", "und"] })).unwrap();
    let out = stage
        .process(docs(&[
            ("fr", "Le conseil municipal a voté hier soir le budget de la ville pour l'année prochaine."),
            ("en", "The city council voted last night on the budget for next year, after a long debate."),
            ("empty", ""),
            ("digits", "2024 - 12 - 31"),
        ]))
        .unwrap();
    let kept: Vec<&str> = out.kept.iter().map(|d| d.id()).collect();
    assert_eq!(kept, ["fr", "empty", "digits"]);
    assert_eq!(out.dropped.len(), 1);
    assert_eq!(out.dropped[0].drop_reason(), Some("langid: en not in [fr, und]"));
}

#[test]
fn bad_configurations_name_the_key() {
    for (config, key, words) in [
        (serde_json::json!({ "candidates": ["fr", "xx"] }), "candidates", "unknown language \"xx\""),
        (serde_json::json!({ "keep": ["fr"], "candidates": ["en", "es"] }), "keep", "not one of the candidates"),
        (serde_json::json!({ "min_score": 2.0 }), "min_score", "expected a score in [0, 1]"),
        (serde_json::json!({ "segments": "words" }), "segments", "unknown variant"),
    ] {
        let err = check_config::<Langid>(config.clone()).unwrap_err();
        assert_eq!(err.key(), Some(key), "{config}: {err:?}");
        assert!(err.message().contains(words), "{config}: {}", err.message());
    }
}

#[test]
fn texts_without_a_language_are_und() {
    let mut stage = Harness::new::<Langid>(serde_json::json!({})).unwrap();
    let texts = [("empty", ""), ("digits", "12 345 678"), ("emoji", "🙂🎉🙂 👍"), ("punct", "— … !!")];
    let out = stage.process(docs(&texts)).unwrap();
    for doc in &out.kept {
        assert_eq!((doc.lang(), doc.lang_score()), ("und", 0.0), "{}", doc.id());
        assert!(doc.spans().is_empty());
    }
    // A single word and mixed scripts get an answer, scored.
    let out = stage.process(docs(&[("word", "maison"), ("mixed", "Москва and Paris, 東京 et Madrid")])).unwrap();
    for doc in &out.kept {
        assert!((0.0..=1.0).contains(&doc.lang_score()), "{}: {}", doc.id(), doc.lang_score());
        assert!(doc.lang() == "und" || doc.lang().len() == 2, "{}: {}", doc.id(), doc.lang());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_text_gets_a_defined_result(text in "(?s)\\PC{0,300}", lines in proptest::collection::vec("[a-zA-Zàéèçñü ]{0,40}|\\PC{0,20}", 0..8)) {
        let mut stage = Harness::new::<Langid>(serde_json::json!({ "min_segment_chars": 5 })).unwrap();
        let joined = lines.join("\n");
        let out = stage.process(docs(&[("a", &text), ("b", &joined)])).unwrap();
        prop_assert_eq!(out.kept.len(), 2);
        for doc in &out.kept {
            let score = doc.lang_score();
            prop_assert!((0.0..=1.0).contains(&score), "score {}", score);
            prop_assert!(doc.lang() == "und" || doc.lang().len() == 2);
            for s in doc.spans() {
                let (start, end) = (s.start as usize, s.end as usize);
                prop_assert!(start < end && end <= doc.text().len());
                prop_assert!(doc.text().is_char_boundary(start) && doc.text().is_char_boundary(end));
                prop_assert!(s.label.as_str() != doc.lang());
            }
        }
    }
}

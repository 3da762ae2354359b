//! The `html` stage through the SDK's harness: news pages built from the seeds, metadata,
//! limits, and hostile or broken input.

use moulin_html::Html;
use moulin_plugin::testkit::{docs, Harness};
use moulin_plugin::Document;
use proptest::prelude::*;
use std::path::Path;

fn pages() -> Vec<(String, String, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/data/cleaners/html");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "html") {
            let gold = std::fs::read_to_string(path.with_extension("labels")).unwrap();
            let gold = gold.lines().filter_map(|l| l.strip_prefix("+ ")).map(str::to_string).collect();
            out.push((
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
                gold,
            ));
        }
    }
    out.sort();
    assert_eq!(out.len(), 5);
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn news_pages_give_their_article_without_the_site_around_it() {
    // The seeds' labels count each page's title as article text.
    let mut stage = Harness::new::<Html>(serde_json::json!({ "keep_title": true })).unwrap();
    for (id, page, gold) in pages() {
        let out = stage.process(docs(&[(&id, &page)])).unwrap();
        let doc = &out.kept[0];
        let lines: Vec<String> = doc.text().lines().map(collapse).filter(|l| !l.is_empty()).collect();
        for line in &gold {
            assert!(lines.contains(&collapse(line)), "{id}: lost {line:?}");
        }
        for chrome in [
            "Mentions légales",
            "Accepter",
            "Les plus lus",
            "À lire aussi",
            "trackPage",
            "var ads",
            "Politique",
            "Partager sur",
        ] {
            assert!(!doc.text().contains(chrome), "{id}: kept {chrome:?}");
        }
        let meta = &doc.meta()["html"];
        assert_eq!(meta["canonical_url"], format!("https://www.example-{}.ma/article/{}", &id[..3], &id[..3]), "{id}");
        assert_eq!(meta["declared_charset"], "utf-8");
        assert_eq!(meta["lang"], "fr");
        assert!(meta["title"].as_str().is_some_and(|t| !t.is_empty()));
    }
}

#[test]
fn pages_without_content_are_dropped_with_a_reason() {
    let mut stage = Harness::new::<Html>(serde_json::json!({})).unwrap();
    let out = stage
        .process(docs(&[("empty", ""), ("bare", "<html><body><nav><a href='/'>Accueil</a></nav></body></html>")]))
        .unwrap();
    assert_eq!(out.dropped.len() + out.kept.len(), 2);
    for doc in &out.dropped {
        assert_eq!(doc.drop_reason(), Some("html: no main content"), "{}", doc.id());
    }
    assert!(out.failed.is_empty());
}

#[test]
fn limits_fail_the_page_before_parsing_and_say_which() {
    let mut stage = Harness::new::<Html>(serde_json::json!({ "max_html_bytes": 1_000_000 })).unwrap();
    let deep = format!("<html><body>{}<p>deep text</p></body></html>", "<div>".repeat(30_000));
    let big = format!("<html><body><p>{}</p></body></html>", "mot ".repeat(300_000));
    // Both are refused by the guards, before the parser sees them (the messages come from
    // the guards, not from the extractor).
    let out = stage.process(docs(&[("deep", &deep), ("big", &big)])).unwrap();
    let messages: Vec<(&str, &str)> = out.failed.iter().map(|(id, e)| (id.as_str(), e.message())).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].1.contains("nest 30000 deep, over max_depth (512)"), "{messages:?}");
    assert!(messages[1].1.contains("over max_html_bytes (1000000)"), "{messages:?}");
}

#[test]
fn documents_that_are_not_html_pass_through_or_are_dropped_when_asked() {
    let page = "<html><body><article><p>Un article de presse assez long pour être retenu par l'extracteur.</p></article></body></html>";
    let mut plain = Document::new("plain", "<p> is how a paragraph starts; this is a plain text file about HTML.");
    plain.set_meta_field("content_type", serde_json::json!("text/plain"));
    let mut typed = Document::new("typed", page);
    typed.set_meta_field("content_type", serde_json::json!("text/html"));
    let items =
        vec![plain, typed, Document::new("untyped", page), Document::new("text", "Une ligne de texte sans balise.")];
    let mut stage = Harness::new::<Html>(serde_json::json!({ "char_threshold": 20 })).unwrap();
    let out = stage.process(items.clone()).unwrap();
    let text = |id: &str| out.kept.iter().find(|d| d.id() == id).unwrap().text().to_string();
    assert!(text("plain").starts_with("<p> is how"));
    assert_eq!(text("text"), "Une ligne de texte sans balise.");
    assert!(text("typed").starts_with("Un article") && text("untyped").starts_with("Un article"), "{}", text("typed"));
    let mut strict = Harness::new::<Html>(serde_json::json!({ "char_threshold": 20, "keep_non_html": false })).unwrap();
    let out = strict.process(items).unwrap();
    let dropped: Vec<&str> = out.dropped.iter().map(|d| d.id()).collect();
    assert_eq!(dropped, ["plain", "text"]);
    assert!(out.dropped.iter().all(|d| d.drop_reason() == Some("html: not an HTML document")));
}

#[test]
fn broken_markup_and_plain_text_do_not_fail() {
    let mut stage = Harness::new::<Html>(serde_json::json!({ "char_threshold": 20 })).unwrap();
    let unclosed = "<html><body><div><p>Un paragraphe jamais fermé, avec assez de texte pour être gardé par l'extracteur<div><p>et un autre <b>gras <i>italique";
    let text = "Pas de balises du tout, seulement une phrase assez longue pour faire un article entier.";
    let out = stage
        .process(docs(&[("unclosed", unclosed), ("text", text), ("bom", &format!("\u{feff}{unclosed}"))]))
        .unwrap();
    assert!(out.failed.is_empty(), "{:?}", out.failed);
    let unclosed_doc = out.kept.iter().find(|d| d.id() == "unclosed").unwrap();
    assert!(unclosed_doc.text().contains("Un paragraphe jamais fermé"));
    assert!(!out.kept.iter().any(|d| d.text().contains('\u{feff}')));
}

thread_local! {
    static SHARED: std::cell::RefCell<Harness> = std::cell::RefCell::new(Harness::new::<Html>(serde_json::json!({ "max_depth": 64 })).unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Arbitrary text and arbitrary tag soup: a result, a drop or a per-document error, never
    /// a panic (the harness reports one as a failure of kind PANIC).
    #[test]
    fn any_input_gives_a_defined_result(
        text in "\\PC{0,400}",
        soup in proptest::collection::vec("</?(div|p|span|b|table|td|tr|ul|li|script|style|a href=\"x\"|meta charset=\"[a-z0-9-]{0,8}\"|link rel=canonical href=x)>|[A-Za-zéè .,]{0,60}|&[a-z#0-9]{0,6};?|<!--|-->|<", 0..80),
    ) {
        let soup = soup.concat();
        let out = SHARED.with(|s| s.borrow_mut().process(docs(&[("t", &text), ("s", &soup)])));
        let out = out.map_err(|e| TestCaseError::fail(format!("batch failed: {}", e.message())))?;
        prop_assert_eq!(out.kept.len() + out.dropped.len() + out.failed.len(), 2);
        for (id, e) in &out.failed {
            prop_assert!(e.kind() != moulin_plugin::ErrorKind::PANIC, "{} panicked: {}", id, e.message());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Deep markup of any element names (custom, void, closed by the parser, misnested):
    /// the page is extracted or fails naming `max_depth`, and the process never aborts (a
    /// stack overflow would end this test binary).
    #[test]
    fn deep_markup_never_aborts(
        names in proptest::collection::vec("foo|x-y|div|span|p|li|br|b|i|font|td|svg|math|custom-el|q|u", 1..6),
        depth in 1000usize..40_000,
        closed in any::<bool>(),
    ) {
        let open: String = (0..depth).map(|k| format!("<{}>", names[k % names.len()])).collect();
        let close: String = if closed { (0..depth).rev().map(|k| format!("</{}>", names[k % names.len()])).collect() } else { String::new() };
        let page = format!("<html><body>{open}<p>Le texte de la page, assez long pour compter.</p>{close}</body></html>");
        let out = SHARED.with(|s| s.borrow_mut().process(docs(&[("deep", &page)]))).unwrap();
        prop_assert_eq!(out.kept.len() + out.dropped.len() + out.failed.len(), 1);
        for (_, e) in &out.failed {
            prop_assert!(e.kind() != moulin_plugin::ErrorKind::PANIC, "{}", e.message());
        }
    }
}

/// The page of the report: 30,000 unknown elements deep. It aborted the process with a stack
/// overflow; now it fails naming the limit.
#[test]
fn thirty_thousand_nested_unknown_elements_fail_naming_max_depth() {
    let page = format!("<html><body>{}<p>x</p>{}</body></html>", "<foo>".repeat(30_000), "</foo>".repeat(30_000));
    let mut stage = Harness::new::<Html>(serde_json::json!({})).unwrap();
    let out = stage.process(docs(&[("deep", &page)])).unwrap();
    assert_eq!(out.failed.len(), 1, "{:?}", out.kept.len());
    assert!(out.failed[0].1.message().contains("over max_depth (512)"), "{}", out.failed[0].1.message());
}

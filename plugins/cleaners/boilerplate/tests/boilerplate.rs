//! The `boilerplate` stage through the SDK's harness: context rules, what is recorded, the
//! configuration, the observation pass, and arbitrary input.

use moulin_boilerplate::Boilerplate;
use moulin_plugin::testkit::{check_config, docs, Harness};
use moulin_plugin::{Document, Span, StageContext};
use proptest::prelude::*;

const ARTICLE_1: &str = "Le conseil municipal a adopté hier soir, après plus de trois heures de débats, le budget de la ville pour l'année prochaine, qui prévoit une hausse des investissements dans les écoles.";
const ARTICLE_2: &str = "Selon le maire, cette hausse sera financée par une meilleure maîtrise des dépenses de fonctionnement et par la vente de plusieurs terrains qui appartenaient à la commune depuis des années.";

fn clean(config: serde_json::Value, text: &str) -> Document {
    let mut stage = Harness::new::<Boilerplate>(config).unwrap();
    let mut out = stage.process(docs(&[("a", text)])).unwrap();
    assert!(out.failed.is_empty());
    out.kept.pop().or(out.dropped.pop()).unwrap()
}

#[test]
fn headings_datelines_and_section_titles_survive_chrome_goes() {
    let text = format!(
        "Accueil  |  Politique  |  Économie  |  Sport  |  Culture\nMon compte\nLe slogan du site\n\
         Le budget de la ville adopté\nPublié le 12 juin 2024 à 18h00\n\n{ARTICLE_1}\n\nDes économies\n\n{ARTICLE_2}\n\n\
         Partager sur Facebook\nMentions légales"
    );
    let doc = clean(serde_json::json!({}), &text);
    assert_eq!(
        doc.text(),
        format!("Le budget de la ville adopté\nPublié le 12 juin 2024 à 18h00\n\n{ARTICLE_1}\n\nDes économies\n\n{ARTICLE_2}")
    );
    let meta = doc.meta();
    assert_eq!(meta["boilerplate"]["lines_removed"], 5);
    assert_eq!(meta["boilerplate"]["by_reason"]["ticker"], 1);
    assert_eq!(meta["boilerplate"]["by_reason"]["pattern"], 1);
}

#[test]
fn removed_lines_leave_spans_that_say_what_and_why() {
    let text =
        format!("Abonnez-vous à notre newsletter\n{ARTICLE_1}\nLire aussi : le budget de l'an dernier\n{ARTICLE_2}");
    let doc = clean(serde_json::json!({ "keep_spans": true }), &text);
    assert_eq!(doc.text(), format!("{ARTICLE_1}\n{ARTICLE_2}"));
    let spans: Vec<(u64, u64, String, String)> = doc
        .spans()
        .iter()
        .map(|s| {
            let attrs: serde_json::Value = serde_json::from_str(&s.attrs_json).unwrap();
            (s.start, s.end, s.label.to_string(), attrs["text"].as_str().unwrap().to_string())
        })
        .collect();
    let at = ARTICLE_1.len() as u64 + 1;
    assert_eq!(
        spans,
        [
            (0, 0, "pattern".to_string(), "Abonnez-vous à notre newsletter".to_string()),
            (at, at, "pattern".to_string(), "Lire aussi : le budget de l'an dernier".to_string()),
        ]
    );
    assert!(doc.spans().iter().all(|s| s.layer.as_str() == "boilerplate" && s.source.as_str() == "boilerplate"));
}

#[test]
fn mark_keeps_the_text_and_covers_the_lines() {
    let text = format!("Partager sur Twitter\n{ARTICLE_1}");
    let doc = clean(serde_json::json!({ "action": "mark" }), &text);
    assert_eq!(doc.text(), text);
    assert_eq!(doc.spans().len(), 1);
    let s = &doc.spans()[0];
    assert_eq!((&text[s.start as usize..s.end as usize], s.label.as_str()), ("Partager sur Twitter", "pattern"));
}

#[test]
fn spans_already_there_follow_the_text() {
    let text = format!("Partager sur Twitter\n{ARTICLE_1}");
    let mut doc = Document::new("a", &text);
    let start = text.find("conseil").unwrap() as u64;
    doc.add_span(Span::new(start, start + 7, "entity", "ORG", "test"));
    let mut stage = Harness::new::<Boilerplate>(serde_json::json!({})).unwrap();
    let out = stage.process(vec![doc]).unwrap();
    let doc = &out.kept[0];
    let s = &doc.spans()[0];
    assert_eq!(&doc.text()[s.start as usize..s.end as usize], "conseil");
}

#[test]
fn too_little_text_left_drops_the_document() {
    let doc = clean(serde_json::json!({}), "Partager sur Facebook\nSuivez-nous sur Instagram\nOK");
    assert_eq!(doc.drop_reason(), Some("boilerplate: 0 characters left (min_chars 50)"));
    let doc = clean(serde_json::json!({ "min_chars": 0 }), "");
    assert_eq!((doc.text(), doc.drop_reason()), ("", None));
}

#[test]
fn patterns_file_is_read_relative_to_the_project() {
    let dir = tempfile_dir();
    std::fs::write(dir.join("p.txt"), "# site chrome\n^Le slogan\n").unwrap();
    let ctx = StageContext { project_dir: dir.clone(), ..Default::default() };
    let mut stage = Harness::with_context::<Boilerplate>(serde_json::json!({ "patterns_file": "p.txt" }), ctx).unwrap();
    let out = stage
        .process(docs(&[(
            "a",
            &format!("Le slogan du site, toujours là pour vous informer au mieux chaque jour\n{ARTICLE_1}"),
        )]))
        .unwrap();
    assert_eq!(out.kept[0].text(), ARTICLE_1);
    // A missing file names the path; a bad pattern names file and line.
    let ctx = StageContext { project_dir: dir.clone(), ..Default::default() };
    let err =
        Harness::with_context::<Boilerplate>(serde_json::json!({ "patterns_file": "missing.txt" }), ctx).err().unwrap();
    assert_eq!(err.key(), Some("patterns_file"));
    assert!(err.message().contains("missing.txt"), "{}", err.message());
    std::fs::write(dir.join("bad.txt"), "ok\n(unclosed\n").unwrap();
    let ctx = StageContext { project_dir: dir.clone(), ..Default::default() };
    let err =
        Harness::with_context::<Boilerplate>(serde_json::json!({ "patterns_file": "bad.txt" }), ctx).err().unwrap();
    assert!(err.message().contains("bad.txt:2: bad pattern \"(unclosed\""), "{}", err.message());
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("moulin-boilerplate-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn bad_configurations_name_the_key() {
    for (config, key) in [
        (serde_json::json!({ "patterns": ["(x"] }), "patterns"),
        (serde_json::json!({ "stopwords_low": 0.5, "stopwords_high": 0.4 }), "stopwords_low"),
        (serde_json::json!({ "max_link_density": 2.0 }), "max_link_density"),
        (serde_json::json!({ "repeated": { "min_documents": 3, "source": "site" } }), "repeated.source"),
        (serde_json::json!({ "main_block_penalty": -1.0 }), "main_block_penalty"),
        (serde_json::json!({ "action": "delete" }), "action"),
        (serde_json::json!({ "keep_span": true }), "keep_span"),
    ] {
        let err = check_config::<Boilerplate>(config.clone()).unwrap_err();
        assert_eq!(err.key(), Some(key), "{config}: {err:?}");
    }
}

fn site_pages() -> Vec<Document> {
    (0..6)
        .map(|i| {
            let folder = if i < 4 { "site-a" } else { "site-b" };
            let mut doc = Document::new(
                &format!("{folder}/{i}.txt"),
                &format!("Le journal de la ville qui vous informe\n{ARTICLE_1} Numéro {i}.\nDernière mise à jour du site\n{ARTICLE_2}"),
            );
            doc.set_meta_field("source", serde_json::json!({ "path": format!("{folder}/{i}.txt") }));
            doc
        })
        .collect()
}

#[test]
fn lines_repeated_across_a_source_go_whatever_the_split_among_workers() {
    let config = serde_json::json!({ "repeated": { "min_documents": 3 }, "features": false, "default_patterns": false, "min_chars": 0 });
    let mut results = Vec::new();
    for split in [vec![6], vec![1, 5], vec![3, 3], vec![2, 2, 2]] {
        let mut pages = site_pages().into_iter();
        let workers: Vec<Vec<Vec<Document>>> = split.iter().map(|&n| vec![pages.by_ref().take(n).collect()]).collect();
        let mut stage = Harness::with_passes::<Boilerplate>(config.clone(), workers).unwrap();
        let out = stage.process(site_pages()).unwrap();
        results.push(out.kept.iter().map(|d| d.text().to_string()).collect::<Vec<_>>());
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]), "{results:#?}");
    // site-a has the two template lines four times: gone. site-b only twice: kept.
    for (i, text) in results[0].iter().enumerate() {
        assert_eq!(text.contains("Dernière mise à jour"), i >= 4, "{i}: {text}");
        assert_eq!(text.contains("Le journal de la ville"), i >= 4, "{i}: {text}");
        assert!(text.contains(&format!("Numéro {i}.")));
    }
    // Without the observation pass (an embedder's pipeline), nothing is removed.
    let mut stage = Harness::new::<Boilerplate>(config).unwrap();
    let out = stage.process(site_pages()).unwrap();
    assert!(out.kept.iter().all(|d| d.text().contains("Dernière mise à jour")));
}

#[test]
fn a_five_megabyte_line_and_binary_garbage_are_handled() {
    // The stage removes whole lines and nothing else: what it leaves of any text is some of
    // its lines, in order, each unchanged (the spans it records say which went).
    let is_lines_of = |out: &str, input: &str| {
        let mut lines = input.lines();
        out.lines().all(|kept| lines.any(|l| l.trim_end() == kept.trim_end()))
    };
    // A document left with too little text is dropped, saying how much was left.
    let dropped_for_size = |doc: &Document| doc.drop_reason().is_some_and(|r| r.contains("characters left (min_chars"));
    // One line of 5 MB: the stage finishes on it, and keeps it whole or removes it whole.
    let long = "mot ".repeat(1_250_000);
    let doc = clean(serde_json::json!({}), &long);
    let whole = doc.text().trim_end() == long.trim_end();
    assert!(
        whole || (doc.text().is_empty() && dropped_for_size(&doc)),
        "{} bytes left, {:?}",
        doc.text().len(),
        doc.drop_reason()
    );
    // 200 KB of garbage (invalid UTF-8 replaced): what comes back is made of its lines.
    let garbage: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let text = String::from_utf8_lossy(&garbage).into_owned();
    let doc = clean(serde_json::json!({}), &text);
    assert!(doc.drop_reason().is_none() || dropped_for_size(&doc), "{:?}", doc.drop_reason());
    assert!(is_lines_of(doc.text(), &text), "the output is not lines of the input");
}

thread_local! {
    /// One stage for all the cases: making one compiles its patterns.
    static SHARED: std::cell::RefCell<Harness> =
        std::cell::RefCell::new(Harness::new::<Boilerplate>(serde_json::json!({ "keep_spans": true, "min_chars": 0 })).unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Any text: no panic, the result is made of whole lines of the input in order, and the
    /// spans say where each removed line was.
    #[test]
    fn any_text_gives_lines_of_the_input(lines in proptest::collection::vec("\\PC{0,120}|[A-Za-zéà ,.'|]{0,200}|[ \u{a0}\t]{0,5}", 0..30)) {
        let text = lines.join("\n");
        let doc = SHARED.with(|stage| {
            let mut out = stage.borrow_mut().process(docs(&[("a", &text)])).unwrap();
            out.kept.pop().unwrap()
        });
        let input: Vec<&str> = text.split('\n').map(str::trim).collect();
        let mut k = 0;
        for line in doc.text().split('\n').map(str::trim).filter(|l| !l.is_empty()) {
            while k < input.len() && input[k] != line {
                k += 1;
            }
            prop_assert!(k < input.len(), "{line:?} is not a line of the input, in order");
            k += 1;
        }
        for s in doc.spans() {
            prop_assert!(s.start == s.end && s.end as usize <= doc.text().len());
            prop_assert!(doc.text().is_char_boundary(s.start as usize));
        }
    }
}

#[test]
fn a_comment_thread_after_the_article_is_not_its_main_block() {
    // Each comment: who, when, a reply link, and its text (a near-good line). jusText keeps
    // them all (the short lines sit between near-good ones); the main block does not reach
    // them, its short lines weigh more than their text.
    let comment = |n: usize| {
        format!(
            "lecteur{n}\nIl y a {n} heures\nRépondre\nJe ne suis pas d'accord avec cette décision du conseil, les impôts vont encore augmenter pour nous."
        )
    };
    let article = format!("{ARTICLE_1} {ARTICLE_2}\n{ARTICLE_2} {ARTICLE_1}");
    let text = format!("{article}\n{}", (1..=4).map(comment).collect::<Vec<_>>().join("\n"));
    let doc = clean(serde_json::json!({}), &text);
    assert_eq!(doc.text(), article);
    assert_eq!(doc.meta()["boilerplate"]["by_reason"]["satellite"], 16, "{:?}", doc.meta());
    // Without the main block, the thread stays.
    let doc = clean(serde_json::json!({ "main_block_penalty": 0.0 }), &text);
    assert!(doc.text().contains("Je ne suis pas d'accord"), "{}", doc.text());
}

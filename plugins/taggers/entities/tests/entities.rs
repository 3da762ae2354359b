//! The `entities` stage through the SDK's harness (the trait object the host calls): a seed
//! with its expected spans, the rules one by one, user lists and rules, configuration
//! errors, and arbitrary input.

use moulin_entities::Entities;
use moulin_plugin::testkit::{check_config, docs, Harness};
use moulin_plugin::StageContext;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::Path;

/// (covered text, label, rule) of every span, in order.
fn tag_with(config: Value, text: &str) -> Vec<(String, String, String)> {
    let mut stage = Harness::new::<Entities>(config).unwrap();
    let out = stage.process(docs(&[("d", text)])).unwrap();
    assert!(out.failed.is_empty(), "{:?}", out.failed);
    out.kept[0]
        .spans()
        .iter()
        .map(|s| {
            let attrs: Value = serde_json::from_str(&s.attrs_json).unwrap();
            let rule = attrs["rule"].as_str().unwrap().to_string();
            (text[s.start as usize..s.end as usize].to_string(), s.label.to_string(), rule)
        })
        .collect()
}

/// (covered text, label) of every span.
fn tag(text: &str) -> Vec<(String, String)> {
    tag_with(json!({}), text).into_iter().map(|(t, l, _)| (t, l)).collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(t, l)| (t.to_string(), l.to_string())).collect()
}

#[test]
fn a_seed_gets_exactly_its_entities() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../examples/french-news/corpus/001_448d734483fc5265.txt");
    let text = std::fs::read_to_string(path).unwrap();
    // Checked by hand against the text: every person, place and organisation it names, with
    // titles inside the span as in the HIPE guidelines.
    let expected = pairs(&[
        ("Belga", "ORG"),
        ("Doha", "LOC"),
        ("Donald Trump", "PER"),
        ("Etats-Unis", "LOC"),
        ("Afghanistan", "LOC"),
        ("général Mark Milley", "PER"),
        ("Etats-Unis", "LOC"),
        ("Pentagone", "ORG"),
        ("Moyen-Orient", "LOC"),
        ("Afghanistan", "LOC"),
        ("Ashraf Ghani", "PER"),
        ("Etats-Unis", "LOC"),
        ("Qassem Soleimani", "PER"),
        ("général Milley", "PER"),
        ("président Ghani", "PER"),
        ("général Milley", "PER"),
        ("Qatar", "LOC"),
        ("Doha", "LOC"),
        ("Donald Trump", "PER"),
        ("Etats-Unis", "LOC"),
        ("Afghanistan", "LOC"),
        ("Kaboul", "LOC"),
        ("Afghanistan", "LOC"),
    ]);
    assert_eq!(tag(&text), expected);
}

#[test]
fn places_carry_their_geonames_id_and_the_list_that_fired() {
    let mut stage = Harness::new::<Entities>(json!({})).unwrap();
    let out = stage.process(docs(&[("d", "Ils sont arrivés à Kaboul depuis Londres.")])).unwrap();
    let attrs: Vec<Value> = out.kept[0].spans().iter().map(|s| serde_json::from_str(&s.attrs_json).unwrap()).collect();
    assert_eq!(
        attrs,
        [json!({"rule": "places", "id": "geonames:1138958"}), json!({"rule": "places", "id": "geonames:2643743"})]
    );
    let s = &out.kept[0].spans()[0];
    assert_eq!((s.layer.as_str(), s.source.as_str()), ("entity", "entities"));
    assert!(s.score > 0.5 && s.score <= 1.0);
}

#[test]
fn titles_particles_and_elision() {
    assert_eq!(
        tag("Hier, M. le général de Castelnau a reçu Mme Dupont et le docteur Funck."),
        pairs(&[("M. le général de Castelnau", "PER"), ("Mme Dupont", "PER"), ("docteur Funck", "PER")])
    );
    assert_eq!(
        tag("Il a rencontré Charles de Gaulle et Bashar al-Assad, puis l'OTAN et d'Afghanistan."),
        pairs(&[("Charles de Gaulle", "PER"), ("Bashar al-Assad", "PER"), ("OTAN", "ORG"), ("Afghanistan", "LOC")])
    );
    assert_eq!(
        tag("President Joe Biden met Gen. Mark Milley and Mr. Smith in Washington."),
        pairs(&[
            ("President Joe Biden", "PER"),
            ("Gen. Mark Milley", "PER"),
            ("Mr. Smith", "PER"),
            ("Washington", "LOC")
        ])
    );
    // Without titles in spans.
    let spans = tag_with(json!({"include_titles": false}), "Le général Mark Milley est venu.");
    assert_eq!(spans, [("Mark Milley".to_string(), "PER".to_string(), "title".to_string())]);
}

#[test]
fn organisation_cues_acronyms_and_addresses() {
    assert_eq!(
        tag("La Banque de France et le ministère de la Guerre écrivent à la CGT, 14, rue Favart."),
        pairs(&[
            ("Banque de France", "ORG"),
            ("ministère de la Guerre", "ORG"),
            ("CGT", "ORG"),
            ("14, rue Favart", "LOC")
        ])
    );
    assert_eq!(tag("Les actions Schneider et Cie montent."), pairs(&[("Schneider et Cie", "ORG")]));
    // Compounds with hyphens keep their particles; with spaces, `et` joins two names.
    assert_eq!(
        tag("De Seine-et-Oise, MM. Davidson et Aenesmann sont partis pour Saint-Nazaire."),
        pairs(&[("Seine-et-Oise", "LOC"), ("MM. Davidson", "PER"), ("Aenesmann", "PER"), ("Saint-Nazaire", "LOC")])
    );
}

#[test]
fn sentence_initial_capitals_are_not_names_on_their_own() {
    // `Mais`, `Cette`, `Demain` open sentences; `Visite` opens a headline.
    assert!(tag("Mais la réunion est finie. Cette fois, rien. Demain aussi.").is_empty());
    assert_eq!(tag("Visite de Nasser Bourita\nLe ministre parle."), pairs(&[("Nasser Bourita", "PER")]));
    // A word used in lowercase elsewhere in the text is an ordinary word at a sentence start.
    assert!(tag("Orange est la couleur. Une orange pressée.").is_empty());
    // A lone capitalised word mid-sentence is kept only if the name is known elsewhere.
    assert!(tag("Il a vu Gambetta hier.").is_empty());
}

#[test]
fn a_name_found_once_labels_its_other_mentions() {
    assert_eq!(
        tag("Milley est arrivé. Le général Mark Milley a parlé, puis Milley est reparti."),
        pairs(&[("Milley", "PER"), ("général Mark Milley", "PER"), ("Milley", "PER")])
    );
    let rules: Vec<String> =
        tag_with(json!({}), "M. Gambetta parle. Gambetta se tait.").into_iter().map(|s| s.2).collect();
    assert_eq!(rules, ["title", "consistency"]);
    assert!(tag_with(json!({"consistency": false}), "M. Gambetta parle. Gambetta se tait.").len() == 1);
}

#[test]
fn ticker_gaps_and_line_breaks_end_names() {
    assert_eq!(
        tag("Le roi Mohammed VI reçoit Amine Hilmi    Coopération renforcée"),
        pairs(&[("roi Mohammed VI", "PER"), ("Amine Hilmi", "PER")])
    );
    // OCR hyphenation at a line end is inside the word.
    assert_eq!(
        tag("à Château¬\ndun et chez M. Poin¬\ncaré."),
        pairs(&[("Château¬\ndun", "LOC"), ("M. Poin¬\ncaré", "PER")])
    );
}

#[test]
fn user_lists_link_and_outrank_the_built_in_ones() {
    let dir = std::env::temp_dir().join(format!("moulin-entities-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("people.tsv"), "# name, label, id\nMark Milley\tPER\tQ7770434\nParis Hilton\tPER\n")
        .unwrap();
    std::fs::write(dir.join("teams.tsv"), "Lions de l'Atlas\n").unwrap();
    let ctx = StageContext { stage_id: "ner".into(), project_dir: dir.clone(), ..Default::default() };
    let config =
        json!({"lists": [{"path": "people.tsv"}, {"path": "teams.tsv", "label": "ORG", "case": "insensitive"}]});
    let mut stage = Harness::with_context::<Entities>(config, ctx).unwrap();
    let text = "Mark Milley a vu Paris Hilton et les lions de l'atlas à Paris.";
    let out = stage.process(docs(&[("d", text)])).unwrap();
    let got: Vec<(String, String, Value)> = out.kept[0]
        .spans()
        .iter()
        .map(|s| {
            (
                text[s.start as usize..s.end as usize].to_string(),
                s.label.to_string(),
                serde_json::from_str(&s.attrs_json).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Mark Milley".into(), "PER".into(), json!({"rule": "people", "id": "Q7770434"})),
            ("Paris Hilton".into(), "PER".into(), json!({"rule": "people"})),
            ("lions de l'atlas".into(), "ORG".into(), json!({"rule": "teams"})),
            ("Paris".into(), "LOC".into(), json!({"rule": "places", "id": "geonames:2988507"})),
        ]
    );
    assert_eq!(out.kept[0].spans()[0].source.as_str(), "ner");

    // A bad line is named with its file and line, under the config key.
    std::fs::write(dir.join("bad.tsv"), "Lyon\tLOC\nSans label\n").unwrap();
    let ctx = StageContext { project_dir: dir.clone(), ..Default::default() };
    let err = Harness::with_context::<Entities>(json!({"lists": [{"path": "bad.tsv"}]}), ctx.clone()).err().unwrap();
    assert_eq!(err.key(), Some("lists.0.path"));
    assert!(err.message().contains("bad.tsv:2") && err.message().contains("no label"), "{}", err.message());
    let err = Harness::with_context::<Entities>(json!({"lists": [{"path": "missing.tsv"}]}), ctx).err().unwrap();
    assert!(err.message().contains("missing.tsv") && err.message().contains("cannot read"), "{}", err.message());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn regex_rules_label_and_layer() {
    // The reference workload's rule: capitalised word sequences, in a layer of their own.
    let config = json!({"rules": [
        {"name": "mentions", "pattern": "\\b[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:[ -][A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)+", "label": "MENTION", "layer": "mention"},
        {"name": "ticker", "pattern": "\\$[A-Z]{2,5}\\b", "label": "ORG"},
    ]});
    let mut stage = Harness::new::<Entities>(config).unwrap();
    let text = "Le général Mark Milley a acheté du $MSFT.";
    let out = stage.process(docs(&[("d", text)])).unwrap();
    let got: Vec<(&str, &str, &str)> = out.kept[0]
        .spans()
        .iter()
        .map(|s| (&text[s.start as usize..s.end as usize], s.layer.as_str(), s.label.as_str()))
        .collect();
    assert_eq!(
        got,
        [("général Mark Milley", "entity", "PER"), ("Mark Milley", "mention", "MENTION"), ("$MSFT", "entity", "ORG")]
    );
}

#[test]
fn labels_and_min_score_filter_spans() {
    let text = "Le général Mark Milley est à Kaboul avec Ashraf Ghani.";
    let only_loc = tag_with(json!({"labels": ["LOC"]}), text);
    assert_eq!(only_loc, [("Kaboul".to_string(), "LOC".to_string(), "places".to_string())]);
    // Guesses score 0.4: a bar at 0.5 leaves the sure spans.
    let sure: Vec<String> = tag_with(json!({"min_score": 0.5}), text).into_iter().map(|s| s.0).collect();
    assert_eq!(sure, ["général Mark Milley", "Kaboul"]);
    assert_eq!(tag_with(json!({"guess": false}), text).len(), 2);
}

#[test]
fn config_errors_name_the_key() {
    for (config, key, words) in [
        (json!({"rules": [{"pattern": "(", "label": "X"}]}), "rules.0.pattern", "regex parse error"),
        (json!({"rules": [{"pattern": "a", "label": " "}]}), "rules.0.label", "expected a label"),
        (json!({"min_score": 2.0}), "min_score", "expected a score in [0, 1]"),
        (json!({"lists": [{"path": "a.tsv", "case": "upper"}]}), "lists[0].case", "unknown variant"),
        (json!({"guesss": true}), "guesss", "unknown field"),
    ] {
        let err = check_config::<Entities>(config.clone()).unwrap_err();
        assert_eq!(err.key(), Some(key), "{config}: {err:?}");
        assert!(err.message().contains(words), "{config}: {}", err.message());
    }
}

/// Text built from pieces the rules react to, so that arbitrary combinations reach them.
fn name_soup() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "M.",
        "Mme",
        "général",
        "le",
        "de",
        "d'",
        "l'",
        "la",
        "Paris",
        "Kaboul",
        "Mark",
        "Milley",
        "OTAN",
        "Banque",
        "rue",
        "Saint",
        "-",
        "et",
        "Cie",
        ",",
        ".",
        "\n",
        "\n\n",
        "    ",
        "¬\n",
        "\u{ad}",
        "É",
        "ÉTATS",
        "Unis",
        "14",
        "à",
        "Ⅻ",
        "İstanbul",
        "ß",
        "ﬁ",
        "\u{301}",
        "’",
        "«",
        "東京",
        "\t",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.join(" ").replace("  ", " "))
}

fn check_spans(text: &str) {
    let mut stage =
        Harness::new::<Entities>(json!({"rules": [{"pattern": "[A-Z]\\w*", "label": "X", "layer": "caps"}]})).unwrap();
    let out = stage.process(docs(&[("d", text)])).unwrap();
    assert!(out.failed.is_empty());
    let mut last_end = 0;
    for s in out.kept[0].spans().iter().filter(|s| s.layer.as_str() == "entity") {
        let (start, end) = (s.start as usize, s.end as usize);
        assert!(start < end && end <= text.len(), "{start}..{end} outside {}", text.len());
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "{start}..{end} off a char boundary in {text:?}"
        );
        assert!(start >= last_end, "overlapping entity spans in {text:?}");
        assert!((0.0..=1.0).contains(&s.score));
        last_end = end;
    }
    for s in out.kept[0].spans() {
        assert!(
            text.is_char_boundary(s.start as usize)
                && text.is_char_boundary(s.end as usize)
                && s.end as usize <= text.len()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn spans_are_inside_the_text_on_char_boundaries(text in any::<String>()) {
        check_spans(&text);
    }

    #[test]
    fn spans_are_valid_on_name_like_text(text in name_soup()) {
        check_spans(&text);
    }
}

#[test]
fn regex_rules_alone_when_the_built_in_lists_and_rules_are_off() {
    // The reference workload's step 4: mentions of two or more capitalised words.
    let config = json!({
        "places": false, "organisations": false, "first_names": false, "builtin_rules": false,
        "rules": [{ "name": "caps", "pattern": "\\b[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:[ -][A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)+", "label": "MENTION", "layer": "mention" }]
    });
    let got = tag_with(config, "M. le général Jean Moulin arrive à Paris avec Émile Zola-Durand, pas OTAN.");
    let shown: Vec<(&str, &str)> = got.iter().map(|(text, label, _)| (text.as_str(), label.as_str())).collect();
    assert_eq!(shown, [("Jean Moulin", "MENTION"), ("Émile Zola-Durand", "MENTION")]);
    // The same text with everything on finds more than the rule.
    assert!(tag_with(json!({}), "M. le général Jean Moulin arrive à Paris.")
        .iter()
        .any(|(t, l, _)| t == "Paris" && l == "LOC"));
}

/// Issue 17 item 5: a document of millions of names gets at most `max_spans` spans and says
/// where tagging stopped; a long document is tagged a window at a time, with the same spans
/// as when it is short enough to be tagged whole.
#[test]
fn spans_are_bounded_and_long_texts_tagged_in_windows() {
    let text = "Paris ".repeat(1000);
    let mut stage = Harness::new::<Entities>(serde_json::json!({ "max_spans": 10 })).unwrap();
    let out = stage.process(docs(&[("a", &text)])).unwrap();
    assert_eq!(out.kept[0].spans().len(), 10);
    assert_eq!(out.kept[0].meta()["entities_cut_at"], 60);
    // Past a window (256 KiB), the spans are those of each line tagged alone.
    let line = "Le général Mark Milley a parlé à Kaboul avec l'OTAN.\n";
    let long = line.repeat(moulin_entities::WINDOW_BYTES / line.len() * 3);
    let mut stage = Harness::new::<Entities>(serde_json::json!({})).unwrap();
    let whole = stage.process(docs(&[("a", &long)])).unwrap();
    let one = stage.process(docs(&[("b", line)])).unwrap();
    let per_line = one.kept[0].spans().len();
    assert_eq!(whole.kept[0].spans().len(), per_line * (long.len() / line.len()));
    assert!(whole.kept[0].meta().get("entities_cut_at").is_none());
    for (i, s) in whole.kept[0].spans().iter().enumerate() {
        let at = (i / per_line) * line.len();
        let first = &one.kept[0].spans()[i % per_line];
        assert_eq!(
            (s.start, s.end, s.label.as_str()),
            (first.start + at as u64, first.end + at as u64, first.label.as_str())
        );
    }
}

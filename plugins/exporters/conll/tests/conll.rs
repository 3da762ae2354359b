use moulin_conll::{resolve, tag, tokenize, Conll};
use moulin_plugin::testkit::{check_config, docs, Harness};
use moulin_plugin::{Span, StageContext};
use serde_json::json;

fn tokens(text: &str) -> Vec<&str> {
    tokenize(text).into_iter().map(|(a, b)| &text[a..b]).collect()
}

#[test]
fn the_tokeniser_splits_punctuation_and_elisions_and_keeps_compounds_and_numbers() {
    assert_eq!(
        tokens("L'OTAN, à Saint-Denis : 3,5 % (1.000 €)…"),
        ["L'", "OTAN", ",", "à", "Saint-Denis", ":", "3,5", "%", "(", "1.000", "€", ")", "…"]
    );
    assert_eq!(tokens("aujourd'hui jusqu’à d’Afghanistan"), ["aujourd'hui", "jusqu’", "à", "d’", "Afghanistan"]);
    assert_eq!(
        tokens("fin. -début 'cité' e\u{301}te\u{301}"),
        ["fin", ".", "-", "début", "'", "cité", "'", "e\u{301}te\u{301}"]
    );
    assert!(tokens(" \n\t ").is_empty());
}

fn entity(start: usize, end: usize, label: &str) -> Span {
    Span::new(start as u64, end as u64, "entity", label, "t")
}

#[test]
fn overlapping_spans_keep_the_earliest_then_longest() {
    let text = "le ministère de la Guerre à Paris";
    let at = |s: &str| text.find(s).unwrap();
    let org = entity(at("ministère"), at(" à"), "ORG");
    let nested = entity(at("Guerre"), at(" à"), "LOC");
    let crossing = entity(at("erre"), text.len(), "MISC");
    let paris = entity(at("Paris"), text.len(), "LOC");
    let other_layer = Span::new(0, 2, "lang", "fr", "l");
    let (kept, dropped) = resolve(&[paris, nested, org, crossing, other_layer], "entity");
    let kept_at: Vec<(u64, u64, &str)> = kept.iter().map(|s| (s.start, s.end, s.label.as_str())).collect();
    assert_eq!(kept_at, [(3, at(" à") as u64, "ORG"), (at("Paris") as u64, text.len() as u64, "LOC")]);
    assert_eq!(dropped, 2);
    let (tagged, _) = tag(text, &kept, "entity");
    let tags: Vec<&str> = tagged.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(tags, ["O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-LOC"]);
}

#[test]
fn tokens_are_cut_at_span_bounds_and_adjacent_spans_start_anew() {
    // `Paris` inside `Paris-Nord`, `Rabat` and `Salé` inside one compound; two entities back to back.
    let text = "Paris-Nord Rabat-Salé Jean Marie";
    let spans = [
        entity(0, 5, "LOC"),
        entity(11, 16, "LOC"),
        entity(17, 22, "LOC"),
        entity(23, 27, "PER"),
        entity(28, 33, "PER"),
    ];
    let (tagged, _) = tag(text, &spans, "entity");
    let shown: Vec<String> = tagged.iter().map(|(t, tag)| format!("{t}/{tag}")).collect();
    assert_eq!(shown, ["Paris/B-LOC", "-Nord/O", "Rabat/B-LOC", "-/O", "Salé/B-LOC", "Jean/B-PER", "Marie/B-PER"]);
}

#[test]
fn blocks_per_document_in_parts_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = StageContext { stage_id: "export".into(), output_dir: dir.path().into(), ..Default::default() };
    let mut stage =
        Harness::with_context::<Conll>(json!({"path": "n.conll", "max_documents_per_file": 2}), ctx).unwrap();
    let mut d = docs(&[("a\nb", "Tours"), ("c", ""), ("d", "Metz !")]);
    d[0].add_span(entity(0, 5, "LOC"));
    d[0].add_span(entity(0, 3, "X"));
    stage.export(&d).unwrap();
    let summary = stage.finish().unwrap();
    assert_eq!(summary["files"], json!(["n.part-00000.conll", "n.part-00001.conll"]));
    assert_eq!(
        (summary["documents"].as_u64(), summary["rows"].as_u64(), summary["overlapping_spans_dropped"].as_u64()),
        (Some(3), Some(3), Some(1))
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("n.part-00000.conll")).unwrap(),
        "# id = a b\n1\tTours\tB-LOC\n\n# id = c\n\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("n.part-00001.conll")).unwrap(),
        "# id = d\n1\tMetz\tO\n2\t!\tO\n\n"
    );
}

#[test]
fn config_errors_name_their_key() {
    assert_eq!(check_config::<Conll>(json!({"path": "a.conll", "layer": ""})).unwrap_err().key(), Some("layer"));
    assert_eq!(check_config::<Conll>(json!({"path": "/a.conll"})).unwrap_err().key(), Some("path"));
}

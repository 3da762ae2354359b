use super::*;
use moulin_plugin::testkit::{docs, Harness};
use serde_json::json;

const STORY: &str = "Le chef d'état-major américain Mark Milley a rencontré à Doha les représentants des talibans pour parler du retrait des troupes, a indiqué dimanche un porte-parole du Pentagone, selon qui les discussions ont porté sur la sécurité des civils.";

/// A word of letters only (digits would all normalise to `0`).
fn word(mut i: usize) -> String {
    let mut w = String::from("m");
    loop {
        w.push((b'a' + (i % 26) as u8) as char);
        i /= 26;
        if i == 0 {
            return w;
        }
    }
}

fn ids(docs: &[Document]) -> Vec<&str> {
    docs.iter().map(|d| d.id()).collect()
}

fn run(config: serde_json::Value, input: &[Document], workers: usize) -> (Harness, moulin_plugin::testkit::Processed) {
    let per = input.len().div_ceil(workers.max(1)).max(1);
    let split: Vec<Vec<Vec<Document>>> = input.chunks(per).map(|c| vec![c.to_vec()]).collect();
    let mut stage = Harness::with_passes::<Dedup>(config, split).expect("passes");
    let out = stage.process(input.to_vec()).expect("main pass");
    (stage, out)
}

#[test]
fn exact_duplicates_after_normalisation_keep_the_first() {
    let input =
        docs(&[("b", STORY), ("a", &STORY.to_uppercase().replace(',', " ,")), ("c", "Autre chose."), ("d", STORY)]);
    let (stage, out) = run(json!({ "method": "exact" }), &input, 2);
    // Without a source in meta, the id gives the input order: a before b.
    assert_eq!(ids(&out.kept), ["a", "c"]);
    assert_eq!(out.dropped[0].drop_reason(), Some("dedup: exact duplicate; kept a, similarity 1.000"));
    let summary = &stage.pass_summaries()[0];
    assert_eq!((summary.counts["clusters"], summary.counts["largest cluster"]), (1, 3));
    assert_eq!(summary.histograms["cluster size"][&3], 1);
}

#[test]
fn near_duplicates_are_verified_against_the_kept_copy_not_chained() {
    // a ~ b and b ~ c, but a and c are far apart: c must not go for b's sake.
    let words: Vec<String> = (0..60).map(word).collect();
    let a = words[..40].join(" ");
    let b = words[6..46].join(" ");
    let c = words[12..52].join(" ");
    let input = docs(&[("a", &a), ("b", &b), ("c", &c)]);
    let (_, out) = run(json!({ "threshold": 0.6, "bands": 20, "rows": 2 }), &input, 1);
    assert_eq!(ids(&out.kept), ["a", "c"], "{:?}", out.dropped.iter().map(|d| d.drop_reason()).collect::<Vec<_>>());
    assert!(out.dropped[0].drop_reason().unwrap().contains("kept a"));
}

#[test]
fn the_result_does_not_depend_on_workers_nor_on_the_order_seen() {
    let mut items = Vec::new();
    for i in 0..60 {
        let text = format!("{STORY} Dépêche numéro {} du fil.", i % 7);
        items.push((
            format!("d{i:03}"),
            if i % 3 == 0 { format!("Article {i} sans double, écrit à part.") } else { text },
        ));
    }
    let input: Vec<Document> = items.iter().map(|(i, t)| Document::new(i, t)).collect();
    let outcome = |workers, reversed: bool| {
        let mut seen = input.clone();
        if reversed {
            seen.reverse();
        }
        let per = seen.len().div_ceil(workers);
        let split: Vec<Vec<Vec<Document>>> = seen.chunks(per).map(|c| vec![c.to_vec()]).collect();
        let mut stage = Harness::with_passes::<Dedup>(json!({}), split).unwrap();
        let out = stage.process(input.clone()).unwrap();
        (ids(&out.kept).iter().map(|s| s.to_string()).collect::<Vec<_>>(), stage.pass_summaries()[0].clone())
    };
    let one = outcome(1, false);
    assert_eq!(one, outcome(3, false));
    assert_eq!(one, outcome(4, true));
    assert!(one.0.contains(&"d001".to_string()) && !one.0.contains(&"d002".to_string()));
}

#[test]
fn annotate_marks_every_member_and_keeps_them() {
    let input = docs(&[("a", STORY), ("b", STORY), ("c", "Rien à voir.")]);
    let (_, out) = run(json!({ "action": "annotate", "method": "exact" }), &input, 1);
    assert_eq!(ids(&out.kept), ["a", "b", "c"]);
    let meta = |i: usize| out.kept[i].meta().get("dedup").cloned();
    assert_eq!(meta(0).unwrap()["duplicate"], false);
    assert_eq!(meta(1).unwrap()["kept"], "a");
    assert_eq!(meta(1).unwrap()["size"], 2);
    assert_eq!(meta(2), None);
}

#[test]
fn keep_longest_or_by_a_meta_field() {
    let long = format!("{STORY} Un paragraphe de plus, que seule cette version a.");
    let input = docs(&[("a", STORY), ("b", &long)]);
    let (_, out) = run(json!({ "keep": "longest", "threshold": 0.5 }), &input, 1);
    assert_eq!(ids(&out.kept), ["b"]);
    let mut input = docs(&[("a", STORY), ("b", STORY)]);
    input[1].set_meta_field("quality", json!(0.9));
    input[0].set_meta_field("quality", json!(0.2));
    let (_, out) = run(json!({ "keep": "highest", "keep_field": "quality", "method": "exact" }), &input, 1);
    assert_eq!(ids(&out.kept), ["b"]);
}

#[test]
fn empty_short_and_huge_documents_have_defined_results() {
    let huge = (0..1_000_000).map(|i| word(i % 5003) + "xy").collect::<Vec<_>>().join(" ");
    assert!(huge.len() > 5_000_000);
    let input = docs(&[("a", ""), ("b", ""), ("c", "Oui."), ("d", "oui"), ("e", "Non."), ("f", &huge), ("g", &huge)]);
    let (stage, out) = run(json!({}), &input, 2);
    // Empty documents are never duplicates; short ones are one shingle, equal or not.
    assert_eq!(ids(&out.kept), ["a", "b", "c", "e", "f"]);
    assert_eq!(stage.pass_summaries()[0].counts["documents without text"], 2);
}

#[test]
fn thousands_of_identical_documents_are_one_cluster_with_a_warning() {
    let input: Vec<Document> = (0..3000).map(|i| Document::new(&format!("d{i:05}"), STORY)).collect();
    let (stage, out) = run(json!({ "cluster_warning": 1000 }), &input, 3);
    assert_eq!(ids(&out.kept), ["d00000"]);
    let summary = &stage.pass_summaries()[0];
    assert_eq!(summary.counts["largest cluster"], 3000);
    assert!(summary.warnings[0].contains("3000 documents keeps only d00000"), "{:?}", summary.warnings);
}

#[test]
fn repeated_paragraphs_go_but_their_first_occurrence() {
    let appeal = "Soutenez notre rédaction : faites un don !";
    let a = format!("Premier article.\n\n{appeal}\n\nFin du premier.");
    let b = format!("{appeal}\n\nSecond article, tout autre.\n\n{appeal}");
    let input = docs(&[("a", &a), ("b", &b), ("c", &format!("{appeal}\n\n"))]);
    let (stage, out) = run(json!({ "level": "paragraph" }), &input, 2);
    assert_eq!(out.kept[0].text(), a);
    assert_eq!(out.kept[1].text(), "Second article, tout autre.\n\n");
    assert_eq!(out.kept[1].meta()["dedup"]["units_removed"], 2);
    assert_eq!(out.dropped[0].drop_reason(), Some("dedup: every paragraph is repeated elsewhere"));
    assert_eq!(stage.pass_summaries()[0].counts["units removed"], 3);
    // Annotated, the text stays and spans cover the repeats.
    let (_, out) = run(json!({ "level": "line", "action": "annotate" }), &input, 1);
    let spans = out.kept[1].spans();
    assert_eq!(spans.len(), 2);
    assert_eq!(&b[spans[1].start as usize..spans[1].end as usize], appeal);
}

#[test]
fn bad_settings_are_refused_with_the_key() {
    for (config, key) in [
        (json!({ "bands": 0 }), "bands"),
        (json!({ "bands": 300 }), "bands"),
        (json!({ "threshold": 1.5 }), "threshold"),
        (json!({ "level": "line", "method": "minhash" }), "method"),
        (json!({ "keep": "highest" }), "keep_field"),
        (json!({ "keep_field": "q" }), "keep_field"),
    ] {
        let e = Harness::with_passes::<Dedup>(config.clone(), vec![]).err().expect("refused");
        assert_eq!(e.key(), Some(key), "{config}: {e}");
    }
    let e = Harness::new::<Dedup>(json!({})).err().expect("no pass result");
    assert!(e.to_string().contains("Harness::with_passes"), "{e}");
}

#[test]
fn a_later_run_dedups_against_the_index_an_earlier_one_wrote() {
    let dir = std::env::temp_dir().join(format!("moulin-dedup-index-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let other = "Une dépêche sans rapport, qui ne ressemble à aucune autre du fil de la semaine.";
    let first = docs(&[("a", STORY), ("b", other), ("c", STORY)]);
    let (stage, out) = run(json!({ "index": dir }), &first, 2);
    assert_eq!(ids(&out.kept), ["a", "b"]);
    assert_eq!(stage.pass_summaries()[0].counts["documents in the index written"], 2);
    for name in ["index.json", "docs.bin", "bands.bin"] {
        assert!(dir.join(name).is_file(), "{name}");
    }
    let later = docs(&[("x", &format!("{STORY} ")), ("y", "Tout autre chose, écrit ailleurs et plus tard.")]);
    let (stage, out) = run(json!({ "against": [dir] }), &later, 1);
    assert_eq!(ids(&out.kept), ["y"]);
    let reason = out.dropped[0].drop_reason().unwrap();
    assert!(reason.starts_with("dedup: near duplicate in an index; kept a, similarity 1.000"), "{reason}");
    assert_eq!(stage.pass_summaries()[0].counts["documents removed for an index"], 1);
    // An index is read-only, and made with other settings it is refused, naming the setting.
    let e = Harness::with_passes::<Dedup>(json!({ "against": [dir], "bands": 20 }), vec![]).err().expect("refused");
    assert!(e.key() == Some("against") && e.to_string().contains("bands = 14"), "{e}");
    let e = Harness::with_passes::<Dedup>(json!({ "against": [dir.join("none")] }), vec![]).err().expect("refused");
    assert!(e.to_string().contains("not a dedup index"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

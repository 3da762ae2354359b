use moulin_csv::{char_offsets, Csv};
use moulin_plugin::testkit::{check_config, docs, Harness};
use moulin_plugin::{Document, Span, StageContext};
use serde_json::json;
use std::path::Path;

fn ctx(dir: &Path) -> StageContext {
    StageContext { stage_id: "export".into(), output_dir: dir.into(), ..Default::default() }
}

fn sample() -> Vec<Document> {
    let mut d = docs(&[("a#1", "Émile Zola, à Paris.\n\"J'accuse\""), ("b", "rien")]);
    d[0].set_lang("fr", 0.9);
    d[0].set_meta_field("url", json!("https://example.fr/a"));
    d[0].set_meta_field("source", json!({"path": "x.jsonl", "record": 1}));
    let mut per = Span::new(0, "Émile Zola".len() as u64, "entity", "PER", "ner");
    per.score = 0.5;
    d[0].add_span(per);
    let at = "Émile Zola, à ".len() as u64;
    d[0].add_span(Span::new(at, at + 5, "entity", "LOC", "ner"));
    d[0].add_span(Span::new(0, 10, "lang", "fr", "lang"));
    d
}

#[test]
fn document_rows_with_meta_fields_and_quoting() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"path": "d.csv", "columns": ["id", "lang", "lang_score", "text"], "meta_fields": [
        {"name": "url", "pointer": "/url"}, {"name": "record", "pointer": "/source/record"}, {"name": "missing", "pointer": "/nope"}]});
    let mut stage = Harness::with_context::<Csv>(config, ctx(dir.path())).unwrap();
    stage.export(&sample()).unwrap();
    assert_eq!(stage.finish().unwrap()["rows"], 2);
    let written = std::fs::read_to_string(dir.path().join("d.csv")).unwrap();
    assert_eq!(
        written,
        "id,lang,lang_score,text,url,record,missing\n\
         a#1,fr,0.9,\"Émile Zola, à Paris.\n\"\"J'accuse\"\"\",https://example.fr/a,1,\n\
         b,und,,rien,,,\n"
    );
}

#[test]
fn span_rows_with_byte_and_char_offsets_and_covered_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut stage = Harness::with_context::<Csv>(
        json!({"path": "s.tsv", "rows": "spans", "layers": ["entity"], "delimiter": "\t"}),
        ctx(dir.path()),
    )
    .unwrap();
    stage.export(&sample()).unwrap();
    stage.finish().unwrap();
    let written = std::fs::read_to_string(dir.path().join("s.tsv")).unwrap();
    assert_eq!(
        written,
        "id\tstart\tend\tchar_start\tchar_end\tlayer\tlabel\ttext\tscore\tsource\n\
         a#1\t0\t11\t0\t10\tentity\tPER\tÉmile Zola\t0.5\tner\n\
         a#1\t16\t21\t14\t19\tentity\tLOC\tParis\t\tner\n"
    );
}

#[test]
fn char_offsets_in_any_order() {
    assert_eq!(char_offsets("été à", &[6, 0, 5, 2, 8]), [4, 0, 3, 1, 5]);
}

#[test]
fn parts_each_have_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let mut stage = Harness::with_context::<Csv>(
        json!({"path": "d.csv", "columns": ["id"], "max_documents_per_file": 1}),
        ctx(dir.path()),
    )
    .unwrap();
    stage.export(&sample()).unwrap();
    let summary = stage.finish().unwrap();
    assert_eq!(summary["files"], json!(["d.part-00000.csv", "d.part-00001.csv"]));
    assert_eq!(std::fs::read_to_string(dir.path().join("d.part-00001.csv")).unwrap(), "id\nb\n");
}

#[test]
fn config_errors_name_their_key() {
    let bad = [
        (json!({"path": "d.csv", "columns": ["id", "title"]}), "columns.1"),
        (json!({"path": "d.csv", "meta_fields": [{"name": "u", "pointer": "url"}]}), "meta_fields.0.pointer"),
        (json!({"path": "d.csv", "rows": "spans", "columns": ["id"]}), "columns"),
        (json!({"path": "d.csv", "layers": ["entity"]}), "layers"),
        (json!({"path": "d.csv", "delimiter": "é"}), "delimiter"),
        (json!({"path": "../d.csv"}), "path"),
        (json!({"path": "d.csv", "rows": "tokens"}), "rows"),
    ];
    for (config, key) in bad {
        assert_eq!(check_config::<Csv>(config.clone()).unwrap_err().key(), Some(key), "{config}");
    }
}

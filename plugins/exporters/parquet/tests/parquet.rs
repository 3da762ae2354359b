use arrow_array::{Array, Float32Array, ListArray, RecordBatch, StringArray, StructArray, UInt64Array};
use moulin_parquet::{schema, Parquet};
use moulin_plugin::testkit::{check_config, docs, Harness};
use moulin_plugin::{Document, Span, StageContext};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::json;
use std::path::Path;

fn ctx(dir: &Path) -> StageContext {
    StageContext { stage_id: "export".into(), output_dir: dir.into(), ..Default::default() }
}

fn sample(n: usize) -> Vec<Document> {
    (0..n)
        .map(|i| {
            let mut d = Document::new(&format!("d{i}"), &format!("Émile Zola à Paris, numéro {i}"));
            if i % 2 == 0 {
                d.set_lang("fr", 0.75);
                d.set_meta_field("url", json!(format!("https://example.fr/{i}")));
                let mut s = Span::new(0, "Émile Zola".len() as u64, "entity", "PER", "ner");
                s.score = 0.5;
                d.add_span(s);
                d.add_span(Span::new(14, 19, "entity", "LOC", "ner"));
            }
            d
        })
        .collect()
}

fn read(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    assert_eq!(reader.schema().as_ref(), schema().as_ref(), "the file has the documented schema");
    reader.build().unwrap().map(|b| b.unwrap()).collect()
}

fn strings<'a>(b: &'a RecordBatch, name: &str) -> &'a StringArray {
    b.column_by_name(name).unwrap().as_any().downcast_ref().unwrap()
}

#[test]
fn every_column_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    for codec in ["zstd", "snappy", "none"] {
        let name = format!("d-{codec}.parquet");
        let mut stage = Harness::with_context::<Parquet>(
            json!({"path": name, "compression": codec, "batch_documents": 2}),
            ctx(dir.path()),
        )
        .unwrap();
        stage.export(&sample(5)).unwrap();
        assert_eq!(stage.finish().unwrap()["rows"], 5);
        let batches = read(&dir.path().join(&name));
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 5, "{codec}");
        let b = &batches[0];
        assert_eq!(strings(b, "id").value(1), "d1");
        assert_eq!(strings(b, "text").value(0), "Émile Zola à Paris, numéro 0");
        assert_eq!((strings(b, "lang").value(0), strings(b, "lang").value(1)), ("fr", "und"));
        let scores: &Float32Array = b.column_by_name("lang_score").unwrap().as_any().downcast_ref().unwrap();
        assert_eq!((scores.value(0), scores.is_null(1)), (0.75, true));
        let meta: serde_json::Value = serde_json::from_str(strings(b, "meta").value(0)).unwrap();
        assert_eq!(meta["url"], "https://example.fr/0");
        let spans: &ListArray = b.column_by_name("spans").unwrap().as_any().downcast_ref().unwrap();
        assert_eq!((spans.value_length(0), spans.value_length(1)), (2, 0));
        let first = spans.value(0);
        let first: &StructArray = first.as_any().downcast_ref().unwrap();
        let ends: &UInt64Array = first.column_by_name("end").unwrap().as_any().downcast_ref().unwrap();
        let labels: &StringArray = first.column_by_name("label").unwrap().as_any().downcast_ref().unwrap();
        let span_scores: &Float32Array = first.column_by_name("score").unwrap().as_any().downcast_ref().unwrap();
        assert_eq!(
            (ends.value(0), labels.value(1), span_scores.value(0), span_scores.is_null(1)),
            (11, "LOC", 0.5, true)
        );
    }
}

#[test]
fn files_and_row_groups_follow_their_limits() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        json!({"path": "p.parquet", "max_documents_per_file": 4, "row_group_documents": 3, "batch_documents": 1});
    let mut stage = Harness::with_context::<Parquet>(config, ctx(dir.path())).unwrap();
    stage.export(&sample(10)).unwrap();
    let summary = stage.finish().unwrap();
    assert_eq!(summary["files"], json!(["p.part-00000.parquet", "p.part-00001.parquet", "p.part-00002.parquet"]));
    let mut ids = Vec::new();
    for f in summary["files"].as_array().unwrap() {
        let path = dir.path().join(f.as_str().unwrap());
        let meta =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap().metadata().clone();
        assert!(meta.row_groups().iter().all(|g| g.num_rows() <= 3));
        for b in read(&path) {
            ids.extend((0..b.num_rows()).map(|i| strings(&b, "id").value(i).to_string()));
        }
    }
    assert_eq!(ids, (0..10).map(|i| format!("d{i}")).collect::<Vec<_>>());
    let bytes: u64 = summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| std::fs::metadata(dir.path().join(f.as_str().unwrap())).unwrap().len())
        .sum();
    assert_eq!(summary["bytes"], bytes);
}

#[test]
fn no_documents_give_a_valid_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut stage = Harness::with_context::<Parquet>(json!({"path": "e.parquet"}), ctx(dir.path())).unwrap();
    stage.export(&docs(&[])).unwrap();
    stage.finish().unwrap();
    assert_eq!(read(&dir.path().join("e.parquet")).iter().map(|b| b.num_rows()).sum::<usize>(), 0);
}

#[test]
fn config_errors_name_their_key() {
    for (config, key) in [
        (json!({"path": "a.parquet", "compression": "snappy", "level": 3}), "level"),
        (json!({"path": "a.parquet", "level": 30}), "level"),
        (json!({"path": "a.parquet", "compression": "lz4"}), "compression"),
        (json!({"path": "a.parquet", "row_group_documents": 0}), "row_group_documents"),
        (json!({}), "path"),
    ] {
        assert_eq!(check_config::<Parquet>(config.clone()).unwrap_err().key(), Some(key), "{config}");
    }
}

//! One criterion group for an exporter: each configuration writes the benchmark documents
//! (with a few entity spans each, as a tagged corpus has) into a fresh folder and finishes.

use criterion::{BatchSize, Criterion, Throughput};
use moulin_plugin::testkit::Harness;
use moulin_plugin::{Document, Span, Stage, StageContext};

/// The benchmark documents, each with a span on every capitalised word (so that span
/// columns and tags have work to do).
pub fn documents_with_spans(min_bytes: usize) -> Vec<Document> {
    crate::documents(min_bytes)
        .iter()
        .map(|(id, text)| {
            let mut doc = Document::new(id, text);
            let mut at = 0;
            for word in text.split(' ') {
                if word.chars().next().is_some_and(char::is_uppercase) && word.chars().all(char::is_alphabetic) {
                    doc.add_span(Span::new(at as u64, (at + word.len()) as u64, "entity", "MISC", "bench"));
                }
                at += word.len() + 1;
            }
            doc
        })
        .collect()
}

/// Time exporter `S` under each `(name, config)` over 4 MB of documents, MB/s of text.
pub fn bench_exporter<S: Stage>(c: &mut Criterion, configs: &[(&str, serde_json::Value)]) {
    let docs = documents_with_spans(4_000_000);
    let bytes: usize = docs.iter().map(|d| d.text().len()).sum();
    eprintln!("{}: {} documents, {bytes} bytes, from {}", S::NAME, docs.len(), crate::source());
    let mut group = c.benchmark_group(S::NAME);
    group.throughput(Throughput::Bytes(bytes as u64)).sample_size(10);
    for (name, config) in configs {
        group.bench_function(*name, |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().expect("a temporary folder");
                    let ctx =
                        StageContext { stage_id: "export".into(), output_dir: dir.path().into(), ..Default::default() };
                    (Harness::with_context::<S>(config.clone(), ctx).expect("config"), dir)
                },
                |(mut stage, dir)| {
                    stage.export(&docs).expect("export");
                    stage.finish().expect("finish");
                    drop(dir);
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

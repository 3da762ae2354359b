//! Throughput of the `boilerplate` stage on news documents, through the same trait object
//! the host calls. `MOULIN_BENCH_CORPUS=/path/to/corpus cargo bench -p moulin-boilerplate`
//! for the reference corpus; the seeds otherwise.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use moulin_boilerplate::Boilerplate;
use moulin_plugin::testkit::Harness;
use moulin_plugin::{Document, StageContext};

fn bench(c: &mut Criterion) {
    let docs: Vec<Document> =
        moulin_bench_corpus::documents(4_000_000).iter().map(|(id, text)| Document::new(id, text)).collect();
    let bytes: usize = docs.iter().map(|d| d.text().len()).sum();
    eprintln!("boilerplate: {} documents, {bytes} bytes, from {}", docs.len(), moulin_bench_corpus::source());
    let patterns = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../examples/french-news/boilerplate_patterns.txt");
    let mut group = c.benchmark_group("boilerplate");
    group.throughput(Throughput::Bytes(bytes as u64)).sample_size(10);
    for (name, config) in [
        ("default", serde_json::json!({})),
        ("no-default-patterns", serde_json::json!({ "default_patterns": false })),
        ("patterns-file", serde_json::json!({ "patterns_file": patterns })),
        // The reference workload's step 2: only the pattern file's patterns.
        (
            "patterns-only",
            serde_json::json!({ "patterns_file": patterns, "default_patterns": false, "features": false, "min_chars": 1 }),
        ),
    ] {
        let mut stage = Harness::with_context::<Boilerplate>(config, StageContext::default()).expect("config");
        group.bench_function(name, |b| {
            b.iter_batched(
                || docs.clone(),
                |docs| stage.process(docs).expect("process"),
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Throughput of the `langid` stage on news documents, through the same trait object the
//! host calls. `MOULIN_BENCH_CORPUS=/path/to/corpus cargo bench -p moulin-langid` for the
//! reference corpus; the seeds otherwise.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use moulin_langid::Langid;
use moulin_plugin::testkit::Harness;
use moulin_plugin::Document;

fn bench(c: &mut Criterion) {
    let docs: Vec<Document> =
        moulin_bench_corpus::documents(4_000_000).iter().map(|(id, text)| Document::new(id, text)).collect();
    let bytes: usize = docs.iter().map(|d| d.text().len()).sum();
    eprintln!("langid: {} documents, {bytes} bytes, from {}", docs.len(), moulin_bench_corpus::source());
    let mut group = c.benchmark_group("langid");
    group.throughput(Throughput::Bytes(bytes as u64)).sample_size(10);
    for (name, config) in [
        ("default", serde_json::json!({})),
        ("four-candidates", serde_json::json!({ "candidates": ["fr", "en", "es", "de"] })),
        ("no-segments", serde_json::json!({ "segments": "none" })),
    ] {
        // A new stage for every iteration: its cache of lingua's answers starts empty, as in
        // a run (lingua's models are loaded once per process and shared).
        let setup = || (Harness::new::<Langid>(config.clone()).expect("config"), docs.clone());
        group.bench_function(name, |b| {
            b.iter_batched(
                setup,
                |(mut stage, docs)| stage.process(docs).expect("process"),
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Throughput of the `normalize` stage, through the same trait object the host calls.
//! `MOULIN_BENCH_CORPUS=/path/to/corpus cargo bench -p moulin-normalize` for the reference
//! corpus; the seeds otherwise.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use moulin_normalize::Normalize;
use moulin_plugin::testkit::Harness;
use moulin_plugin::Document;

fn bench(c: &mut Criterion) {
    let docs: Vec<Document> =
        moulin_bench_corpus::documents(4_000_000).iter().map(|(id, text)| Document::new(id, text)).collect();
    let bytes: usize = docs.iter().map(|d| d.text().len()).sum();
    eprintln!("normalize: {} documents, {bytes} bytes, from {}", docs.len(), moulin_bench_corpus::source());
    let mut group = c.benchmark_group("normalize");
    group.throughput(Throughput::Bytes(bytes as u64)).sample_size(10);
    for (name, config) in
        [("default", serde_json::json!({})), ("workload", serde_json::json!({ "form": "nfc", "max_blank_lines": 1 }))]
    {
        let mut stage = Harness::new::<Normalize>(config).expect("config");
        group.bench_function(name, |b| {
            b.iter_batched(|| docs.clone(), |docs| stage.process(docs).expect("process"), BatchSize::LargeInput)
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

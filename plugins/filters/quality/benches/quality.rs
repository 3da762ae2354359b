//! Throughput of each quality stage on news documents, through the same trait object the host
//! calls. `MOULIN_BENCH_CORPUS=/path/to/corpus cargo bench -p moulin-quality` for the
//! reference corpus; the seeds otherwise.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use moulin_plugin::testkit::Harness;
use moulin_plugin::{Document, Stage, StageContext};
use moulin_quality::{C4QualityFilter, FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter};

fn run<S: Stage>(c: &mut Criterion, docs: &[Document], bytes: usize) {
    let mut group = c.benchmark_group("quality");
    group.throughput(Throughput::Bytes(bytes as u64)).sample_size(10);
    let mut stage = Harness::with_context::<S>(serde_json::json!({}), StageContext::default()).expect("config");
    group.bench_function(S::NAME, |b| {
        b.iter_batched(|| docs.to_vec(), |docs| stage.process(docs).expect("process"), criterion::BatchSize::LargeInput)
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let docs: Vec<Document> =
        moulin_bench_corpus::documents(4_000_000).iter().map(|(id, text)| Document::new(id, text)).collect();
    let bytes: usize = docs.iter().map(|d| d.text().len()).sum();
    eprintln!("quality: {} documents, {bytes} bytes, from {}", docs.len(), moulin_bench_corpus::source());
    run::<GopherQualityFilter>(c, &docs, bytes);
    run::<GopherRepetitionFilter>(c, &docs, bytes);
    run::<C4QualityFilter>(c, &docs, bytes);
    run::<FineWebQualityFilter>(c, &docs, bytes);
}

criterion_group!(benches, bench);
criterion_main!(benches);

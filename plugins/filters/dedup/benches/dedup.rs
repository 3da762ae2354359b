//! The signature pass per document: normalising and MinHash over word 5-grams (14 × 8).
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use moulin_dedup::{minhash::Signer, text::Normalize};

fn signatures(c: &mut Criterion) {
    let docs = moulin_bench_corpus::documents(2_000_000);
    let bytes: usize = docs.iter().map(|(_, t)| t.len()).sum();
    let signer = Signer::new(moulin_dedup::minhash::Unit::Word, 5, 14, 8, 1);
    let mut group = c.benchmark_group(format!("dedup ({})", moulin_bench_corpus::source()));
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("normalise+minhash", |b| {
        let (mut scratch, mut hashes) = (String::new(), Vec::new());
        b.iter(|| {
            for (_, d) in &docs {
                Normalize::default().apply(d, &mut scratch);
                std::hint::black_box(signer.sign(&scratch, &mut hashes));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, signatures);
criterion_main!(benches);

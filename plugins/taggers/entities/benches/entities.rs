//! Throughput of the `entities` stage on news documents, through the same trait object the
//! host calls. `MOULIN_BENCH_CORPUS=/path/to/corpus cargo bench -p moulin-entities` for the
//! reference corpus; the seeds otherwise.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use moulin_entities::Entities;
use moulin_plugin::testkit::Harness;
use moulin_plugin::Document;

fn bench(c: &mut Criterion) {
    let docs: Vec<Document> =
        moulin_bench_corpus::documents(4_000_000).iter().map(|(id, text)| Document::new(id, text)).collect();
    let bytes: usize = docs.iter().map(|d| d.text().len()).sum();
    eprintln!("entities: {} documents, {bytes} bytes, from {}", docs.len(), moulin_bench_corpus::source());
    let mut group = c.benchmark_group("entities");
    group.throughput(Throughput::Bytes(bytes as u64)).sample_size(10);
    for (name, config) in [
        ("default", serde_json::json!({})),
        // The reference workload's step 4: its regex rule, in a layer of its own, beside the tagger.
        (
            "with-workload-rule",
            serde_json::json!({ "rules": [{ "name": "mentions", "label": "MENTION", "layer": "mention",
                "pattern": "\\b[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:[ -][A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)+" }] }),
        ),
        ("lists-only", serde_json::json!({ "guess": false, "consistency": false, "first_names": false })),
    ] {
        // The built-in lists are compiled once per process, as in a run; the first
        // iteration pays for it and criterion's warm-up absorbs it.
        let mut stage = Harness::new::<Entities>(config.clone()).expect("config");
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

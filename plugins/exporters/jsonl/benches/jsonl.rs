//! Throughput of the `jsonl` exporter: plain, gzip and zstd. `MOULIN_BENCH_CORPUS=...` for
//! the reference corpus.
use serde_json::json;

fn bench(c: &mut criterion::Criterion) {
    moulin_bench_corpus::exporters::bench_exporter::<moulin_jsonl::Jsonl>(
        c,
        &[
            ("plain", json!({"path": "d.jsonl"})),
            ("gzip", json!({"path": "d.jsonl.gz"})),
            ("zstd", json!({"path": "d.jsonl.zst"})),
        ],
    );
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);

//! Throughput of the `parquet` exporter: zstd and snappy.
use serde_json::json;

fn bench(c: &mut criterion::Criterion) {
    moulin_bench_corpus::exporters::bench_exporter::<moulin_parquet::Parquet>(
        c,
        &[("zstd", json!({"path": "d.parquet"})), ("snappy", json!({"path": "d.parquet", "compression": "snappy"}))],
    );
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);

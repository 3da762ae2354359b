//! Throughput of the `csv` exporter: document rows and span rows.
use serde_json::json;

fn bench(c: &mut criterion::Criterion) {
    moulin_bench_corpus::exporters::bench_exporter::<moulin_csv::Csv>(
        c,
        &[("documents", json!({"path": "d.csv"})), ("spans", json!({"path": "s.csv", "rows": "spans"}))],
    );
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);

//! Throughput of the `conll` exporter (tokeniser and tags).
use serde_json::json;

fn bench(c: &mut criterion::Criterion) {
    moulin_bench_corpus::exporters::bench_exporter::<moulin_conll::Conll>(c, &[("entity", json!({"path": "n.conll"}))]);
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);

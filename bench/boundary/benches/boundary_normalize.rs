//! `normalize` linked into the binary against loaded from its plugin library, one worker, same
//! documents. `cargo build --release --workspace` first (the library must be there);
//! `MOULIN_BENCH_CORPUS=/path/to/corpus` for the reference corpus.

fn bench(c: &mut criterion::Criterion) {
    moulin_bench_boundary::compare(c, moulin_normalize::moulin_plugin_module(), "normalize");
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);

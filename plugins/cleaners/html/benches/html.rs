//! Throughput of the `html` stage in MB/s of HTML. Pages: the `.html` files of the folder
//! named by `MOULIN_BENCH_HTML` (for instance the pages of a WARC file, written by
//! bench/html-extractors/warc_pages.py), else the news pages of tests/data/cleaners/html.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use moulin_html::Html;
use moulin_plugin::testkit::Harness;
use moulin_plugin::Document;

fn bench(c: &mut Criterion) {
    let dir = std::env::var("MOULIN_BENCH_HTML")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/data/cleaners/html").into());
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the pages folder") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "html") {
            let page = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            docs.push(Document::new(&path.display().to_string(), &page));
        }
    }
    let bytes: usize = docs.iter().map(|d| d.text().len()).sum();
    eprintln!("html: {} pages, {bytes} bytes, from {dir}", docs.len());
    let mut group = c.benchmark_group("html");
    group.throughput(Throughput::Bytes(bytes as u64)).sample_size(20);
    let mut stage = Harness::new::<Html>(serde_json::json!({})).expect("config");
    group.bench_function("default", |b| {
        b.iter_batched(|| docs.clone(), |docs| stage.process(docs).expect("process"), criterion::BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

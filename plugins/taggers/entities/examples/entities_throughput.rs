//! Tag the reference corpus (or the seeds) in one thread and print MB/s: a quick check, and
//! a target for `perf record`. `MOULIN_BENCH_CORPUS=DIR cargo run --release -p moulin-entities
//! --example entities_throughput [-- MIN_BYTES]`; criterion's figures (`cargo bench`) are the ones
//! reported.

fn main() {
    let min_bytes = std::env::args().nth(1).map_or(20_000_000, |a| a.parse().expect("MIN_BYTES"));
    let docs = moulin_bench_corpus::documents(min_bytes);
    let tagger =
        moulin_entities::tagger(&Default::default(), &Default::default()).expect("the default config is valid");
    tagger.tag("warm up: M. Dupont à Paris");
    let started = std::time::Instant::now();
    let (mut bytes, mut spans) = (0, 0);
    for (_, text) in &docs {
        bytes += text.len();
        spans += tagger.tag(text).len();
    }
    let s = started.elapsed().as_secs_f64();
    println!(
        "{} documents, {:.1} MB, {spans} spans, {s:.2} s, {:.1} MB/s",
        docs.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / s
    );
}

/*!
Documents for the criterion benchmarks of the plugins.

[`documents`] reads the reference corpus of `../shared/bench` (the JSONL.gz shards written by
`make_corpus.py`) from the folder named by `MOULIN_BENCH_CORPUS`, up to a number of bytes of
text; without that variable it falls back to the five seed documents of
`examples/french-news/corpus`, repeated, so that a benchmark always has something to run on.

```
let docs = moulin_bench_corpus::documents(50_000);
assert!(!docs.is_empty());
assert!(docs.iter().map(|(_, text)| text.len()).sum::<usize>() >= 50_000);
```
*/
#![deny(missing_docs)]

pub mod exporters;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The environment variable naming the reference corpus folder (the one holding `jsonl/`).
pub const CORPUS_VAR: &str = "MOULIN_BENCH_CORPUS";

/// At least `min_bytes` of document text (`(id, text)` pairs), from the reference corpus
/// when `MOULIN_BENCH_CORPUS` names one, else from the seeds. Damaged records are skipped.
///
/// Panics when neither source can be read: a benchmark has nothing to measure then.
pub fn documents(min_bytes: usize) -> Vec<(String, String)> {
    match std::env::var_os(CORPUS_VAR) {
        Some(dir) => from_reference(Path::new(&dir), min_bytes),
        None => from_seeds(min_bytes),
    }
}

/// A description of where [`documents`] reads from, for a benchmark's report.
pub fn source() -> String {
    match std::env::var_os(CORPUS_VAR) {
        Some(dir) => format!("reference corpus {}", PathBuf::from(dir).display()),
        None => "the five seeds, repeated (set MOULIN_BENCH_CORPUS for the reference corpus)".into(),
    }
}

fn from_reference(dir: &Path, min_bytes: usize) -> Vec<(String, String)> {
    let shards = dir.join("jsonl");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&shards)
        .unwrap_or_else(|e| panic!("{CORPUS_VAR}: cannot list {}: {e}", shards.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".jsonl.gz"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    let mut bytes = 0;
    for file in files {
        let reader = BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(&file).unwrap()));
        // Damaged shards are part of the corpus: stop at the damage, keep what was read.
        for line in reader.split(b'\n').map_while(Result::ok) {
            let Ok(serde_json::Value::Object(record)) = serde_json::from_slice(&line) else { continue };
            let (Some(id), Some(text)) =
                (record.get("id").and_then(|v| v.as_str()), record.get("text").and_then(|v| v.as_str()))
            else {
                continue;
            };
            bytes += text.len();
            out.push((id.to_string(), text.to_string()));
            if bytes >= min_bytes {
                return out;
            }
        }
    }
    assert!(!out.is_empty(), "{CORPUS_VAR}: no documents in {}", shards.display());
    out
}

fn from_seeds(min_bytes: usize) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/french-news/corpus");
    let mut seeds: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    seeds.sort();
    let mut out = Vec::new();
    let mut bytes = 0;
    for round in 0.. {
        for (name, text) in &seeds {
            bytes += text.len();
            out.push((format!("{name}#{round}"), text.clone()));
            if bytes >= min_bytes {
                return out;
            }
        }
    }
    unreachable!()
}

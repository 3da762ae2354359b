//! The moulin side of the datatrove parity check: runs each check of `parity/checks.json`
//! over a corpus (JSONL of `{id, text, lang}`) through the stage, as the host calls it, and
//! writes one decision a line, in the format of `parity/datatrove_decisions.py`.
//!
//! `cargo run --release -p moulin-quality --example parity -- CHECKS.json CORPUS.jsonl OUT.jsonl`

use moulin_plugin::testkit::Harness;
use moulin_plugin::{Document, Stage};
use moulin_quality::{C4QualityFilter, FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter};
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::time::Instant;

fn harness(stage: &str, config: Value) -> Result<Harness, String> {
    let h = match stage {
        GopherQualityFilter::NAME => Harness::new::<GopherQualityFilter>(config),
        GopherRepetitionFilter::NAME => Harness::new::<GopherRepetitionFilter>(config),
        C4QualityFilter::NAME => Harness::new::<C4QualityFilter>(config),
        FineWebQualityFilter::NAME => Harness::new::<FineWebQualityFilter>(config),
        other => return Err(format!("no stage `{other}` in this plugin")),
    };
    h.map_err(|e| format!("stage `{stage}`: {e}"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [checks, corpus, out] = args.as_slice() else {
        return Err("usage: parity CHECKS.json CORPUS.jsonl OUT.jsonl".into());
    };
    let checks: serde_json::Map<String, Value> = serde_json::from_str(&std::fs::read_to_string(checks)?)?;
    let mut docs = Vec::new();
    for (n, line) in std::io::BufReader::new(std::fs::File::open(corpus)?).lines().enumerate() {
        let v: Value = serde_json::from_str(&line?).map_err(|e| format!("{corpus}: line {}: {e}", n + 1))?;
        let mut doc = Document::new(v["id"].as_str().unwrap_or_default(), v["text"].as_str().unwrap_or_default());
        doc.set_lang(v["lang"].as_str().unwrap_or("und"), 1.0);
        docs.push(doc);
    }
    let bytes: usize = docs.iter().map(|d| d.text().len()).sum();
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut seconds = serde_json::Map::new();
    for (name, check) in checks.iter().filter(|(k, _)| !k.starts_with('_')) {
        let stage = check["stage"].as_str().unwrap_or_default();
        let mut h = harness(stage, check["config"].clone())?;
        // As on datatrove's side: the tokenizer is built on first use, outside the time.
        h.process(vec![Document::new("warm", "Warm up the tokenizer. It loads once.")])?;
        let input = docs.clone();
        let start = Instant::now();
        let processed = h.process(input)?;
        seconds.insert(name.clone(), json!(start.elapsed().as_secs_f64()));
        let mut rows: Vec<(String, Value)> = Vec::new();
        for d in &processed.kept {
            let mut row = json!({ "id": d.id(), "check": name, "keep": true, "reason": null });
            if stage == C4QualityFilter::NAME {
                row["text"] = json!(d.text());
            }
            rows.push((d.id().to_string(), row));
        }
        for d in &processed.dropped {
            rows.push((
                d.id().to_string(),
                json!({ "id": d.id(), "check": name, "keep": false, "reason": d.drop_reason() }),
            ));
        }
        for (id, e) in &processed.failed {
            rows.push((id.clone(), json!({ "id": id, "check": name, "keep": null, "reason": format!("error: {e}") })));
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, row) in rows {
            writeln!(w, "{row}")?;
        }
    }
    w.flush()?;
    println!("{}", json!({ "seconds": seconds, "documents": docs.len(), "bytes": bytes }));
    Ok(())
}

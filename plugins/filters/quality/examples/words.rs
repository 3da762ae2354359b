//! Print the words (datatrove's `split_into_words`) of each document of a JSONL corpus, one
//! JSON list a line, for comparing the tokenizer with spaCy's (`parity/words.py`).
//!
//! `cargo run --release -p moulin-quality --example words -- CORPUS.jsonl [LANG]`

use moulin_quality::words::{tokenizer, Cache};
use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = args.first().ok_or("usage: words CORPUS.jsonl [LANG]")?;
    let lang = args.get(1).map(String::as_str).unwrap_or("en");
    let tok = tokenizer(lang).ok_or_else(|| format!("no tokenizer for `{lang}`"))?;
    let mut cache = Cache::new();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in std::io::BufReader::new(std::fs::File::open(corpus)?).lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let text = v["text"].as_str().unwrap_or_default();
        writeln!(out, "{}", serde_json::json!({ "id": v["id"], "words": tok.words(text, &mut cache) }))?;
    }
    Ok(())
}

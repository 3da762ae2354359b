//! Counts the breadth model's training text into the stored model the library compiles in
//! (`OUT_DIR/udhr-model.bin`, read by `src/model.rs`), so that no process counts it at start.

#[path = "src/model/features.rs"]
mod features;
#[path = "src/model/train.rs"]
mod train;

fn main() {
    const TRAINING: &str = "data/udhr-train.txt";
    for input in [TRAINING, "src/model/features.rs", "src/model/train.rs"] {
        println!("cargo::rerun-if-changed={input}");
    }
    let text = std::fs::read_to_string(TRAINING).unwrap_or_else(|e| panic!("reading {TRAINING}: {e}"));
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("udhr-model.bin");
    std::fs::write(&out, train::train(&text)).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}

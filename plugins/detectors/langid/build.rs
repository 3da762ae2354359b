//! Counts the breadth model's training text into the stored model the library compiles in
//! (`OUT_DIR/udhr-model.bin.zst`, read by `src/model.rs`), so that no process counts it at start.
//! The model is stored zstd-compressed: 35 MB become 13 MB of library, which leaves room under
//! the 200 MB budget for more of lingua's models (decompressing takes about 35 ms, once a process).

#[path = "src/model/features.rs"]
mod features;
#[path = "src/model/train.rs"]
mod train;

/// zstd's level for the stored model: 3 gives 12.8 MB in 0.2 s, 19 gives 11.2 MB in 15 s.
const ZSTD_LEVEL: i32 = 3;

fn main() {
    const TRAINING: &str = "data/udhr-train.txt";
    for input in [TRAINING, "src/model/features.rs", "src/model/train.rs"] {
        println!("cargo::rerun-if-changed={input}");
    }
    let text = std::fs::read_to_string(TRAINING).unwrap_or_else(|e| panic!("reading {TRAINING}: {e}"));
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("udhr-model.bin.zst");
    let stored = zstd::encode_all(&train::train(&text)[..], ZSTD_LEVEL).expect("compressing in memory does not fail");
    std::fs::write(&out, stored).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}

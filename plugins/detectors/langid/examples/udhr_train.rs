//! Writes the n-gram model's training text (`data/udhr-train.txt`) from the UDHR
//! language-identification set (../shared/data/langid-udhr): for every language, the first
//! [`moulin_langid::model::train_lines`] of its sentences. The rest of each file is held out;
//! `eval --held-out` scores only that part.
//!
//! ```text
//! cargo run --release -p moulin-langid --example udhr_train -- ../shared/data/langid-udhr \
//!     plugins/detectors/langid/data/udhr-train.txt
//! ```

use moulin_langid::model::train_lines;
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(out)) = (args.next().map(PathBuf::from), args.next().map(PathBuf::from)) else {
        return Err("usage: udhr_train UDHR_DIR OUT_FILE".into());
    };
    let table = dir.join("LANGUAGES.tsv");
    let table = std::fs::read_to_string(&table).map_err(|e| format!("{}: {e}", table.display()))?;
    let mut header = String::from(
        "# Training text of moulin-langid's n-gram model: the first two thirds of the sentences of\n\
         # each language of ../shared/data/langid-udhr (the Universal Declaration of Human Rights).\n\
         # Texts: OHCHR / UDHR in Unicode, via wooorm/udhr (MIT compilation; the translations are\n\
         # free to reproduce). Written by examples/udhr_train.rs; see data/README.md.\n",
    );
    let mut body = String::new();
    for (n, row) in table.lines().enumerate().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [code, _iso3, name, _script, _s, _p, _w, fasttext, ..] = cols[..] else {
            return Err(format!("LANGUAGES.tsv line {}: expected tab-separated columns, found {row:?}", n + 1).into());
        };
        let file = dir.join(code).join("sentences.txt");
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        // Languages fastText lid.176 knows are the default candidates.
        let default = if fasttext == "yes" { "\tdefault" } else { "" };
        writeln!(header, "@{code}\t{name}{default}")?;
        for line in &lines[..train_lines(lines.len())] {
            writeln!(body, "{code}\t{line}")?;
        }
    }
    std::fs::write(&out, header + &body).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(())
}

//! Accuracy of the detector on a labelled set: `<dir>/<iso>/<sample-kind>.txt`, one sample
//! per line, the language being the folder name (the layout of ../shared/data/langid).
//!
//! ```text
//! cargo run --release -p moulin-langid --example eval -- DIR [--backend mixed|whichlang|lingua]
//!     [--candidates fr,en,es,de|all] [--short-chars N] [--require KIND=PERCENT ...]
//! ```
//!
//! Prints, per language and sample kind, the share of samples labelled right, the mean per
//! kind, and the detector's speed in MB/s of sample text. With `--require sentences=99`, exits
//! with status 1 when the mean of that kind is lower (scripts/test.sh uses this).

use moulin_langid::detect::{Backend, Detector, Lang};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut backend = Backend::Mixed;
    let mut candidates = String::from("all");
    let mut short_chars = moulin_langid::LangidConfig::default().short_chars;
    let mut required: Vec<(String, f64)> = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--backend" => {
                backend = match args.next().as_deref() {
                    Some("mixed") => Backend::Mixed,
                    Some("whichlang") => Backend::Whichlang,
                    Some("lingua") => Backend::Lingua,
                    other => {
                        return Err(format!("--backend: expected mixed, whichlang or lingua, found {other:?}").into())
                    }
                }
            }
            "--candidates" => candidates = args.next().ok_or("--candidates needs a value")?,
            "--short-chars" => short_chars = args.next().ok_or("--short-chars needs a value")?.parse()?,
            "--require" => {
                let value = args.next().ok_or("--require needs KIND=PERCENT")?;
                let (kind, pct) = value
                    .split_once('=')
                    .ok_or_else(|| format!("--require: expected KIND=PERCENT, found {value:?}"))?;
                required.push((kind.to_string(), pct.parse()?));
            }
            "-h" | "--help" => {
                println!("usage: eval DIR [--backend mixed|whichlang|lingua] [--candidates fr,en,es,de|all] [--short-chars N]");
                return Ok(());
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            other => return Err(format!("unexpected argument {other:?}").into()),
        }
    }
    let dir = dir.ok_or("usage: eval DIR [--backend ...] [--candidates ...]")?;
    let candidates: Vec<Lang> = if candidates == "all" {
        Vec::new()
    } else {
        candidates
            .split(',')
            .map(|c| Lang::from_code(c.trim()).ok_or_else(|| format!("unknown language {c:?}")))
            .collect::<Result<_, _>>()?
    };
    let detector = Detector::new(&candidates, backend, short_chars, 400);
    println!(
        "backend {backend:?}, candidates {}, short_chars {short_chars}",
        detector.candidates().iter().map(|l| l.code()).collect::<Vec<_>>().join(",")
    );

    // kind -> language -> (right, total)
    let mut results: BTreeMap<String, BTreeMap<String, (usize, usize)>> = BTreeMap::new();
    let (mut bytes, mut seconds) = (0usize, 0f64);
    let mut langs: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .collect();
    langs.sort_by_key(|e| e.file_name());
    for entry in langs {
        let code = entry.file_name().to_string_lossy().into_owned();
        let truth = Lang::from_code(&code).ok_or_else(|| format!("{}: not a language code", entry.path().display()))?;
        let mut files: Vec<_> = std::fs::read_dir(entry.path())?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for file in files.into_iter().filter(|f| f.extension().is_some_and(|x| x == "txt")) {
            let kind = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let samples: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            let started = Instant::now();
            let right = samples.iter().filter(|s| detector.detect(s).lang == Some(truth)).count();
            seconds += started.elapsed().as_secs_f64();
            bytes += samples.iter().map(|s| s.len()).sum::<usize>();
            results.entry(kind).or_default().insert(code.clone(), (right, samples.len()));
        }
    }
    let mut failed = false;
    for (kind, per_lang) in &results {
        let mut line = format!("{kind:>12}:");
        let mut sum = 0.0;
        for (code, (right, total)) in per_lang {
            let pct = 100.0 * *right as f64 / (*total).max(1) as f64;
            sum += pct;
            line += &format!(" {code} {pct:5.1}");
        }
        let mean = sum / per_lang.len().max(1) as f64;
        line += &format!("   mean {mean:5.2}");
        println!("{line}");
        if let Some((_, min)) = required.iter().find(|(k, _)| k == kind) {
            if mean < *min {
                println!("FAIL: {kind} mean {mean:.2} is under the required {min}");
                failed = true;
            }
        }
    }
    println!("speed: {:.2} MB/s over {bytes} bytes", bytes as f64 / 1e6 / seconds.max(1e-9));
    if let Some((kind, _)) = required.iter().find(|(k, _)| !results.contains_key(k)) {
        return Err(format!("--require {kind}: no {kind}.txt samples in {}", dir.display()).into());
    }
    if failed {
        std::process::exit(1);
    }
    Ok(())
}

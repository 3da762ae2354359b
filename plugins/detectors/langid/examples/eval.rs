//! Accuracy of the detector on a labelled set: `<dir>/<code>/<sample-kind>.txt`, one sample
//! per line, the language being the folder name (the layout of ../shared/data/langid and
//! ../shared/data/langid-udhr).
//!
//! ```text
//! cargo run --release -p moulin-langid --example eval -- DIR
//!     [--backend mixed|whichlang|lingua|ngrams|whatlang] [--candidates fr,en,es,de|default|all]
//!     [--short-chars N] [--min-score S] [--held-out] [--fasttext-languages] [--calibration] [--wrong]
//!     [--require KIND=PERCENT ...] [--require-fasttext KIND=PERCENT ...] [--require-own KIND=PERCENT ...]
//! ```
//!
//! Prints, per sample kind, the mean over the languages of the share of samples labelled
//! right, the languages scored worst, and the detector's speed in MB/s of sample text.
//!
//! - `--candidates`: `default` (the default) is the stage's default set, the 154 languages
//!   fastText lid.176 also knows; `all` is all 443.
//! - `--min-score`: an answer scored under it counts as `und`, as the stage's `lang` is;
//!   default the stage's default `min_score`, so that the figures are what the stage writes.
//!   `--min-score 0` scores the detector's best guess whatever its score.
//! - `--held-out`: only the part of each file the breadth model was not trained on (the lines
//!   after the first `train_lines(n)`; for word pairs and single words, which come from the
//!   same sentences in document order, the same share of the file).
//! - `--fasttext-languages`: only the languages `DIR/LANGUAGES.tsv` marks as known to fastText
//!   lid.176, a second mean at fastText's granularity: an answer also counts as right when
//!   fastText gives it the sample language's label (`qu` for every Quechua, `zh` for Hakka),
//!   and a third, exact, over the 127 of them fastText labels with their own code (the ones it
//!   can get exactly right).
//! - `--calibration`: how well `score` separates right best guesses from wrong ones (whatever
//!   `--min-score`): the AUC, and the accuracy of the samples in each tenth of the scores.
//! - `--wrong`: also print each sample labelled wrong, a line each (`kind`, the sample's
//!   language, the answer, its score, the sample), on standard error.
//! - `--require sentences=99`: exit with status 1 when that kind's mean is lower;
//!   `--require-fasttext` the same for the mean at fastText's granularity, `--require-own`
//!   for the exact mean over the languages fastText labels with their own code (scripts/test.sh
//!   uses all three).

use moulin_langid::detect::{Backend, Detector, Lang};
use moulin_langid::model::train_lines;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Default)]
struct Options {
    dir: PathBuf,
    backend: Option<Backend>, // None: whatlang
    candidates: String,
    short_chars: usize,
    /// Answers scored under this are `und`, as the stage's `lang` is.
    min_score: f32,
    held_out: bool,
    fasttext: bool,
    calibration: bool,
    /// Print each sample labelled wrong.
    show_wrong: bool,
    required: Vec<(String, f64)>,
    /// Bars on the means at fastText's granularity.
    required_fasttext: Vec<(String, f64)>,
    /// Bars on the exact means over the languages fastText labels with their own code.
    required_own: Vec<(String, f64)>,
}

const USAGE: &str =
    "usage: eval DIR [--backend mixed|whichlang|lingua|ngrams|whatlang] [--candidates fr,en,es,de|default|all] \
                     [--short-chars N] [--min-score S] [--held-out] [--fasttext-languages] [--calibration] [--wrong] [--require KIND=PERCENT] [--require-fasttext KIND=PERCENT] [--require-own KIND=PERCENT]";

fn options() -> Result<Options, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        backend: Some(Backend::Mixed),
        candidates: "default".into(),
        short_chars: moulin_langid::LangidConfig::default().short_chars,
        min_score: moulin_langid::LangidConfig::default().min_score,
        ..Options::default()
    };
    let mut dir = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--backend" => {
                o.backend = match args.next().as_deref() {
                    Some("mixed") => Some(Backend::Mixed),
                    Some("whichlang") => Some(Backend::Whichlang),
                    Some("lingua") => Some(Backend::Lingua),
                    Some("ngrams") => Some(Backend::Ngrams),
                    Some("whatlang") => None,
                    other => {
                        return Err(format!(
                            "--backend: expected mixed, whichlang, lingua, ngrams or whatlang, found {other:?}"
                        )
                        .into())
                    }
                }
            }
            "--candidates" => o.candidates = args.next().ok_or("--candidates needs a value")?,
            "--short-chars" => o.short_chars = args.next().ok_or("--short-chars needs a value")?.parse()?,
            "--min-score" => {
                o.min_score = args.next().ok_or("--min-score needs a value")?.parse()?;
                if !(0.0..=1.0).contains(&o.min_score) {
                    return Err(format!("--min-score: expected a score in [0, 1], found {}", o.min_score).into());
                }
            }
            "--held-out" => o.held_out = true,
            "--fasttext-languages" => o.fasttext = true,
            "--calibration" => o.calibration = true,
            "--wrong" => o.show_wrong = true,
            flag @ ("--require" | "--require-fasttext" | "--require-own") => {
                let value = args.next().ok_or_else(|| format!("{flag} needs KIND=PERCENT"))?;
                let (kind, pct) =
                    value.split_once('=').ok_or_else(|| format!("{flag}: expected KIND=PERCENT, found {value:?}"))?;
                let bars = match flag {
                    "--require" => &mut o.required,
                    "--require-fasttext" => &mut o.required_fasttext,
                    _ => &mut o.required_own,
                };
                bars.push((kind.to_string(), pct.parse()?));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}").into()),
        }
    }
    o.dir = dir.ok_or(USAGE)?;
    Ok(o)
}

/// A row of the UDHR set's `LANGUAGES.tsv`.
struct UdhrLang {
    iso3: String,
    /// fastText lid.176's label, when it knows the language.
    fasttext: Option<String>,
}

/// `LANGUAGES.tsv` of the UDHR set by code (empty when `dir` has none).
fn languages_table(dir: &Path) -> Result<HashMap<String, UdhrLang>, Box<dyn std::error::Error>> {
    let path = dir.join("LANGUAGES.tsv");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(HashMap::new()) };
    let mut table = HashMap::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 9 {
            return Err(
                format!("{} line {}: expected 9 or more columns, found {}", path.display(), n + 1, cols.len()).into()
            );
        }
        let fasttext = (cols[7] == "yes").then(|| cols[8].to_string());
        table.insert(cols[0].to_string(), UdhrLang { iso3: cols[1].to_string(), fasttext });
    }
    Ok(table)
}

/// A detector under test: the plugin's, or whatlang for comparison.
enum Subject {
    /// The detector, and the score under which the stage's `lang` is `und`.
    Moulin(Detector, f32),
    Whatlang(HashMap<String, String>),
}

impl Subject {
    /// The best guess, its score, and the answer the stage writes (`und` under `min_score`).
    fn detect(&self, text: &str) -> (String, f32, String) {
        match self {
            Subject::Moulin(d, min_score) => {
                let g = d.detect(text);
                let guess = g.lang.map_or("und", Lang::code).to_string();
                let answer = if g.score < *min_score { "und".to_string() } else { guess.clone() };
                (guess, g.score, answer)
            }
            Subject::Whatlang(codes) => match whatlang::detect(text) {
                Some(info) => {
                    let code = info.lang().code();
                    let code = codes.get(code).cloned().unwrap_or_else(|| code.to_string());
                    (code.clone(), info.confidence() as f32, code)
                }
                None => ("und".into(), 0.0, "und".into()),
            },
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = options()?;
    let table = languages_table(&o.dir)?;
    if !o.required_own.is_empty() && !table.iter().any(|(c, l)| l.fasttext.as_deref() == Some(c.as_str())) {
        return Err(format!(
            "--require-own: expected {} to say which languages fastText labels with their own code, found none",
            o.dir.join("LANGUAGES.tsv").display()
        )
        .into());
    }
    let candidates: Vec<Lang> = if o.candidates == "default" {
        Vec::new()
    } else if o.candidates == "all" {
        Lang::all().collect()
    } else {
        o.candidates
            .split(',')
            .map(|c| Lang::from_code(c.trim()).ok_or_else(|| format!("unknown language {c:?}")))
            .collect::<Result<_, _>>()?
    };
    let subject = match o.backend {
        Some(backend) => {
            let detector = Detector::new(&candidates, backend, o.short_chars, 400);
            println!(
                "backend {backend:?}, {} candidates, short_chars {}, min_score {}",
                detector.candidates().len(),
                o.short_chars,
                o.min_score
            );
            Subject::Moulin(detector, o.min_score)
        }
        None => {
            // whatlang answers ISO 639-3; the UDHR table and the macrolanguages map it to codes.
            let mut codes: HashMap<String, String> = table.iter().map(|(c, l)| (l.iso3.clone(), c.clone())).collect();
            for (iso3, code) in MACRO {
                codes.entry(iso3.to_string()).or_insert(code.to_string());
            }
            println!("whatlang 0.18, all its languages");
            Subject::Whatlang(codes)
        }
    };
    // A code's fastText label (its own code when fastText has none for it).
    let label = |code: &str| -> String {
        table.get(code).and_then(|l| l.fasttext.clone()).unwrap_or_else(|| {
            if code == "nb" {
                "no".into()
            } else {
                code.into()
            }
        })
    };

    // kind -> language -> (right, right at fastText's granularity, total)
    let mut results: BTreeMap<String, BTreeMap<String, (usize, usize, usize)>> = BTreeMap::new();
    // (kind, language) -> wrong answer -> count
    let mut wrong: HashMap<(String, String), HashMap<String, usize>> = HashMap::new();
    let mut scored: Vec<(f32, bool)> = Vec::new();
    let (mut bytes, mut seconds) = (0usize, 0f64);
    let mut langs: Vec<_> = std::fs::read_dir(&o.dir)
        .map_err(|e| format!("{}: {e}", o.dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|code| !o.fasttext || table.get(code).is_some_and(|l| l.fasttext.is_some()))
        .collect();
    langs.sort();
    for code in langs {
        let folder = o.dir.join(&code);
        let sentences = std::fs::read_to_string(folder.join("sentences.txt")).unwrap_or_default();
        let sentences = sentences.lines().filter(|l| !l.trim().is_empty()).count();
        let mut files: Vec<_> = std::fs::read_dir(&folder)?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for file in files.into_iter().filter(|f| f.extension().is_some_and(|x| x == "txt")) {
            let kind = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let mut samples: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            if o.held_out && sentences > 0 {
                let skip = samples.len() * train_lines(sentences) / sentences;
                samples.drain(..skip.min(samples.len()));
            }
            let truth = label(&code);
            let (mut right, mut right_label) = (0, 0);
            for sample in &samples {
                let started = Instant::now();
                let (guess, score, answer) = subject.detect(sample);
                seconds += started.elapsed().as_secs_f64();
                right += usize::from(answer == code);
                if answer != code {
                    if o.show_wrong {
                        eprintln!("{kind}\t{code}\t{answer}\t{score:.3}\t{sample}");
                    }
                    *wrong.entry((kind.clone(), code.clone())).or_default().entry(answer.clone()).or_default() += 1;
                }
                right_label += usize::from(answer == code || label(&answer) == truth);
                // The score is judged against the best guess it is the score of.
                scored.push((score, guess == code || label(&guess) == truth));
            }
            bytes += samples.iter().map(|s| s.len()).sum::<usize>();
            results.entry(kind).or_default().insert(code.clone(), (right, right_label, samples.len()));
        }
    }
    let mut failed = false;
    for (kind, per_lang) in &results {
        let pct = |n: usize, total: usize| 100.0 * n as f64 / total.max(1) as f64;
        let counted: Vec<_> = per_lang.iter().filter(|(_, (_, _, total))| *total > 0).collect();
        let mean = counted.iter().map(|(_, (r, _, t))| pct(*r, *t)).sum::<f64>() / counted.len().max(1) as f64;
        let mean_label = counted.iter().map(|(_, (_, r, t))| pct(*r, *t)).sum::<f64>() / counted.len().max(1) as f64;
        // The languages fastText labels with their own code: where it can be right exactly.
        let own: Vec<_> = counted
            .iter()
            .filter(|(c, _)| table.get(*c).and_then(|l| l.fasttext.as_deref()) == Some(c.as_str()))
            .collect();
        let mean_own = own.iter().map(|(_, (r, _, t))| pct(*r, *t)).sum::<f64>() / own.len().max(1) as f64;
        let mut line = format!("{kind:>12}: {} languages, mean {mean:6.2}", counted.len());
        if o.fasttext {
            line += &format!(", at fastText's granularity {mean_label:6.2}");
            line += &format!(", over the {} it labels with their own code {mean_own:6.2}", own.len());
        }
        let mut worst: Vec<_> = counted.iter().map(|(c, (r, _, t))| (pct(*r, *t), c.as_str())).collect();
        worst.sort_by(|a, b| a.0.total_cmp(&b.0));
        let worst: Vec<String> = worst
            .iter()
            .take(12)
            .map(|(p, c)| {
                let mut answers: Vec<(&String, &usize)> =
                    wrong.get(&(kind.clone(), c.to_string())).map(|w| w.iter().collect()).unwrap_or_default();
                answers.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                let answers: Vec<String> = answers.iter().take(3).map(|(a, n)| format!("{a} {n}")).collect();
                format!("{c} {p:.1} ({})", answers.join(" "))
            })
            .collect();
        println!("{line}\n{:>14}worst: {}", "", worst.join(", "));
        for (bars, value, what) in [
            (&o.required, mean, "mean"),
            (&o.required_fasttext, mean_label, "mean at fastText's granularity"),
            (&o.required_own, mean_own, "mean over the languages fastText labels with their own code"),
        ] {
            if let Some((_, min)) = bars.iter().find(|(k, _)| k == kind) {
                if value < *min {
                    println!("FAIL: {kind} {what} {value:.2} is under the required {min}");
                    failed = true;
                }
            }
        }
    }
    println!("speed: {:.2} MB/s over {bytes} bytes", bytes as f64 / 1e6 / seconds.max(1e-9));
    if o.calibration {
        calibration(&mut scored);
    }
    let mut bars = o.required.iter().chain(&o.required_fasttext).chain(&o.required_own);
    if let Some((kind, _)) = bars.find(|(k, _)| !results.contains_key(k)) {
        return Err(format!("--require {kind}: no {kind}.txt samples in {}", o.dir.display()).into());
    }
    if failed {
        std::process::exit(1);
    }
    Ok(())
}

/// The AUC of the scores for telling right answers from wrong ones, and the accuracy in each
/// tenth of the samples ordered by score.
fn calibration(scored: &mut [(f32, bool)]) {
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (pos, neg) = scored.iter().fold((0f64, 0f64), |(p, n), s| if s.1 { (p + 1.0, n) } else { (p, n + 1.0) });
    // Mann-Whitney: for each right answer, the wrong ones scored under it (ties count half).
    let (mut below, mut auc) = (0f64, 0f64);
    let mut i = 0;
    while i < scored.len() {
        let j = i + scored[i..].iter().take_while(|s| s.0 == scored[i].0).count();
        let (p, n) = scored[i..j].iter().fold((0f64, 0f64), |(p, n), s| if s.1 { (p + 1.0, n) } else { (p, n + 1.0) });
        auc += p * (below + n / 2.0);
        below += n;
        i = j;
    }
    println!("calibration: AUC {:.3} over {} samples ({} right)", auc / (pos * neg).max(1.0), scored.len(), pos);
    for d in 0..10 {
        let part = &scored[d * scored.len() / 10..(d + 1) * scored.len() / 10];
        if let (Some(first), Some(last)) = (part.first(), part.last()) {
            let right = part.iter().filter(|s| s.1).count();
            println!(
                "  decile {}: scores {:.3}-{:.3}, {:5.1} % right",
                d + 1,
                first.0,
                last.0,
                100.0 * right as f64 / part.len() as f64
            );
        }
    }
}

/// whatlang's ISO 639-3 codes that are not a UDHR language's: macrolanguages, and the four
/// languages of ../shared/data/langid.
const MACRO: [(&str, &str); 12] = [
    ("ara", "ar"),
    ("aze", "az"),
    ("cmn", "zh"),
    ("deu", "de"),
    ("eng", "en"),
    ("est", "et"),
    ("fra", "fr"),
    ("lav", "lv"),
    ("nep", "ne"),
    ("pes", "fa"),
    ("spa", "es"),
    ("uzb", "uz"),
];

//! Measure the `entities` tagger on HIPE-2022 TSV files (coarse literal column).
//!
//! ```text
//! cargo run --release -p moulin-entities --example hipe_eval -- \
//!     ../shared/data/ner/newseye-fr/HIPE-2022-v2.1-newseye-dev-fr.tsv [more.tsv ...] \
//!     [--config '{"guess": false}'] [--errors 30 (and per-rule precision)] [--require strict=40 --require fuzzy=60] \
//!     [--texts docs.jsonl] [--predictions spans.jsonl]
//! ```
//!
//! Each document's text is rebuilt from its tokens (the MISC column's `NoSpaceAfter` and
//! `EndOfLine`; two word tokens always get a space between them), gold entities become byte spans (HIPE's `HumanProd` counts as `MISC`), and
//! the tagger's `entity` spans are scored per type and in all (micro average):
//! - **strict**: same start, end and type;
//! - **fuzzy**: same type and overlapping (each gold and each predicted span matched once),
//!   as in the HIPE scorer.
//!
//! `--texts` writes the rebuilt documents (`{"id", "text"}` per line) so that another tagger
//! can be run on them; `--predictions` scores that tagger's output (`{"id", "spans": [[start,
//! end, label], ...]}`, byte offsets) instead of moulin's. `--require` exits 1 when a micro F1
//! is under the bar.

use moulin_entities::{tagger, EntitiesConfig};
use moulin_plugin::StageContext;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

/// `(start, end, label)` byte spans.
type Spans = Vec<(usize, usize, String)>;

struct GoldDoc {
    id: String,
    text: String,
    spans: Spans,
}

fn read_hipe(path: &str) -> Result<Vec<GoldDoc>, String> {
    let data = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut docs: Vec<GoldDoc> = Vec::new();
    let mut open: Option<(usize, String)> = None;
    let close = |doc: &mut GoldDoc, open: &mut Option<(usize, String)>, end: usize| {
        if let Some((start, label)) = open.take() {
            doc.spans.push((start, end, label));
        }
    };
    for (n, line) in data.lines().enumerate() {
        if let Some(id) = line.strip_prefix("# hipe2022:document_id = ") {
            if let Some(doc) = docs.last_mut() {
                let end = doc.text.trim_end().len();
                close(doc, &mut open, end);
            }
            docs.push(GoldDoc { id: id.trim().to_string(), text: String::new(), spans: Vec::new() });
            continue;
        }
        if line.is_empty() || line.starts_with('#') || line.starts_with("TOKEN\t") {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let doc = docs.last_mut().ok_or_else(|| format!("{path}:{}: a token before any document id", n + 1))?;
        if cols.len() < 10 {
            return Err(format!("{path}:{}: expected 10 tab-separated columns, found {}", n + 1, cols.len()));
        }
        let (token, tag, misc) = (cols[0], cols[1], cols[9]);
        // Two words never touch: a `NoSpaceAfter` between them is a slip of the data
        // (`Sorbonne|pouvait`), so they get a space.
        if doc.text.ends_with(char::is_alphanumeric) && token.starts_with(char::is_alphanumeric) {
            doc.text.push(' ');
        }
        let start = doc.text.len();
        let label = |t: &str| if t == "HumanProd" { "MISC".to_string() } else { t.to_string() };
        if let Some(t) = tag.strip_prefix("B-") {
            let end = doc.text.trim_end().len();
            close(doc, &mut open, end);
            open = Some((start, label(t)));
        } else if let Some(t) = tag.strip_prefix("I-") {
            if open.as_ref().is_none_or(|(_, l)| *l != label(t)) {
                let end = doc.text.trim_end().len();
                close(doc, &mut open, end);
                open = Some((start, label(t)));
            }
        } else {
            let end = doc.text.trim_end().len();
            close(doc, &mut open, end);
        }
        doc.text.push_str(token);
        if misc.contains("EndOfLine") {
            doc.text.push('\n');
        } else if !misc.contains("NoSpaceAfter") {
            doc.text.push(' ');
        }
    }
    if let Some(doc) = docs.last_mut() {
        let end = doc.text.trim_end().len();
        close(doc, &mut open, end);
    }
    Ok(docs)
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    pred: usize,
    gold: usize,
}

impl Counts {
    fn prf(&self) -> (f64, f64, f64) {
        let p = if self.pred == 0 { 0.0 } else { self.tp as f64 / self.pred as f64 };
        let r = if self.gold == 0 { 0.0 } else { self.tp as f64 / self.gold as f64 };
        let f = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
        (100.0 * p, 100.0 * r, 100.0 * f)
    }
}

/// True positives of `pred` against `gold`, strict or fuzzy, for one type.
fn matches(gold: &[(usize, usize)], pred: &[(usize, usize)], fuzzy: bool) -> usize {
    let mut used = vec![false; gold.len()];
    let mut tp = 0;
    for &(ps, pe) in pred {
        let hit = gold
            .iter()
            .enumerate()
            .position(|(i, &(gs, ge))| !used[i] && if fuzzy { ps < ge && gs < pe } else { (ps, pe) == (gs, ge) });
        if let Some(i) = hit {
            used[i] = true;
            tp += 1;
        }
    }
    tp
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut files = Vec::new();
    let mut config = EntitiesConfig::default();
    let mut show_errors = 0usize;
    let mut require: Vec<(String, f64)> = Vec::new();
    let mut texts_out: Option<String> = None;
    let mut predictions: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().unwrap_or_else(|| panic!("{name} needs a value"));
        match a.as_str() {
            "--config" => {
                config =
                    serde_json::from_str(&value("--config")).expect("--config: a JSON object of the stage's config")
            }
            "--errors" => show_errors = value("--errors").parse().expect("--errors N"),
            "--texts" => texts_out = Some(value("--texts")),
            "--predictions" => predictions = Some(value("--predictions")),
            "--require" => {
                let v = value("--require");
                let (k, f) = v.split_once('=').expect("--require strict=F1 or fuzzy=F1");
                require.push((k.to_string(), f.parse().expect("a number")));
            }
            _ => files.push(a.clone()),
        }
    }
    if files.is_empty() {
        eprintln!("usage: hipe_eval HIPE.tsv... [--config JSON] [--errors N] [--require strict=F1] [--texts OUT] [--predictions IN]");
        return ExitCode::from(2);
    }
    let mut docs = Vec::new();
    for f in &files {
        match read_hipe(f) {
            Ok(d) => docs.extend(d),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(path) = texts_out {
        let mut out = std::fs::File::create(&path).expect("--texts: cannot create the file");
        for d in &docs {
            writeln!(out, "{}", serde_json::json!({"id": d.id, "text": d.text})).unwrap();
        }
    }
    let external: Option<HashMap<String, Spans>> = predictions.map(|path| {
        let text = std::fs::read_to_string(&path).expect("--predictions: cannot read the file");
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("--predictions: JSON lines");
                let spans = v["spans"].as_array().cloned().unwrap_or_default();
                let spans = spans
                    .iter()
                    .map(|s| {
                        (
                            s[0].as_u64().unwrap() as usize,
                            s[1].as_u64().unwrap() as usize,
                            s[2].as_str().unwrap().to_string(),
                        )
                    })
                    .collect();
                (v["id"].as_str().unwrap().to_string(), spans)
            })
            .collect()
    });
    let tagger = tagger(&config, &StageContext::default()).expect("the config is valid");
    let types = ["PER", "LOC", "ORG", "MISC"];
    let mut strict: HashMap<&str, Counts> = HashMap::new();
    let mut fuzzy: HashMap<&str, Counts> = HashMap::new();
    let mut errors = Vec::new();
    // Per rule: (predicted, strict matches, fuzzy matches), by label-insensitive position.
    let mut by_rule: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
    let mut bytes = 0;
    for d in &docs {
        bytes += d.text.len();
        let found: Vec<_> = match &external {
            Some(_) => Vec::new(),
            None => tagger.tag(&d.text).into_iter().filter(|e| e.layer == "entity").collect(),
        };
        let pred: Spans = match &external {
            Some(p) => p.get(&d.id).cloned().unwrap_or_default(),
            None => found.iter().map(|e| (e.start, e.end, e.label.clone())).collect(),
        };
        for t in types {
            let g: Vec<(usize, usize)> = d.spans.iter().filter(|s| s.2 == t).map(|s| (s.0, s.1)).collect();
            let p: Vec<(usize, usize)> = pred.iter().filter(|s| s.2 == t).map(|s| (s.0, s.1)).collect();
            for (map, fz) in [(&mut strict, false), (&mut fuzzy, true)] {
                let c = map.entry(t).or_default();
                c.tp += matches(&g, &p, fz);
                c.pred += p.len();
                c.gold += g.len();
            }
        }
        {
            for e in &found {
                let r = by_rule.entry(format!("{} {}", e.rule, e.label)).or_default();
                r.0 += 1;
                r.1 += d.spans.iter().any(|g| (g.0, g.1, g.2.as_str()) == (e.start, e.end, e.label.as_str())) as usize;
                r.2 += d.spans.iter().any(|g| g.2 == e.label && g.0 < e.end && e.start < g.1) as usize;
                if std::env::var("EVAL_RULE").is_ok_and(|r| r == e.rule) {
                    let gold: Vec<String> = d
                        .spans
                        .iter()
                        .filter(|g| g.0 < e.end && e.start < g.1)
                        .map(|g| format!("{} {:?}", g.2, &d.text[g.0..g.1]))
                        .collect();
                    println!("  {} {:?} <- gold {:?}", e.label, &d.text[e.start..e.end], gold);
                }
            }
        }
        if errors.len() < show_errors {
            for s in &pred {
                if !d.spans.contains(s) {
                    errors.push(format!("  false {}: {:?}", s.2, &d.text[s.0..s.1]));
                }
            }
            for s in &d.spans {
                if !pred.contains(s) {
                    errors.push(format!("  missed {}: {:?}", s.2, &d.text[s.0..s.1]));
                }
            }
        }
    }
    println!("{} documents, {:.1} MB of text", docs.len(), bytes as f64 / 1e6);
    println!("| type | gold | strict P | strict R | strict F1 | fuzzy P | fuzzy R | fuzzy F1 |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut all_s = Counts::default();
    let mut all_f = Counts::default();
    for t in types {
        let (s, f) = (strict[t], fuzzy[t]);
        for (all, c) in [(&mut all_s, s), (&mut all_f, f)] {
            all.tp += c.tp;
            all.pred += c.pred;
            all.gold += c.gold;
        }
        let (sp, sr, sf) = s.prf();
        let (fp, fr, ff) = f.prf();
        println!("| {t} | {} | {sp:.1} | {sr:.1} | {sf:.1} | {fp:.1} | {fr:.1} | {ff:.1} |", s.gold);
    }
    let (sp, sr, sf) = all_s.prf();
    let (fp, fr, ff) = all_f.prf();
    println!("| all (micro) | {} | {sp:.1} | {sr:.1} | {sf:.1} | {fp:.1} | {fr:.1} | {ff:.1} |", all_s.gold);
    if show_errors > 0 && external.is_none() {
        println!("| rule (label) | spans | strict precision | fuzzy precision |");
        for (rule, (n, s, f)) in &by_rule {
            println!("| {rule} | {n} | {:.0} | {:.0} |", 100.0 * *s as f64 / *n as f64, 100.0 * *f as f64 / *n as f64);
        }
    }
    for e in errors.iter().take(show_errors) {
        println!("{e}");
    }
    let mut failed = false;
    for (k, bar) in &require {
        let got = match k.as_str() {
            "strict" => sf,
            "fuzzy" => ff,
            _ => panic!("--require strict=F1 or fuzzy=F1, not {k}"),
        };
        if got < *bar {
            eprintln!("FAIL: {k} F1 {got:.1} is under {bar}");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

//! `report.html`: one self-contained page per run, written beside `manifest.json` at the
//! end of every run and again by `moulin report OUT` (also for a folder of merged shards).
//!
//! Everything is inline (styles, the funnel as SVG); there is no script, no font and no
//! link to load, so the page opens from disk in an offline browser and its tables read as
//! they are. It holds aggregates and short lists only (the first examples of each kind of
//! error, the files with the most failures), so its size does not grow with the number of
//! files or documents.

use crate::content::{Content, FrequentEntities};
use crate::report::{ErrorRecord, LiveStats, MergedManifest, PluginEntry, RunEntry, RunManifest, StageReport, Totals};
use crate::Error;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// The file's name in a run's output folder.
pub const FILE_NAME: &str = "report.html";
/// How many examples of each kind of error the page shows.
const EXAMPLES: usize = 3;
/// How many files the list of files with the most failures shows.
const TOP_FILES: usize = 10;

/// What the page is made of: a run's manifest, or a merged one.
struct Facts {
    title: String,
    project_file: String,
    config: serde_json::Value,
    moulin_version: String,
    run: Option<RunEntry>,
    merged_from: Vec<String>,
    plugins: Vec<PluginEntry>,
    totals: Totals,
    stages: Vec<StageReport>,
    entities: FrequentEntities,
    /// Files with failures, most first.
    failing_files: Vec<(String, u64, Option<String>)>,
    files: usize,
    errors_file: String,
}

/// Errors by kind: how many, and the first few.
#[derive(Default)]
struct Errors {
    by_kind: BTreeMap<String, (u64, Vec<ErrorRecord>)>,
    unreadable: u64,
}

/// Write `report.html` in `output` from its `manifest.json` (a run's, or `moulin merge`'s)
/// and its errors file. Returns the page's path.
pub fn write(output: &Path) -> Result<PathBuf, Error> {
    let manifest_path = output.join("manifest.json");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let text = std::fs::read_to_string(&manifest_path).map_err(io(&manifest_path))?;
    let facts = facts(&text).map_err(|message| Error::Report { path: manifest_path.clone(), message })?;
    let errors = read_errors(&output.join(&facts.errors_file));
    // The timeline and slowest files of the run's last attempt, when it left them.
    let live = std::fs::read_to_string(output.join(LiveStats::FILE_NAME))
        .ok()
        .and_then(|text| serde_json::from_str::<LiveStats>(&text).ok());
    let page = render(&facts, &errors, live.as_ref());
    let path = output.join(FILE_NAME);
    let partial = output.join(format!("{FILE_NAME}.partial"));
    std::fs::write(&partial, page).map_err(io(&partial))?;
    std::fs::rename(&partial, &path).map_err(io(&path))?;
    Ok(path)
}

fn facts(text: &str) -> Result<Facts, String> {
    let failing = |files: &[crate::report::FileReport]| {
        let mut failing: Vec<(String, u64, Option<String>)> = files
            .iter()
            .filter(|f| f.failed > 0 || f.error.is_some())
            .map(|f| (f.path.clone(), f.failed, f.error.clone()))
            .collect();
        failing.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        failing.truncate(TOP_FILES);
        failing
    };
    if let Ok(m) = serde_json::from_str::<RunManifest>(text) {
        return Ok(Facts {
            title: m.project.name.clone(),
            project_file: m.project.file.display().to_string(),
            config: m.config,
            moulin_version: m.moulin_version,
            failing_files: failing(&m.files),
            files: m.files.len(),
            errors_file: m.run.errors_file.clone(),
            run: Some(m.run),
            merged_from: Vec::new(),
            plugins: m.plugins,
            totals: m.totals,
            stages: m.stages,
            entities: m.entities,
        });
    }
    let m: MergedManifest = serde_json::from_str(text).map_err(|e| {
        format!("expected a run's manifest or a merged one ({e}); run `moulin merge` on a sharded run first")
    })?;
    Ok(Facts {
        title: m.project.name.clone(),
        project_file: m.project.file.display().to_string(),
        config: m.config,
        moulin_version: m.moulin_version,
        run: None,
        failing_files: failing(&m.files),
        files: m.files.len(),
        errors_file: m.errors_file,
        merged_from: m.merged_from,
        plugins: m.plugins,
        totals: m.totals,
        stages: m.stages,
        entities: m.entities,
    })
}

/// A line's `kind`, found without parsing the line: the first `"kind":"` in it is the key,
/// since a quote inside a JSON string is escaped.
fn kind_of(line: &[u8]) -> Option<&str> {
    const KEY: &[u8] = b"\"kind\":\"";
    let at = line.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let len = line[at..].iter().position(|&b| b == b'"' || b == b'\\')?;
    std::str::from_utf8(&line[at..at + len]).ok()
}

/// Errors by kind from `errors.jsonl`, read a line at a time (it may be large: 4 million
/// lines take about 1 s); only the examples are parsed whole. A missing file has none.
fn read_errors(path: &Path) -> Errors {
    let mut errors = Errors::default();
    let Ok(file) = std::fs::File::open(path) else { return errors };
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => {
                errors.unreadable += 1;
                break;
            }
        }
        let Some(kind) = kind_of(&line) else {
            errors.unreadable += 1;
            continue;
        };
        let (count, examples) = errors.by_kind.entry(kind.to_string()).or_default();
        *count += 1;
        if examples.len() < EXAMPLES {
            match serde_json::from_slice::<ErrorRecord>(&line) {
                Ok(record) => examples.push(record),
                Err(_) => errors.unreadable += 1,
            }
        }
    }
    errors
}

/// Text for HTML: `&`, `<`, `>` and `"` escaped.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A date and time in UTC from seconds since 1970 (`2026-12-01 14:46:57 UTC`).
fn utc(unix: u64) -> String {
    let (days, secs) = ((unix / 86_400) as i64, unix % 86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", secs / 3600, secs / 60 % 60, secs % 60)
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .7em;border-bottom:1px solid #eee;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#176f2c}.bad{color:#a11}\
svg text{font:12px system-ui,sans-serif}code{font-size:.9em}";

fn render(f: &Facts, errors: &Errors, live: Option<&LiveStats>) -> String {
    let mut page = String::new();
    let status = f.run.as_ref().map_or("merged".to_string(), |r| format!("{:?}", r.status).to_lowercase());
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>moulin: {}</title><style>{STYLE}</style></head><body>\n<h1>{} <small class=\"{}\">{status}</small></h1>\n",
        esc(&f.title),
        esc(&f.title),
        if status == "ok" || status == "merged" { "ok" } else { "bad" }
    );
    run_section(&mut page, f);
    funnel_section(&mut page, f);
    throughput_section(&mut page, live.map_or(&[], |l| &l.timeline[..]));
    stages_section(&mut page, &f.stages);
    content_section(&mut page, &f.totals.content, &f.entities);
    reasons_section(&mut page, f);
    passes_section(&mut page, &f.stages);
    errors_section(&mut page, f, errors);
    slowest_section(&mut page, live.map_or(&[], |l| &l.slowest_files[..]));
    outputs_section(&mut page, &f.stages);
    plugins_section(&mut page, &f.plugins);
    page.push_str("</body></html>\n");
    page
}

fn run_section(page: &mut String, f: &Facts) {
    page.push_str("<h2>Run</h2>\n<table id=\"run\">");
    let mut row = |k: &str, v: String| {
        let _ = write!(page, "<tr><th>{k}</th><td>{}</td></tr>", esc(&v));
    };
    if let Some(r) = &f.run {
        let exit = match r.status {
            crate::report::RunStatus::Ok => 0,
            crate::report::RunStatus::Failures => 1,
            crate::report::RunStatus::Stopped => 3,
        };
        row("exit status", exit.to_string());
        row("started", utc(r.started_unix));
        row("duration", format!("{:.2} s", r.seconds));
        row("threads", r.threads.to_string());
        row("attempt", r.attempt.to_string());
        if let Some(why) = &r.stopped_because {
            row("stopped because", why.clone());
        }
    }
    if !f.merged_from.is_empty() {
        row("merged from", f.merged_from.join(", "));
    }
    row("moulin", f.moulin_version.clone());
    row("input files", format!("{} ({} failed)", f.files, f.totals.files_failed));
    row("text", format!("{:.1} MB", f.totals.text_bytes as f64 / 1e6));
    page.push_str("</table>\n");
    let config = serde_json::to_string_pretty(&f.config).unwrap_or_default();
    let _ = writeln!(
        page,
        "<details><summary>The project's configuration, every default filled in ({})</summary><pre id=\"config\">{}</pre></details>",
        esc(&f.project_file),
        esc(&config)
    );
}

/// Documents through the stages, as bars: read, then what each stage passed on.
fn funnel_section(page: &mut String, f: &Facts) {
    let t = &f.totals;
    let mut bars: Vec<(String, u64, String)> = vec![("read".into(), t.documents, format!("{} documents", t.documents))];
    for s in &f.stages {
        let dropped: u64 = s.dropped.values().sum();
        let mut note = format!("{} out", s.documents_out);
        if dropped > 0 {
            let _ = write!(note, ", {dropped} dropped");
        }
        if s.failed > 0 {
            let _ = write!(note, ", {} failed", s.failed);
        }
        bars.push((s.id.clone(), s.documents_out, note));
    }
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let (width, row) = (560.0, 26);
    let _ = write!(
        page,
        "<h2>Funnel</h2>\n<svg id=\"funnel\" role=\"img\" width=\"900\" height=\"{}\" viewBox=\"0 0 900 {}\">",
        bars.len() * row + 4,
        bars.len() * row + 4
    );
    for (i, (name, n, note)) in bars.iter().enumerate() {
        let y = i * row;
        let w = (*n as f64 / max as f64 * width).max(1.0);
        let _ = write!(
            page,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"140\" y=\"{}\" width=\"{w:.1}\" height=\"18\" fill=\"#4a7fb5\"/><text x=\"{:.1}\" y=\"{}\">{}</text>",
            y + 14,
            esc(name),
            y + 2,
            146.0 + w,
            y + 14,
            esc(note)
        );
    }
    let _ = write!(
        page,
        "</svg>\n<table id=\"totals\"><tr><th>read</th><th>exported</th><th>dropped</th><th>failed</th></tr><tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></table>\n",
        t.documents, t.exported, t.dropped, t.failed
    );
}

/// Horizontal bars with a label and a number each, as inline SVG.
fn bars(page: &mut String, id: &str, rows: &[(String, u64)]) {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let height = rows.len() * 22 + 4;
    let _ =
        write!(page, "<svg id=\"{id}\" role=\"img\" width=\"760\" height=\"{height}\" viewBox=\"0 0 760 {height}\">");
    for (i, (label, n)) in rows.iter().enumerate() {
        let (y, w) = (i * 22, (*n as f64 / max as f64 * 480.0).max(1.0));
        let _ = write!(
            page,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"140\" y=\"{}\" width=\"{w:.1}\" height=\"15\" fill=\"#6a9f58\"/><text x=\"{:.1}\" y=\"{}\">{n}</text>",
            y + 13,
            esc(label),
            y + 2,
            146.0 + w,
            y + 13
        );
    }
    page.push_str("</svg>\n");
}

/// Documents read over the run's last attempt, from the samples of `stats.json`.
fn throughput_section(page: &mut String, timeline: &[(f64, u64, u64)]) {
    let Some(&(seconds, documents, bytes)) = timeline.last().filter(|_| timeline.len() > 1) else { return };
    let (w, h) = (700.0, 160.0);
    let (sx, sy) = (w / seconds.max(1e-9), h / (documents.max(1) as f64));
    let points: Vec<String> =
        timeline.iter().map(|&(t, d, _)| format!("{:.1},{:.1}", 50.0 + t * sx, 10.0 + h - d as f64 * sy)).collect();
    let _ = write!(
        page,
        "<h2>Throughput</h2>\n<p>{documents} documents, {:.1} MB of text in {seconds:.1} s: {:.2} MB/s over this attempt.</p>\n<svg id=\"throughput\" role=\"img\" width=\"760\" height=\"200\" viewBox=\"0 0 760 200\"><polyline fill=\"none\" stroke=\"#4a7fb5\" stroke-width=\"2\" points=\"{}\"/><line x1=\"50\" y1=\"170\" x2=\"750\" y2=\"170\" stroke=\"#999\"/><text x=\"50\" y=\"188\">0 s</text><text x=\"700\" y=\"188\">{seconds:.1} s</text><text x=\"0\" y=\"16\">{documents}</text></svg>\n",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / seconds.max(1e-9),
        points.join(" ")
    );
}

/// Languages and the detector's scores, spans by layer and label, the frequent entities.
fn content_section(page: &mut String, c: &Content, entities: &FrequentEntities) {
    if !c.languages.is_empty() {
        let mut langs: Vec<(String, u64)> = c.languages.iter().map(|(k, n)| (k.clone(), *n)).collect();
        langs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        langs.truncate(20);
        page.push_str("<h2>Languages</h2>\n<p>Exported documents by language (the 20 most frequent).</p>\n");
        bars(page, "languages", &langs);
        let labels = ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "no score"];
        let scores: Vec<(String, u64)> =
            c.lang_scores.iter().enumerate().map(|(i, n)| (labels.get(i).unwrap_or(&"?").to_string(), *n)).collect();
        page.push_str("<p>By the language detector's score (tenths).</p>\n");
        bars(page, "lang-scores", &scores);
    }
    if !c.spans.is_empty() {
        let mut spans: Vec<(&String, &u64)> = c.spans.iter().collect();
        spans.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        page.push_str("<h2>Spans</h2>\n<table id=\"spans\"><tr><th>layer/label</th><th class=\"n\">spans</th></tr>");
        for (kind, n) in spans.into_iter().take(40) {
            let _ = write!(page, "<tr><td>{}</td><td class=\"n\">{n}</td></tr>", esc(kind));
        }
        page.push_str("</table>\n");
    }
    if !entities.0.is_empty() {
        page.push_str("<h2>Frequent entities</h2>\n<table id=\"entities\"><tr><th>entity</th><th>label</th><th class=\"n\">mentions</th></tr>");
        for e in entities.0.iter().take(25) {
            let count = if e.error == 0 { e.count.to_string() } else { format!("≤ {}", e.count) };
            let _ = write!(
                page,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{count}</td></tr>",
                esc(&e.text),
                esc(&e.label)
            );
        }
        page.push_str("</table>\n");
    }
}

/// The files the run's last attempt took longest to read.
fn slowest_section(page: &mut String, slowest: &[(String, f64)]) {
    if slowest.is_empty() {
        return;
    }
    page.push_str(
        "<h2>Slowest files to read</h2>\n<table id=\"slowest\"><tr><th>file</th><th class=\"n\">seconds</th></tr>",
    );
    for (file, seconds) in slowest {
        let _ = write!(page, "<tr><td>{}</td><td class=\"n\">{seconds:.3}</td></tr>", esc(file));
    }
    page.push_str("</table>\n");
}

fn stages_section(page: &mut String, stages: &[StageReport]) {
    page.push_str("<h2>Stages</h2>\n<table id=\"stages\"><tr><th>stage</th><th>plugin</th><th>kind</th><th class=\"n\">in</th><th class=\"n\">out</th><th class=\"n\">dropped</th><th class=\"n\">failed</th><th class=\"n\">seconds</th></tr>");
    for s in stages {
        let dropped: u64 = s.dropped.values().sum();
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{dropped}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td></tr>",
            esc(&s.id),
            esc(&s.plugin),
            esc(&s.kind),
            s.documents_in,
            s.documents_out,
            s.failed,
            s.seconds
        );
    }
    page.push_str("</table>\n");
}

/// Why documents were dropped (quality filters, language, ...) and records skipped.
fn reasons_section(page: &mut String, f: &Facts) {
    let mut reasons: Vec<(u64, &str, &str)> = Vec::new();
    for s in &f.stages {
        reasons.extend(s.dropped.iter().map(|(r, n)| (*n, s.id.as_str(), r.as_str())));
    }
    reasons.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| (a.1, a.2).cmp(&(b.1, b.2))));
    page.push_str("<h2>Dropped, by reason</h2>\n");
    if reasons.is_empty() {
        page.push_str("<p>No document was dropped.</p>\n");
    } else {
        page.push_str("<table id=\"dropped\"><tr><th>stage</th><th>reason</th><th class=\"n\">documents</th></tr>");
        for (n, stage, reason) in reasons {
            let _ = write!(page, "<tr><td>{}</td><td>{}</td><td class=\"n\">{n}</td></tr>", esc(stage), esc(reason));
        }
        page.push_str("</table>\n");
    }
    if !f.totals.skipped.is_empty() {
        page.push_str("<h2>Skipped records, by reason</h2>\n<table id=\"skipped\"><tr><th>reason</th><th class=\"n\">records</th></tr>");
        for (reason, n) in &f.totals.skipped {
            let _ = write!(page, "<tr><td>{}</td><td class=\"n\">{n}</td></tr>", esc(reason));
        }
        page.push_str("</table>\n");
    }
}

/// What the passes of a stage found (deduplication: its clusters and their sizes).
fn passes_section(page: &mut String, stages: &[StageReport]) {
    for s in stages {
        let Some(summary) = &s.pass_summary else { continue };
        let _ = writeln!(page, "<h2>{}: what its pass found</h2>", esc(&s.id));
        for w in &summary.warnings {
            let _ = writeln!(page, "<p class=\"bad\">warning: {}</p>", esc(w));
        }
        if !summary.counts.is_empty() {
            let _ = write!(page, "<table class=\"pass-counts\" data-stage=\"{}\">", esc(&s.id));
            for (name, n) in &summary.counts {
                let _ = write!(page, "<tr><td>{}</td><td class=\"n\">{n}</td></tr>", esc(name));
            }
            page.push_str("</table>\n");
        }
        for (name, histogram) in &summary.histograms {
            // Small values one by one, larger ones by decade, so that a bar chart stays short.
            let mut buckets: Vec<(String, u64)> = Vec::new();
            for (value, n) in histogram {
                let label = match *value {
                    v if v < 5 => v.to_string(),
                    v if v < 10 => "5–9".into(),
                    v if v < 100 => "10–99".into(),
                    v if v < 1000 => "100–999".into(),
                    _ => "1000 or more".into(),
                };
                match buckets.last_mut() {
                    Some((l, total)) if *l == label => *total += n,
                    _ => buckets.push((label, *n)),
                }
            }
            let _ = writeln!(page, "<p>By {}.</p>", esc(name));
            bars(page, &esc(&format!("{}-{}", s.id, name.replace(' ', "-"))), &buckets);
        }
    }
}

fn errors_section(page: &mut String, f: &Facts, errors: &Errors) {
    page.push_str("<h2>Errors</h2>\n");
    if errors.by_kind.is_empty() && errors.unreadable == 0 {
        page.push_str("<p class=\"ok\">None.</p>\n");
        return;
    }
    let _ = write!(page, "<p>From <code>{}</code>: the first {EXAMPLES} of each kind.</p>", esc(&f.errors_file));
    page.push_str("<table id=\"errors\"><tr><th>kind</th><th class=\"n\">count</th><th>examples</th></tr>");
    for (kind, (count, examples)) in &errors.by_kind {
        let list: Vec<String> = examples
            .iter()
            .map(|e| {
                let mut at = e.path.clone().unwrap_or_default();
                if let Some(m) = &e.member {
                    let _ = write!(at, " member {m}");
                }
                if let Some(r) = e.record {
                    let _ = write!(at, " record {r}");
                }
                if let Some(s) = &e.stage {
                    let _ = write!(at, " stage {s}");
                }
                format!("<code>{}</code>: {}", esc(at.trim()), esc(&e.message))
            })
            .collect();
        let _ =
            write!(page, "<tr><td>{}</td><td class=\"n\">{count}</td><td>{}</td></tr>", esc(kind), list.join("<br>"));
    }
    page.push_str("</table>\n");
    if errors.unreadable > 0 {
        let _ = write!(page, "<p class=\"bad\">{} lines of the errors file could not be read.</p>", errors.unreadable);
    }
    if !f.failing_files.is_empty() {
        page.push_str("<h2>Files with the most failures</h2>\n<table id=\"failing\"><tr><th>file</th><th class=\"n\">failed</th><th>stopped</th></tr>");
        for (path, failed, error) in &f.failing_files {
            let stopped = error.as_deref().map(esc).unwrap_or_default();
            let _ = write!(page, "<tr><td>{}</td><td class=\"n\">{failed}</td><td>{stopped}</td></tr>", esc(path));
        }
        page.push_str("</table>\n");
    }
}

/// What each exporter wrote: its files with their sizes.
fn outputs_section(page: &mut String, stages: &[StageReport]) {
    page.push_str(
        "<h2>Outputs</h2>\n<table id=\"outputs\"><tr><th>exporter</th><th>file</th><th class=\"n\">bytes</th></tr>",
    );
    for s in stages.iter().filter(|s| s.kind == "export") {
        let summary: moulin_abi::contract::ExportSummary =
            s.summary.clone().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
        let sizes = (summary.file_bytes.len() == summary.files.len()).then_some(&summary.file_bytes);
        for (i, file) in summary.files.iter().enumerate() {
            let bytes = sizes.map_or_else(|| "-".to_string(), |b| b[i].to_string());
            let _ = write!(page, "<tr><td>{}</td><td>{}</td><td class=\"n\">{bytes}</td></tr>", esc(&s.id), esc(file));
        }
    }
    page.push_str("</table>\n");
}

fn plugins_section(page: &mut String, plugins: &[PluginEntry]) {
    page.push_str("<h2>Plugins</h2>\n<table id=\"plugins\"><tr><th>library</th><th>version</th><th>ABI</th><th>SDK</th><th>SHA-256</th></tr>");
    for p in plugins {
        let sha = p.sha256.as_deref().map_or("-", |s| &s[..s.len().min(16)]);
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&p.name),
            esc(&p.version),
            esc(&p.abi_version),
            esc(&p.sdk_version),
            esc(sha)
        );
    }
    page.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_796_136_417), "2026-12-01 14:46:57 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn kinds_are_found_without_parsing() {
        let line = br#"{"path":"a \"kind\":\"x","record":1,"kind":"read","message":"m"}"#;
        assert_eq!(kind_of(line), Some("read"));
        assert_eq!(kind_of(b"{\"message\":\"no kind\"}"), None);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<a href=\"x\">&</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
    }
}
